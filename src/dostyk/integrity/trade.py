"""Traders, brokers and posts: Benford's first digits, findings, and empty trucks that weigh laden.

Benford's law (Nigrini, *Benford's Law*, 2012) says the first digit d of amounts spanning several
orders of magnitude occurs with probability log10(1 + 1/d); invented or adjusted amounts drift
from it. The conformity measure is the mean absolute deviation (MAD) of the observed first-digit
shares from Benford's, with Nigrini's thresholds (0.006 close, 0.012 acceptable, 0.015 marginal,
beyond: nonconformity). Customs values of one trader's few goods span a narrow range, so MAD is
reported beside the post's median for the case officer and does not add to the score.

An empty-return crossing whose weighed gross mass exceeds the unit's tare by more than the
scale's tolerance carried something (the reconciliation records it as ``empty_not_empty``);
per post, their rate among empty returns is tested against the national rate.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dostyk.integrity import statistics as st
from dostyk.integrity.frames import fetch, finished_inspections
from dostyk.integrity.indicators import Indicators
from dostyk.warehouse.backends import Warehouse

BENFORD = np.log10(1 + 1 / np.arange(1, 10))
#: Fewest values for a first-digit test to mean anything.
BENFORD_MINIMUM = 50


def digit_counts(w: Warehouse) -> pd.DataFrame:
    """Counts of the first significant digit of declared customs values per broker, importer
    and post: one pass over the items serves both parties' tests."""
    d = w.table("declarations")
    items = w.table("declaration_items")
    valued = items.join(d, items.declaration_id == d.declaration_id).filter(
        items.customs_value >= 1
    )
    digit = (
        (valued.customs_value / (10.0 ** valued.customs_value.log10().floor()))
        .floor()
        .cast("int64")
    )
    counted = valued.mutate(digit=digit)
    return fetch(
        counted.group_by(["declarant_id", "importer_id", "post_code", "digit"]).aggregate(
            n=counted.count()
        )
    )


def first_digits(counts: pd.DataFrame, party: str) -> pd.DataFrame:
    """Counts of the first significant digit per party (``declarant_id`` or ``importer_id``)
    and post, from :func:`digit_counts`."""
    named = counts[counts[party].notna()]
    frame = (
        named.groupby([party, "post_code", "digit"], sort=True, dropna=False)["n"]
        .sum()
        .reset_index()
        .rename(columns={party: "subject"})
    )
    return frame[["subject", "post_code", "digit", "n"]]


def benford_indicators(w: Warehouse, out: Indicators) -> None:
    counts = digit_counts(w)
    for party, kind in (("declarant_id", "broker"), ("importer_id", "importer")):
        found = first_digits(counts, party)
        if found.empty:
            continue
        table = found.pivot_table(
            index=["subject", "post_code"],
            columns="digit",
            values="n",
            aggfunc="sum",
            fill_value=0,
        ).reindex(columns=range(1, 10), fill_value=0)
        totals = table.sum(axis=1)
        shares = table.div(totals.where(totals > 0), axis=0)
        mad = (shares - BENFORD).abs().mean(axis=1)
        frame = pd.DataFrame({"mad": mad, "n": totals}).reset_index()
        frame = frame[frame["n"] >= BENFORD_MINIMUM]
        if frame.empty:
            continue
        frame["peer"] = frame.groupby("post_code")["mad"].transform("median")
        for row in frame.itertuples():
            out.add(
                kind,
                row.subject,
                row.post_code,
                "benford",
                float(row.mad),
                float(row.peer),
                None,
                None,
                f"first digits of {int(row.n)} declared values deviate from Benford's law by "
                f"MAD {row.mad:.3f}; the median at {row.post_code} is {row.peer:.3f} "
                "(Nigrini: above 0.015 is nonconformity)",
            )


def importer_indicators(w: Warehouse, out: Indicators) -> None:
    """Fraud found on an importer's inspected declarations, and mass excess on all of them."""
    base = finished_inspections(w)
    found = fetch(
        base.group_by(["importer_id", "post_code"]).aggregate(
            inspections=base.count(), found=(base.findings > 0).cast("int64").sum()
        )
    )
    if found.empty:
        return
    n = found["inspections"].to_numpy(dtype=np.float64)
    k = found["found"].to_numpy(dtype=np.float64)
    rate = st.shrunk_rate(
        found.groupby("post_code")["found"].transform("sum").to_numpy() - k,
        found.groupby("post_code")["inspections"].transform("sum").to_numpy() - n,
        float(k.sum() / max(n.sum(), 1)),
    )
    p = st.binomial_upper(k, n, rate)
    for row, ri, pi in zip(found.itertuples(), rate, p, strict=True):
        if row.importer_id is None:
            continue
        out.add(
            "importer",
            row.importer_id,
            row.post_code,
            "findings",
            float(row.found),
            float(ri * row.inspections),
            None,
            float(pi),
            f"fraud found on {int(row.found)} of {int(row.inspections)} inspected declarations; "
            f"the post's other importers' rate would give {ri * row.inspections:.1f}",
        )


def empty_return_indicators(w: Warehouse, out: Indicators) -> None:
    c = w.table("crossings")
    z = w.table("discrepancies")
    empty = c.filter((c.direction == "out") & ~c.laden & c.part_of.isnull())
    returns = fetch(empty.group_by("post_code").aggregate(returns=empty.count()))
    flagged = z.filter(z.kind == "empty_not_empty")
    laden = fetch(flagged.group_by("post_code").aggregate(laden=flagged.count()))
    frame = returns.merge(laden, on="post_code", how="left").fillna({"laden": 0})
    if frame.empty:
        return
    n = frame["returns"].to_numpy(dtype=np.float64)
    k = frame["laden"].to_numpy(dtype=np.float64)
    national = float(k.sum() / max(n.sum(), 1))
    p = st.binomial_upper(k, n, np.full(len(n), national))
    for row, pi in zip(frame.itertuples(), p, strict=True):
        out.add(
            "post",
            row.post_code,
            row.post_code,
            "empty_returns_laden",
            float(row.laden),
            float(national * row.returns),
            None,
            float(pi),
            f"{int(row.laden)} of {int(row.returns)} trucks going back empty weighed laden; "
            f"the national rate would give {national * row.returns:.1f}",
        )
