"""Tables of the vendor_demo plugin. Tenant-owned rows use the TenantScoped mixin."""

from __future__ import annotations

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.api import Base, TenantScoped, Timestamped


class Note(TenantScoped, Timestamped, Base):
    """A notice a locality publishes in its hall."""

    __tablename__ = "vendor_demo_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(String(2000), default="")
