"""CUSDEC, CUSCAR and CUSRES built by the tests, read back, lodged; structure errors located."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from dostyk.domain.declarations import Channel, DeclarationStatus
from dostyk.domain.manifests import Manifest, ManifestKind, ManifestLine
from dostyk.interchange.answers import Answer, responses
from dostyk.interchange.edifact.cuscar import CargoReport, build_cuscar
from dostyk.interchange.edifact.cusdec import build_cusdec
from dostyk.interchange.edifact.cusres import cusres, read_cusres
from dostyk.interchange.edifact.envelope import messages
from dostyk.interchange.edifact.segments import tokenize
from dostyk.interchange.importing import import_file, read
from dostyk.interchange.json_documents import DeclarationDocument, DocumentRejected
from dostyk.interchange.lodging import prepare
from dostyk.services.declaration_record import read_declaration
from dostyk.services.errors import NotAuthorised, NotFound
from dostyk.services.ids import make_id
from tests.services.world import POST, T0, Flow, lodging

MOVED = datetime(2025, 3, 1, 1, 0, tzinfo=UTC)


def document(n: int = 1) -> DeclarationDocument:
    """Declaration n of the use-case world, under the id a standard message gets for it."""
    lodged = lodging(n, manifest_id=None)
    new_id = make_id("D", "BRK1", lodged.declaration.reference)
    return DeclarationDocument(
        replace(lodged.declaration, declaration_id=new_id),
        tuple(replace(i, declaration_id=new_id, manifest_line_no=None) for i in lodged.items),
        tuple(replace(u, declaration_id=new_id) for u in lodged.units),
    )


def test_cusdec_round_trip_is_the_same_declaration(uk: Engine) -> None:
    original = document(1)
    text = build_cusdec(original, ["RC1"])
    [stated] = read(text.encode(), "d.edi")
    assert not isinstance(stated, CargoReport)
    again = prepare(uk, stated, file="d.edi", at=T0).document
    assert again == original


def test_cusdec_is_lodged_and_answered_in_cusres(uk: Engine) -> None:
    text = build_cusdec(document(2), ["RC2"])
    [done] = import_file(uk, text.encode(), "d.edi", actor="BRK1", at=T0)
    assert done.lodgement is not None and done.lodgement.accepted
    declaration_id = done.lodgement.declaration.declaration_id
    Flow(uk, T0).assess(declaration_id, Channel.GREEN)
    answers = responses(read_declaration(uk, declaration_id))
    interchange = cusres(answers)
    read_back = [read_cusres(m, "r.edi") for m in messages(tokenize(interchange, "r"), "r")]
    assert [r.answer for r in read_back] == [a.answer.value for a in answers]
    assert [r.reference for r in read_back] == [a.reference for a in answers]
    assert all(r.declaration_id == declaration_id for r in read_back)


def test_cusres_carries_rejection_reasons_and_duties(uk: Engine) -> None:
    bad = document(3)
    text = build_cusdec(bad, [])  # no units: rejected
    [done] = import_file(uk, text.encode(), "d.edi", actor="BRK1", at=T0)
    assert done.lodgement is not None
    assert done.lodgement.declaration.status is DeclarationStatus.REJECTED
    rejected = read_cusres(
        messages(
            tokenize(
                cusres(responses(read_declaration(uk, done.lodgement.declaration.declaration_id))),
                "r",
            ),
            "r",
        )[1],
        "r",
    )
    assert rejected.answer == Answer.REJECTED.value and rejected.function_code == "03"
    assert rejected.reasons == done.lodgement.reasons
    flow = Flow(uk, T0)
    [ok] = import_file(uk, build_cusdec(document(4), ["RC4"]).encode(), "e", actor="BRK1", at=T0)
    assert ok.lodgement is not None
    d4 = ok.lodgement.declaration.declaration_id
    flow.assess(d4, Channel.GREEN)
    duties = flow.duties(d4)
    last = messages(tokenize(cusres(responses(read_declaration(uk, d4))), "r"), "r")[-1]
    taxes = read_cusres(last, "r").taxes
    assert taxes == tuple(
        t
        for line in duties.lines
        for t in (
            (line.item_no, "A00", line.duty_rate, line.duty),
            (line.item_no, "B00", line.vat_rate, line.vat),
        )
    )


def report() -> CargoReport:
    manifest = Manifest(
        "M-KTZ-CR-77", ManifestKind.CARGO_REPORT, POST, "X-TR1", "KTZ", "CR-77", MOVED
    )
    lines = (
        ManifestLine(
            manifest.manifest_id,
            1,
            "950300",
            "Toys: dolls+bears 'boxed'?",
            400,
            40000.0,
            "X-RC1",
            "IMP1",
        ),
        ManifestLine(manifest.manifest_id, 2, "8510900000", "Shaver parts", 12, 350.5),
    )
    return CargoReport(manifest, lines)


def test_cuscar_round_trip_and_manifest_lodged(uk: Engine) -> None:
    text = build_cuscar(report())
    [read_back] = read(text.encode(), "c.edi")
    assert read_back == report()
    [done] = import_file(uk, text.encode(), "c.edi", actor="KTZ", at=T0)
    assert done.manifest == report().manifest


def errors_of(text: str) -> list[str]:
    with pytest.raises(DocumentRejected) as caught:
        read(text.encode(), "x.edi")
    return [str(e) for e in caught.value.errors]


def test_structure_errors_name_segment_and_position() -> None:
    text = build_cusdec(document(1), ["RC1"])
    assert "UNT+17+1" in text  # UNA is not counted; UNB is segment 1, UNH segment 2
    no_uns = text.replace("UNS+D'\n", "").replace("UNT+17+1", "UNT+16+1")
    assert errors_of(no_uns) == [
        "x.edi: segment 10 (CST): CUSDEC: mandatory UNS is missing in CUSDEC; found CST"
    ]
    assert errors_of(text.replace("UNT+17+1", "UNT+15+1")) == [
        "x.edi: segment 18 (UNT): element 1: the message has 17 segments, not '15'"
    ]
    stray = text.replace("UNS+D'", "UNS+D'\nDOC+380'").replace("UNT+17+1", "UNT+18+1")
    assert errors_of(stray) == [
        "x.edi: segment 11 (DOC): CUSDEC: mandatory SG29 (CST) (opened by CST) is missing in "
        "CUSDEC; found DOC"
    ]
    twice = text.replace("UNS+D'", "UNS+D'\nUNS+D'").replace("UNT+17+1", "UNT+18+1")
    assert errors_of(twice) == [
        "x.edi: segment 11 (UNS): CUSDEC: UNS may appear at most 1 times in CUSDEC"
    ]
    assert errors_of("UNH+1+CUSDEC:D:01B:UN'BGM+929'UNT+3+1'") == [
        "x.edi: segment 1 (UNH), element 2, component 2: directory D.01B of CUSDEC is not "
        "supported; Dostyk reads D.96B (docs/interchange.md)"
    ]
    no_price = text.replace("MOA+146:20000.00:USD'\n", "").replace("UNT+17+1", "UNT+16+1")
    [stated] = read(no_price.encode(), "x.edi")
    assert not isinstance(stated, CargoReport)
    assert stated.items[0].value.where == "MOA+146 in the goods item opened by segment 11 (CST)"


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_edifact_parser_fuzz_refuses_cleanly(text: str) -> None:
    try:
        read(("UNH+" + text).encode("utf-8", "surrogatepass"), "f.edi")
    except DocumentRejected as refused:
        assert all(e.file == "f.edi" for e in refused.errors)


@settings(max_examples=150, deadline=None)
@given(st.integers(min_value=0, max_value=400), st.text(max_size=20))
def test_edifact_mutated_messages_refuse_cleanly(cut: int, junk: str) -> None:
    text = build_cusdec(document(1), ["RC1"])
    mutated = text[:cut] + junk + text[cut + len(junk) :]
    try:
        read(mutated.encode("utf-8", "surrogatepass"), "m.edi")
    except DocumentRejected as refused:
        assert refused.errors


def test_a_file_is_all_or_nothing(uk: Engine) -> None:
    """Two CUSDEC messages: the second is another broker's, so the first is not lodged either."""
    mine = build_cusdec(document(7), ["RC1"]).split("UNZ")[0]
    theirs_doc = document(8)
    theirs_doc = DeclarationDocument(
        replace(theirs_doc.declaration, declarant_id="BRK2"), theirs_doc.items, theirs_doc.units
    )
    theirs = build_cusdec(theirs_doc, ["RC2"], reference="2")
    second = theirs[theirs.index("UNH") : theirs.index("UNZ")]
    interchange = mine + second + "UNZ+2+CUSDEC'\n"
    with pytest.raises(NotAuthorised):
        import_file(uk, interchange.encode(), "two.edi", actor="BRK1", at=T0)
    with pytest.raises(NotFound):
        read_declaration(uk, make_id("D", "BRK1", "REF-0007"))
    [one, two] = read(interchange.encode(), "two.edi")
    assert not isinstance(one, CargoReport) and not isinstance(two, CargoReport)
