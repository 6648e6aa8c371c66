"""Running statistics of released declarations, kept as each release happens.

Selectivity consults the usual value per net kg of a subheading and how many declarations an
importer has had released. Reading them from history makes every assessment slower than the one
before (the median read every released item of the subheading), so they are kept here instead,
updated by the release's own unit of work: a use case reads a few rows whatever the history.

*Usual value per kg* is a fixed-bucket logarithmic histogram per subheading: an item's value per
kg ``v`` counts in bucket ``floor(16 · log2 v)``, so each bucket spans a factor of 2^(1/16)
(4.4 %) and the median is read as the geometric middle of the bucket that holds it — within
2.2 % of the exact median, far finer than the rule it serves (an item below 30 % of it). A
histogram, unlike a streaming sketch such as P², does not depend on the order of the releases, so
rebuilding it from the records gives exactly the stored rows; it holds one row per occupied
bucket (a few dozen per subheading), however many items were released.

*Release tallies* count released declarations per importer, declarant, post, subheading and
origin (a declaration counts once per subheading and origin among its items): what the rules and
the risk model ask about a party's or a code's history.

Both steer channels, so tampering with them must be caught like tampering with a record. They are
not logged in the ledger (that would add about eight entries to every release, a third more than
a whole lifecycle writes); instead ``dostyk ledger verify`` rebuilds them from the records, which
the ledger does vouch for, and names every row that differs (:func:`differences`).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, select

from dostyk.domain.declarations import DeclarationStatus
from dostyk.domain.money import to_amount
from dostyk.store import keeping
from dostyk.store import tables as t

#: Buckets per doubling of the value per kg.
BUCKETS_PER_OCTAVE = 16
#: The bucket of items declared at no value (or with no net mass to divide by).
NO_VALUE_BUCKET = -(2**30)

IMPORTER, DECLARANT, POST, HS6, ORIGIN = "importer", "declarant", "post", "hs6", "origin"


@dataclass(frozen=True, slots=True)
class UnitValue:
    """What goods of one HS subheading are usually declared at, national currency per net kg."""

    median: float
    count: int


def per_kg(value: Decimal, rate: Decimal, net_mass_kg: float) -> float | None:
    """An item's value per net kg in national currency (its value to the cent over its mass)."""
    if net_mass_kg <= 0:
        return None
    return float(to_amount(value * rate)) / net_mass_kg


def bucket_of(value_per_kg: float | None) -> int:
    if value_per_kg is None or value_per_kg <= 0:
        return NO_VALUE_BUCKET
    return math.floor(BUCKETS_PER_OCTAVE * math.log2(value_per_kg))


def bucket_value(bucket: int) -> float:
    """The geometric middle of a bucket: what an item in it is taken to be worth per kg."""
    if bucket == NO_VALUE_BUCKET:
        return 0.0
    return float(2.0 ** ((bucket + 0.5) / BUCKETS_PER_OCTAVE))


