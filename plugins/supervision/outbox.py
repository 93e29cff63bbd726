"""Writing card history and card events for many cards at once, straight from the cards table.

``core.api.publish`` writes one outbox row per call through the ORM; a scan that issues tens of
thousands of cards writes the same rows (same table, same fields) with one ``INSERT ... SELECT`` per batch
over the cards just issued or escalated, in the caller's transaction, so the events exist exactly when
the cards do and are delivered like any other. Single card changes use ``core.api.publish``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    DateTime,
    String,
    any_,
    bindparam,
    func,
    insert,
    literal,
    literal_column,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from core.api import publish_rows, table_of
from plugins.supervision.models import Card, CardAction

BATCH = 5000  # ids per statement on SQLite (bound one by one); PostgreSQL takes one array per batch
PAYLOAD_COLUMNS = ("rule_id", "rule_version", "severity", "kind_of_power", "object_type", "object_id",
                   "department_code", "owner_path", "escalation_level", "state")


def _is_pg(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _chunks(ids: Sequence[int], session: Session) -> list[Sequence[int]]:
    size = 50_000 if _is_pg(session) else BATCH
    return [ids[i:i + size] for i in range(0, len(ids), size)]


def _id_in(session: Session, column: Any, ids: Sequence[int]) -> Any:
    if _is_pg(session):
        return column == any_(bindparam("card_ids", list(ids), type_=ARRAY(BigInteger)))
    return column.in_(list(ids))


def history_from_cards(session: Session, ids: Sequence[int], *, action: str, from_state: str, actor: str,
                       note: str, at: datetime) -> None:
    """One history row per card, its new state and owner read from the card itself."""
    c, h = Card.__table__.c, table_of(CardAction)
    for chunk in _chunks(ids, session):
        sel = select(c.id, c.tenant_id, c.tenant_path, literal(at, DateTime(timezone=True)),
                     literal(actor, String()), literal(action, String()), literal(from_state, String()),
                     c.state, c.owner_path, literal(note, String())).where(_id_in(session, c.id, chunk))
        session.execute(insert(h).from_select(
            ["card_id", "tenant_id", "tenant_path", "at", "actor", "action", "from_state", "to_state",
             "owner_path", "note"], sel))


def events_from_cards(session: Session, ids: Sequence[int], *, type_: str, actor: str, at: datetime) -> None:
    """One ``type_`` event per card, its payload built by the database from the card's columns."""
    c = Card.__table__.c
    build = func.json_build_object if _is_pg(session) else func.json_object
    # Keys are constants written into the SQL (json_build_object cannot type a bound key on PostgreSQL).
    pairs: list[Any] = [literal_column("'card_id'"), c.id]
    for name in PAYLOAD_COLUMNS:
        pairs += [literal_column(f"'{name}'"), c[name]]
    for chunk in _chunks(ids, session):
        publish_rows(session, type=type_, rows=select(
            c.tenant_id, c.tenant_path, build(*pairs), literal(actor[:100], String()),
            literal(at, DateTime(timezone=True))).where(_id_in(session, c.id, chunk)))
