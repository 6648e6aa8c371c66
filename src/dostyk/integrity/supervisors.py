"""Overrides, reassignments, queue breaches and pass-up: the supervisors' indicators.

A shift supervisor decides overrides (the four-eyes downgrade), reassigns inspections and may
release out of turn. Each is legitimate now and then; a supervisor who does them far more often
than the other supervisors at his post (Poisson tail against their mean, pulled towards the
national mean), for a few brokers, under whom downgraded declarations turn out heavier or cheaper
than declared, and under whom several inspectors find less than their risk predicted, is running
a pass-up scheme: his inspectors take bribes and pass part of them up.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from dostyk.integrity import statistics as st
from dostyk.integrity.frames import fetch, left_add, mass_excess
from dostyk.integrity.indicators import Indicators
from dostyk.integrity.inspectors import unit_value_outliers
from dostyk.warehouse.backends import Warehouse

#: An inspector counts as anomalous, for pass-up, below this detection tail probability.
ANOMALOUS_P = 0.05


def supervisors(w: Warehouse) -> pd.DataFrame:
    """Shift supervisors and their post (the post of their shifts)."""
    o = w.table("officers")
    s = w.table("duty_shifts")
    sup = o.filter(o.rank == "shift_supervisor")
    posts = s.group_by("officer_id").aggregate(post_code=s.post_code.max(), shifts=s.count())
    joined = sup.join(posts, "officer_id").select("officer_id", "post_code", "shifts")
    return fetch(joined)


def _counts(expression: Any, key: str) -> pd.DataFrame:
    frame = fetch(expression)
    return frame.rename(columns={key: "officer_id"})


def action_counts(w: Warehouse) -> pd.DataFrame:
    o = w.table("overrides")
    i = w.table("inspections")
    q = w.table("queue_exceptions")
    approved = o.filter((o.decision == "approved") & (o.to_channel == "green"))
    mx = mass_excess(w)
    out = unit_value_outliers(w)
    later = left_add(left_add(approved, mx, "declaration_id"), out, "declaration_id")
    contradicted = ((later.mass_excess.fill_null(0) + later.outliers.fill_null(0)) > 0).cast(
        "int64"
    )
    downs = _counts(
        later.group_by("decided_by").aggregate(
            approved=later.count(), contradicted=contradicted.sum()
        ),
        "decided_by",
    )
    moved = i.filter(i.reassigned_by.notnull())
    reassigned = _counts(
        moved.group_by("reassigned_by").aggregate(reassigned=moved.count()), "reassigned_by"
    )
    turns = _counts(q.group_by("officer_id").aggregate(out_of_turn=q.count()), "officer_id")
    frame = supervisors(w)
    for extra in (downs, reassigned, turns):
        frame = frame.merge(extra, on="officer_id", how="left")
    for name in ("approved", "contradicted", "reassigned", "out_of_turn"):
        frame[name] = frame[name].fillna(0).astype("float64")
    return frame


def supervisor_indicators(w: Warehouse, out: Indicators, inspectors: pd.DataFrame) -> pd.DataFrame:
    frame = action_counts(w)
    if frame.empty:
        return frame
    shifts = frame["shifts"].to_numpy(dtype=np.float64)
    words = {
        "approved": "approved {k:.0f} downgrades to green ({extra}); peers at {post} "
        "would have approved {e:.1f} in as many shifts",
        "reassigned": "reassigned {k:.0f} inspections away from the drawn inspector; "
        "peers at {post} would have reassigned {e:.1f}",
        "out_of_turn": "released {k:.0f} declarations out of turn; peers at {post} "
        "would have released {e:.1f}",
    }
    names = {
        "approved": "overrides_approved",
        "reassigned": "reassignments",
        "out_of_turn": "queue_breaches",
    }
    for column, template in words.items():
        k = frame[column].to_numpy(dtype=np.float64)
        national = k.sum() / max(shifts.sum(), 1)
        post_k = frame.groupby("post_code")[column].transform("sum").to_numpy() - k
        post_s = frame.groupby("post_code")["shifts"].transform("sum").to_numpy() - shifts
        rate = st.shrunk_rate(post_k, post_s, float(national))
        e = np.maximum(rate * shifts, 0.02)
        p = st.poisson_upper(k, e)
        for row, ki, ei, pi in zip(frame.itertuples(), k, e, p, strict=True):
            if ki == 0:
                continue
            extra = (
                f"{int(row.contradicted)} of them contradicted by the scales or the usual values"
            )
            out.add(
                "supervisor",
                row.officer_id,
                row.post_code,
                names[column],
                float(ki),
                float(ei),
                None,
                float(pi),
                template.format(k=ki, e=ei, post=row.post_code, extra=extra),
            )
    return _pass_up(w, frame, out, inspectors)


def _pass_up(
    w: Warehouse, frame: pd.DataFrame, out: Indicators, inspectors: pd.DataFrame
) -> pd.DataFrame:
    """Detection deficits that cluster under one supervisor, across his inspectors."""
    chain = fetch(w.table("officers").select("officer_id", "supervisor_id"))
    if inspectors.empty:
        return frame
    detail = inspectors.merge(chain, left_on="inspector_id", right_on="officer_id", how="left")
    found = detail["found"].to_numpy(dtype=np.float64)
    expected = detail["peer_expected"].to_numpy(dtype=np.float64)
    detail["anomalous"] = (st.poisson_lower(found, expected) < ANOMALOUS_P).astype("int64")
    grouped = detail.groupby("supervisor_id").agg(
        found=("found", "sum"),
        expected=("peer_expected", "sum"),
        inspectors=("inspector_id", "nunique"),
        anomalous=("anomalous", "sum"),
        posts=("post_code", "nunique"),
    )
    frame = frame.merge(grouped, left_on="officer_id", right_index=True, how="left")
    for row in frame.itertuples():
        if pd.isna(row.expected) or row.expected <= 0:
            continue
        p = float(st.poisson_lower(np.array([row.found]), np.array([row.expected]))[0])
        out.add(
            "supervisor",
            row.officer_id,
            row.post_code,
            "pass_up",
            float(row.found),
            float(row.expected),
            None,
            p,
            f"his {int(row.inspectors)} inspectors found fraud {int(row.found)} times where "
            f"peers facing the same risk would have found {row.expected:.1f}; "
            f"{int(row.anomalous)} of them individually below expectation",
        )
    return frame


def broker_action_indicators(w: Warehouse, out: Indicators) -> None:
    """Downgrades and out-of-turn releases of a broker's declarations, against the post's."""
    d = w.table("declarations")
    o = w.table("overrides")
    q = w.table("queue_exceptions")
    downs = o.filter((o.decision == "approved") & (o.to_channel == "green"))
    per_decl = left_add(
        left_add(
            d.select("declaration_id", "post_code", "declarant_id"),
            downs.group_by("declaration_id").aggregate(down=downs.count()),
            "declaration_id",
        ),
        q.group_by("declaration_id").aggregate(turn=q.count()),
        "declaration_id",
    )
    totals = fetch(
        per_decl.group_by(["post_code", "declarant_id"]).aggregate(
            lodged=per_decl.count(),
            down=(per_decl.down.fill_null(0) > 0).cast("int64").sum(),
            turn=(per_decl.turn.fill_null(0) > 0).cast("int64").sum(),
        )
    )
    if totals.empty:
        return
    n = totals["lodged"].to_numpy(dtype=np.float64)
    for column, name, words in (
        (
            "down",
            "downgraded",
            "had {k} of {n} declarations downgraded to green; "
            "the other brokers' rate at {post} would give {e:.1f}",
        ),
        (
            "turn",
            "released_out_of_turn",
            "had {k} of {n} declarations released out of turn; "
            "the other brokers' rate at {post} would give {e:.1f}",
        ),
    ):
        k = totals[column].to_numpy(dtype=np.float64)
        post_k = totals.groupby("post_code")[column].transform("sum").to_numpy() - k
        post_n = totals.groupby("post_code")["lodged"].transform("sum").to_numpy() - n
        rate = st.shrunk_rate(post_k, post_n, float(k.sum() / max(n.sum(), 1)))
        p = st.binomial_upper(k, n, rate)
        for row, ki, ri, pi in zip(totals.itertuples(), k, rate, p, strict=True):
            if ki == 0:
                continue
            out.add(
                "broker",
                row.declarant_id,
                row.post_code,
                name,
                float(ki),
                float(ri * row.lodged),
                None,
                float(pi),
                words.format(k=int(ki), n=int(row.lodged), post=row.post_code, e=ri * row.lodged),
            )
