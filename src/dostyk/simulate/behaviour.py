"""How the simulated people behave: the rates of every honest and corrupt scheme.

Each scheme is one documented in the public record on Kazakhstan's border posts (DESIGN.md §1);
docs/simulation.md says what each leaves in the data. The defaults are assumptions, chosen so
that corruption is common enough to find and rare enough to hide.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

#: Trader schemes and the share of traders following each (the rest are honest).
TRADER_SCHEMES = (
    "undervaluation",
    "misclassification",
    "undeclared_goods",
    "mass_understatement",
)


@dataclass(frozen=True)
class Behaviour:
    # Traders.
    undervaluation_share: float = 0.08
    misclassification_share: float = 0.05
    undeclared_goods_share: float = 0.04
    mass_understatement_share: float = 0.03
    #: A dishonest trader cheats on this share of his declarations.
    cheating_rate: float = 0.6
    #: Declared value as a share of the true value when undervaluing.
    undervaluation_factor: tuple[float, float] = (0.35, 0.7)
    #: Undeclared goods as a share of the declared mass.
    undeclared_share: tuple[float, float] = (0.05, 0.15)
    #: Declared mass as a share of the true mass when understating.
    understatement_factor: tuple[float, float] = (0.8, 0.92)
    # Brokers.
    #: Brokers who pay for priority, steering and downgrades.
    paying_broker_share: float = 0.2
    #: A paying broker times his lodgements to his inspector's shift this often.
    steering_rate: float = 0.7
    # Officers.
    corrupt_inspector_share: float = 0.12
    #: Shift supervisors running a pass-up scheme; their inspectors are mostly corrupt.
    passup_supervisor_share: float = 0.2
    corrupt_under_passup: float = 0.7
    #: An honest inspector finds what a fraudulent declaration hides this often.
    honest_detection: float = 0.75
    #: A corrupt inspector asks for a downgrade of a paying broker's declaration this often.
    downgrade_rate: float = 0.5
    #: A complicit supervisor hands a paying broker's inspection to his inspector this often.
    reassign_rate: float = 0.6
    bribe_usd: tuple[float, float] = (200.0, 800.0)
    #: The supervisor's cut of his inspectors' bribes.
    passup_cut: float = 0.3
    #: A corrupt inspector records a made-up finding on an honest declaration of a broker who
    #: does not pay him this often: the extortion the trader refused (he may appeal it).
    fabrication_rate: float = 0.05
    # Later reviews of inspections' results (docs/simulation.md says what each rests on).
    #: A declarant appeals a genuine finding this often, and a made-up one this often.
    appeal_rate: float = 0.08
    fabricated_appeal_rate: float = 0.6
    #: An appeal reverses a genuine finding this often (the reviewer errs, or the evidence was
    #: thin), and a made-up one this often.
    appeal_reversal_genuine: float = 0.1
    appeal_reversal_fabricated: float = 0.8
    #: Days from the finding to the appeal's decision.
    appeal_days: tuple[float, float] = (5.0, 30.0)
    #: Share of inspected declarations taken for post-clearance audit once released, and how
    #: often the audit finds fraud the inspection passed.
    audit_rate: float = 0.1
    audit_detection: float = 0.8
    #: Days from the inspection to the audit's conclusion.
    audit_days: tuple[float, float] = (10.0, 45.0)
    # Conveyances.
    #: Trucks going back "empty" that carry goods out.
    false_empty_rate: float = 0.06

    def trader_shares(self) -> dict[str, float]:
        return {
            "undervaluation": self.undervaluation_share,
            "misclassification": self.misclassification_share,
            "undeclared_goods": self.undeclared_goods_share,
            "mass_understatement": self.mass_understatement_share,
        }

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)
