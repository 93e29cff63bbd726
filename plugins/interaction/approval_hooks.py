"""What interaction tells the approval plugin through approval's hooks (no import of approval): the rating
of an application — a review received through ``approval.service.rated`` — with its rectification and
outcome for the applicant's page, and the tickets about an application for its case page."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from core.api import today
from plugins.interaction import permissions as P
from plugins.interaction.models import KINDS, RECTIFICATION_STATES, STATES, Review, Ticket

OPEN = ("submitted", "accepted", "dispatched")


def rating(platform: Any, tenant: Any, application: dict[str, Any], session: Any) -> dict[str, Any]:
    ref = f"approval.application:{application.get('id')}"
    found = select(Review).where(Review.tenant_id == tenant.id, Review.source_ref == ref)
    row = session.scalars(found).first()
    if row is None:
        return {"review": None}
    zh, en = RECTIFICATION_STATES.get(row.rect_state, ("", "")) if row.rect_state else ("", "")
    answered = row.rect_state in ("replied", "closed") and row.reply
    return {
        "review": {
            "level": row.level,
            "comment": row.comment,
            "rated_on": row.rated_on.isoformat(),
            "rectification_zh": zh,
            "rectification_en": en,
            "outcome_zh": row.reply if answered else "",
            "outcome_en": row.reply if answered else "",
            "href": f"/t/{tenant.code}/interaction/my-reviews",
        }
    }


def case_panels(
    platform: Any, tenant: Any, application: dict[str, Any], allowed: Any, session: Any
) -> list[dict[str, Any]]:
    """Tickets of this hall about the application (its number), newest first: a complaint about an
    application shows on its case page for the clerk and the supervisor."""
    number = str(application.get("number") or "")
    if not number:
        return []
    rows = session.scalars(
        select(Ticket)
        .where(Ticket.tenant_id == tenant.id, Ticket.about_application == number)
        .order_by(Ticket.id.desc())
        .limit(50)
    ).all()
    if not rows:
        return []
    on = today(platform)
    link = callable(allowed) and allowed(P.VIEW.name)
    return [
        {
            "title_zh": "涉及本办件的投诉等诉求",
            "title_en": "Complaints and other tickets about this application",
            "rows": [
                {
                    "kind_zh": KINDS[t.kind][0],
                    "kind_en": KINDS[t.kind][1],
                    "text": f"{t.number} {t.title}",
                    "state_zh": STATES[t.state][0],
                    "state_en": STATES[t.state][1],
                    "due": t.due_on.isoformat(),
                    "overdue": t.state in OPEN and t.due_on < on,
                    "href": f"/t/{tenant.code}/interaction/tickets/{t.id}" if link else None,
                }
                for t in rows
            ],
        }
    ]
