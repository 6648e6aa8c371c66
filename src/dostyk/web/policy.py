"""The policy table: which roles may take each action, and how far their reach goes.

One table, for pages and endpoints alike. Every route names exactly one action of this table
(:func:`allow`); a route that names none cannot be registered without failing the authorisation
test, and an action missing from the table fails at import. What an action reaches is checked
here as well, not in each route: a :class:`Grant` is what a route receives once its role was
allowed, and it is the grant that admits or refuses the post, the declaration or the party that
the request is about.

Reach, from narrowest to widest:

- own declarations — a broker or trader sees only the declarations he lodged or is a party to;
  an officer sees those of the posts he serves at (his region, for a regional chief; every post,
  for headquarters' roles);
- own post — the post named by the request must be one the officer serves at on that day;
- signed in — any account, each seeing only what its scope holds;
- public — no account needed (signing in, the API's description, static assets).

A request outside the caller's reach is refused with 403 when it names a post (post codes are
public knowledge) and with 404 when it names a declaration, so that nobody learns from the answer
whether someone else's declaration exists.

A rule may be ``hidden``: to a role it does not name, its routes answer 404 instead of 403, as if
they did not exist. The integrity unit's pages are hidden so: an officer must not learn from a
refusal that there is something about him to refuse.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from fastapi import Depends, Request

from dostyk.domain.accounts import Role
from dostyk.web.problems import Problem, forbidden, not_found

if TYPE_CHECKING:
    from dostyk.domain.declarations import Declaration
    from dostyk.web.principals import Principal


class Reach(StrEnum):
    PUBLIC = "public"
    SIGNED_IN = "signed in"
    OWN_POST = "own post"
    OWN_DECLARATIONS = "own declarations"


#: Roles of the parties outside customs, who lodge and pay.
PARTIES = frozenset({Role.BROKER, Role.TRADER})
#: Officers at a post, each with his own work there.
POST_STAFF = frozenset(
    {
        Role.POST_OFFICER,
        Role.INSPECTOR,
        Role.RADIATION_OPERATOR,
        Role.SHIFT_SUPERVISOR,
        Role.POST_CHIEF,
    }
)
#: Those who decide on others' requests: four eyes above the requester.
SUPERVISORS = frozenset({Role.SHIFT_SUPERVISOR, Role.POST_CHIEF, Role.REGIONAL_CHIEF})
#: Who decides the later review of an inspection's result: the post's chief (appeals) and the
#: region's (appeals and post-clearance audits); the use case checks rank and chain of command.
REVIEWERS = frozenset({Role.POST_CHIEF, Role.REGIONAL_CHIEF})
#: Headquarters' roles, whose reach is national.
HEADQUARTERS = frozenset(
    {Role.RISK_ANALYST, Role.INTEGRITY_UNIT, Role.PROGRAMME_MANAGER, Role.ADMINISTRATOR}
)
OFFICERS = POST_STAFF | {Role.REGIONAL_CHIEF} | HEADQUARTERS
#: The integrity unit alone: its pages are hidden from every other role.
INTEGRITY = frozenset({Role.INTEGRITY_UNIT})
EVERYONE = frozenset(Role)


@dataclass(frozen=True, slots=True)
class Rule:
    """Who may take an action, how far it reaches, and what it is for (shown in the docs)."""

    action: str
    roles: frozenset[Role]
    reach: Reach
    purpose: str
    #: Other roles get 404, not 403: they do not learn the route exists.
    hidden: bool = False


def _rules(*rules: Rule) -> Mapping[str, Rule]:
    table: dict[str, Rule] = {}
    for rule in rules:
        if rule.action in table:
            raise ValueError(f"the policy table names {rule.action} twice")
        if rule.reach is Reach.PUBLIC and rule.roles:
            raise ValueError(f"{rule.action}: a public action names no roles")
        table[rule.action] = rule
    return table


#: Officers who work the flow at a post: register, reconcile, assess, release.
POST_OFFICERS = frozenset({Role.POST_OFFICER, Role.SHIFT_SUPERVISOR, Role.POST_CHIEF})
#: Who reads a post's queues, arrivals and figures: its staff, the region, headquarters.
POST_READERS = POST_STAFF | {Role.REGIONAL_CHIEF} | HEADQUARTERS

POLICY: Mapping[str, Rule] = _rules(
    # --- public: reaching the door ---------------------------------------------------------
    Rule("session.start", frozenset(), Reach.PUBLIC, "sign in"),
    Rule("api.describe", frozenset(), Reach.PUBLIC, "the OpenAPI document and its docs page"),
    Rule("asset.read", frozenset(), Reach.PUBLIC, "scripts, styles and images of the pages"),
    # --- anyone signed in -------------------------------------------------------------------
    Rule("session.end", EVERYONE, Reach.SIGNED_IN, "sign out"),
    Rule("home.read", EVERYONE, Reach.SIGNED_IN, "one's own account, scope and start page"),
    # --- declarations: the broker's work, and everyone's view of it ------------------------
    Rule(
        "declaration.read",
        PARTIES | OFFICERS,
        Reach.OWN_DECLARATIONS,
        "a declaration's whole record: status, channel, history, queue position, duties",
    ),
    Rule(
        "declaration.list",
        PARTIES | POST_READERS,
        Reach.OWN_DECLARATIONS,
        "declarations with status, channel, queue position, time waiting and duties due",
    ),
    Rule("declaration.lodge", PARTIES, Reach.OWN_DECLARATIONS, "lodge a declaration"),
    Rule("declaration.cancel", PARTIES, Reach.OWN_DECLARATIONS, "withdraw a declaration"),
    Rule("payment.make", PARTIES, Reach.OWN_DECLARATIONS, "pay a declaration's duties"),
    # --- the post: arrivals, crossings, queues, reconciliation -----------------------------
    Rule("arrivals.read", POST_READERS, Reach.OWN_POST, "a post's arrivals and departures"),
    Rule("crossing.register", POST_OFFICERS, Reach.OWN_POST, "register a crossing"),
    Rule("queue.read", POST_READERS, Reach.OWN_POST, "a post's queues"),
    Rule(
        "reconciliation.read",
        POST_READERS,
        Reach.OWN_POST,
        "a post's discrepancies between what crossed, was manifested and was declared",
    ),
    Rule("reconciliation.run", POST_OFFICERS, Reach.OWN_POST, "reconcile a post's records"),
    Rule("declaration.assess", POST_OFFICERS, Reach.OWN_POST, "assess a declaration's risk"),
    Rule("duties.assess", POST_OFFICERS, Reach.OWN_POST, "assess a declaration's duties"),
    Rule("declaration.release", POST_OFFICERS, Reach.OWN_POST, "release a declaration's goods"),
    # --- radiation portal monitoring -------------------------------------------------------
    Rule(
        "radiation.read",
        POST_READERS,
        Reach.OWN_POST,
        "a post's radiation alarms by lane, an alarm's counts, results and adjudication",
    ),
    Rule(
        "radiation.adjudicate",
        frozenset({Role.RADIATION_OPERATOR}),
        Reach.OWN_POST,
        "record a step of a radiation alarm's adjudication",
    ),
    Rule(
        "radiation.held",
        POST_READERS,
        Reach.OWN_POST,
        "the conveyances a radiation alarm holds from release at a post",
    ),
    # --- inspections ------------------------------------------------------------------------
    Rule(
        "inspection.assign",
        SUPERVISORS | {Role.POST_OFFICER},
        Reach.OWN_POST,
        "draw an inspector at random",
    ),
    Rule(
        "inspection.reassign",
        SUPERVISORS,
        Reach.OWN_POST,
        "reassign an inspection, with the reason",
    ),
    Rule(
        "inspection.mine",
        frozenset({Role.INSPECTOR}),
        Reach.OWN_POST,
        "the inspections drawn for me",
    ),
    Rule("inspection.start", frozenset({Role.INSPECTOR}), Reach.OWN_POST, "start an inspection"),
    Rule(
        "inspection.finish",
        frozenset({Role.INSPECTOR}),
        Reach.OWN_POST,
        "record findings and finish an inspection",
    ),
    # --- later reviews of an inspection's result: appeals and post-clearance audits ----------
    Rule(
        "review.read",
        REVIEWERS,
        Reach.OWN_POST,
        "reviews of inspections' results, an inspection's findings and the reviews of them",
    ),
    Rule(
        "review.record",
        REVIEWERS,
        Reach.OWN_POST,
        "record the outcome of an appeal or a post-clearance audit of an inspection's result",
    ),
    # --- four eyes: overrides and the supervisor's view ------------------------------------
    Rule(
        "override.request",
        frozenset({Role.INSPECTOR, Role.POST_OFFICER, Role.SHIFT_SUPERVISOR}),
        Reach.OWN_POST,
        "ask a superior to change a declaration's channel",
    ),
    Rule("override.decide", SUPERVISORS, Reach.OWN_POST, "approve or refuse an override"),
    Rule(
        "supervision.read",
        SUPERVISORS,
        Reach.OWN_POST,
        "overrides awaiting decision, reassignments and out-of-turn releases",
    ),
    # --- headquarters -----------------------------------------------------------------------
    Rule("stats.read", POST_READERS, Reach.OWN_POST, "a post's daily figures"),
    Rule(
        "programme.read",
        frozenset({Role.PROGRAMME_MANAGER, Role.ADMINISTRATOR}) | {Role.REGIONAL_CHIEF},
        Reach.OWN_POST,
        "throughput, dwell times, channel mix, equipment and rollout per post and day",
    ),
    # --- selectivity: the risk analyst ----------------------------------------------------------
    Rule(
        "risk.read",
        frozenset({Role.RISK_ANALYST, Role.ADMINISTRATOR}),
        Reach.OWN_POST,
        "rule profiles, models, hit rates and revenue per channel, selection over time",
    ),
    # --- interchange: brokers' and carriers' systems speaking WCO XML and EDIFACT ----------
    Rule(
        "interchange.submit",
        PARTIES,
        Reach.OWN_DECLARATIONS,
        "lodge WCO XML or EDIFACT declarations and cargo reports, as oneself",
    ),
    Rule(
        "interchange.respond",
        PARTIES | OFFICERS,
        Reach.OWN_DECLARATIONS,
        "a declaration's customs responses as WCO RES-DMS XML or EDIFACT CUSRES",
    ),
    # --- the integrity unit: hidden from everyone else ---------------------------------------
    Rule(
        "integrity.read",
        INTEGRITY,
        Reach.SIGNED_IN,
        "the ranked subjects, their evidence, anomalies of imported history, ledger checks",
        hidden=True,
    ),
    Rule(
        "integrity.cases",
        INTEGRITY,
        Reach.SIGNED_IN,
        "open, assign and close the integrity unit's cases",
        hidden=True,
    ),
    Rule(
        "integrity.conflicts",
        INTEGRITY,
        Reach.SIGNED_IN,
        "keep the register of conflicts of interest",
        hidden=True,
    ),
    # --- the ledger ---------------------------------------------------------------------------
    Rule("ledger.head", EVERYONE, Reach.SIGNED_IN, "the ledger's signed head"),
    Rule(
        "ledger.prove",
        PARTIES | OFFICERS,
        Reach.OWN_DECLARATIONS,
        "a record's inclusion proof, or a consistency proof between two heads",
    ),
)


def rule(action: str) -> Rule:
    try:
        return POLICY[action]
    except KeyError:
        raise KeyError(f"{action!r} has no entry in the policy table (dostyk.web.policy)") from None


@dataclass(frozen=True, slots=True)
class Grant:
    """An allowed action for one caller; it admits or refuses what the request is about."""

    rule: Rule
    principal: Principal | None

    @property
    def caller(self) -> Principal:
        """The signed-in caller (every non-public action has one)."""
        assert self.principal is not None, f"{self.rule.action} is public"
        return self.principal

    def post(self, post_code: str) -> str:
        """``post_code`` if the caller's reach covers it; 403 otherwise."""
        scope = self.caller.scope
        if self.caller.account.role in PARTIES:
            raise forbidden(f"{self.rule.purpose} at a post is for customs officers")
        if scope.posts is not None and post_code not in scope.posts:
            raise forbidden(f"post {post_code} is outside your reach ({self.caller.reach_text})")
        return post_code

    def posts(self, asked: Iterable[str] | None = None) -> frozenset[str] | None:
        """The posts a listing may show: those asked for (each checked), else the caller's own
        (None: every post)."""
        if asked:
            return frozenset(self.post(code) for code in asked)
        if self.caller.account.role in PARTIES:
            raise forbidden(f"{self.rule.purpose} at a post is for customs officers")
        return self.caller.scope.posts

    def declaration(self, declaration: Declaration) -> Declaration:
        """``declaration`` if the caller may see it; 404 otherwise (as if it did not exist)."""
        if self.sees(declaration):
            return declaration
        raise not_found(f"no declaration {declaration.declaration_id}")

    def sees(self, declaration: Declaration) -> bool:
        scope = self.caller.scope
        if self.caller.account.role in PARTIES:
            named = {declaration.declarant_id, declaration.importer_id, declaration.exporter_id}
            return bool(scope.parties & named)
        return scope.posts is None or declaration.post_code in scope.posts

    def party(self, party_id: str) -> str:
        """``party_id`` if the caller acts for it; 403 otherwise."""
        if party_id not in self.caller.scope.parties:
            raise forbidden(f"you do not act for party {party_id}")
        return party_id


