"""Per inspector, risk-adjusted against his peers at the same post.

Every inspection carries the risk that chose it: the score of its first risk assessment when the
selector gives a probability, else the national finding rate of inspections with the same channel
and the same criteria fired (a rule profile's score is no probability). Summed over an
inspector's inspections that is what risk expected him to find; multiplied by how his peers at the
post do against their own expectation (leave-him-out, each peer counted by his probability of
being honest, pulled towards the national ratio when the post is small) it is what a peer would
have found in his place. Corrupt inspectors find less than
that, pass mass excess the scales measured, accept values far below the usual, clear faster and
ask for downgrades; more of their results are reversed later, on the declarant's appeal (a
finding made up to be paid to drop) or by a post-clearance audit (fraud waved through).

The detection indicators weigh the evidence both ways, as the log likelihood ratio of two
hypotheses about the inspector: he finds what a peer would (honest), or he finds only
``SUPPRESSION`` of it (a bribe-taker, who does not record what he is paid to miss). Each
expected finding he did not make is evidence against him and each finding he made is evidence
for him, so an inspector whose many inspections found what his peers find ranks below one with
too few inspections to say anything.
"""

from __future__ import annotations

import math
from typing import Any

import ibis
import numpy as np
import pandas as pd
from scipy import special

from dostyk.integrity import statistics as st
from dostyk.integrity.frames import (
    fetch,
    finished_inspections,
    left_add,
    mass_excess,
    releases,
    seconds,
)
from dostyk.integrity.indicators import Indicators
from dostyk.integrity.ranking import contribution
from dostyk.warehouse.backends import Warehouse

#: The alternative the detection evidence weighs: a bribe-taker finds this share of what a peer
#: facing the same risk finds (he misses what he is paid to miss, not necessarily everything).
SUPPRESSION = 0.25
#: Expected findings a post's peers' rate counts as, pulling a small post towards the national
#: rate (the peers' findings are pooled with this many expected at the national rate).
PEER_PRIOR = 2.0
#: Rounds of the EM fit that weighs each peer by his probability of being honest.
EM_ROUNDS = 10
#: The share of bribe-takers the fit may estimate: never none, never most.
SHARE_BOUNDS = (0.05, 0.5)
#: An item is a unit-value outlier below this many standard deviations under its subheading's
#: mean log value per kg.
OUTLIER_Z = -2.0
#: The warehouse table of later reviews of inspections' results (appeals, audits).
REVIEWS = "finding_reviews"
#: The evidence is in log10 likelihood ratios; odds are worked in natural logarithms.
LN10 = math.log(10.0)


def unit_value_outliers(w: Warehouse) -> Any:
    """Declarations with an item valued far below its subheading's usual value per kg
    (computed once per warehouse)."""
    return w.kept("unit_value_outliers", lambda: _unit_value_outliers(w))


def _unit_value_outliers(w: Warehouse) -> Any:
    items = w.table("declaration_items")
    valued = items.filter((items.net_mass_kg > 0) & (items.customs_value > 0)).mutate(
        hs6=items.commodity_code.substr(0, 6),
        lv=(items.customs_value * items.exchange_rate / items.net_mass_kg).ln(),
    )
    usual = valued.group_by("hs6").aggregate(
        mean_lv=valued.lv.mean(), sd_lv=valued.lv.std(how="pop"), n_hs=valued.count()
    )
    scored = valued.join(usual, "hs6")
    low = scored.filter(
        (scored.n_hs >= 10)
        & (scored.sd_lv > 0)
        & ((scored.lv - scored.mean_lv) / scored.sd_lv < OUTLIER_Z)
    )
    return low.group_by("declaration_id").aggregate(outliers=low.count())


def inspection_facts(w: Warehouse) -> Any:
    """One row per finished inspection with what risk expected of it and what happened.

    An inspection *found* fraud when it recorded a finding that stands: a finding a later review
    (appeal or audit) declared without basis is not a detection. An extorting inspector records
    made-up findings on the honest declarations of traders who will not pay; counted as
    detections they would hide the fraud he is paid to miss behind findings the goods never bore.
    """
    base = _standing(finished_inspections(w), w)
    found = (base.findings > 0).cast("int64")
    strata = (
        base.mutate(found=found)
        .group_by(["risk_channel", "criteria"])
        .aggregate(stratum_rate=ibis._.found.mean())
    )
    rated = base.view().join(strata, ["risk_channel", "criteria"])
    expected = ibis.cases((rated.score > 0, rated.score), else_=rated.stratum_rate)
    mx = mass_excess(w)
    out = unit_value_outliers(w)
    rel = releases(w)
    facts = rated.mutate(expected=expected, found=(rated.findings > 0).cast("int64"))
    facts = left_add(
        left_add(left_add(facts, mx, "declaration_id"), out, "declaration_id"),
        rel,
        "declaration_id",
    )
    return facts.mutate(
        weighed_excess=(facts.mass_excess.fill_null(0) > 0).cast("int64"),
        outlier=(facts.outliers.fill_null(0) > 0).cast("int64"),
        hours_to_release=seconds(facts.released_at, facts.lodged_at) / 3600.0,
    )


