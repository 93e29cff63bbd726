"""Tables of the licence plugin: the licence catalogue (证照目录), which approval item produces which type,
issued licences (one row per version), their history, serial counters and one-time use codes.

Every table is tenant-owned (TenantScoped, row-level security on PostgreSQL): a licence belongs to the
tenant whose department issued it.
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
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.api import Base, BigId, TenantScoped, UTCDateTime, utcnow

STATES: dict[str, tuple[str, str]] = {
    "valid": ("有效", "Valid"),
    "changed": ("已变更（有新版本）", "Changed (a newer version exists)"),
    "suspended": ("已暂停", "Suspended"),
    "revoked": ("已撤销", "Revoked"),
    "expired": ("已过期", "Expired"),
}
HOLDER_KINDS: dict[str, tuple[str, str]] = {
    "person": ("自然人", "Natural person"),
    "legal": ("法人", "Legal person"),
}


class LicenceType(TenantScoped, Base):
    """A licence type in a tenant's catalogue (GB/T 36902/36903): what it is called, who issues it, how
    long it is valid and which fields it carries."""

    __tablename__ = "licence_types"
    __table_args__ = (UniqueConstraint("tenant_id", "code", name="uq_licence_types_tenant_code"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    code: Mapped[str] = mapped_column(String(21))  # 证照类型代码
    name: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    department_code: Mapped[str] = mapped_column(String(32))  # the issuing department at this tenant
    department_name: Mapped[str] = mapped_column(String(100))
    issuer_code: Mapped[str] = mapped_column(String(18))  # 颁发机构 unified social credit code
    holder_kind: Mapped[str] = mapped_column(String(10), default="legal")  # person | legal | both
    validity_months: Mapped[int] = mapped_column(Integer, default=0)  # 0: long-term (长期有效)
    # [{"name", "label", "label_en", "source"}]: source is form.<field>, applicant_name, item_name,
    # application_number, decision_reason or const:<text>
    fields: Mapped[Any] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__: dict[str, Any] = {"version_id_col": version}


class ItemLicenceType(TenantScoped, Base):
    """Which licence type an approval item (by its code) produces at this tenant: kept here so that
    approval needs no change to its catalogue."""

    __tablename__ = "licence_item_types"
    __table_args__ = (UniqueConstraint("tenant_id", "item_code", name="uq_licence_item_types_tenant_item"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    item_code: Mapped[str] = mapped_column(String(40))
    item_name: Mapped[str] = mapped_column(String(200), default="")
    type_id: Mapped[int] = mapped_column(ForeignKey("licence_types.id"), index=True)
    created_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Licence(TenantScoped, Base):
    """One version of an issued licence. A change issues a new row (same serial, next version_no) and
    marks the old one ``changed``; the identifier names exactly one version."""

    __tablename__ = "licences"
    __table_args__ = (
        # Redelivered approval events must never issue twice: one licence per source at a tenant.
        UniqueConstraint("tenant_id", "source_key", name="uq_licences_tenant_source"),
        UniqueConstraint("tenant_id", "type_id", "serial", "version_no", name="uq_licences_version"),
        Index("ix_licences_holder", "holder_id_number", "holder_kind"),
        Index("ix_licences_list", "tenant_path", "state", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    identifier: Mapped[str] = mapped_column(String(55), unique=True)
    type_id: Mapped[int] = mapped_column(ForeignKey("licence_types.id"), index=True)
    type_code: Mapped[str] = mapped_column(String(21))
    type_name: Mapped[str] = mapped_column(String(100))
    serial: Mapped[str] = mapped_column(String(13))
    version_no: Mapped[int] = mapped_column(Integer, default=1)
    previous_id: Mapped[int | None] = mapped_column(BigId, nullable=True)
    holder_kind: Mapped[str] = mapped_column(String(10))
    holder_id_number: Mapped[str] = mapped_column(String(18))
    holder_name: Mapped[str] = mapped_column(String(200))
    issuer_code: Mapped[str] = mapped_column(String(18))
    issuer_name: Mapped[str] = mapped_column(String(100))
    department_code: Mapped[str] = mapped_column(String(32))
    data: Mapped[Any] = mapped_column(JSON, default=list)  # [{"name", "label", "label_en", "value"}]
    issued_on: Mapped[date] = mapped_column(Date)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date, nullable=True)
    decided_on: Mapped[date | None] = mapped_column(Date, nullable=True)  # the approval decision
    issue_deadline: Mapped[date | None] = mapped_column(Date, nullable=True)
    application_number: Mapped[str] = mapped_column(String(40), default="")
    item_name: Mapped[str] = mapped_column(String(200), default="")
    state: Mapped[str] = mapped_column(String(12), default="valid")
    state_reason: Mapped[str] = mapped_column(Text, default="")
    source_key: Mapped[str | None] = mapped_column(String(120), nullable=True)
    canonical: Mapped[str] = mapped_column(Text)  # the exact signed bytes (UTF-8 JSON)
    signature: Mapped[str] = mapped_column(String(100))
    key_id: Mapped[str] = mapped_column(String(80))
    pdf: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__: dict[str, Any] = {"version_id_col": version}


class LicenceChange(TenantScoped, Base):
    """The history of a licence version: issued, changed, suspended, reinstated, revoked, expired."""

    __tablename__ = "licence_changes"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    licence_id: Mapped[int] = mapped_column(ForeignKey("licences.id"), index=True)
    action: Mapped[str] = mapped_column(String(20))
    from_state: Mapped[str] = mapped_column(String(12), default="")
    to_state: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str] = mapped_column(Text, default="")
    actor: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SerialCounter(TenantScoped, Base):
    """Per tenant, issuer and day: the last sequence number used in serial numbers."""

    __tablename__ = "licence_serial_counters"
    __table_args__ = (
        UniqueConstraint("tenant_id", "issuer_code", "day", name="uq_licence_serial_counters_key"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    issuer_code: Mapped[str] = mapped_column(String(18))
    day: Mapped[str] = mapped_column(String(8))
    seq: Mapped[int] = mapped_column(Integer, default=0)


class UseCode(TenantScoped, Base):
    """A one-time code a holder gives a clerk (in any hall of the network) to see one licence.

    Only the SHA-256 of the code is stored; the holder sees the code once. Redeemed at most once,
    before ``expires_at``; the clerk may then view the licence until ``view_until``."""

    __tablename__ = "licence_use_codes"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    licence_id: Mapped[int] = mapped_column(ForeignKey("licences.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[str] = mapped_column(String(200), default="")
    granted_by: Mapped[str] = mapped_column(String(100))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    redeemed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    redeemed_by: Mapped[str] = mapped_column(String(100), default="")
    redeemed_account_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    redeemed_tenant_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    view_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
