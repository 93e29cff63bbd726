"""The role grants table: the Casbin policy's ``g``/``g2`` rows live here, one row per grant.

Grants carry the tenant's path (TenantScoped) so that ``govhall tenants move`` re-paths them with the
subtree, in the same transaction as the tenants themselves.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db.base import Base, TenantScoped, UTCDateTime, utcnow

# Accounts (the FK target) and staff memberships must be in the metadata wherever grants are:
# `govhall tenants move` re-paths every table with a tenant_path column that the metadata knows.
from core.identity import models as _identity_models  # noqa: E402,F401


class RoleGrant(TenantScoped, Base):
    """``account`` holds ``role`` at a tenant, or (``subtree``) at the tenant and everything below it."""

    __tablename__ = "role_grants"
    __table_args__ = (
        UniqueConstraint("account_id", "role", "tenant_id", name="uq_role_grants_account_role_tenant"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    role: Mapped[str] = mapped_column(String(64))
    subtree: Mapped[bool] = mapped_column(Boolean, default=False)
    granted_by: Mapped[str] = mapped_column(String(100), default="")
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
