"""Every WCO sample the UK publishes, imported into Dostyk or refused, each for its reason.

The samples are real annotated trade-test declarations (../shared/data/wco-declarations); the
comments in each tell what it is and, for two, that customs rejects it: TT_IM001b for the
authorisation holder of its comprehensive guarantee (DE 3/39, CGU), and TT_IM014a for the item
price it does not declare (DE 4/14). Dostyk's outcome for each is asserted below: accepted,
rejected with its first reason, or refused (nothing written) with the first problem and where
in the document it is. Every response written for an imported sample validates against the
notification schemas of the shared folder, not only against the packaged copy.
"""

from __future__ import annotations

import filecmp
from functools import lru_cache
from pathlib import Path

import pytest
import xmlschema
from defusedxml.ElementTree import fromstring
from sqlalchemy import Engine, func, select

from dostyk.interchange.answers import responses
from dostyk.interchange.json_documents import DocumentRejected
from dostyk.interchange.lodging import lodge_stated
from dostyk.interchange.wco.declarations import read_wco_declaration
from dostyk.interchange.wco.responses import wco_responses
from dostyk.interchange.wco.safe_xml import SCHEMAS
from dostyk.services.declaration_record import read_declaration
from dostyk.store import tables as t
from tests.conftest import shared_data
from tests.interchange.wco_world import OPTIONS, samples
from tests.services.world import T0

NO_UNITS = "a declaration names the railcars, trucks or trailers whose cargo it covers"
ITEM = "Declaration/GoodsShipment/GovernmentAgencyGoodsItem[1]"
NO_CODE = f"{ITEM}/Commodity/Classification (DE 6/14): required: the commodity code"
NO_ORIGIN = f"{ITEM}/Origin/CountryCode (DE 5/15): required: the country of origin"
MEASURE = f"{ITEM}/Commodity/GoodsMeasure"
NO_NET = f"{MEASURE}/NetNetWeightMeasure (DE 6/1): required: the net mass in kilograms"
NO_GROSS = f"{MEASURE}/GrossMassMeasure (DE 6/5): required: the gross mass in kilograms"
IMPORTER = "Declaration/GoodsShipment/Importer/ID (DE 3/16)"
NO_IMPORTER = f"{IMPORTER}: required: the importer's identification number"


def type_refused(code: str) -> str:
    return (
        f"Declaration/TypeCode (DE 1/1): declaration type {code!r} is not one Dostyk takes: "
        "IM (import), EX (export)"
    )


CGU = (
    "DE 3/39: the holder of the comprehensive guarantee authorisation (CGU), GB953202734852, "
    "is neither the importer nor the declarant"
)
SHARED_SCHEMAS = shared_data() / "wco-declarations" / "schemas"