def median_of(buckets: Sequence[tuple[int, int]]) -> UnitValue | None:
    """The median of a histogram given as (bucket, items) in bucket order, as
    :func:`statistics.median` takes it: the middle item, or the mean of the middle two."""
    total = sum(items for _, items in buckets)
    if total <= 0:
        return None
    wanted = [(total - 1) // 2, total // 2]  # 0-based ranks of the middle item(s)
    found: list[float] = []
    seen = 0
    for bucket, items in buckets:
        while wanted and wanted[0] < seen + items:
            found.append(bucket_value(bucket))
            wanted.pop(0)
        seen += items
    return UnitValue((found[0] + found[1]) / 2, total)


def tallies_of(
    declarant: str, post: str, importer: str | None, items: Iterable[tuple[str, str]]
) -> list[tuple[str, str]]:
    """The (dimension, subject) pairs one released declaration counts once each; ``items``
    are its items' (subheading, origin)."""
    items = list(items)
    pairs = [(DECLARANT, declarant), (POST, post)]
    if importer is not None:
        pairs.append((IMPORTER, importer))
    pairs += [(HS6, hs6) for hs6 in sorted({hs6 for hs6, _ in items})]
    pairs += [(ORIGIN, origin) for origin in sorted({origin for _, origin in items})]
    return pairs


# --- reading and writing on a unit of work's connection ----------------------------------------

_ADD_VALUES = (
    f"INSERT INTO {t.usual_values.name} (hs6, bucket, released_items) VALUES (?, ?, ?) "
    "ON CONFLICT (hs6, bucket) DO UPDATE "
    f"SET released_items = {t.usual_values.name}.released_items + excluded.released_items"
)
_ADD_TALLIES = (
    f"INSERT INTO {t.release_tallies.name} (dimension, subject, released) VALUES (?, ?, ?) "
    "ON CONFLICT (dimension, subject) DO UPDATE "
    f"SET released = {t.release_tallies.name}.released + excluded.released"
)
_RELEASED = f"SELECT released FROM {t.release_tallies.name} WHERE dimension = ? AND subject = ?"


def _values_query(count: int) -> str:
    marks = ", ".join("?" for _ in range(count))
    return (
        f"SELECT hs6, bucket, released_items FROM {t.usual_values.name} "
        f"WHERE hs6 IN ({marks}) ORDER BY hs6, bucket"
    )


def _driver(connection: Connection) -> Any | None:
    """SQLite's own connection, for statements run straight on the driver; None elsewhere."""
    if connection.dialect.name != "sqlite":
        return None
    return connection.connection.driver_connection


def _run(connection: Connection, sql: str, params: Sequence[Any]) -> list[Any]:
    raw = _driver(connection)
    if raw is not None:
        return list(raw.execute(sql, params).fetchall())
    result = connection.exec_driver_sql(sql.replace("?", "%s"), tuple(params))
    return list(result.fetchall()) if result.returns_rows else []


def _run_many(connection: Connection, sql: str, rows: Sequence[Sequence[Any]]) -> None:
    if not rows:
        return
    raw = _driver(connection)
    if raw is not None:
        raw.executemany(sql, rows)
        return
    connection.exec_driver_sql(sql.replace("?", "%s"), [tuple(row) for row in rows])


_COLUMNS = [c.name for c in t.declarations.columns]
_ID, _DECLARANT, _POST, _IMPORTER = (
    _COLUMNS.index(name) for name in ("declaration_id", "declarant_id", "post_code", "importer_id")
)
#: Declarations per query when reading the items of many.
_CHUNK = 500


def _items_query(count: int) -> str:
    marks = ", ".join("?" for _ in range(count))
    return (
        "SELECT declaration_id, commodity_code, origin, customs_value, exchange_rate, "
        f"net_mass_kg FROM {t.declaration_items.name} WHERE declaration_id IN ({marks})"
    )


def count_released(
    connection: Connection, declarations: Sequence[Sequence[Any]]
) -> dict[str, list[tuple[str, str]]]:
    """Count declarations that have just been released (rows of the declarations table, in
    column order), with their stored items; call in the transaction that releases them.

    Gives each declaration's items as (commodity code, origin), for the outcome histories
    (:func:`dostyk.store.outcomes.count_released`) to count without reading them again."""
    by_id = {row[_ID]: row for row in declarations}
    ids = sorted(by_id)
    values: Counter[tuple[str, int]] = Counter()
    codes: dict[str, list[tuple[str, str]]] = {key: [] for key in ids}
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        for declaration_id, code, origin, value, rate, net in _run(
            connection, _items_query(len(chunk)), chunk
        ):
            values[
                (code[:6], bucket_of(per_kg(Decimal(str(value)), Decimal(str(rate)), float(net))))
            ] += 1
            codes[declaration_id].append((code, origin))
    tallies: Counter[tuple[str, str]] = Counter()
    for key in ids:
        row = by_id[key]
        subheadings = [(code[:6], origin) for code, origin in codes[key]]
        tallies.update(tallies_of(row[_DECLARANT], row[_POST], row[_IMPORTER], subheadings))
    _run_many(connection, _ADD_VALUES, [(h, b, n) for (h, b), n in sorted(values.items())])
    _run_many(connection, _ADD_TALLIES, [(d, s, n) for (d, s), n in sorted(tallies.items())])
    kept = keeping.kept_already(connection)
    if kept is not None:
        for (hs6, bucket), count in values.items():
            histogram = kept.histograms.get(hs6)
            if histogram is not None:
                histogram[bucket] = histogram.get(bucket, 0) + count
                kept.medians.pop(hs6, None)
    return codes


def usual_values(connection: Connection, subheadings: Iterable[str]) -> dict[str, UnitValue]:
    """The usual value per kg of each subheading that has released items."""
    wanted = sorted(set(subheadings))
    if not wanted:
        return {}
    kept = keeping.kept(connection)
    if kept is None:
        return _present(_read_histograms(connection, wanted), wanted)
    missing = [hs6 for hs6 in wanted if hs6 not in kept.histograms]
    if missing:
        kept.histograms.update(_read_histograms(connection, missing))
    found: dict[str, UnitValue] = {}
    for hs6 in wanted:
        if hs6 not in kept.medians:
            kept.medians[hs6] = median_of(sorted(kept.histograms[hs6].items()))
        value = kept.medians[hs6]
        if value is not None:
            found[hs6] = value
    return found


def _read_histograms(connection: Connection, wanted: Sequence[str]) -> dict[str, dict[int, int]]:
    """The stored histogram of each subheading (empty where none of its items is released)."""
    histograms: dict[str, dict[int, int]] = {hs6: {} for hs6 in wanted}
    for hs6, bucket, items in _run(connection, _values_query(len(wanted)), wanted):
        histograms[hs6][int(bucket)] = int(items)
    return histograms


def _present(
    histograms: Mapping[str, dict[int, int]], wanted: Sequence[str]
) -> dict[str, UnitValue]:
    found = {hs6: median_of(sorted(histograms[hs6].items())) for hs6 in wanted}
    return {hs6: value for hs6, value in found.items() if value is not None}


def released(connection: Connection, dimension: str, subject: str) -> int:
    """How many released declarations count under ``dimension`` (e.g. an importer's)."""
    rows = _run(connection, _RELEASED, (dimension, subject))
    return int(rows[0][0]) if rows else 0


# --- rebuilding from the records ---------------------------------------------------------------


@dataclass(frozen=True)
class Expected:
    """The statistics as the records imply them."""

    values: Mapping[tuple[str, int], int]
    tallies: Mapping[tuple[str, str], int]


def from_records(connection: Connection) -> Expected:
    """Compute every statistic from the released declarations and their items (O(history):
    for verification and after bulk loads, never on the live path)."""
    d, i = t.declarations.c, t.declaration_items.c
    released_rows = connection.execute(
        select(d.declaration_id, d.declarant_id, d.post_code, d.importer_id).where(
            d.status == DeclarationStatus.RELEASED.value
        )
    ).all()
    tallies: Counter[tuple[str, str]] = Counter()
    for _, declarant, post, importer in released_rows:
        tallies[(DECLARANT, declarant)] += 1
        tallies[(POST, post)] += 1
        if importer is not None:
            tallies[(IMPORTER, importer)] += 1
    values: Counter[tuple[str, int]] = Counter()
    codes: dict[str, set[tuple[str, str]]] = {}
    item_rows = connection.execute(
        select(
            i.declaration_id,
            i.commodity_code,
            i.origin,
            i.customs_value,
            i.exchange_rate,
            i.net_mass_kg,
        )
        .join(t.declarations, d.declaration_id == i.declaration_id)
        .where(d.status == DeclarationStatus.RELEASED.value)
    )
    for declaration_id, code, origin, value, rate, net in item_rows:
        hs6 = code[:6]
        values[(hs6, bucket_of(per_kg(Decimal(value), Decimal(rate), float(net))))] += 1
        seen = codes.setdefault(declaration_id, set())
        seen.add((HS6, hs6))
        seen.add((ORIGIN, origin))
    for pairs in codes.values():
        tallies.update(pairs)
    return Expected(dict(values), dict(tallies))


def stored(connection: Connection) -> Expected:
    v, r = t.usual_values.c, t.release_tallies.c
    values = {
        (h, int(b)): int(n)
        for h, b, n in connection.execute(select(v.hs6, v.bucket, v.released_items))
    }
    tallies = {
        (dim, s): int(n)
        for dim, s, n in connection.execute(select(r.dimension, r.subject, r.released))
    }
    return Expected(values, tallies)


def rebuild(connection: Connection) -> None:
    """Replace the stored statistics with what the records imply (after a bulk load)."""
    keeping.forget(connection)
    expected = from_records(connection)
    connection.execute(t.usual_values.delete())
    connection.execute(t.release_tallies.delete())
    _run_many(connection, _ADD_VALUES, [(h, b, n) for (h, b), n in sorted(expected.values.items())])
    _run_many(
        connection, _ADD_TALLIES, [(d, s, n) for (d, s), n in sorted(expected.tallies.items())]
    )


def differences(connection: Connection) -> list[str]:
    """Every stored statistic that is not what the records imply, named, e.g.
    ``usual_values hs6=090111 bucket=97: stored 3, records give 2``."""
    expected, found = from_records(connection), stored(connection)
    problems = []
    for hs6, bucket in sorted(set(expected.values) | set(found.values)):
        want, have = expected.values.get((hs6, bucket), 0), found.values.get((hs6, bucket), 0)
        if want != have:
            problems.append(
                f"{t.usual_values.name} hs6={hs6} bucket={bucket}: "
                f"stored {have}, records give {want}"
            )
    for dimension, subject in sorted(set(expected.tallies) | set(found.tallies)):
        want = expected.tallies.get((dimension, subject), 0)
        have = found.tallies.get((dimension, subject), 0)
        if want != have:
            problems.append(
                f"{t.release_tallies.name} {dimension}={subject}: "
                f"stored {have}, records give {want}"
            )
    return problems
