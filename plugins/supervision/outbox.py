"""Publishing many card events at once.

``core.events.publish`` writes one outbox row per call through the ORM; a scan that issues tens of
thousands of cards writes the same rows (same table, same fields, same validation of the type) with
multi-row INSERTs instead, in the caller's transaction, so the events still exist exactly when the cards
do. Each event is delivered like any other.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from core.db.base import utcnow
from core.events import EVENT_TYPE_RE, EventError, OutboxEvent

BATCH = 2000


def publish_many(session: Session, events: Sequence[tuple[int, str, str, dict[str, Any]]], *,
                 actor: str = "") -> int:
    """Write ``(tenant_id, tenant_path, type, payload)`` events to the outbox; returns how many."""
    if not events:
        return 0
    now = utcnow()
    rows = []
    for tenant_id, tenant_path, type_, payload in events:
        if not EVENT_TYPE_RE.match(type_):
            raise EventError(f"event type {type_!r} must look like plugin.entity.verb")
        rows.append({"type": type_, "tenant_id": tenant_id, "tenant_path": tenant_path,
                     "payload": json.loads(json.dumps(payload, ensure_ascii=False, default=str)),
                     "actor": actor[:100], "occurred_at": now, "attempts": 0})
    table = OutboxEvent.__table__
    for start in range(0, len(rows), BATCH):
        session.execute(insert(table), rows[start:start + BATCH])
    return len(rows)
