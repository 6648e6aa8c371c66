"""Running outcome histories: what inspecting each party's, code's and route's goods has found.

The risk model scores a declaration on the track record of its importer, declarant, seller,
HS code at 2, 4 and 6 digits, origin, route (origin into post) and post: how many of their
declarations were released, how many of those were inspected, how many inspections found
something and how much extra duty the findings assessed. Reading that from history would make
every assessment slower than the one before, so it is kept here, counted by the releasing unit of
work as :mod:`dostyk.store.running` counts its tallies: a use case reads one row per history
(about a dozen) whatever the history.

A declaration counts when it is released, with the outcome of its inspection if it had one:
that is when its findings are final. Like the other running statistics these rows are derived,
not logged: ``dostyk ledger verify`` rebuilds them from the records and names every row that
differs (:func:`differences`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, func, select

from dostyk.domain.declarations import DeclarationStatus
from dostyk.store import keeping
from dostyk.store import tables as t
from dostyk.store.risk_tables import outcome_tallies
from dostyk.store.running import _run, _run_many

IMPORTER, DECLARANT, SELLER = "importer", "declarant", "seller"
HS2, HS4, HS6, ORIGIN, ROUTE, POST = "hs2", "hs4", "hs6", "origin", "route", "post"
#: Every dimension a history is kept for, in the order the model reads them.
DIMENSIONS = (IMPORTER, DECLARANT, SELLER, HS2, HS4, HS6, ORIGIN, ROUTE, POST)


@dataclass(frozen=True, slots=True)
class History:
    """One subject's record: released declarations, inspected, with findings, extra duty."""

    released: int = 0
    inspected: int = 0
    found: int = 0
    extra_duty_cents: int = 0

    def __add__(self, other: History) -> History:
        return History(
            self.released + other.released,
            self.inspected + other.inspected,
            self.found + other.found,
            self.extra_duty_cents + other.extra_duty_cents,
        )

    def plus(self, inspected: bool, found: bool, extra_cents: int) -> History:
        return History(
            self.released + 1,
            self.inspected + int(inspected),
            self.found + int(found),
            self.extra_duty_cents + extra_cents,
        )


EMPTY = History()


def route(origin: str, post: str) -> str:
    return f"{origin}>{post}"


def subjects_of(
    declarant: str,
    post: str,
    importer: str | None,
    seller: str | None,
    items: Iterable[tuple[str, str]],
) -> list[tuple[str, str]]:
    """The (dimension, subject) pairs a declaration counts under once each; ``items`` are its
    items' (commodity code, origin)."""
    items = list(items)
    pairs = [(DECLARANT, declarant), (POST, post)]
    if importer is not None:
        pairs.append((IMPORTER, importer))
    if seller is not None:
        pairs.append((SELLER, seller))
    for dimension, digits in ((HS2, 2), (HS4, 4), (HS6, 6)):
        pairs += [(dimension, code) for code in sorted({code[:digits] for code, _ in items})]
    origins = sorted({origin for _, origin in items})
    pairs += [(ORIGIN, origin) for origin in origins]
    pairs += [(ROUTE, route(origin, post)) for origin in origins]
    return pairs


def cents(amount: Decimal | float | int) -> int:
    return int((Decimal(str(amount)) * 100).to_integral_value())


# --- counting on the releasing unit of work's connection --------------------------------------

_ADD = (
    f"INSERT INTO {outcome_tallies.name} "
    "(dimension, subject, released, inspected, found, extra_duty_cents) VALUES (?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (dimension, subject) DO UPDATE SET "
    f"released = {outcome_tallies.name}.released + excluded.released, "
    f"inspected = {outcome_tallies.name}.inspected + excluded.inspected, "
    f"found = {outcome_tallies.name}.found + excluded.found, "
    f"extra_duty_cents = {outcome_tallies.name}.extra_duty_cents + excluded.extra_duty_cents"
)
_COLUMNS = [c.name for c in t.declarations.columns]
_ID, _DECLARANT, _POST, _IMPORTER, _SELLER = (
    _COLUMNS.index(name)
    for name in ("declaration_id", "declarant_id", "post_code", "importer_id", "exporter_id")
)
_CHUNK = 500


def _marks(count: int) -> str:
    return ", ".join("?" for _ in range(count))


def count_released(
    connection: Connection,
    declarations: Sequence[Sequence[Any]],
    items: Mapping[str, Sequence[tuple[str, str]]] | None = None,
) -> None:
    """Count declarations just released (rows of the declarations table, in column order) with
    their items and their inspections' outcomes; call in the transaction that releases them.

    ``items`` are the declarations' stored items as (commodity code, origin) when the caller
    has just read them (:func:`dostyk.store.running.count_released` does); else they are read."""
    by_id = {row[_ID]: row for row in declarations}
    ids = sorted(by_id)
    if items is None:
        items = _items_of(connection, ids)
    outcome: dict[str, tuple[bool, bool, int]] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        marks = _marks(len(chunk))
        for declaration_id, findings, extra in _run(
            connection,
            f"SELECT i.declaration_id, COUNT(f.finding_no), SUM(f.extra_duty) "
            f"FROM {t.inspections.name} i LEFT JOIN {t.findings.name} f "
            "ON f.inspection_id = i.inspection_id "
            f"WHERE i.ended_at IS NOT NULL AND i.declaration_id IN ({marks}) "
            "GROUP BY i.declaration_id",
            chunk,
        ):
            outcome[declaration_id] = (True, int(findings) > 0, cents(extra or 0))
    tallies: dict[tuple[str, str], History] = {}
    for key in ids:
        row = by_id[key]
        inspected, found, extra = outcome.get(key, (False, False, 0))
        for pair in subjects_of(
            row[_DECLARANT], row[_POST], row[_IMPORTER], row[_SELLER], items.get(key, ())
        ):
            tallies[pair] = tallies.get(pair, EMPTY).plus(inspected, found, extra)
    _run_many(connection, _ADD, _rows(tallies))
    kept = keeping.kept_already(connection)
    if kept is not None:
        for pair, added in tallies.items():
            if pair in kept.histories:
                kept.histories[pair] = (kept.histories[pair] or EMPTY) + added


