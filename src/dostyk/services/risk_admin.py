"""Use cases of the risk analyst: load a rule profile, register a trained model, put either live.

Profiles and models are records (ledgered, exported); which of them assesses is a record too
(:class:`~dostyk.domain.risk.Activation`), so every change of selectivity is on the ledger with
who made it and when. :func:`active_selector` is what every entry point assesses with: the
active profile (or the shipped default), the active model if any, and the random share.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Engine

from dostyk.domain.risk import Activation, RiskDecision, StoredModel, StoredRuleProfile
from dostyk.domain.rule_profiles import Profile, read_profile
from dostyk.services.actors import staff
from dostyk.services.errors import Conflict, NotFound
from dostyk.services.selectivity import (
    CombinedSelector,
    ProfileSelector,
    RandomShare,
    Selector,
    default_profile,
)
from dostyk.store.repositories import Repository
from dostyk.store.risk_tables import risk_activations, risk_decisions, risk_models, rule_profiles
from dostyk.store.unit_of_work import UnitOfWork

RULES, MODEL = "rules", "model"


def _profiles(uow: UnitOfWork) -> Repository[StoredRuleProfile]:
    return Repository[StoredRuleProfile](uow.connection, uow.ledger, rule_profiles)


def _models(uow: UnitOfWork) -> Repository[StoredModel]:
    return Repository[StoredModel](uow.connection, uow.ledger, risk_models)


def _activations(uow: UnitOfWork) -> Repository[Activation]:
    return Repository[Activation](uow.connection, uow.ledger, risk_activations)


def load_profile(
    engine: Engine, source: str, file: str, *, actor: str, at: datetime
) -> StoredRuleProfile:
    """Check and store a rule profile (a
    :class:`~dostyk.domain.rule_profiles.ProfileError` if it has errors).

    A version is written once: loading the same text again is refused as already loaded, and a
    different text under a stored version's name is refused — a changed profile is a new
    version.
    """
    profile = read_profile(source, file)
    with UnitOfWork(engine, actor=actor, at=at) as uow:
        staff(uow, actor, "load a rule profile")
        stored = _profiles(uow).get(profile.version)
        if stored is not None:
            same = "the same text" if stored.digest == profile.digest else "another text"
            raise Conflict(
                f"rule profile {profile.version} was loaded on {stored.loaded_at:%Y-%m-%d} with "
                f"{same}; give a changed profile a new version"
            )
        record = StoredRuleProfile(
            profile.version,
            profile.name,
            at,
            actor,
            len(profile.rules),
            profile.digest,
            source,
        )
        _profiles(uow).add(record)
    return record


def _activate(uow: UnitOfWork, kind: str, version: str | None, actor: str, at: datetime) -> None:
    activation = Activation(kind, version, at, actor)
    if _activations(uow).get(kind) is None:
        _activations(uow).add(activation)
    else:
        _activations(uow).replace(activation)


def activate_rules(engine: Engine, version: str, *, actor: str, at: datetime) -> Activation:
    """Assess with a stored profile from now on (``default`` for the shipped one)."""
    with UnitOfWork(engine, actor=actor, at=at) as uow:
        staff(uow, actor, "activate a rule profile")
        if version != default_profile().version and _profiles(uow).get(version) is None:
            raise NotFound("rule profile", version)
        _activate(uow, RULES, version, actor, at)
    return Activation(RULES, version, at, actor)


def check_officer(engine: Engine, actor: str, doing: str) -> None:
    """Refuse early who may not do it, before the long work a command does first."""
    with UnitOfWork(engine, actor=actor) as uow:
        staff(uow, actor, doing)


def register_model(
    engine: Engine,
    version: str,
    file: Path,
    *,
    labelled: int,
    figures: dict[str, Any],
    actor: str,
    at: datetime,
) -> StoredModel:
    """Record a trained model saved at ``file`` (under the data folder), with its digest."""
    record = StoredModel(
        version,
        at,
        actor,
        labelled,
        digest_of(file),
        json.dumps(figures, sort_keys=True, default=str),
    )
    with UnitOfWork(engine, actor=actor, at=at) as uow:
        staff(uow, actor, "register a risk model")
        if _models(uow).get(version) is not None:
            raise Conflict(f"risk model {version} is already registered")
        _models(uow).add(record)
    return record


def activate_model(
    engine: Engine, version: str | None, models: Path, *, actor: str, at: datetime
) -> Activation:
    """Assess with a registered model from now on (None: no model, rules and chance alone).

    The model file must be there and be the one registered (its digest): a changed file is
    refused rather than put live.
    """
    with UnitOfWork(engine, actor=actor, at=at) as uow:
        staff(uow, actor, "activate a risk model")
        if version is not None:
            record = _models(uow).get(version)
            if record is None:
                raise NotFound("risk model", version)
            check_file(record, models)
        _activate(uow, MODEL, version, actor, at)
    return Activation(MODEL, version, at, actor)


def digest_of(file: Path) -> str:
    return hashlib.sha256(file.read_bytes()).hexdigest()


def model_file(models: Path, version: str) -> Path:
    return models / f"{version}.json"


def check_file(record: StoredModel, models: Path) -> Path:
    file = model_file(models, record.model_version)
    if not file.is_file():
        raise Conflict(f"risk model {record.model_version}: its file {file} is missing")
    if digest_of(file) != record.digest:
        raise Conflict(
            f"risk model {record.model_version}: {file} is not the file that was registered "
            "(its SHA-256 differs)"
        )
    return file


# --- reading -----------------------------------------------------------------------------------


def decisions_of(engine: Engine, assessment_ids: list[str]) -> list[RiskDecision]:
    """The decisions behind these assessments, in their order."""
    with engine.connect() as connection:
        decisions = Repository[RiskDecision](connection, None, risk_decisions)
        found = [decisions.get(assessment_id) for assessment_id in assessment_ids]
    return [d for d in found if d is not None]


@dataclass(frozen=True)
class Selectivity:
    """The profiles, models and activations in the store."""

    profiles: list[StoredRuleProfile]
    models: list[StoredModel]
    rules: Activation | None
    model: Activation | None

    @property
    def rules_version(self) -> str:
        return default_profile().version if self.rules is None else str(self.rules.version)

    @property
    def model_version(self) -> str | None:
        return None if self.model is None else self.model.version


def selectivity(engine: Engine) -> Selectivity:
    with engine.connect() as connection:
        return Selectivity(
            Repository[StoredRuleProfile](connection, None, rule_profiles).all(),
            Repository[StoredModel](connection, None, risk_models).all(),
            Repository[Activation](connection, None, risk_activations).get(RULES),
            Repository[Activation](connection, None, risk_activations).get(MODEL),
        )


_PROFILES: dict[str, Profile] = {}


class ModelShelf(Protocol):
    """Where the model files are, and how one becomes a selector: given by the entry points
    (:class:`dostyk.risk.scoring.Shelf`), since the estimator is analytics, outside services."""

    @property
    def folder(self) -> Path: ...

    def selector(self, record: StoredModel, folder: Path) -> Selector: ...


def profile_of(uow: UnitOfWork, version: str) -> Profile:
    default = default_profile()
    if version == default.version:
        return default
    stored = _profiles(uow).get(version)
    if stored is None:
        raise NotFound("rule profile", version)
    cached = _PROFILES.get(stored.digest)
    if cached is None:
        cached = _PROFILES[stored.digest] = read_profile(stored.source, stored.version)
    return cached


def active_selector(engine: Engine, models: ModelShelf | None) -> CombinedSelector:
    """The active profile, the active model (when ``models`` is given and a model is active) and
    the random share: what assesses declarations now.

    Parsed profiles are kept by digest (the shelf keeps loaded models), so an assessment reads
    two small rows.
    """
    with UnitOfWork(engine) as uow:
        rules = _activations(uow).get(RULES)
        model = _activations(uow).get(MODEL)
        version = default_profile().version if rules is None else str(rules.version)
        selectors: list[Selector] = [ProfileSelector(profile_of(uow, version))]
        if models is not None and model is not None and model.version is not None:
            record = _models(uow).get(model.version)
            assert record is not None, "an active model is registered"
            selectors.append(models.selector(record, models.folder))
    return CombinedSelector(*selectors, RandomShare())
