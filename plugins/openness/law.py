"""What the Regulations on Open Government Information (《中华人民共和国政府信息公开条例》, 2019) fix for a
request (依申请公开): the channels and the day each counts as received (art. 31), the reply period
(art. 33: 20 working days, one extension of at most 20 with the office head's approval), completing a
request (art. 30: the period runs from the completed request), consulting a third party (art. 32: 15
working days for them, not counted in the period), and the kinds of reply (art. 36) with the grounds
the annual report counts them by (the State Council's report format, 2021).

Names are (Chinese, English) pairs: pages show the name, never the key."""

from __future__ import annotations

from datetime import date
from typing import Any

from core.api import Period, add_working_days, calendar_for

REPLY_DAYS = 20
MAX_EXTENSION_DAYS = 20
THIRD_PARTY_DAYS = 15
COMPLETION_NOTICE_DAYS = 7  # art. 30: ask for completion once, within 7 working days of receipt
BASIS = "《政府信息公开条例》第三十三条"

CHANNELS: dict[str, tuple[str, str]] = {
    "online": ("网上申请", "Online"),
    "in_person": ("当面提交", "In person"),
    "letter": ("信函邮寄", "By post"),
    "fax": ("传真", "By fax"),
}
# Art. 31: in person, the day it is handed in; by post, the day the office signs for it; online (through
# this hall, which confirms at once) and by fax or e-mail, the day both sides confirm it.
RECEIVED_RULES: dict[str, tuple[str, str]] = {
    "online": ("以提交之日为收到申请之日", "received on the day it is submitted"),
    "in_person": ("以提交之日为收到申请之日", "received on the day it is handed in"),
    "letter": ("以行政机关签收之日为收到申请之日", "received on the day the office signs for it"),
    "fax": ("以双方确认之日为收到申请之日", "received on the day both sides confirm it"),
}
# Channels whose received day the office enters (a letter's signature, a fax's confirmation).
DATED_CHANNELS = ("letter", "fax")

REQUESTER_KINDS: dict[str, tuple[str, str]] = {
    "person": ("自然人", "Natural person"),
    "legal": ("法人", "Legal person"),
    "other": ("其他组织", "Other organisation"),
}

STATES: dict[str, tuple[str, str]] = {
    "received": ("办理中", "In progress"),
    "correction": ("待申请人补正", "Waiting for the requester to complete it"),
    "consulting": ("征求第三方意见", "Consulting a third party"),
    "replied": ("已答复", "Replied"),
    "withdrawn": ("已撤回", "Withdrawn"),
}
OPEN_STATES = ("received", "correction", "consulting")
CLOCK_STATES = ("received", "consulting")  # correction: no period runs until the request is complete

# Reply kinds (art. 36) and the grounds the annual report counts: key -> (zh, en, grounds).
GROUNDS_REFUSED: dict[str, tuple[str, str]] = {
    "state_secret": ("属于国家秘密", "A state secret"),
    "law_forbids": ("其他法律行政法规禁止公开", "Other laws or regulations forbid it"),
    "security": ("危及“三安全一稳定”", "Would endanger security or stability"),
    "third_party": ("保护第三方合法权益", "Protects a third party's lawful rights"),
    "internal": ("属于三类内部事务信息", "Internal affairs information"),
    "process": ("属于四类过程性信息", "Process information"),
    "case_file": ("属于行政执法案卷", "An administrative enforcement case file"),
    "query": ("属于行政查询事项", "An administrative enquiry matter"),
}
GROUNDS_UNABLE: dict[str, tuple[str, str]] = {
    "not_held": ("本机关不掌握相关政府信息", "This office does not hold it"),
    "to_be_made": ("没有现成信息需要另行制作", "It would have to be made"),
    "unclear": ("补正后申请内容仍不明确", "Still unclear after completion"),
}
GROUNDS_NOT_PROCESSED: dict[str, tuple[str, str]] = {
    "petition": ("信访举报投诉类申请", "A petition, report or complaint"),
    "repeated": ("重复申请", "A repeated request"),
    "publication": ("要求提供公开出版物", "Asks for a public publication"),
    "abusive": ("无正当理由大量反复申请", "Many repeated requests without good reason"),
    "confirm": ("要求行政机关确认或重新出具已获取信息", "Asks to confirm or reissue what was obtained"),
}
GROUNDS_OTHER: dict[str, tuple[str, str]] = {
    "not_completed": ("申请人无正当理由逾期不补正", "Not completed in time without good reason"),
    "not_government": ("不属于政府信息", "Not government information"),
    "other_office": ("不属于本机关负责公开", "Another office is responsible"),
    "withdrawn": ("申请人撤回申请", "Withdrawn by the requester"),
    "other": ("其他", "Other"),
}
OUTCOMES: dict[str, tuple[str, str, dict[str, tuple[str, str]]]] = {
    "disclosed": ("予以公开", "Disclosed", {}),
    "partly": ("部分公开", "Partly disclosed", GROUNDS_REFUSED),
    "refused": ("不予公开", "Refused", GROUNDS_REFUSED),
    "unable": ("无法提供", "Cannot be provided", GROUNDS_UNABLE),
    "not_processed": ("不予处理", "Not processed", GROUNDS_NOT_PROCESSED),
    "other": ("其他处理", "Other handling", GROUNDS_OTHER),
}
# The ``partly`` ground names what was withheld; every kind but ``disclosed`` needs one.


def outcome_name(outcome: str, ground: str, lang: str) -> str:
    zh, en, grounds = OUTCOMES.get(outcome, (outcome, outcome, {}))
    gzh, gen = grounds.get(ground, ("", ""))
    if lang == "zh-CN":
        return f"{zh}（{gzh}）" if gzh else zh
    return f"{en} ({gen})" if gen else en


def reply_period(start: date) -> Period:
    return Period(start, REPLY_DAYS, basis=BASIS)


def due_of(period: Period, platform: Any, tenant: Any, as_of: date | None = None) -> date:
    """The last day to reply, on the tenant's calendar (a running pause counted up to ``as_of``)."""
    return period.deadline(as_of, calendar_for(platform, tenant))


def third_party_due(on: date, platform: Any, tenant: Any) -> date:
    return add_working_days(on, THIRD_PARTY_DAYS, calendar_for(platform, tenant))


# -- power and responsibility lists (权责清单) -------------------------------------------------------------

POWER_CATEGORIES: dict[str, tuple[str, str]] = {
    "licensing": ("行政许可", "Licensing"),
    "penalty": ("行政处罚", "Penalty"),
    "enforcement": ("行政强制", "Enforcement measure"),
    "levy": ("行政征收", "Levy"),
    "payment": ("行政给付", "Payment"),
    "inspection": ("行政检查", "Inspection"),
    "confirmation": ("行政确认", "Confirmation"),
    "reward": ("行政奖励", "Reward"),
    "adjudication": ("行政裁决", "Adjudication"),
    "other": ("其他行政权力", "Other"),
}
POWER_STATES: dict[str, tuple[str, str]] = {
    "draft": ("草稿", "Draft"),
    "published": ("已公布", "Published"),
    "superseded": ("已被新版本替代", "Superseded"),
    "repealed": ("已取消", "Repealed"),
}