def _standing(base: Any, w: Warehouse) -> Any:
    """``base`` with ``findings`` set to 0 on inspections whose findings a review reversed."""
    if not w.has(REVIEWS):
        return base
    v = w.table(REVIEWS)
    baseless = (
        v.filter(v.outcome == "no_basis").select("inspection_id").distinct().mutate(baseless=1)
    )
    marked = left_add(base, baseless, "inspection_id")
    stands = marked.baseless.isnull()
    return marked.mutate(
        findings=ibis.cases((stands, marked.findings), else_=0),
        extra_duty=ibis.cases((stands, marked.extra_duty), else_=0.0),
    ).drop("baseless")


def inspector_totals(w: Warehouse) -> pd.DataFrame:
    facts = inspection_facts(w)
    passed = facts.found == 0
    totals = facts.group_by(["inspector_id", "post_code"]).aggregate(
        inspections=facts.count(),
        found=facts.found.sum(),
        expected=facts.expected.sum(),
        extra_duty=facts.extra_duty.sum(),
        weighed=facts.weighed_excess.sum(),
        weighed_passed=(facts.weighed_excess * passed.cast("int64")).sum(),
        outliers=facts.outlier.sum(),
        outliers_passed=(facts.outlier * passed.cast("int64")).sum(),
        hours=facts.hours_to_release.mean(),
    )
    frame = fetch(totals)
    o = w.table("overrides")
    downgrades = (
        o.filter(o.to_channel == "green")
        .group_by("requested_by")
        .aggregate(downgrades=ibis._.count())
    )
    down = fetch(downgrades).rename(columns={"requested_by": "inspector_id"})
    frame = frame.merge(down, on="inspector_id", how="left")
    frame["downgrades"] = frame["downgrades"].fillna(0).astype("int64")
    frame["hours"] = frame["hours"].astype("float64")
    return frame


def reversal_totals(w: Warehouse) -> pd.DataFrame:
    """Per (inspector, post): finished inspections, those whose result a later review reversed
    (either way), and what the risk each carried predicts of reversals.

    A reversal is rare, so the risk stratum is the channel risk first chose alone (not its
    criteria, as for detection): the national share of inspections in that channel reversed.
    Empty when the warehouse has no reviews at all (nothing to compare against).
    """
    columns = [
        "inspector_id",
        "post_code",
        "reviewable",
        "reversed",
        "no_basis",
        "fraud_missed",
        "expected_reversed",
    ]
    if not w.has(REVIEWS):
        return pd.DataFrame(columns=columns)
    v = w.table(REVIEWS)
    if int(v.count().to_pyarrow().as_py()) == 0:
        return pd.DataFrame(columns=columns)
    flags = v.group_by("inspection_id").aggregate(
        no_basis=(v.outcome == "no_basis").cast("int64").max(),
        fraud_missed=(v.outcome == "fraud_missed").cast("int64").max(),
    )
    base = left_add(finished_inspections(w), flags, "inspection_id")
    base = base.mutate(
        no_basis=base.no_basis.fill_null(0),
        fraud_missed=base.fraud_missed.fill_null(0),
    )
    base = base.mutate(reversed=ibis.greatest(base.no_basis, base.fraud_missed))
    strata = base.group_by("risk_channel").aggregate(stratum_reversed=base.reversed.mean())
    rated = base.join(strata, "risk_channel")
    totals = rated.group_by(["inspector_id", "post_code"]).aggregate(
        reviewable=rated.count(),
        reversed=rated.reversed.sum(),
        no_basis=rated.no_basis.sum(),
        fraud_missed=rated.fraud_missed.sum(),
        expected_reversed=rated.stratum_reversed.sum(),
    )
    return fetch(totals)


def _leave_out(frame: pd.DataFrame, column: str) -> np.ndarray[Any, np.dtype[np.float64]]:
    post_total = frame.groupby("post_code")[column].transform("sum")
    return np.asarray(post_total - frame[column], dtype=np.float64)


def _weighted_leave_out(
    frame: pd.DataFrame, values: np.ndarray[Any, np.dtype[np.float64]]
) -> np.ndarray[Any, np.dtype[np.float64]]:
    """Per row, the sum of ``values`` over the other rows of its post."""
    post_total = pd.Series(values, index=frame.index).groupby(frame["post_code"]).transform("sum")
    return np.asarray(post_total.to_numpy() - values, dtype=np.float64)


