"""Application numbers ``<tenant code>-<yyyymmdd>-<seq>``: unique, readable, per tenant per day.

A counter row per (tenant, day) is incremented under its row lock (PostgreSQL) or the single writer
(SQLite), so two submissions at once get different numbers; the unique index on the number is the
backstop.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from plugins.approval.models import NumberCounter


def next_number(session: Session, tenant: Any, day: date) -> str:
    key = day.strftime("%Y%m%d")
    bumped = session.execute(
        update(NumberCounter)
        .where(NumberCounter.tenant_id == tenant.id, NumberCounter.day == key)
        .values(seq=NumberCounter.seq + 1)
        .returning(NumberCounter.seq)
        .execution_options(synchronize_session=False)
    ).scalar()
    if bumped is None:
        session.add(NumberCounter(tenant_id=tenant.id, tenant_path=tenant.path, day=key, seq=1))
        session.flush()
        bumped = 1
    return f"{tenant.code}-{key}-{bumped:06d}"


def peek(session: Session, day: date) -> int:
    return session.scalar(select(NumberCounter.seq).where(NumberCounter.day == day.strftime("%Y%m%d"))) or 0
