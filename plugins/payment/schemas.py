"""Validated inputs (JSON and forms) and the API's response models. Money is integer cents."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from core.api import OutModel

ITEM_CODE = r"^[A-Za-z0-9][A-Za-z0-9_\-]{0,39}$"
KEY = r"^[A-Za-z0-9._:\-]{1,100}$"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class OrderIn(Strict):
    item_code: str = Field(pattern=ITEM_CODE)
    amount_cents: int = Field(ge=1, le=100_000_000, description="the item's fee, in cents (分)")
    idempotency_key: str = Field(
        pattern=KEY, description="a repeat with the same key returns the first order"
    )


class StartIn(Strict):
    version: int = Field(ge=1, le=2**31 - 1)


class RefundIn(Strict):
    amount_cents: int = Field(ge=1, le=100_000_000)
    reason: str = Field(min_length=1, max_length=500)
    idempotency_key: str = Field(pattern=KEY)


class FeeIn(Strict):
    item_code: str = Field(pattern=ITEM_CODE)
    item_name: str = Field(min_length=1, max_length=200)
    amount_cents: int = Field(ge=1, le=100_000_000)
    legal_basis: str = Field(min_length=1, max_length=2000)
    stage: Literal["before_acceptance", "before_conclusion", "on_demand"]


class StatementIn(Strict):
    statement_date: date
    provider: str = Field(default="sim", pattern=r"^[a-z][a-z0-9_]{0,31}$")
    csv: str = Field(min_length=1, max_length=20_000_000)


class OrderOut(OutModel):
    id: int
    reference: str
    item_code: str
    item_name: str
    legal_basis: str
    stage: str
    application_id: int | None
    application_number: str
    amount_cents: int
    refunded_cents: int
    state: str
    state_title: str
    failure_code: str
    next_url: str
    created_at: datetime
    expires_at: datetime
    receipt_number: str | None
    version: int


class RefundOut(OutModel):
    id: int
    order_id: int
    amount_cents: int
    reason: str
    state: str  # pending (the gateway not yet answered), done or refused
    created_at: datetime


class FeeOut(OutModel):
    id: int
    item_code: str
    item_name: str
    amount_cents: int
    legal_basis: str
    stage: str
    version: int


class Difference(OutModel):
    kind: str
    reference: str
    payment_id: str
    theirs_cents: int | None
    ours_cents: int | None


class ReconciliationOut(OutModel):
    id: int
    provider: str
    statement_date: date
    lines: int
    matched: int
    differences: list[Difference]
