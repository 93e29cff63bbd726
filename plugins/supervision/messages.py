"""A card issued to a department lands in that department's inbox (core inbox, ``core.api.notify``),
once per card however often ``supervision.card.issued`` is redelivered."""

from __future__ import annotations

from typing import Any

import structlog

from core.api import Event, Invalid, notify
from plugins.supervision.models import Card

log = structlog.get_logger(__name__)
SEVERITY = {"prompt": ("提示", "Prompt"), "yellow": ("黄牌", "Yellow card"), "red": ("红牌", "Red card")}


def handle_event(platform: Any, event: Event, session: Any) -> int | None:
    if event.type != "supervision.card.issued":
        return None
    code = str(event.payload.get("department_code") or "")
    card = session.get(Card, event.payload.get("card_id"))
    tenant = platform.directory.by_id.get(event.tenant_id)
    if not code or card is None or tenant is None:
        return None
    zh, en = SEVERITY.get(card.severity, (card.severity, card.severity))
    try:
        return notify(session, tenant=tenant, to_department=code, kind=f"supervision.card.{card.severity}",
                      title_zh=f"【{zh}】{card.title_zh}"[:200], title_en=f"[{en}] {card.title_en}"[:200],
                      body_zh=card.message_zh, body_en=card.message_en, href=f"supervision/cards/{card.id}",
                      dedupe_key=f"supervision.card:{card.id}")
    except Invalid:  # a department the tenant does not list: the card stays on the dashboards only
        log.info("supervision.card.no_inbox", card_id=card.id, department=code)
        return None
