"""Input models of the openness plugin's forms and JSON API: every field bounded and typed, so bad input
is refused naming the field before anything changes."""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from plugins.openness.law import MAX_EXTENSION_DAYS, OUTCOMES

Channel = Literal["online", "in_person", "letter", "fax"]
RequesterKind = Literal["person", "legal", "other"]
Outcome = Literal["disclosed", "partly", "refused", "unable", "not_processed", "other"]
PHONE = re.compile(r"^[0-9+\- ]{7,20}$")
EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class DisclosureIn(_In):
    """A request as the requester states it (the online form) or the office registers it."""

    requester_kind: RequesterKind = "person"
    requester_name: str = Field(min_length=1, max_length=120)
    phone: str = Field(default="", max_length=20)
    email: str = Field(default="", max_length=120)
    address: str = Field(default="", max_length=200)
    description: str = Field(min_length=5, max_length=5000)
    department_code: str = Field(default="", max_length=64)

    @field_validator("phone")
    @classmethod
    def _phone(cls, v: str) -> str:
        if v and not PHONE.match(v):
            raise ValueError("a telephone number: digits, spaces, + and -")
        return v

    @field_validator("email")
    @classmethod
    def _email(cls, v: str) -> str:
        if v and not EMAIL.match(v):
            raise ValueError("an e-mail address such as name@example.cn")
        return v

    @model_validator(mode="after")
    def _contact(self) -> DisclosureIn:
        if not (self.phone or self.email or self.address):
            raise ValueError("give at least one way to reach the requester: phone, e-mail or address")
        return self


class DisclosureRegisterIn(DisclosureIn):
    """A request the office registers (a letter, a fax, one handed in): the channel and, for a letter or
    fax, the day it was signed for or confirmed."""

    channel: Channel
    made_on: date | None = None
    received_on: date | None = None


class ActIn(_In):
    version: int = Field(ge=1, le=2**31 - 1)


class CorrectionIn(ActIn):
    note: str = Field(min_length=2, max_length=2000)


class CompleteIn(ActIn):
    description: str = Field(min_length=5, max_length=5000)


class ConsultIn(ActIn):
    third_party: str = Field(min_length=2, max_length=200)
    note: str = Field(default="", max_length=2000)


class NoteIn(ActIn):
    note: str = Field(default="", max_length=2000)


class ExtensionIn(ActIn):
    days: int = Field(ge=1, le=MAX_EXTENSION_DAYS)
    reason: str = Field(min_length=2, max_length=2000)


class DecideIn(ActIn):
    approve: bool
    note: str = Field(default="", max_length=2000)


class DisclosureReplyIn(ActIn):
    outcome: Outcome
    ground: str = Field(default="", max_length=32, validate_default=True)
    reply: str = Field(min_length=2, max_length=10000)

    @field_validator("ground")
    @classmethod
    def _ground(cls, v: str, info: ValidationInfo) -> str:
        outcome = info.data.get("outcome")
        if outcome is None:  # the outcome itself was refused; that error names it
            return v
        grounds = OUTCOMES[outcome][2]
        if grounds and v not in grounds:
            raise ValueError("choose the legal ground of this kind of reply")
        return v if grounds else ""


class RequestQuery(_In):
    state: Literal["", "received", "correction", "consulting", "replied", "withdrawn"] = ""
    overdue: bool = False


class DisclosureReportQuery(_In):
    year: int = Field(default=0, ge=0, le=2100)


class DisclosureOut(BaseModel):
    """A request as the office sees it."""

    model_config = ConfigDict(extra="forbid", from_attributes=True)

    id: int
    number: str
    state: str
    state_title: str
    channel: str
    channel_title: str
    requester_kind: str
    requester_name: str
    description: str
    department_code: str
    made_on: date
    received_on: date
    due_on: date | None
    extension_state: str
    extension_days: int
    outcome: str
    ground: str
    outcome_title: str
    reply: str
    replied_on: date | None
    version: int


class DisclosureSubmittedOut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: int
    number: str
    received_on: date
    due_on: date | None


class DisclosureQuery(BaseModel):
    """The list's filters; ``limit`` and ``cursor`` are the pagination's (core.api.page_params)."""

    state: Literal["", "received", "correction", "consulting", "replied", "withdrawn"] = ""
    overdue: bool = False


class DisclosureReportOut(BaseModel):
    """The annual report's figures: counts per requester kind (``person``, ``legal``, ``other``, ``total``)
    for new, carried over, handled (one row per kind of reply and ground) and carried into next year;
    received per channel; replied on time, late, and extended."""

    model_config = ConfigDict(extra="forbid")

    year: int
    new: dict[str, int]
    carried: dict[str, int]
    ahead: dict[str, int]
    channels: dict[str, int]
    rows: list[dict[str, str | int]]
    handled: dict[str, int]
    timely: dict[str, int]


Category = Literal[
    "licensing",
    "penalty",
    "enforcement",
    "levy",
    "payment",
    "inspection",
    "confirmation",
    "reward",
    "adjudication",
    "other",
]


class PowerIn(_In):
    """A power of a department's list as its keeper writes it."""

    code: str = Field(min_length=2, max_length=32, pattern=r"^[A-Za-z0-9][A-Za-z0-9\-]*$")
    department_code: str = Field(min_length=1, max_length=64)
    category: Category
    name: str = Field(min_length=2, max_length=200)
    legal_basis: str = Field(min_length=2, max_length=10000)
    responsibilities: str = Field(min_length=2, max_length=10000)
    accountability: str = Field(default="", max_length=10000)
    change_note: str = Field(default="", max_length=2000)


class PowerEditIn(PowerIn):
    version: int = Field(ge=1, le=2**31 - 1)


class RepealIn(ActIn):
    note: str = Field(min_length=2, max_length=2000)


class LinkIn(_In):
    item_code: str = Field(min_length=1, max_length=64)


class PowerQuery(_In):
    department: str = Field(default="", max_length=64)
    category: Literal[
        "",
        "licensing",
        "penalty",
        "enforcement",
        "levy",
        "payment",
        "inspection",
        "confirmation",
        "reward",
        "adjudication",
        "other",
    ] = ""
