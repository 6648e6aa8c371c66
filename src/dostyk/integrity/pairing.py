"""Broker–inspector over-pairing and lodgement steering.

Random assignment records, for every inspection, the inspectors it drew among (``draw``'s
candidates). Under that draw a broker meets each candidate with probability one over their
number, so the expected count of a pair is the sum of those probabilities over the broker's
inspections; a pair met far more often than that (Poisson tail, Benjamini–Hochberg across every
pair) was arranged after the draw — by a reassignment, or by a draw redone. A broker can also
arrange to be drawn by his inspector by lodging when that inspector's crew is on duty: his
lodgements then concentrate on one crew's shifts beyond the crew's share of the post's lodgements
(binomial tail, Bonferroni over the crews).
"""

from __future__ import annotations

from typing import Any

import ibis
import numpy as np
import pandas as pd

from dostyk.integrity import statistics as st
from dostyk.integrity.frames import fetch, finished_inspections, left_add, releases, seconds
from dostyk.integrity.indicators import Indicators
from dostyk.warehouse.backends import Warehouse

#: The false-discovery rate at which a pair is reported as over-paired.
FDR = 0.05


def pair_counts(w: Warehouse) -> pd.DataFrame:
    """Per (post, broker, inspector): inspections observed and expected under the draws."""
    base = finished_inspections(w)
    listed = base.draw.re_extract(r'"candidates":\[([^\]]*)\]', 1)
    with_candidates = base.mutate(
        candidates=listed.replace('"', "").split(","),
    )
    exploded = with_candidates.mutate(
        share=1.0 / with_candidates.candidates.length().cast("float64")
    ).unnest("candidates")
    expected = exploded.group_by(
        ["post_code", "declarant_id", exploded.candidates.name("inspector_id")]
    ).aggregate(expected=exploded.share.sum())
    rel = releases(w)
    timed = left_add(base.view(), rel, "declaration_id")
    observed = timed.group_by(["post_code", "declarant_id", "inspector_id"]).aggregate(
        observed=timed.count(),
        reassigned=timed.reassigned_from.notnull().cast("int64").sum(),
        found=(timed.findings > 0).cast("int64").sum(),
        hours=seconds(timed.released_at, timed.lodged_at).mean() / 3600.0,
    )
    joined = observed.outer_join(
        expected,
        [
            observed.post_code == expected.post_code,
            observed.declarant_id == expected.declarant_id,
            observed.inspector_id == expected.inspector_id,
        ],
    ).select(
        post_code=ibis.coalesce(observed.post_code, expected.post_code),
        declarant_id=ibis.coalesce(observed.declarant_id, expected.declarant_id),
        inspector_id=ibis.coalesce(observed.inspector_id, expected.inspector_id),
        observed=observed.observed.fill_null(0),
        reassigned=observed.reassigned.fill_null(0),
        found=observed.found.fill_null(0),
        hours=observed.hours,
        expected=expected.expected.fill_null(0.0),
    )
    frame = fetch(joined)
    frame["hours"] = frame["hours"].astype("float64")
    return frame


def pairing_indicators(w: Warehouse, out: Indicators) -> pd.DataFrame:
    """Over-paired (broker, inspector) pairs, as evidence against both; returns every pair."""
    pairs = pair_counts(w)
    if pairs.empty:
        return pairs.assign(p_value=[], q_value=[])
    k = pairs["observed"].to_numpy(dtype=np.float64)
    e = pairs["expected"].to_numpy(dtype=np.float64)
    p = st.poisson_upper(k, np.maximum(e, 0.05))
    pairs["p_value"] = p
    pairs["q_value"] = st.benjamini_hochberg(p)
    # Outcomes of each pair against the broker's other inspections.
    by_broker = pairs.groupby(["post_code", "declarant_id"])
    other_n = by_broker["observed"].transform("sum") - pairs["observed"]
    other_found = by_broker["found"].transform("sum") - pairs["found"]
    pairs["other_found_rate"] = other_found / other_n.where(other_n > 0)
    flagged = pairs[(pairs["q_value"] < FDR) & (pairs["observed"] >= 3)]
    for row in flagged.itertuples():
        found_rate = row.found / row.observed
        other = row.other_found_rate
        outcome = (
            f"; fraud found on {found_rate:.0%} of them against {other:.0%} of his others"
            if not pd.isna(other)
            else ""
        )
        hours = f", released {row.hours:.1f} h after lodgement" if not pd.isna(row.hours) else ""
        words = (
            f"met inspector {row.inspector_id} on {int(row.observed)} inspections where the "
            f"recorded draws give {row.expected:.1f} ({int(row.reassigned)} by reassignment)"
            f"{hours}{outcome}; q = {row.q_value:.2g}"
        )
        out.add(
            "broker",
            row.declarant_id,
            row.post_code,
            "over_pairing",
            float(row.observed),
            float(row.expected),
            None,
            float(row.q_value),
            words,
        )
        out.add(
            "inspector",
            row.inspector_id,
            row.post_code,
            "over_pairing",
            float(row.observed),
            float(row.expected),
            None,
            float(row.q_value),
            f"inspected {int(row.observed)} declarations of broker {row.declarant_id} where "
            f"the recorded draws give {row.expected:.1f}; q = {row.q_value:.2g}",
        )
    return pairs


