"""The record types a feed carries: one pydantic schema per type, its table, its natural key, the rule
pack it serves, and how a valid record becomes a row (derived columns counted by the legal clock).

A stream name is ``<pack>.<type>`` (``fiscal.payment``). Every record carries ``source_time``, the
sending system's time of this version of the record: a newer one replaces an older one, never the
reverse. ``department_code`` defaults to the sending system's department.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator
from stdnum.cn import ric, uscc

from core.api import add_calendar_days, add_working_days, working_days_between
from plugins.feeds import models as M

PACKS: dict[str, tuple[str, str, str]] = {
    # pack: (kind of power in supervision, zh, en)
    "fiscal": ("fiscal", "财政收支", "Fiscal revenue and expenditure"),
    "cadre": ("cadre_personnel", "干部人事", "Cadre personnel"),
    "judicial": ("judicial_enforcement", "司法执法", "Judicial enforcement"),
    "livelihood": ("livelihood_conduct", "惠民资金", "Livelihood funds"),
}

Code = Field(min_length=1, max_length=60, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:/-]*$")
Cents = Field(ge=0, le=10**15)


class RecordIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    source_time: AwareDatetime
    department_code: str | None = Field(None, min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")


def _person(v: str) -> str:
    try:
        return str(ric.validate(v))
    except Exception:
        raise ValueError("not a valid resident ID number 不是有效的公民身份号码") from None


def _credit_code(v: str) -> str:
    try:
        return str(uscc.validate(v))
    except Exception:
        raise ValueError("not a valid unified social credit code 不是有效的统一社会信用代码") from None


class BudgetLineIn(RecordIn):
    line_code: str = Code
    title: str = Field(min_length=1, max_length=200)
    year: int = Field(ge=2000, le=2100)
    amount_cents: int = Cents
    special_fund: bool = False
    deadline: date | None = None

    @model_validator(mode="after")
    def _deadline(self) -> BudgetLineIn:
        if self.special_fund and self.deadline is None:
            raise ValueError("deadline: a special fund needs its deadline 专项资金须填写支付期限")
        return self


class PaymentIn(RecordIn):
    payment_no: str = Code
    line_code: str = Code
    supplier_code: str = Field(min_length=18, max_length=18)
    supplier_name: str = Field(min_length=1, max_length=200)
    amount_cents: int = Field(gt=0, le=10**15)
    paid_on: date
    purpose: str = Field("", max_length=200)

    _check_supplier = field_validator("supplier_code")(classmethod(lambda cls, v: _credit_code(v)))


class AppointmentIn(RecordIn):
    appointment_no: str = Code
    person_code: str = Code
    person_name: str = Field(min_length=1, max_length=60)
    post_code: str = Code
    post_title: str = Field(min_length=1, max_length=100)
    publicity_start: date | None = None
    publicity_end: date | None = None
    objections_open: int = Field(0, ge=0, le=10_000)
    appointed_on: date
    left_on: date | None = None

    @model_validator(mode="after")
    def _publicity(self) -> AppointmentIn:
        if (self.publicity_start is None) != (self.publicity_end is None):
            raise ValueError(
                "publicity_end: give both ends of the publicity or neither 公示起止日期须同时填写"
            )
        if self.publicity_start and self.publicity_end and self.publicity_end < self.publicity_start:
            raise ValueError("publicity_end: before its start 公示结束日期早于开始日期")
        return self


class RelativeIn(RecordIn):
    person_code: str = Code
    relative_code: str = Code
    relation: Literal["spouse", "parent", "child", "sibling", "in_law", "other"]


class CaseIn(RecordIn):
    case_no: str = Code
    violation_code: str = Code
    violation_title: str = Field(min_length=1, max_length=200)
    opened_on: date
    limit_days: int = Field(ge=1, le=3650)
    limit_unit: Literal["working", "calendar"] = "calendar"
    closed_on: date | None = None
    penalty_cents: int | None = Field(None, ge=0, le=10**15)
    notice_required: bool = False
    notice_served_on: date | None = None

    @model_validator(mode="after")
    def _dates(self) -> CaseIn:
        if self.closed_on is not None and self.closed_on < self.opened_on:
            raise ValueError("closed_on: before the case was opened 结案日期早于立案日期")
        return self


class SubsidyPaymentIn(RecordIn):
    payment_no: str = Code
    subsidy_code: str = Code
    subsidy_title: str = Field(min_length=1, max_length=100)
    payee_id: str = Field(min_length=18, max_length=18)
    payee_name: str = Field(min_length=1, max_length=60)
    period: str = Field(pattern=r"^20[0-9]{2}-(0[1-9]|1[0-2])$")
    amount_cents: int = Field(gt=0, le=10**12)
    paid_on: date

    _check_payee = field_validator("payee_id")(classmethod(lambda cls, v: _person(v)))


class DeathIn(RecordIn):
    person_id: str = Field(min_length=18, max_length=18)
    died_on: date

    _check_person = field_validator("person_id")(classmethod(lambda cls, v: _person(v)))


class StaffMemberIn(RecordIn):
    staff_department: str = Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")
    person_id: str = Field(min_length=18, max_length=18)
    person_name: str = Field(min_length=1, max_length=60)

    _check_person = field_validator("person_id")(classmethod(lambda cls, v: _person(v)))


def _appointment_row(r: dict[str, Any], calendar: Any) -> None:
    start, end = r.get("publicity_start"), r.get("publicity_end")
    if not (start and end):
        r["publicity_days"] = None
        return
    # Publicity ends where it was meant to or the day before the appointment, whichever is first; its
    # first day counts (working days after the day before the start, up to the end).
    end = min(end, add_calendar_days(r["appointed_on"], -1))
    r["publicity_days"] = max(0, working_days_between(add_calendar_days(start, -1), end, calendar))


def _case_row(r: dict[str, Any], calendar: Any) -> None:
    if r["limit_unit"] == "working":
        r["deadline"] = add_working_days(r["opened_on"], r["limit_days"], calendar)
    else:
        r["deadline"] = add_calendar_days(
            r["opened_on"], r["limit_days"], roll_to_working_day=True, calendar=calendar
        )


@dataclass(frozen=True)
class Stream:
    name: str
    title_zh: str
    title_en: str
    schema: type[RecordIn]
    model: type[Any]
    derive: Callable[[dict[str, Any], Any], None] | None = None

    @property
    def pack(self) -> str:
        return self.name.split(".")[0]

    @property
    def key(self) -> tuple[str, ...]:
        return tuple(self.model.__natural_key__)

    @property
    def table(self) -> Any:
        return self.model.__table__

    def key_of(self, row: dict[str, Any]) -> tuple[Any, ...]:
        return tuple(row[k] for k in self.key)


STREAMS: dict[str, Stream] = {
    s.name: s
    for s in (
        Stream("fiscal.budget_line", "预算指标", "Budget lines", BudgetLineIn, M.BudgetLine),
        Stream("fiscal.payment", "国库支付", "Treasury payments", PaymentIn, M.Payment),
        Stream(
            "cadre.appointment",
            "干部任免",
            "Cadre appointments",
            AppointmentIn,
            M.Appointment,
            _appointment_row,
        ),
        Stream("cadre.relative", "亲属关系", "Declared relatives", RelativeIn, M.Relative),
        Stream("judicial.case", "执法案件", "Enforcement cases", CaseIn, M.Case, _case_row),
        Stream("livelihood.payment", "惠民补贴发放", "Subsidy payments", SubsidyPaymentIn, M.SubsidyPayment),
        Stream("livelihood.death", "死亡人员登记", "Register of deaths", DeathIn, M.Death),
        Stream("livelihood.staff", "财政供养人员", "Staff registers", StaffMemberIn, M.StaffMember),
    )
}


def version_of(when: datetime) -> int:
    """The record version: its source time in microseconds since the epoch (UTC)."""
    return int(when.timestamp()) * 1_000_000 + when.microsecond
