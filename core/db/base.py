"""Declarative base, naming convention and the TenantScoped mixin every tenant-owned table uses."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import BigInteger, DateTime, Dialect, ForeignKey, Integer, MetaData, String, Table
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column
from sqlalchemy.types import TypeDecorator

from core.clock import utcnow as _clock_utcnow

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# BIGINT on PostgreSQL, INTEGER on SQLite (where only INTEGER PRIMARY KEY is the rowid alias).
BigId = BigInteger().with_variant(Integer(), "sqlite")


def table_of(model: Any) -> Table:
    """The Table of a mapped class, typed for Core statements (``update(table_of(Card))``)."""
    return cast(Table, model.__table__)


def utcnow() -> datetime:
    """The current instant for stored timestamps (the legal clock's real time, core.clock)."""
    return _clock_utcnow()


class UTCDateTime(TypeDecorator[datetime]):
    """Every stored instant: ``TIMESTAMP WITH TIME ZONE`` on PostgreSQL, ``DATETIME`` on SQLite, and in
    Python always an aware UTC datetime — written as UTC (a naive value is taken to be UTC) and read back
    aware on both databases (SQLite returns naive values), so code compares instants without
    normalising them first. Same DDL as ``DateTime(timezone=True)``: migrations need no change."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class TenantPathString(String):
    """The type of every column that holds a tenant path. The type is the marker: `govhall tenants move`
    re-paths every column of this type (core.tenancy.paths), in core and in every plugin, without a list
    to keep. Same DDL as String."""

    cache_ok = True


def PathType(length: int = 200) -> String:  # noqa: N802 - reads like a type
    """A tenant path column. Byte-order collation on PostgreSQL so that the subtree range predicate
    ``path >= p AND path < p || '0'`` uses a plain btree index ('/' sorts just before '0').
    Mark a column whose path is history (hashed, kept as it was) with ``info={"history": True}``."""
    return TenantPathString(length).with_variant(  # type: ignore[return-value]
        String(length, collation="C"), "postgresql")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Timestamped:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class TenantScoped:
    """Mixin for tenant-owned rows: the owning tenant and its path, denormalised for subtree filters.

    Reads of these classes are filtered by the session's scope (core.db.guard); on PostgreSQL the table
    also gets a row-level security policy (core.db.rls) in its migration. Rows are moved with their
    tenant when a subtree is re-parented (core.tenancy.service.move_subtree).
    """

    __tenant_scoped__ = True

    @declared_attr
    def tenant_id(cls) -> Mapped[int]:  # noqa: N805
        return mapped_column(Integer, ForeignKey("tenants.id"), nullable=False, index=True)

    @declared_attr
    def tenant_path(cls) -> Mapped[str]:  # noqa: N805
        return mapped_column(PathType(), nullable=False, index=True)


def tenant_scoped_tables() -> list[str]:
    """Names of every mapped table carrying tenant_id + tenant_path (for re-parenting and RLS checks)."""
    out = []
    for mapper in Base.registry.mappers:
        cls = mapper.class_
        if getattr(cls, "__tenant_scoped__", False) and hasattr(cls, "__table__"):
            out.append(cls.__table__.name)
    return sorted(set(out))
