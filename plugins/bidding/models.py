"""Tables of the bidding plugin (公共资源交易): tenders with their statutory schedule, documents and
clarifications, registered bidders with their bonds, sealed bids (ciphertext only until opening), the
files each opened bid declared, objections, the expert pool, drawn panels and their scores.

Every table is tenant-owned (the tenderer's tenant) and gets row-level security on PostgreSQL.
Money is kept in cents (fen) as integers.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.api import Base, BigId, TenantScoped, UTCDateTime, utcnow

STATUSES: dict[str, tuple[str, str]] = {
    "draft": ("草稿", "Draft"),
    "published": ("招标中", "Open for bids"),
    "opening": ("开标中", "Opening"),
    "evaluation": ("评标中", "Evaluation"),
    "publicity": ("中标候选人公示", "Candidate publicity"),
    "awarded": ("已发中标通知书", "Awarded"),
    "contracted": ("已签订合同", "Contract signed"),
    "completed": ("已完成", "Completed"),
    "failed": ("招标失败", "Unsuccessful"),
    "cancelled": ("已终止", "Cancelled"),
}
BID_STATUSES: dict[str, tuple[str, str]] = {
    "sealed": ("已密封", "Sealed"),
    "opened": ("已开启", "Opened"),
    "withdrawn": ("视为撤回（未提交密钥）", "Withdrawn (no key at opening)"),
    "rejected": ("中标资格被取消", "Award rejected"),
    "retracted": ("已撤回（截止前）", "Withdrawn before the deadline"),
}
# The procedure (招标方式): an open tender (公开招标) or an invited one (邀请招标: only the invited legal
# persons, at least three, may register — Bidding Law art. 10, 17).
PROCEDURES: dict[str, tuple[str, str]] = {
    "open": ("公开招标", "Open tender"),
    "invited": ("邀请招标", "Invited tender"),
}
BOND_STATES: dict[str, tuple[str, str]] = {
    "none": ("未缴纳", "Not paid"),
    "paid": ("已缴纳", "Paid"),
    "refunded": ("已退还", "Refunded"),
}


class Tender(TenantScoped, Base):
    """A procurement (招标项目) run as an open tender. ``deadline`` is the bid deadline and the opening,
    to the second (UTC); the ``min_*`` columns are the legal limits computed when the schedule was
    accepted, kept so that supervision can compare in SQL."""

    __tablename__ = "bidding_tenders"
    __table_args__ = (
        UniqueConstraint("tenant_id", "number", name="uq_bidding_tenders_number"),
        Index("ix_bidding_tenders_list", "tenant_path", "status", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    number: Mapped[str] = mapped_column(String(40))
    ocid: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    procedure: Mapped[str] = mapped_column(String(20), default="open")
    invited: Mapped[Any] = mapped_column(JSON, default=list)  # credit codes, for an invited tender
    tenderer_name: Mapped[str] = mapped_column(String(200))
    tenderer_code: Mapped[str] = mapped_column(String(18))
    department_code: Mapped[str] = mapped_column(String(32), default="")
    agent_name: Mapped[str] = mapped_column(String(200), default="")
    estimated_cents: Mapped[int] = mapped_column(BigInteger)
    state_funded: Mapped[bool] = mapped_column(Boolean, default=True)
    bond_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    status: Mapped[str] = mapped_column(String(12), default="draft")
    documents_from: Mapped[date] = mapped_column(Date)
    documents_until: Mapped[date] = mapped_column(Date)
    deadline: Mapped[datetime] = mapped_column(UTCDateTime())
    key_window_minutes: Mapped[int] = mapped_column(Integer, default=60)
    publicity_days: Mapped[int] = mapped_column(Integer, default=3)
    min_deadline_on: Mapped[date] = mapped_column(Date)  # the earliest lawful deadline day
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    paused_since: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    opening_closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    publicity_from: Mapped[date | None] = mapped_column(Date, nullable=True)
    publicity_until: Mapped[date | None] = mapped_column(Date, nullable=True)
    min_publicity_until: Mapped[date | None] = mapped_column(Date, nullable=True)
    award_bid_id: Mapped[int | None] = mapped_column(BigId, nullable=True)
    awarded_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    contract_due: Mapped[date | None] = mapped_column(Date, nullable=True)
    contract_signed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    contract_cents: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    completed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    status_reason: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__: dict[str, Any] = {"version_id_col": version}


class Document(TenantScoped, Base):
    """The tender notice, the tender documents and every clarification or change (澄清或者修改)."""

    __tablename__ = "bidding_documents"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("bidding_tenders.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # notice | documents | clarification
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    affects_bids: Mapped[bool] = mapped_column(Boolean, default=False)
    sha256: Mapped[str] = mapped_column(String(64))
    deadline_before: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    deadline_after: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    issued_by: Mapped[str] = mapped_column(String(100), default="")


class Bidder(TenantScoped, Base):
    """A legal person that registered interest in a tender, with its credit check and bid bond."""

    __tablename__ = "bidding_bidders"
    __table_args__ = (UniqueConstraint("tender_id", "credit_code", name="uq_bidding_bidders_code"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("bidding_tenders.id"), index=True)
    credit_code: Mapped[str] = mapped_column(String(18))
    name: Mapped[str] = mapped_column(String(200))
    account: Mapped[str] = mapped_column(String(100), default="")
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    credit_level: Mapped[str] = mapped_column(String(12), default="")  # "" when credit is off
    credit_lists: Mapped[Any] = mapped_column(JSON, default=list)
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    flag_reason: Mapped[str] = mapped_column(Text, default="")
    bond_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    bond_state: Mapped[str] = mapped_column(String(10), default="none")
    bond_paid_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    bond_refunded_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__: dict[str, Any] = {"version_id_col": version}


class Bid(TenantScoped, Base):
    """A sealed bid. Until opening the row holds only what the bidder's browser sent: AES-256-GCM
    ciphertext (its key never reaches the server before opening), the nonce, the SHA-256 of the
    ciphertext and the bidder's commitment (SHA-256 of the plaintext, which carries a random salt).
    ``price_cents`` and the declared files are filled at opening, from the decrypted plaintext."""

    __tablename__ = "bidding_bids"
    __table_args__ = (UniqueConstraint("tender_id", "bidder_id", name="uq_bidding_bids_bidder"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("bidding_tenders.id"), index=True)
    bidder_id: Mapped[int] = mapped_column(ForeignKey("bidding_bidders.id"), index=True)
    nonce: Mapped[str] = mapped_column(String(24))
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    size: Mapped[int] = mapped_column(Integer)
    ciphertext_sha256: Mapped[str] = mapped_column(String(64))
    commitment: Mapped[str] = mapped_column(String(64))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    receipt: Mapped[str] = mapped_column(Text)  # the canonical receipt JSON that was signed
    signature: Mapped[str] = mapped_column(String(100))
    key_id: Mapped[str] = mapped_column(String(80))
    submit_ip: Mapped[str] = mapped_column(String(45), default="")
    device: Mapped[str] = mapped_column(String(64), default="")
    status: Mapped[str] = mapped_column(String(10), default="sealed")
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    price_cents: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    score_x100: Mapped[int | None] = mapped_column(Integer, nullable=True)
    rank: Mapped[int | None] = mapped_column(Integer, nullable=True)
    status_reason: Mapped[str] = mapped_column(Text, default="")
    # A withdrawal before the deadline (撤回): the ciphertext is wiped, the signed receipt kept.
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    withdrawal_receipt: Mapped[str] = mapped_column(Text, default="")
    withdrawal_signature: Mapped[str] = mapped_column(String(100), default="")
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__: dict[str, Any] = {"version_id_col": version}


class TenderFile(TenantScoped, Base):
    """A file of the tender documents the tenderer uploaded; the bytes live under
    ``<data_dir>/bidding/<sha256[:2]>/<sha256>`` (content-addressed), the row keeps name, type, size and
    digest, so a file changed on disk is detected when it is served."""

    __tablename__ = "bidding_tender_files"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("bidding_tenders.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    uploaded_by: Mapped[str] = mapped_column(String(100), default="")


class BidFile(TenantScoped, Base):
    """A file an opened bid declared (name, digest, document metadata): what collusion indicators
    compare across the bids of one tender."""

    __tablename__ = "bidding_bid_files"
    __table_args__ = (Index("ix_bidding_bid_files_digest", "tender_id", "sha256"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("bidding_tenders.id"), index=True)
    bid_id: Mapped[int] = mapped_column(ForeignKey("bidding_bids.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    author: Mapped[str] = mapped_column(String(100), default="")
    software: Mapped[str] = mapped_column(String(100), default="")


class Objection(TenantScoped, Base):
    """An objection (异议) to the tender documents or to the candidates; the procedure pauses until it is
    answered, which is due within three days."""

    __tablename__ = "bidding_objections"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("bidding_tenders.id"), index=True)
    stage: Mapped[str] = mapped_column(String(12))  # documents | candidates
    objector_code: Mapped[str] = mapped_column(String(18))
    objector_name: Mapped[str] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text)
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    answer_due: Mapped[date] = mapped_column(Date)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    answer: Mapped[str] = mapped_column(Text, default="")
    upheld: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__: dict[str, Any] = {"version_id_col": version}


class Expert(TenantScoped, Base):
    """A member of the tenant's expert pool (评标专家库)."""

    __tablename__ = "bidding_experts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    specialty: Mapped[str] = mapped_column(String(100), default="")
    employer_code: Mapped[str] = mapped_column(String(18), default="")
    employer_name: Mapped[str] = mapped_column(String(200), default="")
    account: Mapped[str] = mapped_column(String(100), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Panel(TenantScoped, Base):
    """The evaluation panel of a tender: drawn at random from the pool with a recorded seed, so anyone can
    repeat the draw; names are shown only once the evaluation report is out."""

    __tablename__ = "bidding_panels"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("bidding_tenders.id"), unique=True)
    seed: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    pool: Mapped[Any] = mapped_column(JSON, default=list)  # eligible expert ids, sorted, as drawn from
    excluded: Mapped[Any] = mapped_column(JSON, default=list)  # [{"id", "reason"}] conflicts of interest
    members: Mapped[Any] = mapped_column(JSON, default=list)  # drawn expert ids
    drawn_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    drawn_by: Mapped[str] = mapped_column(String(100), default="")
    revealed: Mapped[bool] = mapped_column(Boolean, default=False)


class Score(TenantScoped, Base):
    """One expert's score (0-100) for one opened bid."""

    __tablename__ = "bidding_scores"
    __table_args__ = (UniqueConstraint("expert_id", "bid_id", name="uq_bidding_scores_expert_bid"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("bidding_tenders.id"), index=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("bidding_experts.id"))
    bid_id: Mapped[int] = mapped_column(ForeignKey("bidding_bids.id"))
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    scored_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
