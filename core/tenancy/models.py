"""Tables of the tenant tree and of what each tenant has switched on."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db.base import Base, PathType, UTCDateTime, utcnow


class Level(enum.StrEnum):
    province = "province"
    city = "city"
    county = "county"
    township = "township"
    village = "village"


LEVEL_ORDER = [Level.province, Level.city, Level.county, Level.township, Level.village]
LEVEL_TITLES = {
    Level.province: ("省", "Province"), Level.city: ("市", "City"), Level.county: ("县（区）", "County"),
    Level.township: ("乡镇（街道）", "Township"), Level.village: ("村（社区）", "Village"),
}


class Kind(enum.StrEnum):
    government = "government"
    development_zone = "development_zone"
    scenic_area = "scenic_area"


class Tenant(Base):
    """A node of the administrative tree: one online service hall."""

    __tablename__ = "tenants"
    __table_args__ = (Index("ix_tenants_path", "path"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("tenants.id"), index=True)
    path: Mapped[str] = mapped_column(PathType())
    level: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(32), default=Kind.government.value)
    name: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class Department(Base):
    """A department of a tenant's government (e.g. the provincial Development and Reform Commission)."""

    __tablename__ = "departments"
    __table_args__ = (UniqueConstraint("tenant_id", "code", name="uq_departments_tenant_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(200), default="")


class PluginState(Base):
    """An explicit on/off for one plugin at one tenant; absent means inherit."""

    __tablename__ = "plugin_states"
    __table_args__ = (UniqueConstraint("tenant_id", "plugin", name="uq_plugin_states_tenant_plugin"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), index=True)
    plugin: Mapped[str] = mapped_column(String(64))
    enabled: Mapped[bool] = mapped_column(Boolean)
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    updated_by: Mapped[str] = mapped_column(String(100), default="")


class TenantSetting(Base):
    """A per-tenant overlay of a setting declared ``per_tenant``; inherited by the subtree."""

    __tablename__ = "tenant_settings"
    __table_args__ = (UniqueConstraint("tenant_id", "key", name="uq_tenant_settings_tenant_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), index=True)
    key: Mapped[str] = mapped_column(String(100))
    value: Mapped[Any] = mapped_column(JSON, nullable=True)  # as core_0001 made it


class CoreState(Base):
    """Named counters other processes poll: bumped in the same transaction as the change they announce."""

    __tablename__ = "core_state"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