def honest_peers(
    frame: pd.DataFrame,
) -> tuple[np.ndarray[Any, np.dtype[np.float64]], np.ndarray[Any, np.dtype[np.float64]]]:
    """What a peer facing each inspector's risk would have found, and each inspector's
    probability of being honest.

    A post's bribe-takers find nothing and would pull the peers' rate down (and with it the
    evidence against every bribe-taker there), so each peer counts by his probability of being
    honest given his own record: an EM fit of the two-hypothesis mixture (honest: a peer's rate;
    bribe-taker: SUPPRESSION of it), alternating the peers' rates and the probabilities, with the
    share of bribe-takers estimated on the way (kept within SHARE_BOUNDS).
    """
    found = frame["found"].to_numpy(dtype=np.float64)
    expected = frame["expected"].to_numpy(dtype=np.float64)
    honest = np.ones(len(frame), dtype=np.float64)
    share = 0.5 * (SHARE_BOUNDS[0] + SHARE_BOUNDS[1])
    adjusted = expected
    for _ in range(EM_ROUNDS):
        national = float((honest * found).sum() / max((honest * expected).sum(), 1e-9))
        ratio = (_weighted_leave_out(frame, honest * found) + PEER_PRIOR * national) / (
            _weighted_leave_out(frame, honest * expected) + PEER_PRIOR
        )
        adjusted = expected * ratio
        # P(honest) = 1 / (1 + prior odds × 10^evidence), as a logistic of the log odds: at ten
        # million declarations an inspector's evidence runs to hundreds of orders of magnitude,
        # beyond what the odds themselves can hold.
        log_odds = math.log(share / (1 - share)) + LN10 * st.poisson_evidence(
            found, adjusted, SUPPRESSION
        )
        honest = np.asarray(special.expit(-log_odds), dtype=np.float64)
        share = float(np.clip(1.0 - honest.mean(), *SHARE_BOUNDS))
    return adjusted, honest


def inspector_indicators(w: Warehouse, out: Indicators) -> pd.DataFrame:
    frame = inspector_totals(w)
    if frame.empty:
        return frame
    found = frame["found"].to_numpy(dtype=np.float64)
    n = frame["inspections"].to_numpy(dtype=np.float64)
    adjusted, honest = honest_peers(frame)
    frame["peer_expected"] = adjusted
    frame["honest_weight"] = honest
    p = st.poisson_lower(found, adjusted)
    z = st.poisson_z(found, adjusted)
    evidence = st.poisson_evidence(found, adjusted, SUPPRESSION)
    frame["detection_log_lr"] = evidence
    # His finding record as a whole (what pass-up weighs): detection, and the weight
    # discrepancies and unit-value outliers he passed, as the ranking adds them.
    frame["record_log_lr"] = [contribution("detection_vs_risk", float(li)) for li in evidence]
    for row, pi, zi, ei, li in zip(frame.itertuples(), p, z, adjusted, evidence, strict=True):
        out.add(
            "inspector",
            row.inspector_id,
            row.post_code,
            "detection_vs_risk",
            float(row.found),
            float(ei),
            float(zi),
            float(pi),
            f"found fraud on {int(row.found)} of {int(row.inspections)} inspections where "
            f"peers at {row.post_code} facing the same risk would have found {ei:.1f}: "
            + st.likelier(float(li), "he misses what he is paid to miss", "he does not"),
            float(li),
        )
    # Value uplift: extra duty found per inspection, against the post's others.
    uplift = frame["extra_duty"].to_numpy(dtype=np.float64) / np.maximum(n, 1)
    peer_uplift = _leave_out(frame, "extra_duty") / np.maximum(_leave_out(frame, "inspections"), 1)
    for row, value, peer in zip(frame.itertuples(), uplift, peer_uplift, strict=True):
        out.add(
            "inspector",
            row.inspector_id,
            row.post_code,
            "value_uplift",
            float(value),
            float(peer),
            None,
            None,
            f"added {value:,.0f} KZT of duty per inspection; peers at {row.post_code} "
            f"added {peer:,.0f}",
        )
    _passed(
        frame,
        out,
        "weighed",
        "weighed_passed",
        "weight_discrepancies_passed",
        "passed {k} of {n} declarations the scales found heavier than declared; "
        "peers at {post} passed {peer:.0%}",
    )
    _passed(
        frame,
        out,
        "outliers",
        "outliers_passed",
        "unit_value_outliers_accepted",
        "accepted {k} of {n} declarations valued far below the usual per kg; "
        "peers at {post} accepted {peer:.0%}",
    )
    # Time to release of what he inspected, against the post's others (hours, lower is faster).
    hours = frame["hours"].to_numpy(dtype=np.float64)
    weighted = np.nan_to_num(hours) * n
    peer_hours = _leave_out(frame.assign(w=weighted), "w") / np.maximum(
        _leave_out(frame, "inspections"), 1
    )
    for row, value, peer in zip(frame.itertuples(), hours, peer_hours, strict=True):
        if np.isnan(value):
            continue
        out.add(
            "inspector",
            row.inspector_id,
            row.post_code,
            "time_to_release",
            float(value),
            float(peer),
            None,
            None,
            f"what he inspected was released {value:.1f} h after lodgement on average; "
            f"peers at {row.post_code}: {peer:.1f} h",
        )
    # Downgrades requested, against the post's others per inspection.
    downs = frame["downgrades"].to_numpy(dtype=np.float64)
    peer_rate = st.shrunk_rate(
        _leave_out(frame, "downgrades"),
        _leave_out(frame, "inspections"),
        float(downs.sum() / max(n.sum(), 1)),
    )
    dp = st.poisson_upper(downs, np.maximum(peer_rate * n, 1e-3))
    for row, k, rate, pi in zip(frame.itertuples(), downs, peer_rate, dp, strict=True):
        if k == 0:
            continue
        out.add(
            "inspector",
            row.inspector_id,
            row.post_code,
            "downgrades_requested",
            float(k),
            float(rate * row.inspections),
            None,
            float(pi),
            f"asked for {int(k)} downgrades to green; peers' rate would give "
            f"{rate * row.inspections:.1f}",
        )
    _reversals(w, out)
    return frame