EXPECTED = {
    "TT_IM001b": (
        "rejected",
        CGU,
    ),
    "TT_IM001d": ("accepted", ""),
    "TT_IM002b": ("accepted", ""),
    "TT_IM002c": ("accepted", ""),
    "TT_IM003a": ("accepted", ""),
    "TT_IM003b": ("accepted", ""),
    "TT_IM004a": ("rejected", NO_UNITS),
    "TT_IM005a": (
        "refused",
        NO_CODE,
    ),
    "TT_IM005b": (
        "refused",
        NO_CODE,
    ),
    "TT_IM006a": ("rejected", NO_UNITS),
    "TT_IM007a": ("rejected", NO_UNITS),
    "TT_IM008b": ("accepted", ""),
    "TT_IM009b": ("rejected", NO_UNITS),
    "TT_IM011a": (
        "refused",
        NO_CODE,
    ),
    "TT_IM012a": (
        "refused",
        NO_NET,
    ),
    "TT_IM014a": (
        "rejected",
        "item 1: no item price (DE 4/14) is declared, so its customs value cannot be established",
    ),
    "TT_IM015a": ("accepted", ""),
    "TT_IM016a": ("accepted", ""),
    "TT_IM019a": ("accepted", ""),
    "TT_IM020a": ("accepted", ""),
    "TT_IM022a": ("accepted", ""),
    "TT_IM023a": ("accepted", ""),
    "TT_IM024a": ("accepted", ""),
    "TT_IM025a": ("accepted", ""),
    "TT_IM026a": ("accepted", ""),
    "TT_IM027a": ("accepted", ""),
    "TT_IM028a": ("accepted", ""),
    "TT_IM029a": ("accepted", ""),
    "TT_IM031a": ("accepted", ""),
    "TT_IM032a": (
        "refused",
        NO_NET,
    ),
    "TT_IM032b": (
        "refused",
        NO_ORIGIN,
    ),
    "TT_IM033a": ("accepted", ""),
    "TT_IM033b": ("accepted", ""),
    "TT_IM034b": ("accepted", ""),
    "TT_IM036a": ("accepted", ""),
    "TT_IM037a": ("rejected", NO_UNITS),
    "TT_IM043a": ("rejected", NO_UNITS),
    "TT_IM047a": ("accepted", ""),
    "TT_IM047b": ("accepted", ""),
    "TT_IM048a": ("rejected", NO_UNITS),
    "TT_IM049a": ("accepted", ""),
    "TT_IM050a": ("accepted", ""),
    "TT_IM051a": ("accepted", ""),
    "TT_IM052a": ("accepted", ""),
    "TT_IM053a": (
        "refused",
        NO_CODE,
    ),
    "TT_IM056a": (
        "refused",
        type_refused("COA"),
    ),
    "TT_IM058a": ("rejected", NO_UNITS),
    "TT_IM061b": (
        "refused",
        NO_IMPORTER,
    ),
    "TT_IM062a": ("accepted", ""),
    "TT_IM063a": ("accepted", ""),
    "TT_IM066a": ("accepted", ""),
    "TT_IM067a": (
        "refused",
        NO_ORIGIN,
    ),
    "TT_IM068a": (
        "refused",
        NO_ORIGIN,
    ),
    "TT_IM069a": ("accepted", ""),
    "TT_IM072a": (
        "refused",
        type_refused("COJ"),
    ),
    "TT_IM073a": (
        "refused",
        NO_CODE,
    ),
    "TT_IM074a": ("accepted", ""),
    "TT_IM075a": ("accepted", ""),
    "TT_IM076a": ("accepted", ""),
    "TT_IM077a": (
        "refused",
        NO_ORIGIN,
    ),
    "TT_IM078a": ("accepted", ""),
    "TT_IM079a": (
        "refused",
        NO_ORIGIN,
    ),
    "TT_IM080a": ("accepted", ""),
    "TT_IM082a": ("accepted", ""),
    "TT_IM084a": (
        "refused",
        "line 164, column 8: not well-formed XML (not well-formed (invalid token))",
    ),
    "TT_IM085a": (
        "refused",
        NO_CODE,
    ),
    "TT_IM086a": (
        "refused",
        NO_GROSS,
    ),
    "TT_IM087a": ("accepted", ""),
    "TT_IM088a": ("accepted", ""),
    "TT_IM089a": ("accepted", ""),
    "TT_IM090a": ("accepted", ""),
    "TT_IM091a": ("accepted", ""),
    "TT_IM093a": ("accepted", ""),
    "TT_IM094a": ("accepted", ""),
    "TT_IM096a": ("accepted", ""),
    "TT_IM101a": ("accepted", ""),
    "TT_IM106a": ("accepted", ""),
    "TT_IM108a": ("rejected", NO_UNITS),
    "TT_IM109a": ("accepted", ""),
    "TT_IM110a": ("accepted", ""),
    "TT_IM112a": ("accepted", ""),
    "TT_IM114a": ("rejected", NO_UNITS),
    "TT_IM116a": ("accepted", ""),
    "TT_IM121a": ("rejected", NO_UNITS),
    "TT_IM122a": ("accepted", ""),
    "TT_IM123a": ("accepted", ""),
    "TT_IM127a": ("accepted", ""),
    "TT_IM128a": ("accepted", ""),
    "TT_IM135a": (
        "refused",
        NO_IMPORTER,
    ),
    "TT_IM136a": (
        "refused",
        NO_CODE,
    ),
}


def test_every_sample_has_an_expected_outcome() -> None:
    assert sorted(p.stem for p in samples()) == sorted(EXPECTED)