def absent(request: Request) -> Problem:
    """The answer to a path that does not exist (the app's 404, word for word), which is what a
    hidden route answers a role it does not name: nothing in it tells the two apart."""
    return Problem(404, f"there is nothing at {request.url.path}")


def answer_to_unserved_method(request: Request) -> Problem | None:
    """What a route answers to a method it does not serve, when its path must stay hidden.

    The router answers 405 before any route's dependency runs, and a 405 says the path exists:
    on a hidden route's path, a caller without a role it names is answered as for its allowed
    methods (401 signed out, else the 404 of a missing path); None leaves the 405 as it is.
    """
    from dostyk.web.principals import principal_of

    path = request.url.path
    rules = [entry for pattern, entry in _guarded_paths(request.app) if pattern.match(path)]
    if not rules or not all(entry.hidden for entry in rules):
        return None
    principal = principal_of(request)
    if principal is None:
        from dostyk.web.problems import unauthorised

        return unauthorised(f"sign in to {rules[0].purpose}")
    if any(principal.account.role in entry.roles for entry in rules):
        return None
    return absent(request)


def _guarded_paths(app: Any) -> list[tuple[re.Pattern[str], Rule]]:
    """Every route's path pattern with the rule its action names (computed once per app)."""
    found: list[tuple[re.Pattern[str], Rule]] | None = getattr(app.state, "guarded_paths", None)
    if found is None:
        from fastapi.routing import APIRoute, iter_route_contexts
        from starlette.routing import compile_path

        found = []
        for context in iter_route_contexts(app.routes):
            route = context.original_route
            if not isinstance(route, APIRoute):
                continue
            pattern = compile_path(context.path or route.path)[0]
            for dependency in route.dependant.dependencies:
                action = action_of(dependency.call) if dependency.call else None
                if action is not None:
                    found.append((pattern, rule(action)))
        app.state.guarded_paths = found
    return found


