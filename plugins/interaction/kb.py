"""The public knowledge base of answered consultations (咨询知识库): opt-in twice — the person consents
when submitting (``Ticket.public_ok``), the duty team chooses what to publish — and never with personal
data: the draft is the ticket's title, question and answer through ``redact.redact`` (with the
submitter's name), the duty team may edit it, and what they submit is redacted again before it is kept.
Readers search one hall's entries (a phrase in the title, question or answer), newest first, by pages."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.api import Conflict, NotFound, audit, paginate, today
from plugins.interaction.models import KnowledgeEntry, Ticket
from plugins.interaction.redact import names_in as redact_names
from plugins.interaction.redact import redact

ANSWERED = ("replied", "closed")


def _names(ticket: Ticket) -> list[str]:
    """The submitter's name and every name the ticket gives after a cue (我叫 ..., 联系人：...)."""
    return [ticket.name, *redact_names(ticket.title, ticket.content, ticket.reply)]


def draft(ticket: Ticket) -> dict[str, str]:
    names = _names(ticket)
    return {
        "title": redact(ticket.title, names)[:120],
        "question": redact(ticket.content, names),
        "answer": redact(ticket.reply, names),
    }


def entry_of(session: Session, ticket: Ticket) -> KnowledgeEntry | None:
    return session.scalars(
        select(KnowledgeEntry).where(
            KnowledgeEntry.tenant_id == ticket.tenant_id, KnowledgeEntry.ticket_id == ticket.id
        )
    ).first()


def can_publish(ticket: Ticket) -> bool:
    return ticket.kind == "consultation" and ticket.state in ANSWERED and ticket.public_ok


def publish(
    session: Session,
    platform: Any,
    tenant: Any,
    ticket: Ticket,
    *,
    title: str,
    question: str,
    answer: str,
    actor: str,
) -> KnowledgeEntry:
    if ticket.kind != "consultation" or ticket.state not in ANSWERED:
        raise Conflict(
            "Only an answered consultation can be published",
            "只有已答复的咨询可以发布到知识库",
            code="transition_not_allowed",
        )
    if not ticket.public_ok:
        raise Conflict(
            "The person did not agree to publication",
            "提交人未同意公开，不能发布",
            code="no_consent",
        )
    if entry_of(session, ticket) is not None:
        raise Conflict("Already published", "该咨询已发布到知识库", code="already_published")
    names = _names(ticket)
    row = KnowledgeEntry(
        tenant_id=tenant.id,
        tenant_path=tenant.path,
        ticket_id=ticket.id,
        title=redact(title, names)[:120],
        question=redact(question, names),
        answer=redact(answer, names),
        published_on=today(platform),
        published_by=actor[:120],
    )
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        raise Conflict("Already published", "该咨询已发布到知识库", code="already_published") from None
    audit.record(
        session,
        actor=actor,
        action="interaction.kb.publish",
        tenant=tenant,
        target=f"interaction.ticket:{ticket.number}",
    )
    return row


def withdraw(session: Session, tenant: Any, ticket: Ticket, actor: str) -> None:
    row = entry_of(session, ticket)
    if row is None:
        raise NotFound("Not published", "该咨询未发布到知识库", code="unknown_entry")
    session.delete(row)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="interaction.kb.withdraw",
        tenant=tenant,
        target=f"interaction.ticket:{ticket.number}",
    )


def search(session: Session, tenant: Any, q: str, params: Any) -> Any:
    """One page of the hall's entries, newest first; ``q`` a phrase in the title, question or answer."""
    stmt = select(KnowledgeEntry).where(KnowledgeEntry.tenant_id == tenant.id)
    q = q.strip()[:50]
    if q:
        like = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(
            or_(
                KnowledgeEntry.title.like(like, escape="\\"),
                KnowledgeEntry.question.like(like, escape="\\"),
                KnowledgeEntry.answer.like(like, escape="\\"),
            )
        )
    return paginate(session, stmt, params, key=[KnowledgeEntry.id], desc=True)
