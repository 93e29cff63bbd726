"""Reading cards for pages and the API: lists through an actor's CardView, one card with what the actor
may do to it, in one place so the HTML and JSON answers never disagree."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.api import NotFound, PageParams, cursor_key, decode_cursor, encode_cursor
from plugins.supervision import services
from plugins.supervision.models import OPEN_STATES, Card
from plugins.supervision.schemas import CardFilter
from plugins.supervision.visibility import CardView, may_act, may_respond

if TYPE_CHECKING:
    from core.api import Actor, Platform, TenantRef


def list_cards(session: Session, view: CardView, flt: CardFilter,
               tenant: TenantRef) -> tuple[list[Card], str | None]:
    """Newest first, by id cursor; returns (cards, next cursor). A cursor that is not one of ours is
    422 on ``cursor`` (core.web.api)."""
    after = cursor_key(PageParams(flt.limit, decode_cursor(flt.cursor) if flt.cursor else None), (int,))
    c = Card.__table__.c
    stmt = select(Card).where(view.where)
    if flt.state == "open":
        stmt = stmt.where(c.state.in_(OPEN_STATES))
    elif flt.state:
        stmt = stmt.where(c.state == flt.state)
    if flt.severity:
        stmt = stmt.where(c.severity == flt.severity)
    if flt.owned:
        stmt = stmt.where(c.owner_path == tenant.path)
    if after is not None:
        stmt = stmt.where(c.id < after[0])
    cards = list(session.scalars(stmt.order_by(c.id.desc()).limit(flt.limit + 1)))
    more = len(cards) > flt.limit
    cards = cards[:flt.limit]
    return cards, (encode_cursor([cards[-1].id]) if more and cards else None)


def visible_card(session: Session, view: CardView, card_id: int) -> Card:
    """The card if the view shows it, else NotFound (the same answer as for a card that does not exist)."""
    card = session.scalars(select(Card).where(Card.id == card_id, view.where)).first()
    if card is None:
        # The same words for every id: the answer for a hidden card must not differ from a missing one.
        raise NotFound("There is no such card here", "此处没有这张监察卡片")
    return card


def allowed_actions(platform: Platform, session: Session, actor: Actor,
                    card: Card) -> tuple[list[str], list[str]]:
    """(supervisor actions, department actions) open to ``actor`` on ``card`` in its current state."""
    act = [a for a in services.ACT_ACTIONS if card.state in services.TRANSITIONS[a].sources] \
        if may_act(platform, actor, card) else []
    respond = [a for a in services.RESPOND_ACTIONS if card.state in services.TRANSITIONS[a].sources] \
        if may_respond(platform, session, actor, card) else []
    return act, respond


def object_href(platform: Platform, card: Card) -> str | None:
    """Link to the object behind the card on its plugin's pages, when the finding gave one (``href``
    relative to the tenant's hall root)."""
    href = (card.facts or {}).get("href")
    tenant = platform.directory.by_id.get(card.tenant_id)
    if not href or tenant is None or "://" in str(href) or str(href).startswith("/"):
        return None
    return f"/t/{tenant.code}/{href}"


def card_json(platform: Platform, card: Card, *, act: list[str] | None = None,
              respond: list[str] | None = None) -> dict[str, Any]:
    directory = platform.directory
    tenant = directory.by_id.get(card.tenant_id)
    owner = directory.by_id.get(card.owner_tenant_id)
    return {
        "id": card.id, "rule_id": card.rule_id, "rule_version": card.rule_version,
        "kind_of_power": card.kind_of_power, "severity": card.severity, "title_zh": card.title_zh,
        "title_en": card.title_en, "message_zh": card.message_zh, "message_en": card.message_en,
        "object_type": card.object_type, "object_id": card.object_id, "occurrence": card.occurrence,
        "tenant_code": tenant.code if tenant else "", "department_code": card.department_code,
        "step": card.step, "facts": dict(card.facts or {}), "state": card.state,
        "issued_on": card.issued_on.isoformat(), "feedback_due": card.feedback_due.isoformat(),
        "escalation_level": card.escalation_level, "owner_tenant_code": owner.code if owner else "",
        "version": card.version, "object_href": object_href(platform, card),
        "may_act": act or [], "may_respond": respond or [],
    }
