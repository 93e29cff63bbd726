"""Tables of the approval plugin: the item catalogue (事项), applications (办件) and their clocks.

Modelled on case management (Open Zaak's case types and cases): an item version is a "case type" with a
statutory and a promised (service-norm) limit; an application is a "case" that keeps the item version it
was made under, with a status history, suspensions and at most one extension, each with a reason.
Every table is tenant-owned (TenantScoped) and protected by row-level security on PostgreSQL.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.api import Base, BigId, TenantScoped, UTCDateTime, utcnow

ITEM_TYPES: dict[str, tuple[str, str]] = {
    "licence": ("行政许可", "Administrative licence"),
    "confirmation": ("行政确认", "Administrative confirmation"),
    "adjudication": ("行政裁决", "Administrative adjudication"),
    "benefit": ("行政给付", "Administrative benefit"),
    "reward": ("行政奖励", "Administrative reward"),
    "filing": ("行政备案", "Administrative filing"),
    "other_power": ("其他行政权力", "Other administrative power"),
    "public_service": ("公共服务", "Public service"),
}
ENTRANCES: dict[str, tuple[str, str]] = {
    "personal": ("个人办事", "Personal"),
    "legal": ("法人办事", "Legal person"),
    "both": ("个人和法人", "Both"),
}
ITEM_STATUSES = ("draft", "published", "retired")


class BasicItem(TenantScoped, Base):
    """The provincial basic catalogue (基本目录): six fixed elements lower tiers claim (逐级认领)."""

    __tablename__ = "approval_basic_items"
    __table_args__ = (UniqueConstraint("tenant_id", "code", name="uq_approval_basic_items_tenant_code"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    item_type: Mapped[str] = mapped_column(String(20))
    competent_department: Mapped[str] = mapped_column(String(100))
    implementing_level: Mapped[str] = mapped_column(String(40))  # e.g. "province,city,county"
    basis: Mapped[str] = mapped_column(Text, default="")


class ServiceItem(TenantScoped, Base):
    """One version of a service item at one tenant, with every standard element.

    A new version is a new row (same ``code``, next ``version_no``); applications point at the row, so
    they keep the version they were made under. Only one version per code is ``published`` at a time.
    """

    __tablename__ = "approval_items"
    __table_args__ = (
        UniqueConstraint("tenant_id", "code", "version_no", name="uq_approval_items_tenant_code_version"),
        Index("ix_approval_items_browse", "tenant_path", "status", "entrance", "section"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    code: Mapped[str] = mapped_column(String(40))
    version_no: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(12), default="draft")
    valid_from: Mapped[date | None] = mapped_column(Date, nullable=True)
    valid_to: Mapped[date | None] = mapped_column(Date, nullable=True)
    basic_item_id: Mapped[int | None] = mapped_column(BigId, nullable=True)  # the claimed basic item
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(300), default="")
    item_type: Mapped[str] = mapped_column(String(20))
    section: Mapped[str] = mapped_column(String(20))  # approval | public_service
    entrance: Mapped[str] = mapped_column(String(10))  # personal | legal | both
    department_code: Mapped[str] = mapped_column(String(32))
    department_name: Mapped[str] = mapped_column(String(100), default="")
    legal_basis: Mapped[str] = mapped_column(Text, default="")
    conditions: Mapped[str] = mapped_column(Text, default="")
    statutory_days: Mapped[int] = mapped_column(Integer)
    promised_days: Mapped[int] = mapped_column(Integer)
    acceptance_days: Mapped[int] = mapped_column(Integer, default=5)  # limit for deciding to accept
    fee_cents: Mapped[int] = mapped_column(Integer, default=0)
    fee_basis: Mapped[str] = mapped_column(Text, default="")
    online_depth: Mapped[int] = mapped_column(Integer, default=4)  # 1..4 (四级: 全程网办)
    max_visits: Mapped[int] = mapped_column(Integer, default=0)
    # [{"code", "name", "counts": bool, "max_days": int}] special procedures and whether they count
    special_procedures: Mapped[Any] = mapped_column(JSON, default=list)
    # [{"name", "label", "label_en", "required": bool, "kind": "text"|"number"|"date"}]
    form_fields: Mapped[Any] = mapped_column(JSON, default=list)
    # [{"department_code", "department_name", "name", "days", "role": "lead"|"co"}]: parallel steps
    steps: Mapped[Any] = mapped_column(JSON, default=list)
    consult_phone: Mapped[str] = mapped_column(String(40), default="")
    complaint_phone: Mapped[str] = mapped_column(String(40), default="")
    keywords: Mapped[str] = mapped_column(String(500), default="")
    decision_requires_reason: Mapped[bool] = mapped_column(Boolean, default=True)
    publish_decisions: Mapped[bool] = mapped_column(Boolean, default=True)

    materials: Mapped[list[ItemMaterial]] = relationship(
        back_populates="item", order_by="ItemMaterial.position", lazy="selectin"
    )

    @property
    def is_parallel(self) -> bool:
        return any(s.get("role") == "co" for s in self.steps or [])


class ItemMaterial(TenantScoped, Base):
    """One material an item asks for: required or not, original or copy, accepted types and size."""

    __tablename__ = "approval_item_materials"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("approval_items.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    required: Mapped[bool] = mapped_column(Boolean, default=True)
    original: Mapped[bool] = mapped_column(Boolean, default=False)
    form_url: Mapped[str] = mapped_column(String(300), default="")
    allowed_types: Mapped[str] = mapped_column(String(100), default="pdf,jpg,png")
    max_mb: Mapped[int] = mapped_column(Integer, default=10)
    # Where the applicant's data on file can stand in for the upload ("use my data on file", approval_0005):
    # [{"via": "licence", "licence_type": ...} | {"via": "exchange", "provider": ..., "resource": ...}]
    reuse: Mapped[Any] = mapped_column(JSON, default=list, server_default="[]")

    item: Mapped[ServiceItem] = relationship(back_populates="materials")


class SearchToken(TenantScoped, Base):
    """Bigram index of item names and keywords: Chinese search that works the same on SQLite and PG."""

    __tablename__ = "approval_search_tokens"
    __table_args__ = (Index("ix_approval_search_tokens_lookup", "tenant_path", "token", "item_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("approval_items.id", ondelete="CASCADE"), index=True)
    token: Mapped[str] = mapped_column(String(8))


class NumberCounter(TenantScoped, Base):
    """Per-tenant, per-day counter behind application numbers ``<code>-<yyyymmdd>-<seq>``."""

    __tablename__ = "approval_number_counters"
    __table_args__ = (UniqueConstraint("tenant_id", "day", name="uq_approval_number_counters_tenant_day"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    day: Mapped[str] = mapped_column(String(8))
    seq: Mapped[int] = mapped_column(Integer, default=0)


# The states a handler's queue shows (queries.QUEUE_STATES), as the partial index's predicate.
QUEUE_PREDICATE = ("state IN ('submitted', 'resubmitted', 'correction_requested', 'accepted', 'in_review', "
                   "'suspended', 'approved', 'denied')")


class Application(TenantScoped, Base):
    """One application (办件) and its clock. ``version`` guards against concurrent transitions."""

    __tablename__ = "approval_applications"
    __table_args__ = (
        Index("ix_approval_applications_queue", "tenant_path", "department_code", "state", "deadline"),
        Index("ix_approval_applications_stats", "tenant_path", "submitted_on", "state"),
        Index("ix_approval_applications_applicant", "applicant_account_id", "submitted_at"),
        # Partial indexes for the supervision rules' subtree scans (approval_0003).
        *(Index(name, *cols, postgresql_where=text(w), sqlite_where=text(w)) for name, cols, w in (
            ("ix_approval_applications_open_deadline", ("deadline", "tenant_path"),
             "state IN ('accepted', 'in_review')"),
            ("ix_approval_applications_waiting", ("submitted_on", "tenant_path"),
             "state IN ('submitted', 'resubmitted')"),
            ("ix_approval_applications_no_reason", ("tenant_path",),
             "decision IS NOT NULL AND coalesce(trim(decision_reason), '') = ''"),
            # The workbench queue in deadline order: its first page read by index (approval_0004).
            ("ix_approval_applications_queue_due", ("tenant_path", "department_code", "deadline", "id"),
             QUEUE_PREDICATE),
        )),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    item_id: Mapped[int] = mapped_column(ForeignKey("approval_items.id"), index=True)
    item_code: Mapped[str] = mapped_column(String(40))
    item_name: Mapped[str] = mapped_column(String(200))
    item_version_no: Mapped[int] = mapped_column(Integer)
    department_code: Mapped[str] = mapped_column(String(32))
    applicant_account_id: Mapped[int] = mapped_column(Integer)
    applicant_kind: Mapped[str] = mapped_column(String(10))
    applicant_name: Mapped[str] = mapped_column(String(200))
    applicant_id_number: Mapped[str] = mapped_column(String(40))
    form_data: Mapped[Any] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(24), default="submitted")
    suspended_from: Mapped[str | None] = mapped_column(String(24), nullable=True)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_on: Mapped[date] = mapped_column(Date)  # for weekly/daily statistics without functions
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    accepted_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    limit_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    deadline: Mapped[date | None] = mapped_column(Date, nullable=True)
    statutory_deadline: Mapped[date | None] = mapped_column(Date, nullable=True)
    paused_days: Mapped[int] = mapped_column(Integer, default=0)  # working days of non-counting suspensions
    extension_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    extension_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    extended_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    extended_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    refusal_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    correction_notice: Mapped[Any] = mapped_column(JSON, nullable=True)
    decision: Mapped[str | None] = mapped_column(String(10), nullable=True)  # approved | denied
    decision_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    remedies_notice: Mapped[str | None] = mapped_column(Text, nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    concluded_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    concluded_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    working_days_used: Mapped[int | None] = mapped_column(Integer, nullable=True)
    on_time: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    fee_cents: Mapped[int] = mapped_column(Integer, default=0)
    # When the applicant rated it (rate once); the rating itself is a review kept by the plugin that
    # answers govhall_approval_rating (interaction), received through approval.service.rated.
    rated_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    __mapper_args__ = {"version_id_col": version}


class StatusChange(TenantScoped, Base):
    """Status history: every transition with its time, actor and note (what the applicant sees)."""

    __tablename__ = "approval_status_changes"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("approval_applications.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    action: Mapped[str] = mapped_column(String(24))
    from_state: Mapped[str] = mapped_column(String(24), default="")
    to_state: Mapped[str] = mapped_column(String(24))
    actor: Mapped[str] = mapped_column(String(100), default="")
    note: Mapped[str] = mapped_column(Text, default="")


class UploadedMaterial(TenantScoped, Base):
    """A file the applicant uploaded; the bytes live under data_dir/uploads, named by content hash."""

    __tablename__ = "approval_uploads"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("approval_applications.id"), index=True)
    material_code: Mapped[str] = mapped_column(String(40))
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    round: Mapped[int] = mapped_column(Integer, default=1)  # 1 = application, 2.. = corrections


class ReusedMaterial(TenantScoped, Base):
    """A material the applicant did not upload: their data on file, fetched at submission from another
    plugin (a licence, the data-sharing exchange), kept with its provenance for the clerk."""

    __tablename__ = "approval_reused_materials"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("approval_applications.id"), index=True)
    material_code: Mapped[str] = mapped_column(String(40))
    source_key: Mapped[str] = mapped_column(String(200))
    plugin: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300), default="")
    data: Mapped[Any] = mapped_column(JSON, default=dict)
    labels: Mapped[Any] = mapped_column(JSON, default=dict)
    provenance: Mapped[Any] = mapped_column(JSON, default=dict)
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AcceptanceFinding(TenantScoped, Base):
    """A finding other plugins contributed at acceptance (e.g. a credit warning), kept with the case."""

    __tablename__ = "approval_findings"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("approval_applications.id"), index=True)
    source: Mapped[str] = mapped_column(String(40))
    code: Mapped[str] = mapped_column(String(80))
    level: Mapped[str] = mapped_column(String(12))
    message_zh: Mapped[str] = mapped_column(Text)
    message_en: Mapped[str] = mapped_column(Text, default="")
    facts: Mapped[Any] = mapped_column(JSON, default=dict)


class Task(TenantScoped, Base):
    """One department's part of an application: the lead's, and each co-department's in parallel."""

    __tablename__ = "approval_tasks"
    __table_args__ = (
        Index("ix_approval_tasks_queue", "tenant_path", "department_code", "state", "deadline"),
        UniqueConstraint(
            "application_id", "department_code", name="uq_approval_tasks_application_department"
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("approval_applications.id"), index=True)
    department_code: Mapped[str] = mapped_column(String(32))
    department_name: Mapped[str] = mapped_column(String(100), default="")
    role: Mapped[str] = mapped_column(String(8))  # lead | co
    limit_days: Mapped[int] = mapped_column(Integer)
    deadline: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(12), default="pending")  # pending | approved | denied
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    decided_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    decided_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class Suspension(TenantScoped, Base):
    """A special procedure (expert review, hearing, inspection...) that suspended the clock."""

    __tablename__ = "approval_suspensions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("approval_applications.id"), index=True)
    procedure: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(Text)
    counts: Mapped[bool] = mapped_column(Boolean)  # True: the days count against the limit
    max_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    started_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    workdays: Mapped[int | None] = mapped_column(Integer, nullable=True)
    by: Mapped[str] = mapped_column(String(100), default="")


class DailyFigures(TenantScoped, Base):
    """Counts per tenant and submission day, kept up to date by the transitions themselves.

    Statistics over a province read ~tenants × days rows here instead of every application (1M–10M), so
    a provincial figure costs the same at any volume. Only monotonic counters: received on submission,
    concluded / withdrawn on those terminal transitions.
    """

    __tablename__ = "approval_daily_figures"
    __table_args__ = (
        UniqueConstraint("tenant_id", "day", name="uq_approval_daily_figures_tenant_day"),
        Index("ix_approval_daily_figures_path_day", "tenant_path", "day"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    received: Mapped[int] = mapped_column(Integer, default=0)
    concluded: Mapped[int] = mapped_column(Integer, default=0)
    withdrawn: Mapped[int] = mapped_column(Integer, default=0)
    on_time: Mapped[int] = mapped_column(Integer, default=0)
    late: Mapped[int] = mapped_column(Integer, default=0)
    days_used: Mapped[int] = mapped_column(Integer, default=0)
