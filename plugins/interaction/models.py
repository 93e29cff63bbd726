"""Tables of the interaction plugin: 12345-style tickets (consultation, complaint, suggestion, help), the
handling steps they go through, their assignments to a department or another tier, links between
tickets, and the phone codes that confirm a guest's number.

Every table is tenant-owned (TenantScoped, row-level security on PostgreSQL). A ticket belongs to the
hall it was submitted to; an assignment belongs to the tenant that handles it (a township below, the
city above), so a handler sees what was sent to them in their own scope and nothing else.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.api import Base, BigId, PathType, TenantScoped, UTCDateTime, utcnow

KINDS: dict[str, tuple[str, str]] = {
    "consultation": ("咨询", "Consultation"),
    "complaint": ("投诉", "Complaint"),
    "suggestion": ("建议", "Suggestion"),
    "help": ("求助", "Request for help"),
}
STATES: dict[str, tuple[str, str]] = {
    "submitted": ("待受理", "Awaiting acceptance"),
    "accepted": ("已受理", "Accepted"),
    "dispatched": ("已转办", "Dispatched"),
    "replied": ("已答复", "Replied"),
    "closed": ("已办结", "Closed"),
    "rejected": ("不予受理", "Not accepted"),
}
ACTIONS: dict[str, tuple[str, str]] = {
    "submitted": ("提交", "Submitted"),
    "accepted": ("受理", "Accepted"),
    "rejected": ("不予受理", "Not accepted"),
    "dispatched": ("转办", "Dispatched"),
    "replied": ("答复", "Replied"),
    "returned": ("退回", "Returned"),
    "called_back": ("回访", "Called back"),
    "closed": ("办结", "Closed"),
    "rated": ("评价", "Rated"),
    "extension_requested": ("申请延期", "Extension requested"),
    "extension_approved": ("批准延期", "Extension approved"),
    "extension_refused": ("不批准延期", "Extension refused"),
    "linked": ("关联", "Linked"),
}
LINK_KINDS: dict[str, tuple[str, str]] = {
    "duplicate": ("重复件", "Duplicate"),
    "related": ("相关件", "Related"),
}
CALLBACK_RESULTS: dict[str, tuple[str, str]] = {
    "satisfied": ("满意", "Satisfied"),
    "basically": ("基本满意", "Basically satisfied"),
    "unsatisfied": ("不满意", "Unsatisfied"),
    "unreachable": ("未联系上", "Could not be reached"),
}


class Ticket(TenantScoped, Base):
    """One submission to a hall (工单). ``due_on`` is counted in working days on the legal clock from
    ``received_on`` by the tenant's limit for the kind, moved only by an approved extension."""

    __tablename__ = "interaction_tickets"
    __table_args__ = (
        UniqueConstraint("tenant_id", "number", name="uq_interaction_tickets_number"),
        Index("ix_interaction_tickets_list", "tenant_id", "state", "id"),
        Index("ix_interaction_tickets_account", "account_id", "id"),
        Index("ix_interaction_tickets_phone", "tenant_id", "phone", "created_at"),
        Index("ix_interaction_tickets_application", "tenant_id", "about_application"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    number: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16), default="submitted")
    title: Mapped[str] = mapped_column(String(120))
    content: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(String(60))
    phone: Mapped[str] = mapped_column(String(20), default="")
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True)
    client_ip: Mapped[str] = mapped_column(String(64), default="")
    access_hash: Mapped[str] = mapped_column(String(64), default="")  # a guest's follow-up key, hashed
    about_department: Mapped[str] = mapped_column(String(64), default="")
    about_item: Mapped[str] = mapped_column(String(64), default="")
    about_application: Mapped[str] = mapped_column(String(64), default="")
    public_ok: Mapped[bool] = mapped_column(Boolean, default=False)  # may join the knowledge base
    received_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    extended_days: Mapped[int] = mapped_column(Integer, default=0)
    pending_extension_days: Mapped[int] = mapped_column(Integer, default=0)
    handler_tenant_id: Mapped[int | None] = mapped_column(ForeignKey("tenants.id"), nullable=True)
    handler_path: Mapped[str | None] = mapped_column(PathType(), nullable=True)
    handler_department: Mapped[str] = mapped_column(String(64), default="")
    reply: Mapped[str] = mapped_column(Text, default="")
    replied_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    callback_result: Mapped[str] = mapped_column(String(16), default="")
    callback_note: Mapped[str] = mapped_column(Text, default="")
    closed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    rating: Mapped[int | None] = mapped_column(Integer, nullable=True)
    rating_comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__: dict[str, Any] = {"version_id_col": version}


class TicketStep(TenantScoped, Base):
    """One step in a ticket's history (who did what, when, with which note): the record a person and
    supervision read."""

    __tablename__ = "interaction_ticket_steps"
    __table_args__ = (Index("ix_interaction_ticket_steps_ticket", "ticket_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("interaction_tickets.id"))
    action: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(120))
    note: Mapped[str] = mapped_column(Text, default="")
    days: Mapped[int] = mapped_column(Integer, default=0)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class TicketAssignment(TenantScoped, Base):
    """A ticket sent to a handling tenant (this one, a township below or the tier above), optionally to
    one of its departments. Owned by the handling tenant: handlers find their work in their own scope."""

    __tablename__ = "interaction_assignments"
    __table_args__ = (Index("ix_interaction_assignments_open", "tenant_id", "state", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("interaction_tickets.id"))
    ticket_tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"))
    ticket_path: Mapped[str] = mapped_column(PathType())
    number: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(120))
    department_code: Mapped[str] = mapped_column(String(64), default="")
    instructions: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(16), default="open")  # open, replied, withdrawn
    due_on: Mapped[date] = mapped_column(Date)
    reply: Mapped[str] = mapped_column(Text, default="")
    replied_by: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__: dict[str, Any] = {"version_id_col": version}