def allow(action: str) -> Any:
    """The dependency a route declares for its action: ``grant: Grant = allow("...")``.

    It resolves the caller (401 when a non-public action has none), checks his role against the
    table (403), and, for a form or JSON posted with a session cookie, the CSRF token (403).
    """
    entry = rule(action)

    async def authorise(request: Request) -> Grant:
        from dostyk.web.principals import check_csrf, principal_of

        principal = principal_of(request)
        if entry.reach is Reach.PUBLIC:
            return Grant(entry, principal)
        if principal is None:
            from dostyk.web.problems import unauthorised

            raise unauthorised(f"sign in to {entry.purpose}")
        if principal.account.role not in entry.roles:
            if entry.hidden:
                raise absent(request)
            raise forbidden(f"{entry.purpose}: not for the role {principal.account.role.value}")
        await check_csrf(request, principal)
        return Grant(entry, principal)

    authorise.dostyk_action = action  # type: ignore[attr-defined]
    return Depends(authorise)


def action_of(call: Callable[..., Any]) -> str | None:
    """The policy action a route's dependency declares (for the route table's test)."""
    return getattr(call, "dostyk_action", None)


def allowed(principal: Principal | None, action: str) -> bool:
    """Whether the caller's role may take ``action`` (for showing or hiding a link)."""
    entry = rule(action)
    if entry.reach is Reach.PUBLIC:
        return True
    return principal is not None and principal.account.role in entry.roles


def policy_table_markdown() -> str:
    """The policy table as docs/web.md shows it (a test keeps the two the same)."""
    lines = ["| action | who | reach | for |", "|---|---|---|---|"]
    for entry in POLICY.values():
        if entry.reach is Reach.PUBLIC:
            who = "anyone"
        elif entry.roles == EVERYONE:
            who = "every role"
        else:
            who = ", ".join(sorted(role.value for role in entry.roles))
        purpose = entry.purpose + (" (hidden: 404 to every other role)" if entry.hidden else "")
        lines.append(f"| `{entry.action}` | {who} | {entry.reach.value} | {purpose} |")
    return "\n".join(lines) + "\n"
