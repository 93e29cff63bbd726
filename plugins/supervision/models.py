"""Tables of the supervision plugin: cards (黄牌、红牌、提示) as workflow objects, and their history.

A card stays attached to the tenant of the object it is about (``tenant_id``/``tenant_path``), so the
object's department keeps seeing it; escalation moves only the owning tier (``owner_tenant_id``/
``owner_path``) up the tree, which is what makes it appear in the parent tier's queue.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.api import Base, BigId, PathType, TenantScoped, UTCDateTime, utcnow

SEVERITIES = ("prompt", "yellow", "red")
STATES = ("issued", "acknowledged", "appealed", "sent_back", "escalated", "resolved", "revoked")
OPEN_STATES = ("issued", "acknowledged", "appealed", "sent_back", "escalated")
CLOSED_STATES = ("resolved", "revoked")

SEVERITY_TITLES = {"prompt": ("提示", "Prompt"), "yellow": ("黄牌", "Yellow card"),
                   "red": ("红牌", "Red card")}
STATE_TITLES = {
    "issued": ("已发出", "Issued"), "acknowledged": ("已签收", "Acknowledged"),
    "appealed": ("申诉中", "Appealed"),
    "sent_back": ("申诉驳回", "Sent back"), "escalated": ("已上报", "Escalated"),
    "resolved": ("已办结", "Resolved"), "revoked": ("已撤销", "Revoked"),
}


class Card(TenantScoped, Base):
    """One card: a rule (id + version) found something about one object, once per occurrence."""

    __tablename__ = "supervision_cards"
    __table_args__ = (
        # One card per (rule, object, occurrence): rescans and redelivered events insert-or-ignore on it.
        # The tenant leads so the key survives distribution by tenant (Citus).
        UniqueConstraint("tenant_id", "rule_id", "object_type", "object_id", "occurrence",
                         name="uq_supervision_cards_occurrence"),
        Index("ix_supervision_cards_path_state", "tenant_path", "state"),
        Index("ix_supervision_cards_owner_state", "owner_path", "state"),
        Index("ix_supervision_cards_due", "state", "feedback_due"),
        Index("ix_supervision_cards_rule_path", "rule_id", "tenant_path"),
    )
    # The mixin's single-column indexes are left out here: the unique key leads with tenant_id and
    # (tenant_path, state) serves path ranges, and every index is paid for on each card a scan inserts.
    tenant_id: Mapped[int] = mapped_column(Integer, ForeignKey("tenants.id"), nullable=False)
    tenant_path: Mapped[str] = mapped_column(PathType(), nullable=False)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    rule_id: Mapped[str] = mapped_column(String(100))
    rule_version: Mapped[int] = mapped_column(Integer)
    kind_of_power: Mapped[str] = mapped_column(String(40))
    severity: Mapped[str] = mapped_column(String(10))
    title_zh: Mapped[str] = mapped_column(String(200), default="")
    title_en: Mapped[str] = mapped_column(String(200), default="")
    message_zh: Mapped[str] = mapped_column(Text, default="")
    message_en: Mapped[str] = mapped_column(Text, default="")
    object_type: Mapped[str] = mapped_column(String(60))
    object_id: Mapped[str] = mapped_column(String(100))
    occurrence: Mapped[str] = mapped_column(String(100), default="")
    department_code: Mapped[str] = mapped_column(String(32), default="")
    step: Mapped[str] = mapped_column(String(60), default="")
    facts: Mapped[Any] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(20), default="issued")
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    issued_on: Mapped[date] = mapped_column(Date)
    feedback_due: Mapped[date] = mapped_column(Date)
    escalation_level: Mapped[int] = mapped_column(Integer, default=0)
    owner_tenant_id: Mapped[int] = mapped_column(Integer)
    owner_path: Mapped[str] = mapped_column(PathType())
    closed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    source_event_id: Mapped[int | None] = mapped_column(BigId, nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CardAction(TenantScoped, Base):
    """What happened to a card, by whom, with the note they gave (the page's history; the audit log
    holds the same acts hash-chained)."""

    __tablename__ = "supervision_card_actions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    card_id: Mapped[int] = mapped_column(BigId, ForeignKey("supervision_cards.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor: Mapped[str] = mapped_column(String(100), default="")
    action: Mapped[str] = mapped_column(String(20))
    from_state: Mapped[str] = mapped_column(String(20), default="")
    to_state: Mapped[str] = mapped_column(String(20))
    owner_path: Mapped[str] = mapped_column(PathType())
    note: Mapped[str] = mapped_column(Text, default="")
