"""The findings an inspector records: rows of a form, or the CLI's findings document uploaded.

The form has numbered rows (``finding-1-kind``, ``finding-1-description``, ...); a row left
wholly blank is no finding, so the inspector fills as many rows as he has findings, and a form
with none filled records that nothing irregular was found. Findings are numbered in the order of
the rows filled. Every field at fault is named ``findings[n].field`` with ``n`` the row shown.

The uploaded document is the one ``dostyk inspection finish --findings`` reads (its shape in
docs/lifecycle.md), checked by the same reader; a form carries either rows or a document.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from starlette.datastructures import FormData, UploadFile

from dostyk.domain.bounds import MAX_FINDINGS
from dostyk.domain.errors import InvariantViolation
from dostyk.domain.inspections import INSPECTOR_KINDS, Finding, FindingKind
from dostyk.web.problems import FieldError, bad_request

#: Rows a blank form shows; ``?rows=`` asks for more.
BLANK_ROWS = 3
FIELDS = ("kind", "description", "extra_duty", "item_no", "seized")


def row_count(asked: int | None) -> int:
    return BLANK_ROWS if asked is None else max(1, min(asked, MAX_FINDINGS))


async def findings_from(form: FormData, inspection_id: str) -> tuple[Finding, ...]:
    """The findings the form holds; 422 naming every field at fault."""
    document = form.get("document")
    rows = _rows(form)
    if isinstance(document, UploadFile) and document.filename:
        if rows:
            raise bad_request(
                "give the findings either in the form's rows or as a document, not both",
                [FieldError("document", "the form's rows are filled in too")],
            )
        return await _document(document, inspection_id)
    errors: list[FieldError] = []
    findings = []
    for number, (row, values) in enumerate(rows, start=1):
        finding = _finding(inspection_id, number, row, values, errors)
        if finding is not None:
            findings.append(finding)
    if errors:
        raise bad_request("the findings are not valid", errors)
    return tuple(findings)


def _rows(form: FormData) -> list[tuple[int, dict[str, str]]]:
    """The rows with anything filled in, by the number shown on the form."""
    rows: dict[int, dict[str, str]] = {}
    for key, value in form.multi_items():
        parts = key.split("-")
        if len(parts) != 3 or parts[0] != "finding" or parts[2] not in FIELDS:
            continue
        if not parts[1].isdigit() or not isinstance(value, str):
            continue
        row = int(parts[1])
        if 1 <= row <= MAX_FINDINGS:
            rows.setdefault(row, {})[parts[2]] = value.strip()
    filled = [(row, values) for row, values in sorted(rows.items()) if any(values.values())]
    if len(filled) > MAX_FINDINGS:
        raise bad_request(f"an inspection records at most {MAX_FINDINGS} findings")
    return filled


def _finding(
    inspection_id: str, number: int, row: int, values: dict[str, str], errors: list[FieldError]
) -> Finding | None:
    where = f"findings[{row}]"
    before = len(errors)
    kind_text = values.get("kind", "")
    try:
        kind = FindingKind(kind_text)
        if kind not in INSPECTOR_KINDS:
            raise ValueError(kind_text)
    except ValueError:
        kinds = ", ".join(k.value for k in INSPECTOR_KINDS)
        errors.append(FieldError(f"{where}.kind", f"choose one of {kinds}"))
    extra = Decimal("0.00")
    if values.get("extra_duty"):
        try:
            extra = Decimal(values["extra_duty"].replace(",", ""))
        except InvalidOperation:
            errors.append(FieldError(f"{where}.extra_duty", "is not an amount"))
        else:
            if not extra.is_finite() or extra.as_tuple().exponent < -2:  # type: ignore[operator]
                errors.append(FieldError(f"{where}.extra_duty", "an amount has 2 decimals at most"))
    item_no: int | None = None
    if values.get("item_no"):
        if not values["item_no"].isdigit():
            errors.append(FieldError(f"{where}.item_no", "is not an item number"))
        else:
            item_no = int(values["item_no"])
    if len(errors) > before:
        return None
    try:
        return Finding(
            inspection_id=inspection_id,
            finding_no=number,
            kind=kind,
            description=values.get("description", ""),
            extra_duty=extra,
            seized=bool(values.get("seized")),
            item_no=item_no,
        )
    except InvariantViolation as error:
        errors.extend(FieldError(f"{where}.{v.field}", v.message) for v in error.violations)
        return None


async def _document(upload: UploadFile, inspection_id: str) -> tuple[Finding, ...]:
    from dostyk.interchange.json_documents import parse_findings

    raw = await upload.read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise bad_request(
            "the findings document is not UTF-8 text",
            [FieldError("document", f"{upload.filename} is not UTF-8 text")],
        ) from None
    return parse_findings(text, upload.filename or "document", inspection_id)
