"""The statutory periods of an open tender, each computed by the core legal clock and shown with its basis.

Counting follows the Civil Code (art. 201, 203): a period in days starts the day after the act, and a last
day that falls on a statutory holiday moves to the next working day. ``add_calendar_days`` does both.

Sources: 招标投标法 (the Bidding Law, BL) and 招标投标法实施条例 (its Implementing Regulation, IR).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from core.api import add_calendar_days


@dataclass(frozen=True)
class Period:
    code: str
    days: int
    zh: str
    en: str
    basis_zh: str
    basis_en: str


DOCUMENTS = Period(
    "documents",
    5,
    "招标文件发售期不得少于 5 日",
    "Tender documents available for at least 5 days",
    "《招标投标法实施条例》第十六条",
    "Implementing Regulation, art. 16",
)
BID_DEADLINE = Period(
    "bid_deadline",
    20,
    "自招标文件开始发出之日起至投标截止之日止不得少于 20 日",
    "At least 20 days from the issue of the documents to the bid deadline",
    "《招标投标法》第二十四条",
    "Bidding Law, art. 24",
)
CLARIFICATION = Period(
    "clarification",
    15,
    "影响投标文件编制的澄清或修改须在投标截止 15 日前发出，不足 15 日的顺延截止时间",
    "A clarification affecting bids must precede the deadline by 15 days; otherwise the deadline moves",
    "《招标投标法》第二十三条、《实施条例》第二十一条",
    "Bidding Law, art. 23; Implementing Regulation, art. 21",
)
DOCUMENT_OBJECTION = Period(
    "document_objection",
    10,
    "对招标文件的异议应在投标截止 10 日前提出",
    "Objections to the documents up to 10 days before the deadline",
    "《招标投标法实施条例》第二十二条",
    "Implementing Regulation, art. 22",
)
ANSWER = Period(
    "answer",
    3,
    "招标人应自收到异议之日起 3 日内答复，答复前暂停招标投标活动",
    "Objections answered within 3 days; the procedure pauses meanwhile",
    "《招标投标法实施条例》第二十二条、第五十四条",
    "Implementing Regulation, art. 22 and 54",
)
PUBLICITY = Period(
    "publicity",
    3,
    "中标候选人公示期不得少于 3 日",
    "Candidates published for at least 3 days",
    "《招标投标法实施条例》第五十四条",
    "Implementing Regulation, art. 54",
)
CONTRACT = Period(
    "contract",
    30,
    "自中标通知书发出之日起 30 日内订立书面合同",
    "Contract within 30 days of the award notice",
    "《招标投标法》第四十六条",
    "Bidding Law, art. 46",
)
BOND_REFUND = Period(
    "bond_refund",
    5,
    "书面合同签订后 5 日内退还投标保证金",
    "Bid bonds refunded within 5 days of the contract",
    "《招标投标法实施条例》第五十七条",
    "Implementing Regulation, art. 57",
)
BOND_CAP = Period(
    "bond_cap",
    0,
    "投标保证金不得超过招标项目估算价的 2%",
    "A bid bond may not exceed 2% of the estimated price",
    "《招标投标法实施条例》第二十六条",
    "Implementing Regulation, art. 26",
)
PANEL = Period(
    "panel",
    5,
    "评标委员会成员为 5 人以上单数，从专家库随机抽取",
    "The panel has 5 or more members, an odd number, drawn at random from the pool",
    "《招标投标法》第三十七条、《实施条例》第四十六条",
    "Bidding Law, art. 37; Implementing Regulation, art. 46",
)
MIN_BIDS = Period(
    "min_bids",
    3,
    "投标人少于 3 个的，不得开标，招标人应当依法重新招标",
    "With fewer than 3 bids the tender fails and must be repeated",
    "《招标投标法》第二十八条",
    "Bidding Law, art. 28",
)

ALL = (
    DOCUMENTS,
    BID_DEADLINE,
    CLARIFICATION,
    DOCUMENT_OBJECTION,
    ANSWER,
    PUBLICITY,
    CONTRACT,
    BOND_REFUND,
    BOND_CAP,
    PANEL,
    MIN_BIDS,
)


def end(start: date, period: Period, days: int | None = None) -> date:
    """The last day of ``period`` counted from ``start`` (the next working day if it falls on a holiday)."""
    return add_calendar_days(start, period.days if days is None else days, roll_to_working_day=True)


def latest_before(deadline_day: date, period: Period) -> date:
    """The last day on which an act that must precede ``deadline_day`` by ``period`` is still on time."""
    return add_calendar_days(deadline_day, -period.days)


@dataclass(frozen=True)
class Breach:
    period: Period
    field: str
    detail_zh: str
    detail_en: str

    @property
    def message_zh(self) -> str:
        return f"{self.period.zh}（{self.period.basis_zh}）：{self.detail_zh}"

    @property
    def message_en(self) -> str:
        return f"{self.period.en} ({self.period.basis_en}): {self.detail_en}"


def schedule_breaches(
    *,
    documents_from: date,
    documents_until: date,
    deadline_day: date,
    estimated_cents: int,
    bond_cents: int,
    publicity_days: int,
) -> list[Breach]:
    """Every period the proposed schedule breaks (empty: lawful)."""
    out = []
    docs_min = end(documents_from, DOCUMENTS)
    if documents_until < docs_min:
        out.append(
            Breach(
                DOCUMENTS, "documents_until", f"最早可为 {docs_min}", f"the earliest lawful day is {docs_min}"
            )
        )
    bid_min = end(documents_from, BID_DEADLINE)
    if deadline_day < bid_min:
        out.append(
            Breach(
                BID_DEADLINE,
                "deadline",
                f"截止日最早可为 {bid_min}",
                f"the earliest lawful deadline is {bid_min}",
            )
        )
    if documents_until > deadline_day:
        out.append(
            Breach(
                DOCUMENTS,
                "documents_until",
                "发售期不得晚于投标截止日",
                "documents cannot be sold after the deadline",
            )
        )
    if bond_cents * 50 > estimated_cents:
        out.append(
            Breach(
                BOND_CAP,
                "bond_cents",
                f"最高 {estimated_cents / 5000:.2f} 元",
                f"at most {estimated_cents / 5000:.2f} yuan",
            )
        )
    if publicity_days < PUBLICITY.days:
        out.append(
            Breach(
                PUBLICITY, "publicity_days", f"设定为 {publicity_days} 日", f"set to {publicity_days} days"
            )
        )
    return out
