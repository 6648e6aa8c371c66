"""The selectivity tables: what each assessment decided with, the rule profiles and models that
can decide, which of them is active, and the running outcome histories the model reads.

Defined here, apart from the lifecycle's tables, and imported by :mod:`dostyk.store.tables`
before it lists the tables, so they are exported, logged and documented like every other.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Double, Integer, String, Table, Text

from dostyk.store.tables import DESCRIPTIONS, Instant, column, table

DESCRIPTIONS.update(
    {
        "risk_decisions": "What each assessment decided with: the rule versions that fired, the "
        "model's version, score, expected revenue and explanation, and the selection probability "
        "that training corrects by.",
        "rule_profiles": "Rule profiles as loaded, each version with its YAML source.",
        "risk_models": "Trained risk models: the digest of the model file and its figures.",
        "risk_activations": "Which rule profile and which model assess declarations.",
        "outcome_tallies": "Released declarations, their inspections, findings and extra duty "
        "per importer, declarant, seller, HS code, origin, route and post: the model's risk "
        "histories.",
    }
)

risk_decisions = table(
    "risk_decisions",
    column(
        "assessment_id",
        String(40),
        "Assessment decided",
        primary_key=True,
        references="risk_assessments.assessment_id",
    ),
    column("random_share", Double, "Share of declarations the random draw sends to inspection"),
    column(
        "selection_probability",
        Double,
        "Probability the declaration had of being selected for inspection",
    ),
    column(
        "rule_versions",
        Text,
        "Rules that fired as profile/rule@version, joined by '|'",
        nullable=True,
    ),
    column("model_version", String(64), "Model that scored it", nullable=True),
    column("model_score", Double, "Model's probability of a finding", nullable=True),
    column(
        "expected_revenue",
        Double,
        "Revenue the model expects an inspection to recover, national currency",
        nullable=True,
    ),
    column("explanation", Text, "Model's top contributions in words, joined by '|'", nullable=True),
)

rule_profiles = table(
    "rule_profiles",
    column("version", String(64), "Profile version, e.g. rules:v2", primary_key=True),
    column("name", String(64), "Profile name"),
    column("loaded_at", Instant, "When it was loaded, UTC"),
    column("loaded_by", String(40), "Who loaded it"),
    column("rules", Integer, "Rules in the profile"),
    column("digest", String(64), "SHA-256 of the YAML source"),
    column("source", Text, "The YAML source"),
)

risk_models = table(
    "risk_models",
    column("model_version", String(64), "Model version", primary_key=True),
    column("trained_at", Instant, "When it was trained, UTC"),
    column("trained_by", String(40), "Who trained it"),
    column("labelled", Integer, "Inspected declarations it learned from"),
    column("digest", String(64), "SHA-256 of the model file under the data folder"),
    column("figures", Text, "Training figures and channel policy, JSON"),
)

risk_activations = table(
    "risk_activations",
    column("kind", String(8), "rules or model", primary_key=True),
    column("version", String(64), "Active profile or model; empty: none", nullable=True),
    column("activated_at", Instant, "When it was activated, UTC"),
    column("activated_by", String(40), "Who activated it"),
)

outcome_tallies: Table = table(
    "outcome_tallies",
    column(
        "dimension",
        String(16),
        "importer, declarant, seller, hs2, hs4, hs6, origin, route or post",
        primary_key=True,
    ),
    column(
        "subject",
        String(40),
        "The party's id, code, country, origin>post or post",
        primary_key=True,
    ),
    column("released", BigInteger, "Released declarations"),
    column("inspected", BigInteger, "Of them, inspected"),
    column("found", BigInteger, "Of them, with a finding"),
    column("extra_duty_cents", BigInteger, "Extra duty the findings assessed, in cents"),
    info_extra={"derived": True},
)
