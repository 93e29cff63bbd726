"""Credit tables: published records (licences and penalties), list entries, and assessments made at
acceptance. Every table is tenant-owned: a row belongs to the tenant that published or asked."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.api import Base, BigId, TenantScoped, UTCDateTime, utcnow

RECORD_KINDS = ("licence", "penalty")
SEVERITIES = ("minor", "general", "serious")
LIST_TYPES = ("red", "black", "abnormal")
SUBJECT_KINDS = ("legal", "person")
# A penalty's category, where it matters to another procedure: "bid_rigging" (串通投标) — with
# ``court_confirmed`` it excludes the subject from bidding until ``debarred_until`` (Bidding Law art. 53,
# its implementing regulation art. 67: 1 to 2 years).
PENALTY_CATEGORIES = ("", "bid_rigging")


class CreditRecord(TenantScoped, Base):
    """One administrative licence or penalty decision, published under 双公示."""

    __tablename__ = "credit_records"
    __table_args__ = (
        # Redelivered approval events and re-run imports must never publish a decision twice.
        UniqueConstraint("tenant_id", "source_key", name="uq_credit_records_tenant_source"),
        Index("ix_credit_records_subject", "subject_code", "kind"),
        Index("ix_credit_records_exclusion", "subject_code", "category"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(10))
    subject_kind: Mapped[str] = mapped_column(String(10))
    subject_code: Mapped[str] = mapped_column(String(18))
    subject_name: Mapped[str] = mapped_column(String(200), index=True)
    title: Mapped[str] = mapped_column(String(300))
    decision_number: Mapped[str] = mapped_column(String(100), default="")
    content: Mapped[str] = mapped_column(Text, default="")
    severity: Mapped[str | None] = mapped_column(String(10), nullable=True)
    source_department: Mapped[str] = mapped_column(String(100))
    decision_date: Mapped[date] = mapped_column(Date)
    publish_deadline: Mapped[date] = mapped_column(Date)  # seven working days after the decision
    published_on: Mapped[date] = mapped_column(Date)
    publish_until: Mapped[date] = mapped_column(Date, index=True)
    category: Mapped[str] = mapped_column(String(20), default="")
    court_confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    debarred_until: Mapped[date | None] = mapped_column(Date, nullable=True)
    repaired_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    repair_reason: Mapped[str] = mapped_column(Text, default="")
    source_key: Mapped[str | None] = mapped_column(String(120), nullable=True)
    created_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__: dict[str, Any] = {"version_id_col": version}


class CreditListEntry(TenantScoped, Base):
    """A subject on a red list, black list (严重失信主体名单) or the abnormal-operations list."""

    __tablename__ = "credit_list_entries"
    __table_args__ = (Index("ix_credit_list_entries_subject", "subject_code", "list_type"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    list_type: Mapped[str] = mapped_column(String(10))
    subject_kind: Mapped[str] = mapped_column(String(10))
    subject_code: Mapped[str] = mapped_column(String(18))
    subject_name: Mapped[str] = mapped_column(String(200))
    basis: Mapped[str] = mapped_column(Text)
    issuing_department: Mapped[str] = mapped_column(String(100))
    entered_on: Mapped[date] = mapped_column(Date)
    exit_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    exit_reason: Mapped[str] = mapped_column(Text, default="")
    source_key: Mapped[str | None] = mapped_column(String(120), nullable=True, unique=True)
    created_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__: dict[str, Any] = {"version_id_col": version}


class CreditAssessment(TenantScoped, Base):
    """The level a subject had when a tenant asked (the acceptance check); supervision rules read it."""

    __tablename__ = "credit_assessments"
    __table_args__ = (Index("ix_credit_assessments_subject", "tenant_id", "subject_code", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    subject_code: Mapped[str] = mapped_column(String(18))
    subject_name: Mapped[str] = mapped_column(String(200), default="")
    item_code: Mapped[str] = mapped_column(String(100), default="")
    level: Mapped[str] = mapped_column(String(10))
    reasons: Mapped[Any] = mapped_column(JSON, default=list)
    measures: Mapped[Any] = mapped_column(JSON, default=list)
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
