"""Who may act: officers by rank and post, parties by role, and the system itself.

Use cases take the actor's identifier from their caller (the web app's session, the CLI's
operator, the simulator's agent) and check here that he may do what he asks, before anything is
written. Dates of postings are the country's calendar days, so an instant is turned into the
national date before it is compared with them.
"""

from __future__ import annotations

from datetime import datetime

from dostyk.domain.calendar import NATIONAL_TIME, national_day
from dostyk.domain.officers import Officer, Rank
from dostyk.services.errors import NotAuthorised
from dostyk.store.unit_of_work import UnitOfWork

#: The actor of automatic steps (validation on lodgement) and of scheduled use cases.
SYSTEM = "system"

__all__ = ["NATIONAL_TIME", "SYSTEM", "national_day"]


def officer(uow: UnitOfWork, actor: str, doing: str) -> Officer:
    """The officer ``actor``; anyone else may not be ``doing`` this."""
    found: Officer | None = uow.officers.get(actor)
    if found is None:
        raise NotAuthorised(f"only an officer may {doing}; {actor} is not one")
    return found


def senior_officer(uow: UnitOfWork, actor: str, rank: Rank, doing: str) -> Officer:
    """An officer of ``rank`` or above."""
    found = officer(uow, actor, doing)
    if found.rank.seniority < rank.seniority:
        raise NotAuthorised(f"only a {rank} or above may {doing}; {actor}'s rank is {found.rank}")
    return found


def posted_officer(
    uow: UnitOfWork, actor: str, post_code: str, at: datetime, doing: str
) -> Officer:
    """An officer posted at ``post_code`` on the day of ``at``."""
    found = officer(uow, actor, doing)
    day = national_day(at)
    if not uow.postings.is_serving(actor, post_code, day):
        raise NotAuthorised(
            f"only an officer posted at {post_code} may {doing}; {actor} is not posted there "
            f"on {day.isoformat()}"
        )
    return found


def staff(uow: UnitOfWork, actor: str, doing: str) -> None:
    """The system or an officer: traders and brokers do not run customs' own decisions."""
    if actor != SYSTEM:
        officer(uow, actor, doing)