class TicketLink(TenantScoped, Base):
    """Two tickets of one hall that are duplicates of, or related to, each other (stored once, lower id
    first)."""

    __tablename__ = "interaction_ticket_links"
    __table_args__ = (UniqueConstraint("ticket_id", "other_id", name="uq_interaction_ticket_links"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("interaction_tickets.id"))
    other_id: Mapped[int] = mapped_column(ForeignKey("interaction_tickets.id"))
    kind: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PhoneCode(TenantScoped, Base):
    """A one-time code sent to a guest's phone (hashed); used once, within its lifetime, a few tries."""

    __tablename__ = "interaction_phone_codes"
    __table_args__ = (Index("ix_interaction_phone_codes_phone", "tenant_id", "phone", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    phone: Mapped[str] = mapped_column(String(20))
    code_hash: Mapped[str] = mapped_column(String(64))
    client_ip: Mapped[str] = mapped_column(String(64), default="")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    used: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())


REVIEW_LEVELS: dict[int, tuple[str, str]] = {
    5: ("非常满意", "Very satisfied"),
    4: ("满意", "Satisfied"),
    3: ("基本满意", "Fair"),
    2: ("不满意", "Unsatisfied"),
    1: ("非常不满意", "Very unsatisfied"),
}
SOURCES: dict[str, tuple[str, str]] = {
    "approval": ("行政审批办件", "Approval application"),
    "interaction": ("咨询投诉工单", "Ticket"),
}
RECTIFICATION_STATES: dict[str, tuple[str, str]] = {
    "": ("无需整改", "No rectification"),
    "open": ("待核实整改", "To verify and rectify"),
    "replied": ("已整改待复核", "Rectified, to re-check"),
    "closed": ("已复核办结", "Re-checked and closed"),
}


class Review(TenantScoped, Base):
    """One rating (好差评) of one concluded service, whichever plugin delivered it (``source``), received
    as a ``<plugin>.service.rated`` event. Levels 1 and 2 are bad reviews: each opens a rectification for
    the department — verify, rectify, reply to the person within the tenant's limit, re-check."""

    __tablename__ = "interaction_reviews"
    __table_args__ = (
        UniqueConstraint("tenant_id", "source_ref", name="uq_interaction_reviews_source"),
        Index("ix_interaction_reviews_figures", "tenant_id", "rated_on", "department_code"),
        Index("ix_interaction_reviews_rectification", "tenant_id", "rect_state", "rect_due_on"),
        Index("ix_interaction_reviews_account", "account_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(32))
    source_ref: Mapped[str] = mapped_column(String(120))
    number: Mapped[str] = mapped_column(String(40), default="")
    item_code: Mapped[str] = mapped_column(String(64), default="")
    item_name: Mapped[str] = mapped_column(String(200), default="")
    department_code: Mapped[str] = mapped_column(String(64), default="")
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True)
    level: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    rated_on: Mapped[date] = mapped_column(Date)
    rect_state: Mapped[str] = mapped_column(String(16), default="")
    rect_due_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    verified: Mapped[bool | None] = mapped_column(Boolean, nullable=True)  # the complaint held up on checking
    verification: Mapped[str] = mapped_column(Text, default="")
    measures: Mapped[str] = mapped_column(Text, default="")
    reply: Mapped[str] = mapped_column(Text, default="")
    replied_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    recheck_note: Mapped[str] = mapped_column(Text, default="")
    closed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__: dict[str, Any] = {"version_id_col": version}


class KnowledgeEntry(TenantScoped, Base):
    """An answered consultation published in the hall's public knowledge base (咨询知识库): only with the
    person's consent given at submission (``Ticket.public_ok``), chosen by the duty team, its question and
    answer with personal data removed (redact.py) — the ticket itself is never shown."""

    __tablename__ = "interaction_kb_entries"
    __table_args__ = (
        UniqueConstraint("ticket_id", name="uq_interaction_kb_entries_ticket"),
        Index("ix_interaction_kb_entries_list", "tenant_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("interaction_tickets.id"))
    title: Mapped[str] = mapped_column(String(120))
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    published_on: Mapped[date] = mapped_column(Date)
    published_by: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Attachment(TenantScoped, Base):
    """A file attached to a ticket by the person who submitted it (``side="submitter"``) or to the
    department's reply (``side="reply"``), checked like approval's uploads (a known type named by the
    extension and proven by the first bytes, a size and a count limit). The bytes live outside the
    database under ``<data_dir>/interaction/<sha256[:2]>/<sha256>``; the row keeps the digest, so a file
    changed on disk is refused, not delivered. Owned by the ticket's hall."""

    __tablename__ = "interaction_attachments"
    __table_args__ = (Index("ix_interaction_attachments_ticket", "ticket_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("interaction_tickets.id"))
    side: Mapped[str] = mapped_column(String(16))  # submitter | reply
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
