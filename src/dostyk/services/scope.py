"""What an account may see: its posts, its region, its parties.

The web app's one policy table decides which role may do what; this decides *where*: an officer
at a post sees the posts he is posted at on that day (postings are the country's calendar days),
a regional chief every post of his region, HQ the whole country, and a broker or trader the
records of his own party. An API token narrows its account's scope further, to one party or
one post; it never widens it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine

from dostyk.domain.accounts import PARTY_ROLES, POST_ROLES, Account, ApiToken, Role
from dostyk.services.actors import national_day
from dostyk.store import repositories as r
from dostyk.store.unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class Scope:
    """Where an account's view reaches.

    ``posts``: the posts whose records it sees; None for every post (national). An empty set
    sees no post's records (an officer not posted anywhere that day).
    ``region``: the region those posts lie in, when they lie in one.
    ``parties``: when not empty, only the records these parties are party to (a broker's own
    declarations); empty means the view is not limited by party.
    """

    posts: frozenset[str] | None
    region: str | None
    parties: frozenset[str]

    @property
    def national(self) -> bool:
        return self.posts is None

    def covers_post(self, post_code: str) -> bool:
        return self.posts is None or post_code in self.posts

    def covers_parties(self, *party_ids: str | None) -> bool:
        """Whether a record with these parties (its declarant, importer, ...) is in view."""
        return not self.parties or any(p in self.parties for p in party_ids if p is not None)

    def narrowed(self, token: ApiToken) -> Scope:
        """This scope, narrowed to the token's party and post."""
        posts = self.posts
        region = self.region
        if token.post_code is not None:
            posts = frozenset({token.post_code}) & (
                posts if posts is not None else frozenset({token.post_code})
            )
            region = region if posts else None
        parties = self.parties
        if token.party_id is not None:
            parties = frozenset({token.party_id}) & (parties or frozenset({token.party_id}))
            if not parties:  # a party the account does not act for: nothing in view
                posts, region = frozenset(), None
        return Scope(posts, region, parties)


def account_scope(
    engine_or_uow: Engine | UnitOfWork,
    account: Account,
    at: datetime,
    token: ApiToken | None = None,
) -> Scope:
    """The scope of ``account`` on the national day of ``at``, narrowed by ``token`` if given."""
    if isinstance(engine_or_uow, UnitOfWork):
        scope = _scope(engine_or_uow.postings, engine_or_uow.posts, account, at)
    else:  # a read: no writer's transaction (nor SQLite's write lock) for it
        with engine_or_uow.connect() as connection:
            scope = _scope(r.Postings(connection), r.Posts(connection), account, at)
    return scope if token is None else scope.narrowed(token)


def _scope(postings: r.Postings, posts: r.Posts, account: Account, at: datetime) -> Scope:
    if account.role in PARTY_ROLES:
        assert account.party_id is not None
        return Scope(None, None, frozenset({account.party_id}))
    if account.role not in POST_ROLES and account.role != Role.REGIONAL_CHIEF:
        return Scope(None, None, frozenset())  # HQ: national
    assert account.officer_id is not None
    day = national_day(at)
    posted = {p.post_code for p in postings.of_officer(account.officer_id) if p.covers(day)}
    regions = {post.region for post in (posts.get(code) for code in posted) if post is not None}
    region = regions.pop() if len(regions) == 1 else None
    if account.role == Role.REGIONAL_CHIEF:
        if region is None:
            return Scope(frozenset(), None, frozenset())
        return Scope(frozenset(p.code for p in posts.in_region(region)), region, frozenset())
    return Scope(frozenset(posted), region, frozenset())