#: Width of the time buckets the lodgement–shift join goes by (seconds): a day.
BUCKET_SECONDS = 86_400


def crew_lodgements(w: Warehouse) -> Any:
    """Lodgements per (post, broker, shift supervisor on duty when lodged).

    A declaration is matched to every supervisor's shift at its post that spans its lodgement.
    Joined on the post alone, every declaration would meet every shift of its post's history
    before the time condition leaves the few that span it; so each shift is first listed under
    each day it touches, and the join goes by post and day, then the time condition.
    """
    d = w.table("declarations")
    s = w.table("duty_shifts")
    o = w.table("officers")
    supervisors = (
        s.join(o, s.officer_id == o.officer_id)
        .filter(o.rank == "shift_supervisor")
        .select(s.post_code, s.officer_id, s.starts_at, s.ends_at)
    )
    first = supervisors.starts_at.epoch_seconds() // BUCKET_SECONDS
    last = supervisors.ends_at.epoch_seconds() // BUCKET_SECONDS
    bucketed = supervisors.mutate(bucket=ibis.range(first, last + 1)).unnest("bucket")
    lodged = d.select(
        "post_code",
        "declarant_id",
        "declaration_id",
        "lodged_at",
        bucket=d.lodged_at.epoch_seconds() // BUCKET_SECONDS,
    )
    joined = lodged.join(
        bucketed,
        [
            lodged.post_code == bucketed.post_code,
            lodged.bucket == bucketed.bucket,
            lodged.lodged_at >= bucketed.starts_at,
            lodged.lodged_at < bucketed.ends_at,
        ],
    )
    return joined.group_by(
        [lodged.post_code, lodged.declarant_id, bucketed.officer_id.name("crew")]
    ).aggregate(lodged=lodged.declaration_id.count())


def crew_shares(w: Warehouse) -> pd.DataFrame:
    """Each crew's share of its post's duty time (its supervisor's shifts among the post's)."""
    s = w.table("duty_shifts")
    o = w.table("officers")
    sup = s.join(o, s.officer_id == o.officer_id).filter(o.rank == "shift_supervisor")
    hours = sup.group_by([sup.post_code, sup.officer_id.name("crew")]).aggregate(
        hours=seconds(sup.ends_at, sup.starts_at).sum() / 3600.0
    )
    frame = fetch(hours)
    frame["share"] = frame["hours"] / frame.groupby("post_code")["hours"].transform("sum")
    return frame[["post_code", "crew", "share"]]


def steering_indicators(w: Warehouse, out: Indicators) -> pd.DataFrame:
    frame = fetch(crew_lodgements(w))
    if frame.empty:
        return frame
    frame = frame.merge(crew_shares(w), on=["post_code", "crew"], how="left")
    broker_all = frame.groupby(["post_code", "declarant_id"])["lodged"].transform("sum")
    crews = frame.groupby("post_code")["crew"].transform("nunique")
    # Under honest timing a broker lodges during a crew's duty in proportion to its duty time.
    share = frame["share"].fillna(1.0 / crews)
    p = st.binomial_upper(
        frame["lodged"].to_numpy(dtype=np.float64),
        broker_all.to_numpy(dtype=np.float64),
        share.to_numpy(dtype=np.float64),
    )
    frame["share"] = share.to_numpy()
    frame["total"] = broker_all
    frame["p_value"] = np.minimum(p * crews.to_numpy(dtype=np.float64), 1.0)
    best = (
        frame.sort_values(["p_value", "crew"], kind="mergesort")
        .groupby(["post_code", "declarant_id"], as_index=False)
        .first()
    )
    for row in best.itertuples():
        out.add(
            "broker",
            row.declarant_id,
            row.post_code,
            "lodgement_steering",
            float(row.lodged / row.total),
            float(row.share),
            None,
            float(row.p_value),
            f"lodged {int(row.lodged)} of {int(row.total)} declarations at {row.post_code} "
            f"while {row.crew}'s crew was on duty; that crew is on duty {row.share:.0%} "
            "of the time",
        )
    return frame
