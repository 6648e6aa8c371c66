"""First in, first out: serving out of turn only with a written reason, always on record.

"Pay to skip the queue" is the commonest small bribe at a border post. The queues themselves
(the inspection queue of an inspector, the release queue of a post) are read by the use cases;
this module decides what happens when someone is served while others wait ahead of him: refused
without a reason, and with one, a :class:`~dostyk.domain.queues.QueueException` that the
integrity unit reads.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from dostyk.domain.declarations import Channel
from dostyk.domain.queues import QueueException, QueueKind
from dostyk.domain.spelling import utc_text
from dostyk.services.errors import Conflict, ValidationFailed
from dostyk.services.ids import make_id
from dostyk.store.unit_of_work import UnitOfWork

#: The shortest written reason for serving out of turn.
MIN_REASON = 10


class OutOfTurn(Conflict):
    """Serving a declaration before others waiting ahead of it, without a written reason."""

    def __init__(
        self, queue: QueueKind, declaration_id: str, ahead: Sequence[str], waiting_since: str
    ) -> None:
        super().__init__(
            f"{declaration_id} would be served out of turn in the {queue} queue: "
            f"{len(ahead)} declaration(s) wait ahead of it, first {ahead[0]} (since "
            f"{waiting_since}); give a written reason to serve it first, and it is recorded"
        )
        self.queue = queue
        self.declaration_id = declaration_id
        self.ahead = tuple(ahead)


def serve(
    uow: UnitOfWork,
    *,
    queue: QueueKind,
    key: str,
    post_code: str,
    channel: Channel,
    declaration_id: str,
    ahead: Sequence[tuple[str, datetime]],
    reason: str | None,
    actor: str,
    at: datetime,
) -> QueueException | None:
    """Serve ``declaration_id`` with ``ahead`` (declaration, waiting since) before it.

    Nothing to record when nobody waits ahead; otherwise the reason is required and the
    exception is stored under an identifier made from ``key``.
    """
    if not ahead:
        return None
    ids = [waiting for waiting, _ in ahead]
    if reason is None or not reason.strip():
        raise OutOfTurn(queue, declaration_id, ids, utc_text(ahead[0][1]))
    if len(reason.strip()) < MIN_REASON:
        raise ValidationFailed(
            [f"the reason for serving out of turn needs at least {MIN_REASON} characters"],
            subject=f"serving {declaration_id} out of turn",
        )
    exception = QueueException(
        exception_id=make_id("Q", key),
        post_code=post_code,
        queue=queue,
        channel=channel,
        declaration_id=declaration_id,
        overtaken=len(ids),
        first_overtaken_id=ids[0],
        reason=reason.strip(),
        officer_id=actor,
        at=at,
    )
    uow.queue_exceptions.add(exception)
    return exception