def _items_of(connection: Connection, ids: Sequence[str]) -> dict[str, list[tuple[str, str]]]:
    """The stored items of the declarations ``ids`` as (commodity code, origin)."""
    items: dict[str, list[tuple[str, str]]] = {key: [] for key in ids}
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        for declaration_id, code, origin in _run(
            connection,
            f"SELECT declaration_id, commodity_code, origin FROM {t.declaration_items.name} "
            f"WHERE declaration_id IN ({_marks(len(chunk))})",
            chunk,
        ):
            items[declaration_id].append((code, origin))
    return items


def _rows(tallies: Mapping[tuple[str, str], History]) -> list[tuple[Any, ...]]:
    return [
        (d, s, h.released, h.inspected, h.found, h.extra_duty_cents)
        for (d, s), h in sorted(tallies.items())
    ]


def histories(
    connection: Connection, pairs: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], History]:
    """The stored history of each (dimension, subject); absent pairs have none yet."""
    wanted = sorted(set(pairs))
    if not wanted:
        return {}
    kept = keeping.kept(connection)
    if kept is None:
        return _read(connection, wanted)
    missing = [pair for pair in wanted if pair not in kept.histories]
    if missing:
        if len(kept.histories) + len(missing) > keeping.MAX_HISTORIES:
            kept.histories.clear()
        read = _read(connection, missing)
        for pair in missing:
            kept.histories[pair] = read.get(pair)
    found = {pair: kept.histories[pair] for pair in wanted}
    return {pair: history for pair, history in found.items() if history is not None}


def _read(
    connection: Connection, wanted: Sequence[tuple[str, str]]
) -> dict[tuple[str, str], History]:
    condition = " OR ".join("(dimension = ? AND subject = ?)" for _ in wanted)
    rows = _run(
        connection,
        f"SELECT dimension, subject, released, inspected, found, extra_duty_cents "
        f"FROM {outcome_tallies.name} WHERE {condition}",
        [value for pair in wanted for value in pair],
    )
    return {(d, s): History(int(r), int(i), int(f), int(e)) for d, s, r, i, f, e in rows}


# --- rebuilding from the records ---------------------------------------------------------------


def from_records(connection: Connection) -> dict[tuple[str, str], History]:
    """Every history as the released declarations imply it (O(history): for verification and
    after bulk loads, never on the live path)."""
    d, i, f, it = t.declarations.c, t.inspections.c, t.findings.c, t.declaration_items.c
    released = DeclarationStatus.RELEASED.value
    rows = connection.execute(
        select(d.declaration_id, d.declarant_id, d.post_code, d.importer_id, d.exporter_id).where(
            d.status == released
        )
    ).all()
    items: dict[str, list[tuple[str, str]]] = {}
    for declaration_id, code, origin in connection.execute(
        select(it.declaration_id, it.commodity_code, it.origin)
        .join(t.declarations, d.declaration_id == it.declaration_id)
        .where(d.status == released)
    ):
        items.setdefault(declaration_id, []).append((code, origin))
    outcome: dict[str, tuple[bool, bool, int]] = {}
    for declaration_id, findings, extra in connection.execute(
        select(i.declaration_id, func.count(f.finding_no), func.sum(f.extra_duty))
        .select_from(t.inspections.outerjoin(t.findings, f.inspection_id == i.inspection_id))
        .join(t.declarations, d.declaration_id == i.declaration_id)
        .where(i.ended_at.is_not(None), d.status == released)
        .group_by(i.declaration_id)
    ):
        outcome[declaration_id] = (True, int(findings) > 0, cents(extra or 0))
    tallies: dict[tuple[str, str], History] = {}
    for declaration_id, declarant, post, importer, seller in rows:
        inspected, found, extra = outcome.get(declaration_id, (False, False, 0))
        for pair in subjects_of(declarant, post, importer, seller, items.get(declaration_id, [])):
            tallies[pair] = tallies.get(pair, EMPTY).plus(inspected, found, extra)
    return tallies


def stored(connection: Connection) -> dict[tuple[str, str], History]:
    o = outcome_tallies.c
    return {
        (dim, s): History(int(r), int(i), int(f), int(e))
        for dim, s, r, i, f, e in connection.execute(
            select(o.dimension, o.subject, o.released, o.inspected, o.found, o.extra_duty_cents)
        )
    }


def rebuild(connection: Connection) -> None:
    """Replace the stored histories with what the records imply (after a bulk load)."""
    keeping.forget(connection)
    expected = from_records(connection)
    connection.execute(outcome_tallies.delete())
    _run_many(connection, _ADD, _rows(expected))


def differences(connection: Connection) -> list[str]:
    """Every stored history that is not what the records imply, named, e.g.
    ``outcome_tallies importer=IMP1: stored 3/1/1/0, records give 2/1/1/0``."""
    expected, found = from_records(connection), stored(connection)
    problems = []
    for key in sorted(set(expected) | set(found)):
        want, have = expected.get(key, EMPTY), found.get(key, EMPTY)
        if want != have:
            problems.append(
                f"{outcome_tallies.name} {key[0]}={key[1]}: stored {_text(have)}, "
                f"records give {_text(want)}"
            )
    return problems


def _text(history: History) -> str:
    return (
        f"{history.released} released/{history.inspected} inspected/{history.found} found/"
        f"{history.extra_duty_cents} cents"
    )
