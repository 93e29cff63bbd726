"""Tables of the openness plugin (阳光政务): requests for government information (依申请公开) and the
steps each went through; the power and responsibility lists (权责清单) as versioned powers, and the links
from service items (by code) to the power each exercises.

Every table is tenant-owned (TenantScoped, row-level security on PostgreSQL): a request belongs to the
hall (government) it was made to. The reply period is a ``core.api.Period`` stored as JSON (start, 20
working days, the third-party pause, the approved extension); ``due_on`` is copied out of it so that
lists and supervision rules can filter on it in SQL.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.api import Base, BigId, TenantScoped, UTCDateTime, utcnow

ACTIONS: dict[str, tuple[str, str]] = {
    "submitted": ("提交申请", "Submitted"),
    "registered": ("登记申请", "Registered"),
    "correction_asked": ("告知补正", "Asked to complete the request"),
    "completed": ("申请人补正", "Request completed"),
    "consulted": ("征求第三方意见", "Third party consulted"),
    "consult_answered": ("第三方意见反馈", "Third party answered"),
    "extension_requested": ("申请延期答复", "Extension requested"),
    "extension_approved": ("批准延期答复", "Extension approved"),
    "extension_refused": ("不批准延期", "Extension refused"),
    "replied": ("作出答复", "Replied"),
    "withdrawn": ("申请人撤回", "Withdrawn"),
}
EXTENSION_STATES: dict[str, tuple[str, str]] = {
    "": ("未延期", "Not extended"),
    "pending": ("延期待批准", "Extension awaiting approval"),
    "approved": ("已批准延期", "Extension approved"),
    "refused": ("延期未获批准", "Extension refused"),
}


class DisclosureRequest(TenantScoped, Base):
    """One request for government information (政府信息公开申请) made to a hall."""

    __tablename__ = "openness_requests"
    __table_args__ = (
        UniqueConstraint("tenant_id", "number", name="uq_openness_requests_number"),
        Index("ix_openness_requests_list", "tenant_id", "state", "id"),
        Index("ix_openness_requests_due", "tenant_id", "state", "due_on"),
        Index("ix_openness_requests_received", "tenant_id", "received_on"),
        Index("ix_openness_requests_account", "account_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    number: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(16), default="received")
    channel: Mapped[str] = mapped_column(String(16))
    requester_kind: Mapped[str] = mapped_column(String(16), default="person")
    requester_name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str] = mapped_column(String(20), default="")
    email: Mapped[str] = mapped_column(String(120), default="")
    address: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text)
    department_code: Mapped[str] = mapped_column(String(64), default="")
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True)
    made_on: Mapped[date] = mapped_column(Date)  # the day the requester made (sent, handed in) it
    received_on: Mapped[date] = mapped_column(Date)  # art. 31, by channel
    period: Mapped[Any] = mapped_column(JSON, default=dict)  # core.api.Period.to_dict(); {} in correction
    due_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    correction_note: Mapped[str] = mapped_column(Text, default="")
    correction_asked_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    completed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    third_party: Mapped[str] = mapped_column(String(200), default="")
    consult_sent_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    consult_due_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    extension_state: Mapped[str] = mapped_column(String(16), default="")
    extension_days: Mapped[int] = mapped_column(Integer, default=0)
    extension_reason: Mapped[str] = mapped_column(Text, default="")
    extension_approved_by: Mapped[str] = mapped_column(String(120), default="")
    outcome: Mapped[str] = mapped_column(String(16), default="")
    ground: Mapped[str] = mapped_column(String(32), default="")
    reply: Mapped[str] = mapped_column(Text, default="")
    replied_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__: dict[str, Any] = {"version_id_col": version}


class DisclosureStep(TenantScoped, Base):
    """One step in a request's handling record (who did what, when, with which note)."""

    __tablename__ = "openness_request_steps"
    __table_args__ = (Index("ix_openness_request_steps_request", "request_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("openness_requests.id"))
    action: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(120))
    note: Mapped[str] = mapped_column(Text, default="")
    days: Mapped[int] = mapped_column(Integer, default=0)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Power(TenantScoped, Base):
    """One edition of one power of a department's list (权责清单). A power keeps its ``code`` across
    editions: editing a published power makes a new draft edition, and publishing it supersedes the one
    before (kept, with the day it stopped applying), so the list's history stays readable."""

    __tablename__ = "openness_powers"
    __table_args__ = (
        UniqueConstraint("tenant_id", "code", "edition", name="uq_openness_powers_edition"),
        Index("ix_openness_powers_list", "tenant_id", "state", "department_code", "category"),
        Index("ix_openness_powers_code", "tenant_id", "code", "edition"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(32))
    edition: Mapped[int] = mapped_column(Integer, default=1)
    state: Mapped[str] = mapped_column(String(16), default="draft")
    department_code: Mapped[str] = mapped_column(String(64))
    category: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    legal_basis: Mapped[str] = mapped_column(Text)
    responsibilities: Mapped[str] = mapped_column(Text)
    accountability: Mapped[str] = mapped_column(Text, default="")
    change_note: Mapped[str] = mapped_column(Text, default="")
    changed_by: Mapped[str] = mapped_column(String(120), default="")
    published_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    ended_on: Mapped[date | None] = mapped_column(Date, nullable=True)  # superseded or repealed
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__: dict[str, Any] = {"version_id_col": version}


class PowerItem(TenantScoped, Base):
    """A service item (approval's catalogue, by code) linked to the power it exercises: one power per item,
    any number of items per power. Kept by the power's code, so it survives new editions."""

    __tablename__ = "openness_power_items"
    __table_args__ = (
        UniqueConstraint("tenant_id", "item_code", name="uq_openness_power_items_item"),
        Index("ix_openness_power_items_power", "tenant_id", "power_code"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    power_code: Mapped[str] = mapped_column(String(32))
    item_code: Mapped[str] = mapped_column(String(64))
    linked_by: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
