"""Tables of joint equity trading (产权交易): transfer projects with their disclosure periods, term changes
(supplements), intending buyers with their qualification, deposit and shareholders, the online auction
with its append-only bid log, the award (the winner, then the second bidder) and the deal (contract,
payments, result notice, trade certificate).

Every table is tenant-owned (the exchange's tenant) and gets row-level security on PostgreSQL.
Money is kept in cents (fen) as integers.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.api import Base, BigId, TenantScoped, UTCDateTime, utcnow

STATUSES: dict[str, tuple[str, str]] = {
    "draft": ("待审核", "Awaiting review"),
    "pre_disclosure": ("预披露中", "Pre-disclosure"),
    "disclosure": ("正式披露中", "Formal disclosure"),
    "qualification": ("资格确认中", "Confirming buyers"),
    "auction": ("网络竞价", "Online auction"),
    "agreement": ("协议转让", "Transfer by agreement"),
    "deal": ("已成交", "Deal concluded"),
    "concluded": ("已出具交易凭证", "Certificate issued"),
    "failed": ("未征集到合格受让方", "No qualified buyer"),
    "reappraisal": ("需重新评估并披露", "Must be re-appraised"),
}
BUYER_STATES: dict[str, tuple[str, str]] = {
    "registered": ("已登记", "Registered"),
    "qualified": ("合格受让方", "Qualified"),
    "rejected": ("未通过资格确认", "Not qualified"),
}
AUCTION_STATES: dict[str, tuple[str, str]] = {
    "scheduled": ("待开始", "Not started"),
    "free": ("自由报价期", "Free bidding"),
    "timed": ("限时报价期", "Timed bidding"),
    "closed": ("已结束", "Closed"),
}
METHODS: dict[str, tuple[str, str]] = {
    "auction": ("网络竞价（多次报价）", "Online auction (ascending)"),
}
CREDIT_LEVELS: dict[str, tuple[str, str]] = {  # the credit plugin's warning levels, as it names them
    "none": ("无预警", "No warning"),
    "attention": ("关注", "Attention"),
    "warning": ("预警", "Warning"),
    "serious": ("严重预警", "Serious warning"),
}
DEPOSIT_STATES: dict[str, tuple[str, str]] = {
    "": ("未退还", "Held"),
    "refunded": ("已退还", "Refunded"),
    "forfeited": ("不予退还（违约）", "Forfeited (default)"),
}
AWARD_STATES: dict[str, tuple[str, str]] = {
    "open": ("待签约付款", "Awaiting contract and payment"),
    "signed": ("已签约", "Contract signed"),
    "defaulted": ("违约（未签约或未付款）", "Defaulted (did not sign or pay)"),
}
PAYMENT_MODES: dict[str, tuple[str, str]] = {
    "full": ("一次性付款", "Payment in full"),
    "instalment": ("分期付款", "Instalments"),
}


class Project(TenantScoped, Base):
    """A transfer project (转让项目): who sells what, at which price, to whom, disclosed when.

    ``*_earliest_end`` are the statutory earliest last days of each disclosure (20 working days, counted by
    the legal clock when the period was set), kept so supervision compares columns in SQL."""

    __tablename__ = "equity_projects"
    __table_args__ = (
        UniqueConstraint("tenant_id", "number", name="uq_equity_projects_number"),
        Index("ix_equity_projects_list", "tenant_path", "status", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    number: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(200))
    target: Mapped[str] = mapped_column(Text)  # 转让标的
    seller_name: Mapped[str] = mapped_column(String(200))
    seller_code: Mapped[str] = mapped_column(String(18))
    seller_representative: Mapped[str] = mapped_column(String(100), default="")
    supervisor_name: Mapped[str] = mapped_column(String(200))  # 国家出资企业或国资监管机构
    appraisal_cents: Mapped[int] = mapped_column(BigInteger)
    appraisal_approved_by: Mapped[str] = mapped_column(String(200))
    appraisal_approved_on: Mapped[date] = mapped_column(Date)
    listing_cents: Mapped[int] = mapped_column(BigInteger)
    consent_name: Mapped[str] = mapped_column(String(200), default="")  # written consent below 90%
    consent_sha256: Mapped[str] = mapped_column(String(64), default="")
    conditions: Mapped[str] = mapped_column(Text, default="")  # 受让方资格条件
    conditions_reviewed_by: Mapped[str] = mapped_column(String(100), default="")
    method: Mapped[str] = mapped_column(String(20), default="auction")
    increment_cents: Mapped[int] = mapped_column(BigInteger)
    deposit_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    control_change: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    status_reason: Mapped[str] = mapped_column(Text, default="")
    pre_start: Mapped[date | None] = mapped_column(Date, nullable=True)
    pre_end: Mapped[date | None] = mapped_column(Date, nullable=True)
    pre_earliest_end: Mapped[date | None] = mapped_column(Date, nullable=True)
    formal_start: Mapped[date | None] = mapped_column(Date, nullable=True)
    formal_end: Mapped[date | None] = mapped_column(Date, nullable=True)
    formal_earliest_end: Mapped[date | None] = mapped_column(Date, nullable=True)
    first_listed_on: Mapped[date | None] = mapped_column(Date, nullable=True)  # the 12 months count from here
    created_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__: dict[str, Any] = {"version_id_col": version}


class Change(TenantScoped, Base):
    """A change of terms (a supplement, a relisting): what changed, when, and whether a new disclosure
    period started with it (``restarted``). A change on a day of formal disclosure without a restart is
    what supervision flags."""

    __tablename__ = "equity_changes"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("equity_projects.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # supplement | relist
    made_on: Mapped[date] = mapped_column(Date)
    during_formal: Mapped[bool] = mapped_column(Boolean, default=False)
    restarted: Mapped[bool] = mapped_column(Boolean, default=False)
    before: Mapped[Any] = mapped_column(Text, default="")  # JSON of the changed terms before
    after: Mapped[Any] = mapped_column(Text, default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    actor: Mapped[str] = mapped_column(String(100))


class Buyer(TenantScoped, Base):
    """An intending buyer (意向受让方) of a project: a legal person with its qualification and deposit."""

    __tablename__ = "equity_buyers"
    __table_args__ = (UniqueConstraint("project_id", "credit_code", name="uq_equity_buyers_code"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("equity_projects.id"), index=True)
    credit_code: Mapped[str] = mapped_column(String(18))
    name: Mapped[str] = mapped_column(String(200))
    representative: Mapped[str] = mapped_column(String(100), default="")
    qualification: Mapped[str] = mapped_column(Text, default="")
    credit_level: Mapped[str] = mapped_column(String(12), default="")  # "" when credit is off
    deposit_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    deposit_paid_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    deposit_state: Mapped[str] = mapped_column(String(12), default="")  # "" | refunded | forfeited
    deposit_settled_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    status: Mapped[str] = mapped_column(String(12), default="registered")
    status_reason: Mapped[str] = mapped_column(Text, default="")
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__: dict[str, Any] = {"version_id_col": version}


class Auction(TenantScoped, Base):
    """The online auction of a project: ascending from ``start_cents`` in steps of ``increment_cents``;
    free bidding until ``free_end``, then a timed period where each accepted bid sets ``closes_at`` to its
    server time plus ``countdown_seconds``. ``attempts`` is bumped first by every bid: the row lock that
    serialises bids (PostgreSQL) and the write lock (SQLite)."""

    __tablename__ = "equity_auctions"
    __table_args__ = (UniqueConstraint("project_id", name="uq_equity_auctions_project"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("equity_projects.id"))
    start_cents: Mapped[int] = mapped_column(BigInteger)
    increment_cents: Mapped[int] = mapped_column(BigInteger)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    free_end: Mapped[datetime] = mapped_column(UTCDateTime())
    countdown_seconds: Mapped[int] = mapped_column(Integer, default=300)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime())
    current_cents: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    leader_id: Mapped[int | None] = mapped_column(BigId, nullable=True)
    accepted: Mapped[int] = mapped_column(Integer, default=0)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    closed: Mapped[bool] = mapped_column(Boolean, default=False)


class Bid(TenantScoped, Base):
    """The append-only bid log: every attempt with the server time, accepted or refused (with why).
    Accepted bids carry ``seq`` and ``accepted_cents``; the unique constraints make a lost or a double
    acceptance impossible even if the serialisation failed."""

    __tablename__ = "equity_bids"
    __table_args__ = (
        UniqueConstraint("auction_id", "seq", name="uq_equity_bids_seq"),
        UniqueConstraint("auction_id", "accepted_cents", name="uq_equity_bids_price"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    auction_id: Mapped[int] = mapped_column(ForeignKey("equity_auctions.id"), index=True)
    buyer_id: Mapped[int] = mapped_column(BigId)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    seq: Mapped[int | None] = mapped_column(Integer, nullable=True)
    accepted_cents: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    refused: Mapped[str] = mapped_column(String(30), default="")


class Deal(TenantScoped, Base):
    """The deal: contract, payment plan and payments, the result notice and the trade certificate
    (交易凭证), a signed document verified on a public page."""

    __tablename__ = "equity_deals"
    __table_args__ = (UniqueConstraint("project_id", "buyer_id", name="uq_equity_deals_buyer"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("equity_projects.id"))
    buyer_id: Mapped[int] = mapped_column(BigId)
    buyer_name: Mapped[str] = mapped_column(String(200))
    buyer_code: Mapped[str] = mapped_column(String(18))
    price_cents: Mapped[int] = mapped_column(BigInteger)
    via: Mapped[str] = mapped_column(String(12))  # auction | agreement
    contract_no: Mapped[str] = mapped_column(String(60), default="")
    signed_on: Mapped[date] = mapped_column(Date)
    mode: Mapped[str] = mapped_column(String(12), default="full")
    down_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    down_due: Mapped[date] = mapped_column(Date)  # 5 working days after signing
    rest_due: Mapped[date | None] = mapped_column(Date, nullable=True)
    rest_limit: Mapped[date | None] = mapped_column(Date, nullable=True)  # one year after signing
    paid_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    down_paid_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    paid_in_full_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    notice_start: Mapped[date | None] = mapped_column(Date, nullable=True)
    notice_end: Mapped[date | None] = mapped_column(Date, nullable=True)
    notice_earliest_end: Mapped[date | None] = mapped_column(Date, nullable=True)
    certificate_no: Mapped[str | None] = mapped_column(String(40), nullable=True, unique=True)
    certificate_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    canonical: Mapped[str] = mapped_column(Text, default="")
    signature: Mapped[str] = mapped_column(String(100), default="")
    key_id: Mapped[str] = mapped_column(String(80), default="")
    void: Mapped[bool] = mapped_column(Boolean, default=False)  # the buyer defaulted: the award moved on
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__: dict[str, Any] = {"version_id_col": version}


class Award(TenantScoped, Base):
    """Who may conclude the deal after the auction, and until when (Prozorro.Sale's award with its
    signing and payment windows): rank 1 is the winner; when the winner defaults (does not sign by
    ``sign_due`` or pay the down payment by the deal's ``down_due``) its deposit is forfeited and rank 2,
    the second-highest bidder, is offered the deal at its own highest bid. A second default sends the
    project back to listing."""

    __tablename__ = "equity_awards"
    __table_args__ = (UniqueConstraint("project_id", "rank", name="uq_equity_awards_rank"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("equity_projects.id"), index=True)
    rank: Mapped[int] = mapped_column(Integer)
    buyer_id: Mapped[int] = mapped_column(BigId)
    price_cents: Mapped[int] = mapped_column(BigInteger)
    awarded_on: Mapped[date] = mapped_column(Date)
    sign_due: Mapped[date] = mapped_column(Date)  # working days on the legal clock (law.SIGNING)
    status: Mapped[str] = mapped_column(String(12), default="open")
    reason: Mapped[str] = mapped_column(Text, default="")
    closed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__: dict[str, Any] = {"version_id_col": version}


class Shareholder(TenantScoped, Base):
    """A shareholder of the seller (``buyer_id`` empty) or of an intending buyer, entered by the exchange,
    declared at registration or received with the credit check; the related-buyer rule compares them."""

    __tablename__ = "equity_shareholders"
    __table_args__ = (Index("ix_equity_shareholders_project", "project_id", "buyer_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("equity_projects.id"))
    buyer_id: Mapped[int | None] = mapped_column(BigId, nullable=True)
    name: Mapped[str] = mapped_column(String(200))
    credit_code: Mapped[str] = mapped_column(String(18), default="")
    source: Mapped[str] = mapped_column(String(12), default="entered")  # entered | declared | received
    recorded_by: Mapped[str] = mapped_column(String(100), default="")
