"""Request bodies and query parameters of the supervision API and forms (pydantic)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from plugins.supervision.models import OPEN_STATES, SEVERITIES, STATES

Action = Literal["acknowledge", "appeal", "revoke", "send_back", "escalate", "resolve"]


class CardActionIn(BaseModel):
    """An act on a card: the version the actor saw (optimistic locking) and a note (required for an
    appeal, a revocation and a sending back)."""

    model_config = ConfigDict(extra="forbid")
    version: int = Field(ge=1, description="The card's version as last read")
    note: str = Field(default="", max_length=2000)


class CardFilter(BaseModel):
    model_config = ConfigDict(extra="ignore")
    state: Literal[STATES + ("open",)] | None = None  # type: ignore[valid-type]
    severity: Literal[SEVERITIES] | None = None  # type: ignore[valid-type]
    owned: bool = False  # only cards whose owning tier is this tenant (the tier's queue)
    cursor: int | None = Field(default=None, ge=0)
    limit: int = Field(default=50, ge=1, le=200)


class CardOut(BaseModel):
    id: int
    rule_id: str
    rule_version: int
    kind_of_power: str
    severity: str
    title_zh: str
    title_en: str
    message_zh: str
    message_en: str
    object_type: str
    object_id: str
    occurrence: str
    tenant_code: str
    department_code: str
    step: str
    facts: dict
    state: str
    issued_on: str
    feedback_due: str
    escalation_level: int
    owner_tenant_code: str
    version: int
    object_href: str | None = None
    may_act: list[str] = []
    may_respond: list[str] = []


OPEN = OPEN_STATES
