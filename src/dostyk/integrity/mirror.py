"""Mirror analysis: what the partners report they exported here against what was declared.

The exporting country records the same goods as they leave it (UN Comtrade's "mirror" figures).
After freight and insurance — its FOB values raised to CIF by a factor, 1.10 by default, the
conventional 10 % — and the time in transit — each import dated by its lodgement less the
transit time, two days by default — its figure for an HS chapter and month should match the
declared imports from it up to the usual noise of trade statistics. Where it exceeds them, goods
entered undervalued, with understated mass, misdeclared or off the manifest (Fisman & Wei 2004,
"Tax rates and tax evasion: evidence from 'missing imports' in China").

Per reporter, chapter and month (docs/integrity.md, "Mirror analysis"):

- gap = factor × FOB − declared CIF value (US dollars), and its share of the partner's figure;
  the same by net mass, without a factor;
- its significance: r = ln(partner / declared) against the usual noise σ, the robust spread
  (1.4826 × median absolute deviation from the median) of r over every chapter-month compared,
  pulled towards a prior of 10 % by ten pseudo-observations; z = r / σ, p = 1 − Φ(z), and the
  Benjamini–Hochberg q over all tests (value and mass); a gap chapter-month has q < 0.05;
- the drill-down of each gap chapter-month: the declared items priced at the partner's unit
  value of their subheading that month (``at_partner`` = net kg × factor × FOB / partner kg),
  summed per post, importer, broker and inspector (who inspected the declaration): what each
  declared, what it comes to at the partner's prices, their ratio, the valuation gap and its
  share of the chapter-month's gap, and the declarations the scales found heavier than declared;
- evidence for posts and importers: declared against ``at_partner`` over the gap chapter-months,
  z = (declared − at_partner) / √Σ at_partner² · CV²(subheading), where CV² is the variance of an
  item's declared / at_partner ratio over all items of its subheading (pulled towards 0.5² by ten
  pseudo-observations); p = Φ(z); and k of n declarations the scales found heavier than
  declared against the national share (binomial tail); the indicator's p is twice the smaller.

Every aggregate over items is an Ibis expression; only chapter-month and subject totals come back
to Python.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import ibis
import numpy as np
import pandas as pd
from scipy import stats

from dostyk.integrity import statistics as st
from dostyk.integrity.frames import fetch, left_add, mass_excess
from dostyk.integrity.indicators import Indicators
from dostyk.reference import nomenclature
from dostyk.warehouse.backends import Warehouse

#: FOB to CIF: the conventional 10 % for freight and insurance, with which the IMF's Direction of
#: Trade Statistics long derived one side of a flow from the other (its 2017 yearbook states
#: 1.06); the OECD's ITIC estimates margins per route and product where one knows better.
CIF_FOB_FACTOR = 1.10
#: Days from the partner's export clearance to the declaration here: each import is dated by
#: its lodgement less this, to fall in the partner's month.
TRANSIT_DAYS = 2
#: A month is compared only when the recorded imports (so dated) reach within this many days
#: of its first and last day: a history that starts or stops inside a month leaves it out.
COVERAGE_SLACK_DAYS = 3
#: The usual noise of ln(partner / declared) for a chapter-month, before the data say: 10 %.
NOISE_PRIOR = 0.10
NOISE_PRIOR_WEIGHT = 10.0
#: The usual spread (coefficient of variation) of one item's value against the partner's unit
#: value for its subheading, before the data say, and its weight in pseudo-items.
SPREAD_PRIOR = 0.5
SPREAD_PRIOR_WEIGHT = 10.0
#: A chapter-month whose partner figure (CIF) is below this is listed, not tested.
MIN_TESTED_USD = 10_000.0
#: The false-discovery rate at which a chapter-month is a gap.
FDR = 0.05
#: The country the analysis is for: the partner in the partners' figures.
COUNTRY = "KZ"
#: Declarations that cover no goods.
DEAD = ("rejected", "cancelled")
#: The subjects of the drill-down and the declaration's column naming each.
SUBJECTS = {
    "post": "post_code",
    "importer": "importer_id",
    "broker": "declarant_id",
    "inspector": "inspector_id",
}
#: The kinds whose ranked evidence the mirror gap feeds.
EVIDENCE_KINDS = ("post", "importer")
UNIT = ["reporter", "chapter", "ym"]
#: The columns of the recorded items the analysis uses.
ITEM_COLUMNS = (
    "declaration_id",
    "reporter",
    "hs6",
    "chapter",
    "shipped",
    "ym",
    "usd",
    "kg",
    "post_code",
    "importer_id",
    "declarant_id",
)

GAP_COLUMNS = [
    "reporter",
    "chapter",
    "month",
    "partner_fob_usd",
    "partner_cif_usd",
    "declared_usd",
    "gap_usd",
    "gap_share",
    "partner_kg",
    "declared_kg",
    "gap_kg",
    "gap_kg_share",
    "declarations",
    "valuation_gap_usd",
    "z_value",
    "p_value",
    "q_value",
    "z_mass",
    "p_mass",
    "q_mass",
    "gap",
    "words",
]
DRILLDOWN_COLUMNS = [
    "reporter",
    "chapter",
    "month",
    "subject_kind",
    "subject_id",
    "declarations",
    "items",
    "declared_usd",
    "declared_kg",
    "at_partner_usd",
    "unit_value_ratio",
    "valuation_gap_usd",
    "share_of_gap",
    "mass_excess_declarations",
]


@dataclass(frozen=True)
class MirrorSettings:
    """The adjustments, each documented above; a country that knows better sets its own."""

    country: str = COUNTRY
    cif_fob_factor: float = CIF_FOB_FACTOR
    transit_days: int = TRANSIT_DAYS
    fdr: float = FDR


@dataclass
class MirrorResult:
    """The chapter-months compared, the drill-down of the gaps, and what was assumed."""

    gaps: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=GAP_COLUMNS))
    drilldown: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=DRILLDOWN_COLUMNS))
    #: The months compared (YYYY-MM), and the noise the value and mass tests assumed.
    months: list[str] = field(default_factory=list)
    noise_value: float = NOISE_PRIOR
    noise_mass: float = NOISE_PRIOR
    settings: MirrorSettings = field(default_factory=MirrorSettings)


def _ym(moment: Any) -> Any:
    return moment.year().cast("int64") * 100 + moment.month().cast("int64")


def _month_text(ym: int) -> str:
    return f"{ym // 100:04d}-{ym % 100:02d}"


def recorded_items(w: Warehouse, settings: MirrorSettings) -> Any:
    """Every item of a live import declaration, dated to the partner's month and in US dollars.

    The reporter is the exporter's country of registration (the country the goods were consigned
    from, whose statistics record them), else the item's origin. A value in another currency is
    converted at that month's dollar rate, the mean rate of the items declared in dollars.
    """
    d = w.table("declarations")
    items = w.table("declaration_items")
    parties = w.table("parties")
    live = d.filter((d.kind == "import") & ~d.status.isin(DEAD))
    # The partner's month is a property of the declaration: dated on the declarations (fewer
    # rows than items, and each instant's calendar arithmetic is the dearest step) before the
    # items are joined.
    transit = ibis.interval(days=settings.transit_days)
    live = live.select(
        "declaration_id",
        "post_code",
        "importer_id",
        "declarant_id",
        "exporter_id",
        shipped=live.lodged_at - transit,
        # The calendar month of an instant with its zone goes through the zone's calendar; the
        # same instant without it (the warehouse's sessions are in UTC) is plain arithmetic.
        ym=_ym(live.lodged_at.cast("timestamp") - transit),
    )
    joined = items.join(live, items.declaration_id == live.declaration_id).select(
        items.declaration_id,
        items.commodity_code,
        items.origin,
        items.net_mass_kg,
        items.customs_value,
        items.currency,
        items.exchange_rate,
        live.post_code,
        live.importer_id,
        live.declarant_id,
        live.exporter_id,
        live.shipped,
        live.ym,
    )
    exporters = parties.select(exporter_id=parties.party_id, exporter_country=parties.country)
    located = left_add(joined, exporters, "exporter_id")
    base = located.mutate(
        reporter=ibis.coalesce(located.exporter_country, located.origin),
        hs6=located.commodity_code.substr(0, 6),
        chapter=located.commodity_code.substr(0, 2),
    )
    dollars = base.filter(base.currency == "USD")
    rates = dollars.group_by("ym").aggregate(usd_rate=dollars.exchange_rate.mean())
    valued = left_add(base, rates, "ym")
    usd = ibis.cases(
        (valued.currency == "USD", valued.customs_value),
        else_=valued.customs_value * valued.exchange_rate / valued.usd_rate,
    )
    return valued.mutate(usd=usd, kg=valued.net_mass_kg)


def partner_figures(w: Warehouse, settings: MirrorSettings) -> Any:
    p = w.table("partner_exports")
    mine = p.filter(p.partner == settings.country)
    return mine.mutate(
        ym=mine.month.substr(0, 4).cast("int64") * 100 + mine.month.substr(5, 2).cast("int64"),
        chapter=mine.hs6.substr(0, 2),
    )


def covered_months(first: datetime | None, last: datetime | None) -> list[int]:
    """The months (YYYYMM) the recorded imports cover to within the slack at both ends."""
    if first is None or last is None or pd.isna(first) or pd.isna(last):
        return []
    # Spark hands instants back without their zone (its session's zone is UTC), DuckDB with it.
    first, last = (_utc(moment) for moment in (first, last))
    slack = timedelta(days=COVERAGE_SLACK_DAYS)
    months = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        start = datetime(year, month, 1, tzinfo=UTC)
        following = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=UTC)
        if first <= start + slack and last >= following - slack:
            months.append(year * 100 + month)
        year, month = following.year, following.month
    return months


def _utc(moment: datetime) -> datetime:
    stamp = pd.Timestamp(moment)
    stamp = stamp.tz_localize(UTC) if stamp.tzinfo is None else stamp.tz_convert(UTC)
    utc: datetime = stamp.to_pydatetime()
    return utc


def _noise(ratios: np.ndarray[Any, np.dtype[np.float64]]) -> float:
    """The usual spread of ln(partner / declared): robust, pulled towards the prior."""
    finite = ratios[np.isfinite(ratios)]
    if len(finite) == 0:
        return NOISE_PRIOR
    mad = 1.4826 * float(np.median(np.abs(finite - np.median(finite))))
    k = float(len(finite))
    return math.sqrt((k * mad**2 + NOISE_PRIOR_WEIGHT * NOISE_PRIOR**2) / (k + NOISE_PRIOR_WEIGHT))


def _ln_ratio(partner: pd.Series, declared: pd.Series, tested: pd.Series) -> Any:
    """ln(partner / declared) where tested; +inf where nothing was declared; NaN elsewhere."""
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.log(partner.to_numpy(dtype=float) / declared.to_numpy(dtype=float))
    r = np.where(declared.to_numpy(dtype=float) <= 0, np.inf, r)
    return np.where(tested.to_numpy(dtype=bool), r, np.nan)


def _upper(z: np.ndarray[Any, np.dtype[np.float64]]) -> np.ndarray[Any, np.dtype[np.float64]]:
    p = np.asarray(stats.norm.sf(z), dtype=np.float64)
    return np.where(np.isnan(z), np.nan, np.clip(p, st.FLOOR, 1.0))


def chapter_months(
    partner: pd.DataFrame, declared: pd.DataFrame, settings: MirrorSettings
) -> tuple[pd.DataFrame, float, float]:
    """The comparison per reporter, chapter and month, with its tests."""
    if partner.empty:
        return pd.DataFrame(columns=GAP_COLUMNS), NOISE_PRIOR, NOISE_PRIOR
    reporters = set(partner["reporter"])
    declared = declared[declared["reporter"].isin(reporters)]
    frame = partner.merge(declared, on=UNIT, how="outer")
    for name in ("fob", "partner_kg", "declared_usd", "declared_kg", "declarations"):
        frame[name] = frame[name].fillna(0.0)
    frame["figures"] = frame["figures"].fillna(0)
    frame["weighed"] = frame["weighed"].fillna(0)
    frame["partner_cif_usd"] = frame["fob"] * settings.cif_fob_factor
    frame["gap_usd"] = frame["partner_cif_usd"] - frame["declared_usd"]
    frame["gap_kg"] = frame["partner_kg"] - frame["declared_kg"]
    with np.errstate(divide="ignore", invalid="ignore"):
        frame["gap_share"] = frame["gap_usd"] / frame["partner_cif_usd"].where(
            frame["partner_cif_usd"] > 0
        )
        frame["gap_kg_share"] = frame["gap_kg"] / frame["partner_kg"].where(frame["partner_kg"] > 0)
    tested = frame["partner_cif_usd"] >= MIN_TESTED_USD
    # The mass is compared only where the partner gave the mass of every figure.
    weighed = tested & (frame["weighed"] == frame["figures"]) & (frame["partner_kg"] > 0)
    r_value = _ln_ratio(frame["partner_cif_usd"], frame["declared_usd"], tested)
    r_mass = _ln_ratio(frame["partner_kg"], frame["declared_kg"], weighed)
    noise_value, noise_mass = _noise(r_value), _noise(r_mass)
    frame["z_value"] = r_value / noise_value
    frame["z_mass"] = r_mass / noise_mass
    frame["p_value"] = _upper(frame["z_value"].to_numpy(dtype=float))
    frame["p_mass"] = _upper(frame["z_mass"].to_numpy(dtype=float))
    frame["z_value"] = frame["z_value"].replace([np.inf], 99.0)
    frame["z_mass"] = frame["z_mass"].replace([np.inf], 99.0)
    p_all = np.concatenate([frame["p_value"].to_numpy(), frame["p_mass"].to_numpy()])
    q_all = np.full(len(p_all), np.nan)
    present = ~np.isnan(p_all)
    q_all[present] = st.benjamini_hochberg(p_all[present])
    frame["q_value"], frame["q_mass"] = q_all[: len(frame)], q_all[len(frame) :]
    frame["gap"] = ((frame["q_value"] < settings.fdr) & (frame["gap_usd"] > 0)) | (
        (frame["q_mass"] < settings.fdr) & (frame["gap_kg"] > 0)
    )
    frame["month"] = frame["ym"].astype("int64").map(_month_text)
    frame["partner_fob_usd"] = frame["fob"]
    frame["valuation_gap_usd"] = np.nan
    frame["words"] = ""
    frame = frame.sort_values(UNIT, kind="mergesort").reset_index(drop=True)
    return frame, noise_value, noise_mass


def _chapter_name(chapter: str) -> str:
    try:
        text = nomenclature().describe(chapter)
    except (KeyError, ValueError):
        return f"chapter {chapter}"
    short = text if len(text) <= 48 else text[:47].rstrip(" ,;") + "…"
    return f"chapter {chapter} ({short})"


def _usd(amount: float) -> str:
    sign = "-" if amount < 0 else ""
    amount = abs(amount)
    if amount >= 1e9:
        return f"{sign}USD {amount / 1e9:,.2f} bn"
    if amount >= 1e6:
        return f"{sign}USD {amount / 1e6:,.2f} m"
    return f"{sign}USD {amount:,.0f}"


def _tonnes(kg: float) -> str:
    return f"{kg / 1000:,.1f} t"


def _gap_words(row: Any, noise_value: float, settings: MirrorSettings) -> str:
    head = (
        f"{row.reporter} reports {_usd(row.partner_fob_usd)} FOB of {_chapter_name(row.chapter)} "
        f"exported here in {row.month} ({_usd(row.partner_cif_usd)} CIF at "
        f"{settings.cif_fob_factor:.2f}); {_usd(row.declared_usd)} was declared"
    )
    if row.declared_usd <= 0:
        head += ": nothing on any declaration"
    elif row.gap_usd >= 0:
        head += f", {_usd(row.gap_usd)} ({row.gap_share:.0%}) less"
    else:
        head += f", {_usd(-row.gap_usd)} more than the partner's figure"
    if not math.isnan(row.z_value):
        head += f" (z {row.z_value:.1f} against the usual {noise_value:.0%} noise)"
    if row.partner_kg > 0:
        head += (
            f"; by mass {_tonnes(row.partner_kg)} reported against {_tonnes(row.declared_kg)} "
            "declared"
        )
    if not math.isnan(row.valuation_gap_usd) and row.gap_usd > 0:
        volume = row.gap_usd - row.valuation_gap_usd
        head += (
            f"; {_usd(row.valuation_gap_usd)} of the gap is declared goods valued below the "
            f"partner's unit values, {_usd(volume)} goods the declarations do not carry at all "
            "(off the manifest, understated mass or another chapter)"
        )
    return head


def _unit_values(partner: Any, settings: MirrorSettings) -> tuple[Any, Any]:
    """The partner's unit value (CIF per kg) per reporter, subheading and month, and per
    reporter, chapter and month where it gave the mass of every figure (the fallback)."""
    factor = settings.cif_fob_factor
    weighed = partner.filter(partner.net_mass_kg > 0)
    uv6 = weighed.group_by(["reporter", "hs6", "ym"]).aggregate(
        uv6=weighed.fob_usd.sum() * factor / weighed.net_mass_kg.sum()
    )
    chapter = partner.group_by(UNIT).aggregate(
        fob=partner.fob_usd.sum(),
        kg=partner.net_mass_kg.sum(),
        figures=partner.count(),
        weighed=partner.net_mass_kg.notnull().cast("int64").sum(),
    )
    uvc = chapter.filter((chapter.weighed == chapter.figures) & (chapter.kg > 0)).select(
        "reporter", "chapter", "ym", uvc=chapter.fob * factor / chapter.kg
    )
    return uv6, uvc


def _at_unit_value(table: Any, uv6: Any, uvc: Any) -> Any:
    """``table`` (keyed by reporter, subheading, chapter and month) with ``uv``, the partner's
    unit value of its subheading, else of its chapter, that month (null where it gave none)."""
    a = table.left_join(
        uv6,
        (table.reporter == uv6.reporter) & (table.hs6 == uv6.hs6) & (table.ym == uv6.ym),
    ).select(table, uv6.uv6)
    b = a.left_join(
        uvc,
        (a.reporter == uvc.reporter) & (a.chapter == uvc.chapter) & (a.ym == uvc.ym),
    ).select(a, uvc.uvc)
    return b.mutate(uv=ibis.coalesce(b.uv6, b.uvc)).drop("uv6", "uvc")


def _priceable(items: Any) -> Any:
    """Items with a mass and a value, the only ones a unit value can price."""
    return items.filter(items.usd.notnull() & (items.kg > 0) & (items.usd >= 0))


def _subheading_months(w: Warehouse, items: Any, uv6: Any, uvc: Any) -> Any:
    """The priceable items summed per reporter, subheading and month, with the partner's unit
    value there (kept: a small table).

    The partner's unit value is one number per such group, so an item's ``at_partner`` (kg × uv)
    and its ratio ``usd / at_partner`` ((usd / kg) / uv) sum within the group from the group's
    sums of kg, usd, usd / kg and (usd / kg)²: the valuation gap per chapter-month and the spread
    per subheading come from one pass over the items instead of one each over every item.
    """
    priceable = _priceable(items)
    per_kg = priceable.usd / priceable.kg
    groups = priceable.group_by(["reporter", "hs6", "chapter", "ym"]).aggregate(
        n=priceable.count(),
        kg=priceable.kg.sum(),
        usd=priceable.usd.sum(),
        u1=per_kg.sum(),
        u2=(per_kg * per_kg).sum(),
    )
    priced = _at_unit_value(groups, uv6, uvc)
    return w.keep(priced.filter(priced.uv > 0))


def _valuation(groups: Any) -> Any:
    """Per chapter-month: what the priceable items come to at the partner's unit values, less
    what was declared for them."""
    return groups.group_by(UNIT).aggregate(valuation=(groups.kg * groups.uv - groups.usd).sum())


def _spread(groups: Any) -> Any:
    """CV² per subheading: the variance of an item's declared / at_partner ratio over all its
    priced items, pulled towards the prior."""
    spread = groups.group_by("hs6").aggregate(
        n=groups.n.sum(),
        s1=(groups.u1 / groups.uv).sum(),
        s2=(groups.u2 / (groups.uv * groups.uv)).sum(),
    )
    sum_squares = ibis.greatest(spread.s2 - spread.s1 * spread.s1 / spread.n, 0.0)
    return spread.select(
        "hs6",
        cv2=(sum_squares + SPREAD_PRIOR_WEIGHT * SPREAD_PRIOR**2)
        / (spread.n - 1 + SPREAD_PRIOR_WEIGHT),
    )


def _priced(w: Warehouse, items: Any, uv6: Any, uvc: Any, spread: Any) -> Any:
    """Items with what they come to at the partner's unit value (``at_partner``), the variance
    weight of that against the declared value, and whether the scales found them heavier."""
    valued = _at_unit_value(_priceable(items), uv6, uvc)
    valued = valued.mutate(at_partner=valued.kg * valued.uv).drop("uv")
    valid = valued.filter(valued.at_partner > 0)
    scored = valid.join(spread, "hs6")
    scored = left_add(scored, mass_excess(w), "declaration_id")
    return scored.mutate(
        w2cv2=scored.at_partner * scored.at_partner * scored.cv2,
        weighed_excess=scored.mass_excess.notnull(),
    )


def _with_inspectors(w: Warehouse, items: Any) -> Any:
    i = w.table("inspections")
    done = i.filter(i.ended_at.notnull()).select("declaration_id", "inspector_id").distinct()
    return items.join(done, "declaration_id")


def _subject_aggregates(items: Any, by: list[str]) -> Any:
    flagged_id = ibis.cases((items.weighed_excess, items.declaration_id), else_=ibis.null("string"))
    return items.group_by(by).aggregate(
        declarations=items.declaration_id.nunique(),
        items=items.count(),
        declared_usd=items.usd.sum(),
        declared_kg=items.kg.sum(),
        at_partner_usd=items.at_partner.sum(),
        w2cv2=items.w2cv2.sum(),
        mass_excess_declarations=flagged_id.nunique(),
    )


def mirror_indicators(
    w: Warehouse, out: Indicators, settings: MirrorSettings | None = None
) -> MirrorResult:
    """Compare, test and drill down; add the posts' and importers' evidence to ``out``."""
    settings = settings or MirrorSettings()
    result = MirrorResult(settings=settings)
    if not w.has("partner_exports"):
        return result
    # Every aggregate below starts from the items: computed once, with the columns they use.
    items = w.keep(recorded_items(w, settings).select(*ITEM_COLUMNS))
    span = items.aggregate(first=items.shipped.min(), last=items.shipped.max()).to_pandas()
    covered = covered_months(span["first"].iloc[0], span["last"].iloc[0]) if len(span) else []
    result.months = [_month_text(m) for m in covered]
    if not covered:
        return result
    partner = partner_figures(w, settings)
    partner = partner.filter(partner.ym.isin(covered))
    figures = fetch(
        partner.group_by(UNIT).aggregate(
            fob=partner.fob_usd.sum(),
            partner_kg=partner.net_mass_kg.sum(),
            figures=partner.count(),
            weighed=partner.net_mass_kg.notnull().cast("int64").sum(),
        )
    )
    items = items.filter(items.ym.isin(covered))
    declared = fetch(
        items.group_by(UNIT).aggregate(
            declared_usd=items.usd.sum(),
            declared_kg=items.kg.sum(),
            declarations=items.declaration_id.nunique(),
        )
    )
    gaps, result.noise_value, result.noise_mass = chapter_months(figures, declared, settings)
    if gaps.empty:
        return result
    uv6, uvc = _unit_values(partner, settings)
    groups = _subheading_months(w, items, uv6, uvc)
    valuation = fetch(_valuation(groups))
    gaps = gaps.merge(valuation, on=UNIT, how="left")
    gaps["valuation_gap_usd"] = gaps["valuation"].astype("float64")
    gaps["words"] = [_gap_words(row, result.noise_value, settings) for row in gaps.itertuples()]
    result.gaps = gaps[GAP_COLUMNS].reset_index(drop=True)
    units = gaps[gaps["gap"]][UNIT]
    if units.empty:
        return result
    keys = ibis.memtable(units.astype({"ym": "int64"}).reset_index(drop=True))
    # The drill-down and the evidence aggregate the gap chapter-months' items eight ways: they
    # are computed once and kept (a few of the chapter-months, so a small table).
    spread = w.keep(_spread(groups))
    in_gap = w.keep(_priced(w, items.join(keys, UNIT), uv6, uvc, spread))
    result.drilldown = _drilldown(w, in_gap, gaps)
    _evidence(w, out, in_gap, items, gaps)
    return result


def _drilldown(w: Warehouse, in_gap: Any, gaps: pd.DataFrame) -> pd.DataFrame:
    frames = []
    gap_of = gaps.set_index(UNIT)["gap_usd"]
    for kind, column in SUBJECTS.items():
        source = _with_inspectors(w, in_gap) if kind == "inspector" else in_gap
        source = source.filter(source[column].notnull())
        frame = fetch(_subject_aggregates(source, [*UNIT, column]))
        if frame.empty:
            continue
        frame = frame.rename(columns={column: "subject_id"})
        frame["subject_kind"] = kind
        frames.append(frame)
    if not frames:
        return pd.DataFrame(columns=DRILLDOWN_COLUMNS)
    frame = pd.concat(frames, ignore_index=True)
    frame["month"] = frame["ym"].astype("int64").map(_month_text)
    frame["valuation_gap_usd"] = frame["at_partner_usd"] - frame["declared_usd"]
    frame["unit_value_ratio"] = frame["declared_usd"] / frame["at_partner_usd"]
    total = gap_of.reindex(pd.MultiIndex.from_frame(frame[UNIT])).to_numpy(dtype=float)
    frame["share_of_gap"] = np.where(total > 0, frame["valuation_gap_usd"] / total, np.nan)
    frame = frame.sort_values(
        ["reporter", "chapter", "month", "subject_kind", "valuation_gap_usd", "subject_id"],
        ascending=[True, True, True, True, False, True],
        kind="mergesort",
    )
    return frame[DRILLDOWN_COLUMNS].reset_index(drop=True)


def _evidence(w: Warehouse, out: Indicators, in_gap: Any, items: Any, gaps: pd.DataFrame) -> None:
    """The posts' and importers' evidence over the gap chapter-months."""
    declarations = items.select("declaration_id").distinct()
    flagged = left_add(declarations, mass_excess(w), "declaration_id")
    national = fetch(
        flagged.aggregate(n=flagged.count(), k=flagged.mass_excess.notnull().cast("int64").sum())
    )
    n_all = float(national["n"].iloc[0]) if len(national) else 0.0
    rate = float(national["k"].iloc[0]) / n_all if n_all else 0.0
    gap_of = gaps.set_index(UNIT)
    for kind in EVIDENCE_KINDS:
        column = SUBJECTS[kind]
        source = in_gap.filter(in_gap[column].notnull())
        by = [column, *UNIT] + (["post_code"] if column != "post_code" else [])
        by_unit = fetch(_subject_aggregates(source, by))
        if by_unit.empty:
            continue
        by_unit["valuation_gap_usd"] = by_unit["at_partner_usd"] - by_unit["declared_usd"]
        totals = fetch(_subject_aggregates(source, [column])).set_index(column)
        for subject, rows in by_unit.groupby(column, sort=True):
            _subject_evidence(out, kind, str(subject), rows, totals.loc[subject], gap_of, rate)


def _subject_evidence(
    out: Indicators,
    kind: str,
    subject: str,
    rows: pd.DataFrame,
    total: pd.Series,
    gap_of: pd.DataFrame,
    rate: float,
) -> None:
    """One subject's ``mirror_gap``: ``rows`` per gap chapter-month (and post), ``total`` over
    all of them (each declaration counted once)."""
    declared = float(total["declared_usd"])
    at_partner = float(total["at_partner_usd"])
    variance = float(total["w2cv2"])
    if at_partner <= 0 or variance <= 0:
        return
    z = (declared - at_partner) / math.sqrt(variance)
    p_value = float(np.clip(stats.norm.cdf(z), st.FLOOR, 1.0))
    n = float(total["declarations"])
    k = float(total["mass_excess_declarations"])
    p_mass = float(st.binomial_upper(np.array([k]), np.array([n]), np.array([rate]))[0])
    p = min(1.0, 2 * min(p_value, p_mass))
    posts = rows.groupby("post_code")["at_partner_usd"].sum()
    post = str(posts.idxmax()) if len(posts) else None
    per_unit = rows.groupby(UNIT, as_index=False)["valuation_gap_usd"].sum()
    lead = per_unit.sort_values(
        ["valuation_gap_usd", *UNIT], ascending=[False, True, True, True], kind="mergesort"
    ).iloc[0]
    unit = gap_of.loc[(lead["reporter"], lead["chapter"], lead["ym"])]
    share = lead["valuation_gap_usd"] / unit["gap_usd"] if unit["gap_usd"] > 0 else float("nan")
    months = len(per_unit)
    words = (
        f"carries {_usd(lead['valuation_gap_usd'])}"
        + (f" ({share:.0%})" if not math.isnan(share) else "")
        + f" of the {_usd(unit['gap_usd'])} by which {lead['reporter']}'s reported exports of "
        f"{_chapter_name(str(lead['chapter']))} in {_month_text(int(lead['ym']))} exceed the "
        f"declared imports; over {months} gap chapter-month{'s' if months > 1 else ''} "
        f"{int(n)} declaration{'s' if n != 1 else ''} valued at {declared / at_partner:.2f} of "
        f"the partner's unit values ({_usd(declared)} against {_usd(at_partner)})"
    )
    if k:
        words += (
            f"; the scales found {int(k)} of them heavier than declared "
            f"(the national share would give {rate * n:.1f})"
        )
    out.add(kind, subject, post, "mirror_gap", declared, at_partner, z, p, words)
