"""Validated inputs and the API's response models of the equity plugin."""

from __future__ import annotations

import base64
import binascii
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from core.api import OutModel

MAX_CENTS = 10**15  # ten trillion yuan: bounded, fits 64 bits
Status = Literal[
    "draft",
    "pre_disclosure",
    "disclosure",
    "qualification",
    "auction",
    "agreement",
    "deal",
    "concluded",
    "failed",
    "reappraisal",
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _day(v: date) -> date:
    if not date(2000, 1, 1) <= v <= date(2099, 12, 31):
        raise ValueError("a day between 2000-01-01 and 2099-12-31")
    return v


class EquityProjectIn(Strict):
    title: str = Field(min_length=1, max_length=200)
    target: str = Field(min_length=1, max_length=5000)
    seller_name: str = Field(min_length=1, max_length=200)
    seller_code: str = Field(min_length=18, max_length=18)
    seller_representative: str = Field(default="", max_length=100)
    supervisor_name: str = Field(min_length=1, max_length=200)
    appraisal_cents: int = Field(ge=1, le=MAX_CENTS)
    appraisal_approved_by: str = Field(min_length=1, max_length=200)
    appraisal_approved_on: date
    listing_cents: int = Field(ge=1, le=MAX_CENTS)
    increment_cents: int = Field(ge=1, le=MAX_CENTS)
    deposit_cents: int = Field(default=0, ge=0, le=MAX_CENTS)
    conditions: str = Field(min_length=1, max_length=5000)
    control_change: bool = False

    _d = field_validator("appraisal_approved_on")(_day)


class EquityVersionIn(Strict):
    version: int = Field(ge=1, le=2**31 - 1)


class EquityReviewIn(EquityVersionIn):
    fair: bool = Field(description="true: the conditions do not point at one buyer")
    reason: str = Field(default="", max_length=2000)


class EquityDiscloseIn(EquityVersionIn):
    kind: Literal["pre", "formal"]
    start: date
    end: date | None = None

    _d = field_validator("start", "end")(lambda v: v if v is None else _day(v))


class EquityChangeIn(EquityVersionIn):
    listing_cents: int | None = Field(default=None, ge=1, le=MAX_CENTS)
    increment_cents: int | None = Field(default=None, ge=1, le=MAX_CENTS)
    deposit_cents: int | None = Field(default=None, ge=0, le=MAX_CENTS)
    conditions: str | None = Field(default=None, min_length=1, max_length=5000)
    target: str | None = Field(default=None, min_length=1, max_length=5000)
    reason: str = Field(min_length=1, max_length=2000)
    consent_name: str = Field(default="", max_length=200)
    consent_base64: str = Field(
        default="", max_length=7_000_000, description="The written consent (PDF), base64"
    )

    @field_validator("consent_base64")
    @classmethod
    def _b64(cls, v: str) -> str:
        if v:
            try:
                base64.b64decode(v, validate=True)
            except (binascii.Error, ValueError) as exc:
                raise ValueError("not valid base64") from exc
        return v

    def consent(self) -> tuple[str, bytes] | None:
        if not self.consent_base64:
            return None
        return (self.consent_name or "consent.pdf", base64.b64decode(self.consent_base64))

    def changes(self) -> dict[str, Any]:
        keys = ("listing_cents", "increment_cents", "deposit_cents", "conditions", "target")
        return {k: getattr(self, k) for k in keys}


class EquityHolderIn(Strict):
    name: str = Field(min_length=1, max_length=200)
    credit_code: str = Field(default="", max_length=18)


class EquityRegisterIn(Strict):
    name: str = Field(default="", max_length=200)
    representative: str = Field(default="", max_length=100)
    qualification: str = Field(default="", max_length=5000)
    shareholders: list[EquityHolderIn] = Field(
        default_factory=list, max_length=50, description="The buyer's shareholders, as it declares them"
    )


class EquityDepositIn(Strict):
    cents: int = Field(ge=1, le=MAX_CENTS)
    on: date

    _d = field_validator("on")(_day)


class EquityConfirmIn(EquityVersionIn):
    qualified: bool
    reason: str = Field(default="", max_length=2000)


class EquityProceedIn(EquityVersionIn):
    starts_at: datetime = Field(description="When the auction opens, with its offset (e.g. +08:00)")
    free_minutes: int = Field(default=60, ge=1, le=1440)
    countdown_seconds: int = Field(default=300, ge=10, le=3600)

    @field_validator("starts_at")
    @classmethod
    def _aware(cls, v: datetime) -> datetime:
        if v.tzinfo is None or not 2000 <= v.year <= 2099:
            raise ValueError("a time with its offset between the years 2000 and 2099")
        return v


class EquityRefundIn(Strict):
    on: date

    _d = field_validator("on")(_day)


class EquityDefaultIn(EquityVersionIn):
    reason: str = Field(min_length=1, max_length=2000)


class EquityShareholderIn(Strict):
    buyer_id: int | None = Field(default=None, ge=1, le=2**63 - 1, description="empty: the seller's")
    name: str = Field(min_length=1, max_length=200)
    credit_code: str = Field(default="", max_length=18)


class EquityBidIn(Strict):
    amount_cents: int = Field(ge=1, le=MAX_CENTS)


class EquityContractIn(EquityVersionIn):
    contract_no: str = Field(min_length=1, max_length=60)
    signed_on: date
    mode: Literal["full", "instalment"] = "full"
    down_cents: int = Field(default=0, ge=0, le=MAX_CENTS)
    rest_due: date | None = None
    price_cents: int | None = Field(default=None, ge=1, le=MAX_CENTS)

    _d = field_validator("signed_on", "rest_due")(lambda v: v if v is None else _day(v))


class EquityPayIn(Strict):
    cents: int = Field(ge=1, le=MAX_CENTS)
    on: date

    _d = field_validator("on")(_day)


class EquityNoticeIn(Strict):
    start: date
    end: date | None = None

    _d = field_validator("start", "end")(lambda v: v if v is None else _day(v))


class EquityListQuery(Strict):
    status: Status | None = None


class EquityProjectOut(OutModel):
    id: int
    number: str
    title: str
    target: str
    seller_name: str
    supervisor_name: str
    appraisal_cents: int
    listing_cents: int
    increment_cents: int
    deposit_cents: int
    conditions: str
    conditions_reviewed: bool
    control_change: bool
    status: str
    status_title: str
    status_reason: str
    pre_start: date | None
    pre_end: date | None
    formal_start: date | None
    formal_end: date | None
    consent_recorded: bool
    version: int


class EquityBuyerOut(OutModel):
    id: int
    project_id: int
    credit_code: str
    name: str
    representative: str
    credit_level: str
    deposit_paid_on: date | None
    deposit_state: str
    deposit_settled_on: date | None
    status: str
    status_reason: str
    version: int


class EquityBidRowOut(OutModel):
    seq: int
    bidder_no: int | None
    amount_cents: int
    at: datetime


class EquityAuctionOut(OutModel):
    phase: str
    current_cents: int | None
    start_cents: int
    increment_cents: int
    next_cents: int
    accepted: int
    starts_at: datetime
    free_end: datetime
    closes_at: datetime
    server_time: datetime
    seconds_left: int
    leader_no: int | None
    you_lead: bool
    your_no: int | None
    bids: list[EquityBidRowOut]


class EquityPlacedOut(OutModel):
    bid_id: int
    accepted: bool
    at: datetime
    current_cents: int | None
    you_lead: bool
    closes_at: datetime


class EquityDealOut(OutModel):
    id: int
    project_id: int
    buyer_name: str
    price_cents: int
    via: str
    contract_no: str
    signed_on: date
    mode: str
    down_cents: int
    down_due: date
    rest_due: date | None
    paid_cents: int
    paid_in_full_on: date | None
    notice_start: date | None
    notice_end: date | None
    certificate_no: str | None
    certificate_on: date | None
    version: int


class EquityCertificateOut(OutModel):
    number: str
    signature_ok: bool
    document: dict[str, Any]
