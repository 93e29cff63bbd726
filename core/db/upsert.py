"""One INSERT ... ON CONFLICT for SQLite and PostgreSQL (both dialects spell it the same way)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

Upsert = postgresql.Insert | sqlite.Insert


def upsert(bind: Session | Connection | Engine, table: Table | type[Any]) -> Upsert:
    """``INSERT`` into ``table`` (a Table or a mapped class) in the dialect of ``bind``; chain
    ``.on_conflict_do_nothing(index_elements=...)`` or ``.on_conflict_do_update(index_elements=...,
    set_=...)`` — the same calls on both databases — then ``.values(...)`` / ``.returning(...)``."""
    engine = bind.get_bind() if isinstance(bind, Session) else bind
    if engine.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)