@lru_cache(maxsize=1)
def shared_notification_schema() -> xmlschema.XMLSchema:
    folder = SHARED_SCHEMAS / "notification"
    return xmlschema.XMLSchema(
        [str(folder / "DocumentMetaData_2_DMS.xsd"), str(folder / "WCO_RES_2_DMS.xsd")]
    )


def declarations_count(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(
            connection.execute(select(func.count()).select_from(t.declarations)).scalar_one()
        )


@pytest.mark.parametrize("sample", samples(), ids=lambda p: p.stem)
def test_sample_outcome(uk: Engine, sample: Path) -> None:
    outcome, reason = EXPECTED[sample.stem]
    before = declarations_count(uk)
    try:
        stated = read_wco_declaration(sample.read_bytes(), sample.name)
        assert stated.declarant.value is not None
        lodged = lodge_stated(
            uk, stated, file=sample.name, actor=stated.declarant.value, at=T0, options=OPTIONS
        )
    except DocumentRejected as refused:
        assert outcome == "refused", f"{sample.name} refused: {refused}"
        first = refused.errors[0]
        assert first.file == sample.name
        assert f"{first.path}: {first.message}" == reason
        assert declarations_count(uk) == before  # nothing written
        return
    assert str(lodged.declaration.status) == outcome, lodged.reasons
    assert lodged.declaration.reference == stated.reference.value
    if outcome == "rejected":
        assert lodged.reasons[0] == reason
    else:
        assert lodged.reasons == ()
    view = read_declaration(uk, lodged.declaration.declaration_id)
    assert len(view.items) == len(stated.items)
    body = wco_responses(responses(view))
    shared_notification_schema().validate(fromstring(body))
    codes = [r.answer.value for r in responses(view)]
    assert codes == ["DMSRCV", "DMSREJ" if outcome == "rejected" else "DMSACC"]


def test_rejected_sample_answers_with_its_reasons(uk: Engine) -> None:
    """TT_IM001b's DMSREJ names the authorisation holder, as the UK's notification does."""
    sample = next(p for p in samples() if p.stem == "TT_IM001b")
    stated = read_wco_declaration(sample.read_bytes(), sample.name)
    assert stated.declarant.value is not None
    lodged = lodge_stated(
        uk, stated, file=sample.name, actor=stated.declarant.value, at=T0, options=OPTIONS
    )
    body = wco_responses(responses(read_declaration(uk, lodged.declaration.declaration_id)))
    root = fromstring(body)
    ns = {"r": "urn:wco:datamodel:WCO:RES-DMS:2"}
    rejection = root.findall("r:Response", ns)[1]
    assert rejection.findtext("r:FunctionCode", namespaces=ns) == "03"
    assert "GB953202734852" in (rejection.findtext("r:Error/r:Description", namespaces=ns) or "")
    assert rejection.findtext("r:Declaration/r:FunctionalReferenceID", namespaces=ns) == (
        "TT_IM01b_v1.7_220322_1"
    )


def test_the_same_sample_twice_is_one_declaration(uk: Engine) -> None:
    sample = next(p for p in samples() if p.stem == "TT_IM001d")
    stated = read_wco_declaration(sample.read_bytes(), sample.name)
    assert stated.declarant.value is not None
    first = lodge_stated(uk, stated, file="a", actor=stated.declarant.value, at=T0, options=OPTIONS)
    again = lodge_stated(uk, stated, file="b", actor=stated.declarant.value, at=T0, options=OPTIONS)
    assert first.new and not again.new
    assert again.declaration.declaration_id == first.declaration.declaration_id


def test_packaged_schemas_are_the_published_ones() -> None:
    for kind in ("declaration", "notification"):
        shared = sorted(
            p.relative_to(SHARED_SCHEMAS) for p in (SHARED_SCHEMAS / kind).rglob("*.xsd")
        )
        packaged = sorted(p.relative_to(SCHEMAS) for p in (SCHEMAS / kind).rglob("*.xsd"))
        assert shared == packaged
        for relative in shared:
            assert filecmp.cmp(SHARED_SCHEMAS / relative, SCHEMAS / relative, shallow=False)
