"""Who sees which cards and who may act on them.

* A supervisor with a subtree grant (``platform.access.subtree_scope``) sees every card of the subtree.
* A supervisor granted at one tenant only sees that tenant's cards and the cards escalated to it.
* Anyone else with ``card:view`` (a department) sees the cards of its tenant, narrowed to the
  departments the account belongs to there (an account with no department sees the whole tenant).
Acting (revoke, send back, escalate, resolve) needs ``card:act`` at the card's *owning* tier, so a
county supervisor loses a card once it has been escalated to the city; responding (acknowledge, appeal)
needs ``card:respond`` at the card's tenant and, for department staff, the card's department.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, and_, literal, or_
from sqlalchemy.orm import Session

from core.api import Scope, departments_of
from plugins.supervision.models import Card
from plugins.supervision.permissions import CARD_ACT, CARD_RESPOND, CARD_VIEW

if TYPE_CHECKING:
    from core.api import Actor, Platform, TenantRef


@dataclass(frozen=True)
class CardView:
    """The cards an actor may see from one tenant's hall: a session scope plus a SQL filter."""

    scope: Scope
    where: ColumnElement[bool]
    mode: str  # "subtree", "tier" or "department"
    departments: tuple[str, ...] = ()


def card_view(platform: Platform, session_factory: Any, actor: Actor, tenant: TenantRef) -> CardView | None:
    """What ``actor`` may see at ``tenant``; None when nothing. ``session_factory(scope)`` opens a session
    (used once to read the actor's departments)."""
    access = platform.access
    sub = access.subtree_scope(actor, tenant, CARD_VIEW)
    if sub is not None:
        return CardView(sub, literal(True), "subtree")
    if not access.check(actor, tenant, CARD_VIEW.name).allowed:
        return None
    c = Card.__table__.c
    if access.check(actor, tenant, CARD_ACT.name).allowed:
        # The tier's own cards and the ones escalated to it: the escalation is what grants the sight.
        return CardView(Scope.below(tenant.id, tenant.path),
                        or_(c.tenant_path == tenant.path, c.owner_path == tenant.path), "tier")
    depts: tuple[str, ...] = ()
    if actor.account_id is not None and actor.kind == "staff":
        with session_factory(tenant.scope) as s:
            depts = tuple(d.code for d in departments_of(s, actor.account_id, tenant.id))
    where = c.tenant_path == tenant.path
    if depts:
        where = and_(where, c.department_code.in_(depts))
    return CardView(tenant.scope, where, "department", depts)


def may_act(platform: Platform, actor: Actor, card: Card) -> bool:
    owner = platform.directory.by_id.get(card.owner_tenant_id)
    return owner is not None and platform.access.check(actor, owner, CARD_ACT.name).allowed


def may_respond(platform: Platform, session: Session, actor: Actor, card: Card) -> bool:
    tenant = platform.directory.by_id.get(card.tenant_id)
    if tenant is None or not platform.access.check(actor, tenant, CARD_RESPOND.name).allowed:
        return False
    if actor.account_id is None:
        return False
    depts = {d.code for d in departments_of(session, actor.account_id, tenant.id)}
    return not depts or card.department_code in depts
