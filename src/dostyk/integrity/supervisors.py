"""Overrides, reassignments, queue breaches and pass-up: the supervisors' indicators.

A shift supervisor decides overrides (the four-eyes downgrade), reassigns inspections and may
release out of turn. Each is legitimate now and then; a supervisor who does them far more often
than the other supervisors at his post (Poisson tail against their mean, pulled towards the
national mean), for a few brokers, under whom downgraded declarations turn out heavier or cheaper
than declared, and under whom several inspectors find less than their risk predicted, is running
a pass-up scheme: his inspectors take bribes and pass part of them up.

Pass-up is weighed as a mixture: under a supervisor who runs the scheme, each of his inspectors
is a bribe-taker with probability ``PASSUP_SHARE``; under an honest one, with the background
probability ``BACKGROUND_SHARE``. With L the likelihood ratio of one inspector's finding record
(bribe-taker against honest: detection, weight discrepancies and unit-value outliers passed, as
:mod:`dostyk.integrity.inspectors` weighs them), that inspector's record is
(PASSUP_SHARE L + 1 - PASSUP_SHARE) / (BACKGROUND_SHARE L + 1 - BACKGROUND_SHARE) times likelier
under a pass-up supervisor. The factor is bounded (by PASSUP_SHARE / BACKGROUND_SHARE however
damning one inspector's record), so one bribe-taker under an honest supervisor does not make a
pass-up case; it takes deficits across several inspectors, and every inspector who finds what
his peers find weighs for the supervisor.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from dostyk.integrity import statistics as st
from dostyk.integrity.frames import fetch, left_add, mass_excess
from dostyk.integrity.indicators import Indicators
from dostyk.integrity.inspectors import unit_value_outliers
from dostyk.integrity.ranking import CAP
from dostyk.integrity.statistics import Floats
from dostyk.warehouse.backends import Warehouse

#: Under a supervisor running pass-up, the share of his inspectors who take bribes (the scheme
#: is his crew's: most of it is in it).
PASSUP_SHARE = 0.5
#: Under an honest supervisor, the share of inspectors who take bribes on their own.
BACKGROUND_SHARE = 0.15
#: An inspector's finding record counts, in the evidence's words, as a deficit (or as normal)
#: when it is this many times likelier from a bribe-taker (or from an honest inspector).
TELLING = 10.0


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


def passup_evidence(inspector_log_lr: Floats) -> Floats:
    """Per inspector, log10 of how much likelier his finding record is under a pass-up
    supervisor than under an honest one (the mixture in the module's docstring)."""
    ratio = 10.0 ** np.clip(inspector_log_lr, -CAP, CAP)
    under_passup = PASSUP_SHARE * ratio + 1 - PASSUP_SHARE
    under_honest = BACKGROUND_SHARE * ratio + 1 - BACKGROUND_SHARE
    return np.asarray(np.log10(under_passup / under_honest), dtype=np.float64)


def _pass_up(
    w: Warehouse, frame: pd.DataFrame, out: Indicators, inspectors: pd.DataFrame
) -> pd.DataFrame:
    """Detection deficits that cluster under one supervisor, across his inspectors."""
    chain = fetch(w.table("officers").select("officer_id", "supervisor_id"))
    if inspectors.empty:
        return frame
    detail = inspectors.merge(chain, left_on="inspector_id", right_on="officer_id", how="left")
    llr = detail["record_log_lr"].to_numpy(dtype=np.float64)
    detail["passup_log_lr"] = passup_evidence(llr)
    detail["deficit"] = (llr >= np.log10(TELLING)).astype("int64")
    detail["normal"] = (llr <= -np.log10(TELLING)).astype("int64")
    grouped = detail.groupby("supervisor_id").agg(
        found=("found", "sum"),
        expected=("peer_expected", "sum"),
        inspectors=("inspector_id", "nunique"),
        deficit=("deficit", "sum"),
        normal=("normal", "sum"),
        log_lr=("passup_log_lr", "sum"),
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
            f"of his {int(row.inspectors)} inspectors, {int(row.deficit)} have a finding record "
            f"at least {TELLING:.0f} times likelier from a bribe-taker and {int(row.normal)} one "
            f"at least {TELLING:.0f} times likelier from an honest inspector; together they "
            f"found fraud {int(row.found)} times where peers facing the same risk would have "
            f"found {row.expected:.1f}: "
            + st.likelier(float(row.log_lr), "he runs a pass-up chain", "he does not"),
            float(row.log_lr),
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
