"""Validated inputs (JSON and forms) and the API's response models of the bidding plugin."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from core.api import OutModel

Status = Literal[
    "draft",
    "published",
    "opening",
    "evaluation",
    "publicity",
    "awarded",
    "contracted",
    "completed",
    "failed",
    "cancelled",
]
MAX_CENTS = 10**15  # ten trillion yuan: bounded, fits 64 bits
# A sealed bid travels as base64 inside a JSON body of at most 1 MiB.
MAX_CIPHERTEXT_B64 = 1_000_000


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class TenderIn(Strict):
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=5000)
    tenderer_name: str = Field(min_length=1, max_length=200)
    tenderer_code: str = Field(min_length=18, max_length=18)
    department_code: str = Field(default="", max_length=32)
    agent_name: str = Field(default="", max_length=200)
    estimated_cents: int = Field(ge=1, le=MAX_CENTS)
    state_funded: bool = True
    bond_cents: int = Field(default=0, ge=0, le=MAX_CENTS)
    documents_from: date
    documents_until: date
    deadline: datetime = Field(description="The bid deadline and the opening, with its offset (e.g. +08:00)")
    publicity_days: int = Field(default=3, ge=1, le=60)
    procedure: Literal["open", "invited"] = Field(
        default="open", description="open (公开招标) or invited (邀请招标: only the invited may register)"
    )
    invited: list[Annotated[str, Field(min_length=18, max_length=18)]] = Field(
        default_factory=list, max_length=200, description="Credit codes of the invited, at least three"
    )

    @field_validator("documents_from", "documents_until")
    @classmethod
    def _day_in_range(cls, v: date) -> date:
        if not date(2000, 1, 1) <= v <= date(2099, 12, 31):
            raise ValueError("a day between 2000-01-01 and 2099-12-31")
        return v

    @field_validator("deadline")
    @classmethod
    def _deadline_in_range(cls, v: datetime) -> datetime:
        if not 2000 <= v.year <= 2099:
            raise ValueError("a time between the years 2000 and 2099")
        return v


class VersionIn(Strict):
    version: int = Field(ge=1, le=2**31 - 1)


class PublishIn(VersionIn):
    documents: str = Field(default="", max_length=20000)


class ClarifyIn(VersionIn):
    title: str = Field(min_length=1, max_length=200)
    body: str = Field(default="", max_length=20000)
    affects_bids: bool = False


class ReasonIn(VersionIn):
    reason: str = Field(min_length=1, max_length=2000)


class AwardIn(VersionIn):
    bid_id: int | None = Field(default=None, ge=1, le=2**63 - 1)


class ContractIn(VersionIn):
    price_cents: int = Field(ge=1, le=MAX_CENTS)


class RegisterIn(Strict):
    name: str = Field(default="", max_length=200, description="Defaults to the account's name")


class BondIn(Strict):
    cents: int = Field(ge=1, le=MAX_CENTS)


class BidIn(Strict):
    nonce: str = Field(min_length=16, max_length=24, description="12 bytes, base64")
    ciphertext: str = Field(min_length=24, max_length=MAX_CIPHERTEXT_B64, description="AES-256-GCM, base64")
    commitment: str = Field(min_length=64, max_length=64, description="SHA-256 of the plaintext, hex")
    device: str = Field(default="", max_length=64)


class WithdrawalOut(OutModel):
    bid_id: int
    status: str
    withdrawn_at: datetime
    receipt: str = Field(description="The canonical JSON that was signed")
    signature: str
    key_id: str


class KeyIn(Strict):
    key: str = Field(min_length=40, max_length=48, description="The 32-byte AES key, base64")


class ObjectionIn(Strict):
    stage: Literal["documents", "candidates"]
    content: str = Field(min_length=1, max_length=5000)


class ObjectionAnswerIn(VersionIn):
    answer: str = Field(min_length=1, max_length=5000)
    upheld: bool = False


class PanelIn(Strict):
    size: int = Field(ge=1, le=99)


class ScoreIn(Strict):
    bid_id: int = Field(ge=1, le=2**63 - 1)
    score: int = Field(ge=0, le=100)
    comment: str = Field(default="", max_length=2000)


class ExpertIn(Strict):
    name: str = Field(min_length=1, max_length=100)
    specialty: str = Field(default="", max_length=100)
    employer_code: str = Field(default="", max_length=18)
    employer_name: str = Field(default="", max_length=200)
    account: str = Field(default="", max_length=100)


class TenderQuery(Strict):
    status: Status | None = None


# --- responses ------------------------------------------------------------------------------------------


class PeriodOut(OutModel):
    code: str
    start: date | None
    end: date | None
    rule_zh: str
    rule_en: str
    basis_zh: str
    basis_en: str


class DocumentOut(OutModel):
    id: int
    kind: str
    title: str
    body: str
    affects_bids: bool
    sha256: str
    issued_at: datetime
    deadline_before: datetime | None
    deadline_after: datetime | None


class OpenedBidOut(OutModel):
    bid_id: int
    bidder_name: str
    credit_code: str
    status: str
    price_cents: int | None
    rank: int | None
    score: float | None


class TenderOut(OutModel):
    id: int
    number: str
    ocid: str
    title: str
    description: str
    tenant_code: str
    tenderer_name: str
    agent_name: str
    estimated_cents: int
    state_funded: bool
    bond_cents: int
    status: Status
    procedure: Literal["open", "invited"]
    procedure_title: str
    status_title: str
    paused: bool
    documents_from: date
    documents_until: date
    deadline: datetime
    key_window_ends: datetime
    publicity_from: date | None
    publicity_until: date | None
    awarded_on: date | None
    contract_due: date | None
    contract_signed_on: date | None
    contract_cents: int | None
    bidders: int
    bids_received: int
    version: int


class TenderDetailOut(TenderOut):
    periods: list[PeriodOut]
    documents: list[DocumentOut]
    opening: list[OpenedBidOut] = Field(description="Bidders and prices, once the opening has closed")
    award_bid_id: int | None
    panel: list[str] = Field(description="The panel's names, once the evaluation report is out")


class ReceiptOut(OutModel):
    bid_id: int
    receipt: str = Field(description="The signed canonical JSON: tender, bidder, digests, size, server time")
    signature: str
    key_id: str
    submitted_at: datetime
    ciphertext_sha256: str


class OpenedOut(OutModel):
    bid_id: int
    status: str
    price_cents: int | None


class BidderOut(OutModel):
    id: int
    credit_code: str
    name: str
    credit_level: str
    flagged: bool
    flag_reason: str
    bond_state: str
    bond_cents: int
    bond_paid_on: date | None
    bond_refunded_on: date | None
    bid_status: str | None
    submitted_at: datetime | None
    version: int


class ObjectionOut(OutModel):
    id: int
    tender_id: int
    stage: str
    objector_name: str
    content: str
    filed_at: datetime
    answer_due: date
    answered_at: datetime | None
    answer: str
    upheld: bool
    version: int


class PanelOut(OutModel):
    tender_id: int
    seed: str
    size: int
    pool: list[int]
    excluded: list[int]
    members: list[int] = Field(description="Expert ids; names are shown once the report is out")
    revealed: bool


class ExpertOut(OutModel):
    id: int
    name: str
    specialty: str
    employer_name: str
    active: bool


class ScoreOut(OutModel):
    id: int
    bid_id: int
    score: int


class OcdsPackageOut(OutModel):
    """An OCDS 1.1 release package (its releases follow the published release schema)."""

    uri: str
    version: str
    publishedDate: str  # noqa: N815 - OCDS field name
    publisher: dict[str, Any]
    releases: list[dict[str, Any]]


class OcdsRecordPackageOut(OutModel):
    uri: str
    version: str
    publishedDate: str  # noqa: N815 - OCDS field name
    publisher: dict[str, Any]
    records: list[dict[str, Any]]
