"""The people and vehicles of the simulated network, and who among them is corrupt.

Each post has a chief and four crews that take 24-hour shifts in turn, each crew a shift
supervisor and inspectors; posts report to a regional chief per region, the regions to HQ. Each
post's trade is carried by its own brokers, importers, foreign sellers and carriers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from dostyk.domain.conveyances import Conveyance, ConveyanceKind
from dostyk.domain.officers import Officer, Posting, Rank
from dostyk.domain.parties import Party, PartyRole
from dostyk.domain.ports import Post, TransportMode
from dostyk.simulate.behaviour import TRADER_SCHEMES, Behaviour
from dostyk.simulate.calibration import PostVolume
from dostyk.simulate.truth import AgentTruth

CREWS = 4
HQ_ID = "HQ-0001"
SINCE = date(2000, 1, 1)
FIRST = (
    "Aigerim",
    "Nurlan",
    "Serik",
    "Marat",
    "Dana",
    "Yerlan",
    "Gulnara",
    "Timur",
    "Aliya",
    "Bolat",
    "Asel",
    "Daniyar",
    "Madina",
    "Ruslan",
    "Zhanna",
    "Askar",
    "Saule",
    "Kairat",
)
LAST = (
    "Sadykov",
    "Abenov",
    "Zhaksylykov",
    "Tulegenov",
    "Omarov",
    "Kassymov",
    "Bekov",
    "Akhmetov",
    "Nurpeisov",
    "Ospanov",
    "Karimov",
    "Iskakov",
    "Seitkali",
    "Mukanov",
)


@dataclass
class Crew:
    supervisor: str
    inspectors: list[str]


@dataclass
class PostPeople:
    post: Post
    volume: PostVolume
    chief: str
    crews: list[Crew]
    brokers: list[str]
    importers: list[str]
    sellers: list[str]
    carrier: str
    vehicles: list[str] = field(default_factory=list)
    trains: list[str] = field(default_factory=list)
    #: Agent id -> scheme, for those who are not honest.
    schemes: dict[str, str] = field(default_factory=dict)
    #: Paying broker -> the inspector he pays.
    partner: dict[str, str] = field(default_factory=dict)

    def crew_on(self, day_index: int) -> Crew:
        return self.crews[day_index % CREWS]

    def supervisor_of(self, inspector: str) -> str:
        return next(c.supervisor for c in self.crews if inspector in c.inspectors)


@dataclass
class Population:
    officers: list[Officer]
    postings: list[Posting]
    parties: list[Party]
    conveyances: list[Conveyance]
    posts: dict[str, PostPeople]
    truths: list[AgentTruth]


def _slug(text: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", text.upper())[:8] or "X"


def _name(rng: np.random.Generator, feminine: bool) -> str:
    first = FIRST[int(rng.integers(len(FIRST)))]
    last = LAST[int(rng.integers(len(LAST)))]
    return f"{first} {last}a" if feminine else f"{first} {last}"


def _bin(rng: np.random.Generator) -> str:
    return str(int(rng.integers(10**11, 10**12)))


def build(
    posts: list[Post], volumes: dict[str, PostVolume], behaviour: Behaviour, seed: int
) -> Population:
    rng = np.random.default_rng([seed, 0])
    officers = [Officer(HQ_ID, _name(rng, True), Rank.HQ)]
    postings: list[Posting] = []
    parties = [
        Party("KTZ", "Kazakhstan Temir Zholy", "020540003431", "KZ", frozenset({PartyRole.CARRIER}))
    ]
    conveyances: list[Conveyance] = []
    regions: dict[str, str] = {}
    people: dict[str, PostPeople] = {}
    truths: list[AgentTruth] = []
    for post in sorted(posts, key=lambda p: p.code):
        region = regions.setdefault(post.region, f"RC-{_slug(post.region)}")
        if region not in {o.officer_id for o in officers}:
            officers.append(Officer(region, _name(rng, False), Rank.REGIONAL_CHIEF, HQ_ID))
        group = _post(
            post,
            volumes[post.code],
            region,
            behaviour,
            seed,
            officers,
            postings,
            parties,
            conveyances,
            truths,
        )
        people[post.code] = group
    return Population(officers, postings, parties, conveyances, people, truths)


def _post(
    post: Post,
    volume: PostVolume,
    region: str,
    behaviour: Behaviour,
    seed: int,
    officers: list[Officer],
    postings: list[Posting],
    parties: list[Party],
    conveyances: list[Conveyance],
    truths: list[AgentTruth],
) -> PostPeople:
    rng = np.random.default_rng([seed, 1, sum(map(ord, post.code)) * 1000 + len(post.code)])
    code = post.code
    chief = f"{code}-PC"
    officers.append(Officer(chief, _name(rng, False), Rank.POST_CHIEF, region))
    per_crew = (
        1 if volume.declarations_per_day < 10 else 2 if volume.declarations_per_day < 50 else 3
    )
    crews = []
    schemes: dict[str, str] = {}
    for k in range(CREWS):
        supervisor = f"{code}-S{k}"
        officers.append(Officer(supervisor, _name(rng, bool(k % 2)), Rank.SHIFT_SUPERVISOR, chief))
        passup = rng.random() < behaviour.passup_supervisor_share
        if passup:
            schemes[supervisor] = "pass-up"
        inspectors = []
        for j in range(per_crew):
            inspector = f"{code}-I{k}{j}"
            officers.append(Officer(inspector, _name(rng, bool(j % 2)), Rank.INSPECTOR, supervisor))
            corrupt_rate = (
                behaviour.corrupt_under_passup if passup else behaviour.corrupt_inspector_share
            )
            if rng.random() < corrupt_rate:
                schemes[inspector] = "bribe-taking"
            inspectors.append(inspector)
        crews.append(Crew(supervisor, inspectors))
    for officer_id in [
        chief,
        *(c.supervisor for c in crews),
        *(i for c in crews for i in c.inspectors),
    ]:
        postings.append(Posting(officer_id, code, SINCE))
    daily = max(volume.declarations_per_day, 0.5)
    brokers = [f"BR-{code}-{j}" for j in range(int(min(12, 2 + daily // 8)))]
    importers = [f"IM-{code}-{j:03d}" for j in range(int(min(150, 10 + daily * 2)))]
    neighbour = post.neighbour_country or "CN"
    sellers = [f"EX-{code}-{j:02d}" for j in range(int(min(40, 5 + daily / 2)))]
    carrier = "KTZ" if post.mode is TransportMode.RAIL else f"CA-{code}"

    def register(ids: list[str], name: str, country: str, role: PartyRole) -> None:
        for party_id in ids:
            tax_id = _bin(rng) if country == "KZ" else f"{country}{_bin(rng)}"
            parties.append(
                Party(party_id, name.format(party_id), tax_id, country, frozenset({role}))
            )

    register(brokers, "{} Customs Brokerage LLP", "KZ", PartyRole.DECLARANT)
    register(importers, "{} Trading LLP", "KZ", PartyRole.IMPORTER)
    register(sellers, "{} Export Co.", neighbour, PartyRole.EXPORTER)
    if carrier != "KTZ":
        register([carrier], "{} Transport", neighbour, PartyRole.CARRIER)
    shares = behaviour.trader_shares()
    for importer in importers:
        draw, edge = rng.random(), 0.0
        for scheme in TRADER_SCHEMES:
            edge += shares[scheme]
            if draw < edge:
                schemes[importer] = scheme
                break
    corrupt_inspectors = [i for c in crews for i in c.inspectors if schemes.get(i)]
    partner: dict[str, str] = {}
    for broker in brokers:
        if corrupt_inspectors and rng.random() < behaviour.paying_broker_share:
            schemes[broker] = "paying-for-priority"
            partner[broker] = corrupt_inspectors[int(rng.integers(len(corrupt_inspectors)))]
    vehicles, trains = _vehicles(post, volume, carrier, neighbour, rng, conveyances)
    group = PostPeople(
        post,
        volume,
        chief,
        crews,
        brokers,
        importers,
        sellers,
        carrier,
        vehicles,
        trains,
        schemes,
        partner,
    )
    for agent, scheme in sorted(schemes.items()):
        kind = (
            "broker"
            if agent.startswith("BR-")
            else "trader"
            if agent.startswith("IM-")
            else "officer"
        )
        truths.append(AgentTruth(agent, kind, code, scheme, partner.get(agent, "")))
    return group


def _vehicles(
    post: Post,
    volume: PostVolume,
    carrier: str,
    country: str,
    rng: np.random.Generator,
    conveyances: list[Conveyance],
) -> tuple[list[str], list[str]]:
    """A pool of railcars or trucks large enough that each comes back only every week or so."""
    vehicles: list[str] = []
    trains: list[str] = []
    code = post.code
    if volume.railcars_in:
        for j in range(int(volume.railcars_in * 7) + 10):
            number = 50_000_000 + int(rng.integers(10**7))
            conveyance_id = f"RC-{code}-{j:05d}"
            conveyances.append(
                Conveyance(
                    conveyance_id,
                    ConveyanceKind.RAILCAR,
                    str(number),
                    "KZ",
                    "KTZ",
                    float(round(rng.uniform(22_000, 26_000), -1)),
                )
            )
            vehicles.append(conveyance_id)
        for j in range(8):
            train_id = f"TR-{code}-{j}"
            conveyances.append(
                Conveyance(train_id, ConveyanceKind.TRAIN, f"{code}{j:03d}", "KZ", "KTZ")
            )
            trains.append(train_id)
        if volume.passenger_trains_per_week:
            conveyances.append(
                Conveyance(
                    f"PT-{code}", ConveyanceKind.PASSENGER_TRAIN, f"{code}-PASS", "KZ", "KTZ"
                )
            )
    if volume.trucks_in:
        for j in range(int(volume.trucks_in * 7) + 5):
            conveyance_id = f"TK-{code}-{j:05d}"
            plate = f"{country}{int(rng.integers(10**5, 10**6))}"
            conveyances.append(
                Conveyance(
                    conveyance_id,
                    ConveyanceKind.TRUCK,
                    plate,
                    country,
                    carrier,
                    float(round(rng.uniform(14_000, 16_000), -1)),
                )
            )
            vehicles.append(conveyance_id)
    return vehicles, trains
