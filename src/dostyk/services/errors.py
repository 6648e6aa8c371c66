"""Why a use case refused to act, in words a CLI or API user can act on.

Every refusal is raised before the unit of work commits, so a refused use case leaves nothing
behind: no record and no ledger entry. A declaration moved the wrong way raises the domain's
:class:`~dostyk.domain.lifecycle.IllegalTransition` instead, since that rule lives in the domain.
"""

from __future__ import annotations

from collections.abc import Iterable


class UseCaseError(Exception):
    """A use case refused to act."""


class NotFound(UseCaseError):
    """A record the request names does not exist."""

    def __init__(self, kind: str, key: str) -> None:
        super().__init__(f"no {kind} {key}")
        self.kind = kind
        self.key = key


class NotAuthorised(UseCaseError):
    """The actor may not do this: wrong role or post, off duty, or a four-eyes rule."""


class Conflict(UseCaseError):
    """The request is well formed, but the records' present state does not allow it."""


class Reason(str):
    """A reason a request is refused that names the field at fault (``officer_id``, ``note``),
    so that an API answer can point at it; everywhere else it is the text it holds."""

    field: str

    def __new__(cls, field: str, text: str) -> Reason:
        reason = super().__new__(cls, text)
        reason.field = field
        return reason


class ValidationFailed(UseCaseError):
    """The request breaks one or more rules; ``reasons`` lists every one of them at once (each a
    :class:`Reason` where one field is at fault)."""

    def __init__(self, reasons: Iterable[str], subject: str | None = None) -> None:
        self.reasons = list(reasons)
        self.subject = subject
        head = f"{subject} is not valid" if subject else "not valid"
        super().__init__(f"{head}: " + "; ".join(self.reasons))