def _reversals(w: Warehouse, out: Indicators) -> None:
    """``findings_reversed``: more of his results reversed on appeal or audit than his peers'
    facing the same risk. O = his inspections whose result a later review reversed (no basis
    or fraud missed); E = Σ of each inspection's channel reversal rate × his post peers' O/E
    (leave-him-out, shrunk to 1); p = P(Poisson(E) ≥ O)."""
    frame = reversal_totals(w)
    if frame.empty:
        return
    observed = frame["reversed"].to_numpy(dtype=np.float64)
    expected = frame["expected_reversed"].to_numpy(dtype=np.float64)
    peer_observed = _leave_out(frame, "reversed")
    peer_expected = _leave_out(frame, "expected_reversed")
    # By construction the national O/E is 1; a small post's own ratio is pulled towards it.
    prior = st.PRIOR_WEIGHT * 0.1
    ratio = (peer_observed + prior) / (peer_expected + prior)
    adjusted = np.maximum(expected * ratio, 1e-3)
    p = st.poisson_upper(observed, adjusted)
    z = st.poisson_z(observed, adjusted)
    for row, pi, zi, ei in zip(frame.itertuples(), p, z, adjusted, strict=True):
        out.add(
            "inspector",
            row.inspector_id,
            row.post_code,
            "findings_reversed",
            float(row.reversed),
            float(ei),
            float(zi),
            float(pi),
            f"{int(row.reversed)} of his {int(row.reviewable)} inspections were later reversed "
            f"({int(row.no_basis)} findings without basis, {int(row.fraud_missed)} with fraud "
            f"an audit found); peers at {row.post_code} facing the same risk: {ei:.1f}",
        )


def _passed(
    frame: pd.DataFrame, out: Indicators, total: str, passed: str, name: str, words: str
) -> None:
    n = frame[total].to_numpy(dtype=np.float64)
    k = frame[passed].to_numpy(dtype=np.float64)
    # The peers' pass rate is that of the peers the detection record says are honest.
    honest = frame["honest_weight"].to_numpy(dtype=np.float64)
    overall = float((honest * k).sum() / max((honest * n).sum(), 1e-9))
    peer = st.shrunk_rate(
        _weighted_leave_out(frame, honest * k), _weighted_leave_out(frame, honest * n), overall
    )
    p = st.binomial_upper(k, n, peer)
    # A bribe-taker finds SUPPRESSION of what his peers find on these declarations, so he
    # passes 1 - SUPPRESSION x (1 - peers' pass rate) of them.
    evidence = st.binomial_evidence(k, n, peer, 1 - SUPPRESSION * (1 - peer))
    frame["record_log_lr"] += [contribution(name, float(li)) for li in evidence]
    for row, ni, ki, ri, pi, li in zip(frame.itertuples(), n, k, peer, p, evidence, strict=True):
        if ni == 0:
            continue
        out.add(
            "inspector",
            row.inspector_id,
            row.post_code,
            name,
            float(ki),
            float(ri * ni),
            None,
            float(pi),
            words.format(k=int(ki), n=int(ni), post=row.post_code, peer=ri),
            float(li),
        )
