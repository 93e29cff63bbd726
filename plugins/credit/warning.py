"""Enterprise credit warning: the rule set (tenant settings) turns a subject's records and list entries
into a level — none, attention, warning, serious — with reasons and the joint reward/punishment measures.

Counted over the province network (network_scope): penalties not repaired, decided within the window;
list entries active today. The highest level any rule reaches wins.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.api import Finding
from plugins.credit.dates import add_months
from plugins.credit.models import CreditListEntry, CreditRecord
from plugins.credit.rules import LEVELS, Rules
from plugins.credit.services import active_entry

LIST_NAMES = {"red": ("红名单", "red list"), "black": ("黑名单（严重失信主体名单）", "black list"),
              "abnormal": ("经营异常名录", "abnormal operations list")}
# Measures, by code, in both languages. Codes are what approval stores and may act on.
MEASURES = {
    "no_fast_track": ("不适用告知承诺制和容缺受理", "No promise-based fast track or acceptance with gaps"),
    "manual_review": ("须人工重点审查", "Manual review required"),
    "supervision_alert": ("已推送电子监察", "Reported to electronic supervision"),
    "check_history": ("审查时关注其信用记录", "Look at the credit history when reviewing"),
    "green_channel": ("红名单绿色通道：优先办理", "Red-list green channel: handled with priority"),
}
LEVEL_MEASURES = {
    "none": (),
    "attention": ("check_history",),
    "warning": ("no_fast_track", "manual_review"),
    "serious": ("no_fast_track", "manual_review", "supervision_alert"),
}
LEVEL_NAMES = {"none": ("无预警", "no warning"), "attention": ("关注", "attention"),
               "warning": ("警示", "warning"), "serious": ("严重", "serious")}


@dataclass
class Assessment:
    code: str
    level: str = "none"
    reasons: list[dict[str, str]] = field(default_factory=list)
    measures: list[str] = field(default_factory=list)
    penalties: int = 0
    lists: list[str] = field(default_factory=list)
    # Court-confirmed bid-rigging penalties whose exclusion runs today (what bidding refuses on).
    bid_rigging: list[dict[str, str]] = field(default_factory=list)

    def raise_to(self, level: str, zh: str, en: str) -> None:
        self.reasons.append({"level": level, "zh": zh, "en": en})
        if LEVELS.index(level) > LEVELS.index(self.level):
            self.level = level


def assess(session: Session, rules: Rules, code: str, today: date) -> Assessment:
    """The subject's level today, read through ``session`` (a network-scoped session)."""
    result = Assessment(code=code)
    since = add_months(today, -int(rules["warning_window_months"]))
    _penalty_rules(session, rules, result, since)
    _list_rules(session, rules, result, today)
    _bid_rigging(session, result, today)
    result.measures = list(LEVEL_MEASURES[result.level])
    if "red" in result.lists and LEVELS.index(result.level) <= LEVELS.index("attention"):
        result.measures.append("green_channel")
    return result


def _penalty_rules(session: Session, rules: Rules, result: Assessment, since: date) -> None:
    rows = session.execute(
        select(CreditRecord.severity, func.count()).where(
            CreditRecord.subject_code == result.code, CreditRecord.kind == "penalty",
            CreditRecord.repaired_on.is_(None), CreditRecord.decision_date > since)
        .group_by(CreditRecord.severity)).all()
    counts = {sev: n for sev, n in rows}
    total = result.penalties = sum(counts.values())
    window = int(rules["warning_window_months"])
    for level in ("serious", "warning", "attention"):
        threshold = int(rules[f"warning_{level}_count"])
        if total >= threshold:
            result.raise_to(level, f"近{window}个月内受到行政处罚{total}次（≥{threshold}次）",
                            f"{total} penalties in the last {window} months (threshold {threshold})")
            break
    if counts.get("serious"):
        level = rules["warning_serious_penalty_level"]
        if level != "none":
            result.raise_to(level, f"近{window}个月内受到严重行政处罚{counts['serious']}次",
                            f"{counts['serious']} serious penalties in the last {window} months")


def _bid_rigging(session: Session, result: Assessment, today: date) -> None:
    """Court-confirmed bid-rigging penalties, not repaired, whose exclusion from bidding runs today: each
    is a reason at the serious level and listed in ``bid_rigging`` (the fact bidding acts on)."""
    rows = session.execute(
        select(CreditRecord.decision_number, CreditRecord.decision_date, CreditRecord.debarred_until,
               CreditRecord.source_department).where(
            CreditRecord.subject_code == result.code, CreditRecord.kind == "penalty",
            CreditRecord.category == "bid_rigging", CreditRecord.court_confirmed.is_(True),
            CreditRecord.repaired_on.is_(None), CreditRecord.decision_date <= today,
            CreditRecord.debarred_until > today)
        .order_by(CreditRecord.debarred_until.desc(), CreditRecord.decision_number)).all()
    for number, decided, until, department in rows:
        end = until.isoformat() if until else ""  # never None: the query asks debarred_until > today
        result.bid_rigging.append({"decision_number": number, "decision_date": decided.isoformat(),
                                   "debarred_until": end, "source_department": department})
        result.raise_to("serious", f"因串通投标受到行政处罚（{number}，经法院确认），{end} 前禁止参加投标",
                        f"court-confirmed bid-rigging penalty ({number}): excluded from bidding until {end}")


def _list_rules(session: Session, rules: Rules, result: Assessment, today: date) -> None:
    kinds = session.scalars(select(CreditListEntry.list_type).where(
        CreditListEntry.subject_code == result.code, active_entry(today)).distinct()).all()
    result.lists = sorted(kinds)
    levels = dict(rules["warning_list_levels"])
    for kind in result.lists:
        zh, en = LIST_NAMES[kind]
        level = levels.get(kind)
        if level and level != "none":
            result.raise_to(level, f"列入{zh}", f"on the {en}")
        elif kind == "red":
            result.reasons.append({"level": "none", "zh": f"列入{zh}", "en": f"on the {en}"})


def finding(result: Assessment, subject: dict[str, Any], tenant_id: int) -> Finding:
    """What the acceptance check tells approval (and the handler sees)."""
    zh_level, en_level = LEVEL_NAMES[result.level]
    why_zh = "；".join(r["zh"] for r in result.reasons) or "无不良信用记录"
    why_en = "; ".join(r["en"] for r in result.reasons) or "no adverse credit records"
    measures_zh = "、".join(MEASURES[m][0] for m in result.measures)
    measures_en = "; ".join(MEASURES[m][1] for m in result.measures)
    return Finding(
        source="credit", code=f"credit.warning.{result.level}",
        level="info" if result.level == "none" else result.level,  # type: ignore[arg-type]
        message_zh=f"信用预警：{zh_level}。{why_zh}" + (f"。措施：{measures_zh}" if measures_zh else ""),
        message_en=f"Credit warning: {en_level}. {why_en}"
                   + (f". Measures: {measures_en}" if measures_en else ""),
        object_type="credit.subject", object_id=result.code, tenant_id=tenant_id,
        facts={"level": result.level, "reasons": result.reasons, "penalties": result.penalties,
               "lists": result.lists, "subject_name": subject.get("name", ""),
               # Non-empty: a court-confirmed bid-rigging penalty excludes the subject from bidding.
               "bid_rigging": result.bid_rigging},
        measures=tuple(result.measures),
    )
