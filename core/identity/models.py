"""Tables of the unified login: accounts, staff memberships, server-side sessions, API tokens, throttling.

Accounts belong to the whole network (one login for every hall), so they are not tenant-scoped; staff
memberships are, and move with their tenant when a subtree is re-parented.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db.base import Base, TenantScoped, UTCDateTime, utcnow

ACCOUNT_KINDS = ("person", "legal", "staff")


class Account(Base):
    """A person, a legal person or a staff member: one account for every hall of the network."""

    __tablename__ = "accounts"
    __table_args__ = (UniqueConstraint("kind", "id_number", name="uq_accounts_kind_id_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    username: Mapped[str] = mapped_column(String(64), unique=True)
    # How the name is compared everywhere (core.identity.service.username_key): NFKC, case-folded, unique.
    username_key: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    # Resident ID number (person) or unified social credit code (legal); staff may leave it empty.
    id_number: Mapped[str | None] = mapped_column(String(32), nullable=True)
    representative_name: Mapped[str | None] = mapped_column(String(100), nullable=True)
    representative_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # The language the person last chose (zh-CN or en): messages to them are sent in it (core.messages).
    language: Mapped[str | None] = mapped_column(String(8), nullable=True)


class StaffMembership(TenantScoped, Base):
    """A staff account works for a tenant, optionally in one of its departments."""

    __tablename__ = "staff_memberships"
    __table_args__ = (
        UniqueConstraint(
            "account_id", "tenant_id", "department_id", name="uq_staff_memberships_account_tenant_dept"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class LoginSession(Base):
    """A server-side login session. Only the SHA-256 of the cookie value is stored."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    address: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(200), default="")


class ApiToken(Base):
    """A named, scoped, expiring bearer token. Only the SHA-256 of the token is stored."""

    __tablename__ = "api_tokens"
    __table_args__ = (UniqueConstraint("account_id", "name", name="uq_api_tokens_account_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    scopes: Mapped[Any] = mapped_column(JSON, default=list)  # permission names, or ["*"]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class LoginThrottle(Base):
    """Recent login failures for one key (``account:<username>`` or ``address:<ip>``)."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
