"""The simulated network at work: arrivals, declarations and every officer's decision, in time.

A discrete-event simulation: each action is scheduled at its simulated time and carried out by
calling the real use case with that time and the acting person, so the store records exactly
what the system would have recorded. The world's hidden facts — true values and masses, bribes,
who colludes with whom — go to the ground truth, never to the store.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, NamedTuple

import numpy as np
from sqlalchemy import Engine

from dostyk.domain.conveyances import Crossing, Direction
from dostyk.domain.declarations import (
    Channel,
    Declaration,
    DeclarationItem,
    DeclarationKind,
    DeclarationUnit,
)
from dostyk.domain.inspections import Finding, FindingKind
from dostyk.domain.manifests import Manifest, ManifestKind, ManifestLine
from dostyk.domain.money import to_amount
from dostyk.domain.ports import TransportMode
from dostyk.domain.reviews import ReviewKind, ReviewOutcome
from dostyk.domain.shifts import DutyShift
from dostyk.domain.tariff import Tariff
from dostyk.reference import tariff_rates
from dostyk.services import (
    assignment,
    crossings,
    declarations,
    inspections,
    manifests,
    overrides,
    payments,
    reconciliation,
    reviews,
    roster,
    selectivity,
)
from dostyk.services.actors import NATIONAL_TIME, SYSTEM
from dostyk.services.errors import Conflict, NotAuthorised
from dostyk.services.radiation_hold import HeldByAlarm
from dostyk.services.risk_admin import ModelShelf, active_selector
from dostyk.simulate.behaviour import Behaviour
from dostyk.simulate.cargo import RAIL_GOODS, TRUCK_GOODS, Goods, cheaper_code, unit_value
from dostyk.simulate.mirror import NET_SHARE, PartnerTrade
from dostyk.simulate.population import CREWS, Population, PostPeople
from dostyk.simulate.portals import STEP_MINUTES, Pending, Portals
from dostyk.simulate.truth import DeclarationTruth, GroundTruth
from dostyk.simulate.truth import Payment as Bribe

#: Shifts change at 08:00 local time.
SHIFT_CHANGE = time(8, 0)
#: Days after the last one during which what was lodged is still worked through.
TAIL_DAYS = 5
USD = "USD"
#: A truck goes back out empty no sooner than this after it came in laden and was unloaded.
UNLOADING = timedelta(hours=2)
ACTION = Callable[..., None]


@dataclass
class Case:
    """A declaration as the world knows it: what was declared and what is true."""

    declaration_id: str
    people: PostPeople
    broker: str
    importer: str
    scheme: str
    items: list[DeclarationItem]
    revenue_at_stake: Decimal
    true_value_kzt: Decimal
    true_mass_kg: float
    channel: Channel = Channel.GREEN
    inspection_id: str | None = None
    inspector: str | None = None
    assigned_at: datetime | None = None


class _Event(NamedTuple):
    """A scheduled action. Ordered as a tuple, by time and then by the order of scheduling
    (``seq`` is unique, so the action is never compared): the heap compares in C."""

    at: datetime
    seq: int
    action: ACTION
    args: tuple[Any, ...]


class World:
    """Runs the network day by day through the real use cases."""

    def __init__(
        self,
        engine: Engine,
        population: Population,
        behaviour: Behaviour,
        seed: int,
        start: date,
        days: int,
        truth: GroundTruth,
        *,
        live: bool = True,
        until: datetime | None = None,
        models: ModelShelf | None = None,
    ) -> None:
        self.engine = engine
        self.live = live
        #: The world stops here, leaving work in progress as a post has it at that moment.
        self.until = until
        self.population = population
        #: Empty masses, for what the track scale or weighbridge shows.
        self.tares = {c.conveyance_id: c.tare_mass_kg or 0.0 for c in population.conveyances}
        self.behaviour = behaviour
        self.seed = seed
        self.start = start
        self.days = days
        self.truth = truth
        self.end = self._local(start + timedelta(days=days), time(0, 0))
        #: The active rule profile, model (its files in ``models``) and random share.
        self.selector: selectivity.Selector = (
            active_selector(engine, models) if live else selectivity.default_selector()
        )
        self.tariff = Tariff.of(tariff_rates())
        self._events: list[_Event] = []
        self._seq = 0
        self.post_index = {code: index for index, code in enumerate(sorted(population.posts))}
        #: Decisions (who inspects, who pays whom) draw from one stream per post; arrivals and
        #: what they carry from a stream per post, day and arrival, so that the traffic is the
        #: same whatever the system decides, and a dry run counts exactly what a live one lodges.
        self.rngs = {
            code: np.random.default_rng([seed, 2, index]) for code, index in self.post_index.items()
        }
        #: Appeals and audits draw from their own stream per post, so that adding them leaves
        #: every other decision of the world as it was.
        self.review_rngs = {
            code: np.random.default_rng([seed, 6, index]) for code, index in self.post_index.items()
        }
        self.superior = {o.officer_id: o.supervisor_id for o in population.officers}
        #: (post, local day) -> counts of what arrived and was declared.
        self.tally: dict[tuple[str, date], dict[str, float]] = {}
        self.counters: dict[str, int] = {}
        self.cases: dict[str, Case] = {}
        #: Inspector -> waiting (assigned_at, inspection id, declaration id); busy-until.
        self.waiting: dict[str, list[tuple[datetime, str, str]]] = {}
        self.busy_until: dict[str, datetime] = {}
        #: (post, channel) -> paid declarations waiting for release, first paid first.
        self.release_queue: dict[tuple[str, Channel], list[tuple[datetime, str]]] = {}
        #: Truck conveyances in the country, per post, ready to go back.
        #: Trucks in the country, per post, oldest first; after three days unreturned a truck
        #: is taken to have left laden with exports, which are not simulated.
        self.trucks_inside: dict[str, deque[tuple[str, datetime]]] = {}
        #: Trucks that have just gone back out at each post; none of them is back within the
        #: hour (a conveyance is at one post at a time, and crossing takes longer than that).
        self.trucks_left: dict[str, deque[str]] = {}
        #: (post, pool) -> the next locomotive or railcar of that post's pool to send in. Trains
        #: take them in turn, so none is in two trains at once: a random pick put one locomotive
        #: into two trains minutes apart, which registration rightly refuses.
        self.turns: dict[tuple[str, str], int] = {}
        self.stats: dict[str, int] = {}
        #: The posts' portal monitors and their operators (dostyk.simulate.portals).
        self.portals = Portals(engine, seed, self.post_index, live)
        self.portals.truth = truth.radiation
        self.portals.counts = self.stats
        #: What the partner countries see leave them, for the figures they report.
        self.partners = PartnerTrade(seed)

    # ---------------------------------------------------------------- time and scheduling

    def _local(self, day: date, clock: time) -> datetime:
        return datetime.combine(day, clock, tzinfo=NATIONAL_TIME).astimezone(UTC)

    def schedule(self, at: datetime, action: ACTION, *args: Any) -> None:
        self._seq += 1
        heapq.heappush(self._events, _Event(at, self._seq, action, args))

    def _next_id(self, prefix: str) -> str:
        number = self.counters.get(prefix, 0) + 1
        self.counters[prefix] = number
        return f"{prefix}{number:06d}"

    def _count(self, what: str, by: int = 1) -> None:
        self.stats[what] = self.stats.get(what, 0) + by

    def _tally(self, post_code: str, at: datetime, what: str, by: float = 1) -> None:
        counts = self.tally.setdefault((post_code, at.astimezone(NATIONAL_TIME).date()), {})
        counts[what] = counts.get(what, 0) + by

    def _arrival_rng(self, people: PostPeople, day: date, number: int) -> np.random.Generator:
        return np.random.default_rng(
            [self.seed, 4, self.post_index[people.post.code], day.toordinal(), number]
        )

    def crew_index(self, at: datetime) -> int:
        """Which crew is on duty: crews change at 08:00 local, in turn."""
        local = at.astimezone(NATIONAL_TIME)
        shift_day = local.date() - (
            timedelta(days=1) if local.time() < SHIFT_CHANGE else timedelta()
        )
        return (shift_day - self.start).days % CREWS

    def on_duty_supervisor(self, people: PostPeople, at: datetime) -> str:
        return people.crews[self.crew_index(at)].supervisor

    def run(self, progress: Callable[[date], None] | None = None) -> None:
        for code in sorted(self.population.posts):
            people = self.population.posts[code]
            before = self._local(self.start, time(0, 0)) - timedelta(hours=1)
            if self.live:
                self._publish_roster(people, self.start - timedelta(days=1), before)
            self.portals.equip(people.post, before)
            for offset in range(self.days + TAIL_DAYS):
                day = self.start + timedelta(days=offset)
                if offset < self.days:
                    self.schedule(self._local(day, time(0, 0)), self._day, people, day)
                elif self.live:
                    # After the last day no traffic arrives, but crews stay on duty until what
                    # was lodged has been worked through.
                    self.schedule(self._local(day, time(0, 0)), self._publish_roster, people, day)
        finished = self.start
        while self._events:
            event = heapq.heappop(self._events)
            if event.at >= self.end + timedelta(days=TAIL_DAYS):
                break
            if self.until is not None and event.at > self.until:
                break
            day = event.at.astimezone(NATIONAL_TIME).date()
            if (
                progress is not None
                and day > finished
                and day <= self.start + timedelta(days=self.days)
            ):
                for passed in range((day - finished).days):
                    progress(finished + timedelta(days=passed))
                finished = day
            event.action(*event.args, at=event.at)
        if progress is not None:
            while finished < self.start + timedelta(days=self.days):
                progress(finished)
                finished += timedelta(days=1)

    # ---------------------------------------------------------------- a post's day

    def _publish_roster(self, people: PostPeople, day: date, at: datetime) -> None:
        """The post chief publishes the crew that comes on duty at 08:00 on ``day``."""
        begins = self._local(day, SHIFT_CHANGE)
        crew = people.crews[(day - self.start).days % CREWS]
        shifts = [
            DutyShift(
                f"SH-{people.post.code}-{day:%Y%m%d}-{officer}",
                officer,
                people.post.code,
                begins,
                begins + timedelta(days=1),
            )
            for officer in (crew.supervisor, *crew.inspectors)
        ]
        roster.publish_roster(self.engine, shifts, actor=people.chief, at=at)

    def _day(self, people: PostPeople, day: date, *, at: datetime) -> None:
        if self.live:
            self._publish_roster(people, day, at)
        rng = np.random.default_rng(
            [self.seed, 3, self.post_index[people.post.code], day.toordinal()]
        )
        volume = people.volume
        numbers = iter(range(1_000_000))
        day_start = self._local(day, time(0, 0))

        def moments(count: int) -> list[datetime]:
            seconds = sorted(int(s) for s in rng.integers(60, 86_340, size=count))
            return [day_start + timedelta(seconds=s) for s in seconds]

        if volume.railcars_in:
            railcars = int(rng.poisson(volume.railcars_in))
            trains = max(1, round(railcars / volume.railcars_per_train)) if railcars else 0
            sizes = _split(railcars, trains)
            for moment, size in zip(moments(trains), sizes, strict=True):
                arrival = self._arrival_rng(people, day, next(numbers))
                self.schedule(moment, self._train, people, size, arrival)
        if volume.passenger_trains_per_week and rng.random() < volume.passenger_trains_per_week / 7:
            self.schedule(moments(1)[0], self._passenger_train, people)
        if volume.trucks_in:
            for moment in moments(int(rng.poisson(volume.trucks_in))):
                arrival = self._arrival_rng(people, day, next(numbers))
                self.schedule(moment, self._truck, people, arrival)
        if volume.empty_returns:
            for moment in moments(int(rng.poisson(volume.empty_returns))):
                arrival = self._arrival_rng(people, day, next(numbers))
                self.schedule(moment, self._empty_return, people, arrival)

    # ---------------------------------------------------------------- arrivals

    def _train(
        self, people: PostPeople, size: int, rng: np.random.Generator, *, at: datetime
    ) -> None:
        code = people.post.code
        movement_id = self._next_id(f"X-{code}-")
        movement = Crossing(
            movement_id,
            code,
            self._in_turn(code, people.trains, 1)[0],
            Direction.IN,
            at,
            True,
        )
        chosen = self._in_turn(code, people.vehicles, size)
        loads = [
            float(max(20_000.0, rng.normal(people.volume.railcar_cargo_tonnes * 1000, 4_000)))
            for _ in chosen
        ]
        groups = _groups(size, people.volume.railcars_per_declaration, rng)
        plans = []
        units: list[Crossing] = []
        index = 0
        for group_size in groups:
            members = list(range(index, index + group_size))
            index += group_size
            plan = self._plan(people, [loads[m] for m in members], RAIL_GOODS, at, rng)
            plans.append((members, plan))
            hidden_per_car = plan["hidden_kg"] / group_size
            for m in members:
                tare = self._tare(chosen[m])
                units.append(
                    Crossing(
                        f"{movement_id}-{m:02d}",
                        code,
                        chosen[m],
                        Direction.IN,
                        at,
                        True,
                        round(tare + loads[m] + hidden_per_car, -1),
                        movement_id,
                    )
                )
        if self.live:
            crossings.register_crossing(
                self.engine, movement, units, actor=self.on_duty_supervisor(people, at), at=at
            )
            goods = {
                m: [g.hs6 for g, _ in plan["consignments"]]
                for members, plan in plans
                for m in members
            }
            self._scan(people, [(unit, goods[m]) for m, unit in enumerate(units)], at)
        self._count("trains")
        self._count("railcars", size)
        self._tally(code, at, "railcars_in", size)
        lines: list[ManifestLine] = []
        manifest_id = f"M-{movement_id}"
        for members, plan in plans:
            for goods, mass in plan["consignments"]:
                lines.append(
                    ManifestLine(
                        manifest_id,
                        len(lines) + 1,
                        goods.hs6,
                        goods.description,
                        int(max(1, mass // 500)),
                        round(mass, 1),
                        units[members[0]].crossing_id,
                    )
                )
                plan.setdefault("lines", []).append(len(lines))
        if self.live:
            manifests.lodge_manifest(
                self.engine,
                Manifest(
                    manifest_id,
                    ManifestKind.RAIL_WAYBILL,
                    code,
                    movement_id,
                    "KTZ",
                    f"SMGS-{movement_id}",
                    at - timedelta(days=2),
                ),
                lines,
                actor="KTZ",
                at=at + timedelta(minutes=5),
            )
        lodged = [
            self._declare(people, plan, [units[m].crossing_id for m in members], manifest_id, at)
            for members, plan in plans
        ]
        self.schedule(max(lodged) + timedelta(hours=2), self._reconcile, movement_id)

    def _truck(self, people: PostPeople, rng: np.random.Generator, *, at: datetime) -> None:
        code = people.post.code
        inside = self.trucks_inside.setdefault(code, deque())
        while len(inside) > 3 * people.volume.trucks_in:
            inside.popleft()
        taken = {v for v, _ in inside} | set(self.trucks_left.get(code, ()))
        free = [v for v in people.vehicles if v not in taken]
        vehicle = free[int(rng.integers(len(free)))] if free else people.vehicles[0]
        load = float(max(5_000.0, rng.normal(people.volume.truck_cargo_tonnes * 1000, 3_000)))
        plan = self._plan(people, [load], TRUCK_GOODS, at, rng)
        movement_id = self._next_id(f"X-{code}-")
        movement = Crossing(
            movement_id,
            code,
            vehicle,
            Direction.IN,
            at,
            True,
            round(self._tare(vehicle) + load + plan["hidden_kg"], -1),
        )
        if self.live:
            crossings.register_crossing(
                self.engine, movement, [], actor=self.on_duty_supervisor(people, at), at=at
            )
            self._scan(people, [(movement, [g.hs6 for g, _ in plan["consignments"]])], at)
        inside.append((vehicle, at))
        self._count("trucks_in")
        self._tally(code, at, "trucks_in")
        manifest_id = f"M-{movement_id}"
        lines = [
            ManifestLine(
                manifest_id,
                n,
                goods.hs6,
                goods.description,
                int(max(1, mass // 25)),
                round(mass, 1),
            )
            for n, (goods, mass) in enumerate(plan["consignments"], start=1)
        ]
        plan["lines"] = list(range(1, len(lines) + 1))
        if self.live:
            manifests.lodge_manifest(
                self.engine,
                Manifest(
                    manifest_id,
                    ManifestKind.CARGO_REPORT,
                    code,
                    movement_id,
                    people.carrier,
                    f"CMR-{movement_id}",
                    at - timedelta(days=1),
                ),
                lines,
                actor=people.carrier,
                at=at + timedelta(minutes=2),
            )
        lodged = self._declare(people, plan, [movement_id], manifest_id, at)
        self.schedule(lodged + timedelta(hours=2), self._reconcile, movement_id)

    def _in_turn(self, code: str, pool: list[str], count: int) -> list[str]:
        """The next ``count`` conveyances of a post's pool, each taken again only after every
        other one has been (a pool holds a week of railcars and eight locomotives)."""
        key = (code, pool[0])
        start = self.turns.get(key, 0)
        self.turns[key] = (start + count) % len(pool)
        return [pool[(start + k) % len(pool)] for k in range(count)]

    def _empty_return(self, people: PostPeople, rng: np.random.Generator, *, at: datetime) -> None:
        code = people.post.code
        inside = self.trucks_inside.setdefault(code, deque())
        left = self.trucks_left.setdefault(code, deque(maxlen=max(1, int(people.volume.trucks_in))))
        if inside and inside[0][1] <= at - UNLOADING:
            vehicle = inside.popleft()[0]
        else:
            # None of this run's trucks has been unloaded yet: one that came before the run
            # goes back, and not one that is inside or has just left.
            busy = {v for v, _ in inside} | set(left)
            idle = [v for v in reversed(people.vehicles) if v not in busy]
            vehicle = idle[0] if idle else people.vehicles[-1]
        left.append(vehicle)
        hidden = 0.0
        if rng.random() < self.behaviour.false_empty_rate:
            hidden = float(rng.uniform(3_000, 12_000))
        movement_id = self._next_id(f"X-{code}-")
        crossing = Crossing(
            movement_id,
            code,
            vehicle,
            Direction.OUT,
            at,
            False,
            round(self._tare(vehicle) + hidden + float(rng.normal(0, 60)), -1),
        )
        if self.live:
            crossings.register_crossing(
                self.engine, crossing, [], actor=self.on_duty_supervisor(people, at), at=at
            )
            self._scan(people, [(crossing, [])], at)
        self._count("empty_returns")
        self._tally(code, at, "empty_returns")
        if hidden:
            self.truth.crossings.append(
                {"crossing_id": movement_id, "post_code": code, "hidden_cargo_kg": round(hidden)}
            )

    def _passenger_train(self, people: PostPeople, *, at: datetime) -> None:
        code = people.post.code
        movement = Crossing(
            self._next_id(f"X-{code}-"), code, f"PT-{code}", Direction.IN, at, False
        )
        if self.live:
            crossings.register_crossing(
                self.engine, movement, [], actor=self.on_duty_supervisor(people, at), at=at
            )
        self._count("passenger_trains")
        self._tally(code, at, "passenger_trains")

    def _tare(self, conveyance_id: str) -> float:
        return self.tares.get(conveyance_id, 0.0)

    # ---------------------------------------------------------------- radiation portals

    def _scan(
        self, people: PostPeople, units: list[tuple[Crossing, list[str]]], at: datetime
    ) -> None:
        """The units pass a lane's portal monitor; recorded when the last has passed."""
        passes, ended = self.portals.passes(people.post.code, units, at)
        if passes:
            self.schedule(ended, self._record_scan, people, passes)

    def _record_scan(self, people: PostPeople, passes: list[Any], *, at: datetime) -> None:
        for pending in self.portals.record(people.post.code, passes, at):
            self.schedule(
                at + timedelta(minutes=STEP_MINUTES[0]), self._adjudicate, people, pending
            )

    def _adjudicate(self, people: PostPeople, pending: Pending, *, at: datetime) -> None:
        """The crew's radiation operator (its last inspector) takes the alarm's next step."""
        operator = people.crews[self.crew_index(at)].inspectors[-1]
        following = self.portals.step(pending, operator, at)
        if following is not None:
            self.schedule(following, self._adjudicate, people, pending)

    # ---------------------------------------------------------------- what is loaded and declared

    def _plan(
        self,
        people: PostPeople,
        loads: list[float],
        catalogue: tuple[Goods, ...],
        at: datetime,
        rng: np.random.Generator,
    ) -> dict[str, Any]:
        """The true consignments, who declares them, and how the declaration will lie."""
        total = sum(loads)
        kinds = int(rng.integers(1, 4))
        chosen = [catalogue[int(i)] for i in rng.choice(len(catalogue), size=kinds, replace=False)]
        shares = 0.1 / kinds + 0.9 * rng.dirichlet(np.full(kinds, 2.0))
        consignments = [
            (goods, float(total * share)) for goods, share in zip(chosen, shares, strict=True)
        ]
        importer = people.importers[int(rng.integers(len(people.importers)))]
        scheme = people.schemes.get(importer, "honest")
        if scheme != "honest" and rng.random() >= self.behaviour.cheating_rate:
            scheme = "honest"
        hidden = 0.0
        if scheme == "undeclared_goods":
            low, high = self.behaviour.undeclared_share
            hidden = total * float(rng.uniform(low, high))
        return {
            "consignments": consignments,
            "importer": importer,
            "scheme": scheme,
            "hidden_kg": hidden,
            "rate": Decimal("500") + Decimal((at.date() - date(2025, 1, 1)).days) / 20,
            "values": [unit_value(goods, rng) for goods, _ in consignments],
            "rng": rng,
        }

    def _declare(
        self,
        people: PostPeople,
        plan: dict[str, Any],
        unit_ids: list[str],
        manifest_id: str,
        arrived: datetime,
    ) -> datetime:
        """Write the declaration the broker will lodge, and schedule it; returns when."""
        rng: np.random.Generator = plan["rng"]
        code = people.post.code
        broker = people.brokers[int(rng.integers(len(people.brokers)))]
        declaration_id = self._next_id(f"D-{code}-")
        rate: Decimal = plan["rate"].quantize(Decimal("0.000001"))
        day = arrived.astimezone(NATIONAL_TIME).date()
        scheme = plan["scheme"]
        items: list[DeclarationItem] = []
        true_duty = declared_duty = Decimal(0)
        true_value = Decimal(0)
        b = self.behaviour
        for n, ((goods, mass), usd_per_kg, line) in enumerate(
            zip(plan["consignments"], plan["values"], plan["lines"], strict=True), start=1
        ):
            net = round(mass * 0.97, 1)
            value = to_amount(Decimal(str(round(net * usd_per_kg, 2))))
            declared_code = goods.commodity_code
            declared_net, declared_value = net, value
            if scheme == "undervaluation" and n == 1:
                declared_value = to_amount(
                    value * Decimal(str(rng.uniform(*b.undervaluation_factor)))
                )
            if scheme == "misclassification" and n == 1:
                cheaper = cheaper_code(goods.hs6, day)
                if cheaper is not None:
                    declared_code = f"{cheaper}0000"
            if scheme == "mass_understatement" and n == 1:
                factor = float(rng.uniform(*b.understatement_factor))
                declared_net = round(net * factor, 1)
                declared_value = to_amount(value * Decimal(str(factor)))
            declared_gross = round(declared_net / 0.97, 1)
            quantity = Decimal(str(max(1, round(declared_net / goods.kg_per_unit))))
            items.append(
                DeclarationItem(
                    declaration_id,
                    n,
                    declared_code,
                    goods.description,
                    "CN",
                    quantity,
                    goods.unit,
                    declared_gross,
                    declared_net,
                    declared_value,
                    USD,
                    rate,
                    line,
                )
            )
            true_duty += self._duty(goods.commodity_code, value * rate, day)
            declared_duty += self._duty(declared_code, declared_value * rate, day)
            true_value += value * rate
        if plan["hidden_kg"]:
            goods = plan["consignments"][0][0]
            hidden_value = Decimal(str(round(plan["hidden_kg"] * goods.usd_per_kg, 2))) * rate
            true_duty += self._duty(goods.commodity_code, hidden_value, day)
            true_value += hidden_value
        self._mirror(people, plan, declaration_id, broker, items, arrived)
        declared_value_kzt = sum((i.customs_value * rate for i in items), Decimal(0))
        case = Case(
            declaration_id,
            people,
            broker,
            plan["importer"],
            scheme,
            items,
            to_amount(max(Decimal(0), true_duty - declared_duty)),
            to_amount(true_value),
            sum(m for _, m in plan["consignments"]) + plan["hidden_kg"],
        )
        self.cases[declaration_id] = case
        self.truth.record(
            DeclarationTruth(
                declaration_id,
                code,
                scheme,
                scheme != "honest" and case.revenue_at_stake > 0,
                to_amount(declared_value_kzt),
                case.true_value_kzt,
                items[0].commodity_code,
                plan["consignments"][0][0].commodity_code,
                round(sum(i.gross_mass_kg for i in items), 1),
                round(case.true_mass_kg, 1),
                case.revenue_at_stake,
            )
        )
        declaration = Declaration(
            declaration_id,
            DeclarationKind.IMPORT,
            code,
            broker,
            f"REF-{declaration_id}",
            arrived,
            importer_id=plan["importer"],
            exporter_id=people.sellers[int(rng.integers(len(people.sellers)))],
            manifest_id=manifest_id,
        )
        units = [DeclarationUnit(declaration_id, unit) for unit in unit_ids]
        lodged = arrived + timedelta(minutes=int(rng.integers(30, 240)))
        partner = people.partner.get(broker)
        if partner is not None and rng.random() < b.steering_rate:
            lodged = self._during_shift_of(people, partner, lodged, within_hours=48) or lodged
        self.schedule(lodged, self._lodge, case, declaration, units)
        return lodged

    def _mirror(
        self,
        people: PostPeople,
        plan: dict[str, Any],
        declaration_id: str,
        broker: str,
        items: list[DeclarationItem],
        arrived: datetime,
    ) -> None:
        """The partner sees the true consignments leave (hidden goods too) and exports them."""
        reporter = people.post.neighbour_country or "CN"
        mode = "rail" if people.post.mode is TransportMode.RAIL else "road"
        exported = self.partners.exported_on(arrived, mode)
        for index, ((goods, mass), usd_per_kg) in enumerate(
            zip(plan["consignments"], plan["values"], strict=True)
        ):
            net = round(mass * NET_SHARE, 1)
            value = float(to_amount(Decimal(str(round(net * usd_per_kg, 2)))))
            if index == 0 and plan["hidden_kg"]:
                # Goods off the manifest: the world values them at the subheading's usual price.
                value += round(plan["hidden_kg"] * goods.usd_per_kg, 2)
                net += plan["hidden_kg"] * NET_SHARE
            self.partners.ship(
                reporter, goods.hs6, exported, value, net, net / goods.kg_per_unit, goods.unit
            )
            item = items[index]
            self.partners.declared(
                {
                    "declaration_id": declaration_id,
                    "post_code": people.post.code,
                    "importer_id": plan["importer"],
                    "declarant_id": broker,
                    "reporter": reporter,
                    "hs6": goods.hs6,
                    "exported_on": exported.isoformat(),
                    "month": exported.strftime("%Y-%m"),
                    "true_value_usd": value,
                    "declared_value_usd": float(item.customs_value),
                    "true_net_kg": net,
                    "declared_net_kg": item.net_mass_kg,
                    "scheme": plan["scheme"],
                }
            )

    def _during_shift_of(
        self, people: PostPeople, inspector: str, earliest: datetime, within_hours: int = 24 * CREWS
    ) -> datetime | None:
        """The first whole hour from ``earliest`` when ``inspector``'s crew is on duty, if any
        comes within ``within_hours`` (every crew is on duty once every four days)."""
        for hours in range(0, within_hours + 1):
            moment = earliest + timedelta(hours=hours)
            if inspector in people.crews[self.crew_index(moment)].inspectors:
                return moment
        return None

    def _duty(self, commodity_code: str, value_kzt: Decimal, day: date) -> Decimal:
        rate = self.tariff.rate_for(commodity_code, day)
        base = to_amount(value_kzt)
        duty = to_amount(base * rate.duty_rate / 100)
        return duty + to_amount((base + duty) * rate.vat_rate / 100)

    # ---------------------------------------------------------------- the lifecycle

    def _lodge(
        self, case: Case, declaration: Declaration, units: list[DeclarationUnit], *, at: datetime
    ) -> None:
        self._count("declarations")
        code = case.people.post.code
        self._tally(code, at, "declarations")
        self._tally(code, at, "tonnes", sum(i.gross_mass_kg for i in case.items) / 1000)
        if not self.live:
            return
        lodgement = declarations.lodge(
            self.engine, declaration, case.items, units, actor=case.broker, at=at
        )
        if not lodgement.accepted:
            self._count("rejected")
            return
        assessment = selectivity.assess_risk(
            self.engine, case.declaration_id, self.selector, actor=SYSTEM, at=at
        )
        case.channel = assessment.channel
        self._count(f"channel_{assessment.channel}")
        then = at + timedelta(minutes=2)
        if assessment.channel is Channel.GREEN:
            self.schedule(then, self._assess_duties, case)
        else:
            self.schedule(then, self._assign, case)

    def _assign(self, case: Case, *, at: datetime) -> None:
        rng = self.rngs[case.people.post.code]
        try:
            inspection = assignment.assign_inspector(
                self.engine, case.declaration_id, actor=SYSTEM, at=at
            )
        except assignment.NoInspectorOnDuty:
            self.schedule(at + timedelta(hours=1), self._assign, case)
            return
        case.inspection_id, case.inspector = inspection.inspection_id, inspection.inspector_id
        case.assigned_at = inspection.assigned_at
        people, b = case.people, self.behaviour
        partner = people.partner.get(case.broker)
        supervisor = self.on_duty_supervisor(people, at)
        complicit = people.schemes.get(supervisor) == "pass-up"
        if partner is not None and complicit and case.inspector != partner:
            crew = people.crews[self.crew_index(at)]
            if partner in crew.inspectors and rng.random() < b.reassign_rate:
                assignment.reassign(
                    self.engine,
                    case.inspection_id,
                    partner,
                    actor=supervisor,
                    at=at,
                    reason=f"Workload: {case.inspector} has a queue; {partner} is free",
                )
                case.inspector = partner
                self._count("reassignments")
        corrupt = people.schemes.get(case.inspector) == "bribe-taking"
        if (
            partner is not None
            and partner == case.inspector
            and corrupt
            and complicit
            and people.supervisor_of(case.inspector) == supervisor
            and rng.random() < b.downgrade_rate
        ):
            self._downgrade(case, supervisor, at)
            return
        waiting = self.waiting.setdefault(case.inspector, [])
        heapq.heappush(waiting, (case.assigned_at, case.inspection_id, case.declaration_id))
        free = max(self.busy_until.get(case.inspector, at), at + timedelta(minutes=20))
        self.busy_until[case.inspector] = free
        self.schedule(free, self._work, case.inspector)

    def _downgrade(self, case: Case, supervisor: str, at: datetime) -> None:
        assert case.inspector is not None
        override = overrides.request_override(
            self.engine,
            case.declaration_id,
            Channel.GREEN,
            "Documents and seals checked at the ramp; consignment matches the waybill",
            actor=case.inspector,
            at=at,
        )
        overrides.decide_override(
            self.engine,
            override.override_id,
            True,
            actor=supervisor,
            at=at,
        )
        case.channel = Channel.GREEN
        self._bribe(case, "downgrade", at)
        self._count("downgrades")
        self.schedule(at + timedelta(minutes=15), self._assess_duties, case)

    def _bribe(self, case: Case, kind: str, at: datetime) -> None:
        assert case.inspector is not None
        rng = self.rngs[case.people.post.code]
        amount = Decimal(str(round(float(rng.uniform(*self.behaviour.bribe_usd)), 2)))
        code = case.people.post.code
        self.truth.payments.append(
            Bribe(at, kind, case.broker, case.inspector, amount, case.declaration_id, code)
        )
        supervisor = case.people.supervisor_of(case.inspector)
        if case.people.schemes.get(supervisor) == "pass-up":
            cut = to_amount(amount * Decimal(str(self.behaviour.passup_cut)))
            self.truth.payments.append(
                Bribe(at, "pass-up", case.inspector, supervisor, cut, case.declaration_id, code)
            )

    def _work(self, inspector: str, *, at: datetime) -> None:
        """The inspector takes the oldest inspection waiting for him, if any."""
        waiting = self.waiting.get(inspector, [])
        if not waiting:
            return
        _, inspection_id, declaration_id = heapq.heappop(waiting)
        case = self.cases[declaration_id]
        people = case.people
        rng = self.rngs[people.post.code]
        if inspector not in people.crews[self.crew_index(at)].inspectors:
            # Off duty now: he takes it up when his crew is back.
            heapq.heappush(waiting, (case.assigned_at or at, inspection_id, declaration_id))
            back = self._during_shift_of(people, inspector, at)
            assert back is not None, f"{inspector}'s crew is never on duty"
            self.schedule(back, self._work, inspector)
            return
        inspections.start_inspection(self.engine, inspection_id, actor=inspector, at=at)
        ends = at + timedelta(minutes=int(rng.integers(45, 180)))
        self.busy_until[inspector] = ends
        self.schedule(ends, self._finish, case, inspection_id, inspector)

    def _finish(self, case: Case, inspection_id: str, inspector: str, *, at: datetime) -> None:
        """The inspector records what he found, or what he was paid not to find."""
        people = case.people
        rng = self.rngs[people.post.code]
        truth = self.truth.declarations[case.declaration_id]
        findings: list[Finding] = []
        corrupt = people.schemes.get(inspector) == "bribe-taking"
        fabricated = False
        if truth.fraudulent:
            if corrupt:
                self._bribe(case, "suppressed finding", at)
            elif rng.random() < self.behaviour.honest_detection:
                findings.append(self._finding(case, inspection_id))
        elif (
            corrupt
            and people.partner.get(case.broker) != inspector
            and self.review_rngs[people.post.code].random() < self.behaviour.fabrication_rate
        ):
            findings.append(self._made_up_finding(case, inspection_id))
            fabricated = True
        inspections.finish_inspection(self.engine, inspection_id, findings, actor=inspector, at=at)
        self.truth.mark(
            case.declaration_id, inspected=True, detected=bool(findings) and not fabricated
        )
        if fabricated:
            self.truth.mark(case.declaration_id, fabricated=True)
            self._count("fabricated_findings")
        self._count("inspections")
        self._count("findings", len(findings))
        if self.live:
            self._plan_reviews(case, inspection_id, findings, fabricated, at)
        if self.waiting.get(inspector):
            self.schedule(at + timedelta(minutes=5), self._work, inspector)
        self.schedule(at + timedelta(minutes=5), self._assess_duties, case)

    def _finding(self, case: Case, inspection_id: str) -> Finding:
        kind = {
            "undervaluation": FindingKind.UNDERVALUATION,
            "misclassification": FindingKind.MISCLASSIFICATION,
            "undeclared_goods": FindingKind.UNDECLARED_GOODS,
            "mass_understatement": FindingKind.MASS_DISCREPANCY,
        }[case.scheme]
        return Finding(
            inspection_id,
            1,
            kind,
            f"Found on inspection: {kind.replace('_', ' ')}",
            case.revenue_at_stake,
            kind is FindingKind.UNDECLARED_GOODS,
            1,
        )

    def _made_up_finding(self, case: Case, inspection_id: str) -> Finding:
        """What an extorting inspector records when the trader will not pay: undervaluation,
        with extra duty of 2 % of the declared value."""
        value = sum((i.customs_value * i.exchange_rate for i in case.items), Decimal(0))
        return Finding(
            inspection_id,
            1,
            FindingKind.UNDERVALUATION,
            "Value below the usual for the goods; documents not convincing",
            to_amount(value * Decimal("0.02")),
            False,
            1,
        )

    # ---------------------------------------------------------------- appeals and audits

    def _plan_reviews(
        self,
        case: Case,
        inspection_id: str,
        findings: list[Finding],
        fabricated: bool,
        at: datetime,
    ) -> None:
        """Whether the declarant appeals the finding and whether the declaration is audited
        after release; each is decided later, by officers above the inspector."""
        b, rng = self.behaviour, self.review_rngs[case.people.post.code]
        if findings:
            rate = b.fabricated_appeal_rate if fabricated else b.appeal_rate
            if rng.random() < rate:
                days = float(rng.uniform(*b.appeal_days))
                self.schedule(
                    at + timedelta(days=days), self._appeal, case, inspection_id, findings[0]
                )
        if rng.random() < b.audit_rate:
            days = float(rng.uniform(*b.audit_days))
            self.schedule(at + timedelta(days=days), self._audit, case, inspection_id, 0)

    def _appeal(self, case: Case, inspection_id: str, finding: Finding, *, at: datetime) -> None:
        b, rng = self.behaviour, self.review_rngs[case.people.post.code]
        truth = self.truth.declarations[case.declaration_id]
        chance = b.appeal_reversal_fabricated if truth.fabricated else b.appeal_reversal_genuine
        reversed_ = rng.random() < chance
        outcome = ReviewOutcome.NO_BASIS if reversed_ else ReviewOutcome.UPHELD
        reason = (
            "The declarant's contracts and bank statements support the declared value"
            if reversed_
            else "The declarant's documents do not answer the finding"
        )
        self._review(
            case,
            inspection_id,
            ReviewKind.APPEAL,
            outcome,
            reason,
            case.people.chief,
            at,
            finding_no=finding.finding_no,
            duty_amount=finding.extra_duty if reversed_ else Decimal("0.00"),
        )
        self._count("appeals")

    def _audit(self, case: Case, inspection_id: str, tries: int, *, at: datetime) -> None:
        b, rng = self.behaviour, self.review_rngs[case.people.post.code]
        truth = self.truth.declarations[case.declaration_id]
        missed = truth.fraudulent and not truth.detected
        # An audit reads the importer's accounts: fraud the inspection passed shows there, and
        # so does a finding the goods never bore.
        found = (missed or truth.fabricated) and rng.random() < b.audit_detection
        outcome = ReviewOutcome.UPHELD
        reason = "Desk audit of the importer's accounts found nothing more"
        finding_no: int | None = None
        duty = Decimal("0.00")
        if found and truth.fabricated:
            outcome, finding_no = ReviewOutcome.NO_BASIS, 1
            reason = "The importer's accounts and contracts bear out the declared value"
            duty = self._extra_duty(inspection_id)
        elif found:
            outcome, duty = ReviewOutcome.FRAUD_MISSED, case.revenue_at_stake
            reason = "The importer's accounts show goods and value the declaration did not"
        region = self.superior.get(case.people.chief) or case.people.chief
        try:
            self._review(
                case,
                inspection_id,
                ReviewKind.AUDIT,
                outcome,
                reason,
                region,
                at,
                finding_no=finding_no,
                duty_amount=duty,
            )
        except Conflict:
            # Not released yet (held, unpaid): the audit waits for it, a week at most.
            if tries < 7:
                self.schedule(at + timedelta(days=1), self._audit, case, inspection_id, tries + 1)
            return
        self._count("audits")

    def _extra_duty(self, inspection_id: str) -> Decimal:
        seen = reviews.reviewed_inspection(self.engine, inspection_id)
        return next((f.extra_duty for f in seen.findings if f.finding_no == 1), Decimal("0.00"))

    def _review(
        self,
        case: Case,
        inspection_id: str,
        kind: ReviewKind,
        outcome: ReviewOutcome,
        reason: str,
        reviewer: str,
        at: datetime,
        *,
        finding_no: int | None = None,
        duty_amount: Decimal = Decimal("0.00"),
    ) -> None:
        """Record a review by ``reviewer``, or by his superior when a declared conflict keeps
        him out of it."""
        deciders = [reviewer]
        above = self.superior.get(reviewer)
        if above is not None:
            deciders.append(above)
        for decider in deciders:
            try:
                reviews.record_review(
                    self.engine,
                    inspection_id,
                    kind,
                    outcome,
                    reason,
                    finding_no=finding_no,
                    duty_amount=duty_amount,
                    actor=decider,
                    at=at,
                )
            except NotAuthorised:
                continue
            truth = self.truth.declarations[case.declaration_id]
            done = f"{kind}:{outcome}"
            self.truth.mark(
                case.declaration_id,
                reviews="|".join(p for p in (truth.reviews, done) if p),
            )
            if outcome.reverses:
                self._count("reversals")
            return

    def _assess_duties(self, case: Case, *, at: datetime) -> None:
        duties = payments.assess_duties(self.engine, case.declaration_id, actor=SYSTEM, at=at)
        rng = self.rngs[case.people.post.code]
        paid = at + timedelta(minutes=int(rng.integers(30, 360)))
        self.schedule(paid, self._pay, case, duties.total)

    def _pay(self, case: Case, amount: Decimal, *, at: datetime) -> None:
        payments.record_payment(
            self.engine,
            case.declaration_id,
            amount,
            f"TRS-{case.declaration_id}",
            actor=case.broker,
            at=at,
        )
        self._count("revenue_tiyn", int(amount * 100))
        key = (case.people.post.code, case.channel)
        queue = self.release_queue.setdefault(key, [])
        supervisor = self.on_duty_supervisor(case.people, at)
        priority = (
            case.people.schemes.get(case.broker) == "paying-for-priority"
            and case.people.schemes.get(supervisor) == "pass-up"
            and queue
        )
        if priority and self._release_first(case, supervisor, at):
            self._count("released")
            self._count("out_of_turn")
            rng = self.rngs[case.people.post.code]
            amount_usd = Decimal(str(round(float(rng.uniform(100, 300)), 2)))
            self.truth.payments.append(
                Bribe(
                    at,
                    "priority",
                    case.broker,
                    supervisor,
                    amount_usd,
                    case.declaration_id,
                    case.people.post.code,
                )
            )
            return
        heapq.heappush(queue, (at, case.declaration_id))
        self.schedule(at + timedelta(minutes=20), self._release_next, case.people, key)

    def _release_next(self, people: PostPeople, key: tuple[str, Channel], *, at: datetime) -> None:
        queue = self.release_queue.get(key, [])
        if not queue:
            return
        # Goods a radiation alarm holds are set aside; the next paid declaration goes instead.
        held: list[tuple[datetime, str]] = []
        escalated = False
        while queue:
            paid, declaration_id = heapq.heappop(queue)
            try:
                payments.release(
                    self.engine, declaration_id, actor=self.on_duty_supervisor(people, at), at=at
                )
            except HeldByAlarm as refused:
                held.append((paid, declaration_id))
                escalated |= any(a.status.value == "escalated" for a in refused.alarms)
                continue
            self._count("released")
            break
        for waiting in held:
            heapq.heappush(queue, waiting)
        if held:
            later = timedelta(hours=2) if escalated else timedelta(minutes=30)
            self.schedule(at + later, self._release_next, people, key)

    def _release_first(self, case: Case, supervisor: str, at: datetime) -> bool:
        """The complicit supervisor releases out of turn, unless an alarm holds the goods."""
        try:
            payments.release(
                self.engine,
                case.declaration_id,
                actor=supervisor,
                at=at,
                reason="Perishable cargo: consignee's refrigeration fails overnight",
            )
        except HeldByAlarm:
            return False
        return True

    def _reconcile(self, movement_id: str, *, at: datetime) -> None:
        if not self.live:
            return
        found = reconciliation.reconcile(self.engine, movement_id, actor=SYSTEM, at=at)
        self._count("discrepancies", len(found.discrepancies))


def _split(total: int, parts: int) -> list[int]:
    if parts <= 0:
        return []
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def _groups(size: int, mean: float, rng: np.random.Generator) -> list[int]:
    """Split a train's railcars into declarations averaging ``mean`` railcars each.

    The number of declarations is ``size / mean`` rounded up or down at random in proportion,
    so that over many trains there are exactly as many as the mean implies; the railcars are
    then dealt out among them at random.
    """
    wanted = size / mean
    count = max(1, int(wanted) + (1 if rng.random() < wanted - int(wanted) else 0))
    count = min(count, size)
    sizes = 1 + rng.multinomial(size - count, np.full(count, 1 / count))
    return [int(n) for n in sizes]


__all__ = ["Case", "World"]
