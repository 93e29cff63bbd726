"""Input models of the interaction plugin's forms and JSON API: every field bounded and typed, so bad
input is refused naming the field before anything changes."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Kind = Literal["consultation", "complaint", "suggestion", "help"]
PHONE = r"^1[3-9]\d{9}$"


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class TicketIn(_In):
    kind: Kind
    title: str = Field(min_length=2, max_length=120)
    content: str = Field(min_length=5, max_length=5000)
    name: str = Field(min_length=1, max_length=60)
    phone: str = Field(default="", max_length=20)
    code: str = Field(default="", max_length=6)
    about_department: str = Field(default="", max_length=64)
    about_item: str = Field(default="", max_length=64)
    about_application: str = Field(default="", max_length=64)
    public_ok: bool = False

    @field_validator("phone")
    @classmethod
    def _phone(cls, v: str) -> str:
        import re

        if v and not re.match(PHONE, v):
            raise ValueError("a mainland mobile number of 11 digits, starting with 1")
        return v


class PhoneIn(_In):
    phone: str = Field(pattern=PHONE, max_length=11)


class ActIn(_In):
    version: int = Field(ge=1)
    note: str = Field(default="", max_length=2000)


class DispatchIn(ActIn):
    tenant_code: str = Field(min_length=2, max_length=12, pattern=r"^\d+$")
    department_code: str = Field(default="", max_length=64)


class ReplyIn(_In):
    version: int = Field(ge=1)
    reply: str = Field(min_length=2, max_length=5000)


class CallbackIn(ActIn):
    result: Literal["satisfied", "basically", "unsatisfied", "unreachable"]


class ExtensionIn(_In):
    version: int = Field(ge=1)
    days: int = Field(ge=1, le=60)
    note: str = Field(min_length=2, max_length=2000)


class DecideIn(ActIn):
    approve: bool


class LinkIn(_In):
    other_number: str = Field(min_length=4, max_length=32)
    kind: Literal["duplicate", "related"]


class RateIn(_In):
    version: int = Field(ge=1)
    rating: int = Field(ge=1, le=5)
    comment: str = Field(default="", max_length=1000)


class TicketQuery(BaseModel):
    """The list's filters; ``limit`` and ``cursor`` are the pagination's (core.api.page_params)."""

    state: Literal["", "submitted", "accepted", "dispatched", "replied", "closed", "rejected"] = ""
    kind: Literal["", "consultation", "complaint", "suggestion", "help"] = ""
    overdue: bool = False


class TicketOut(BaseModel):
    """A ticket as staff see it (the follow-up key's hash and the submitter's address stay inside)."""

    model_config = ConfigDict(extra="forbid", from_attributes=True)

    id: int
    number: str
    kind: str
    kind_title: str
    state: str
    state_title: str
    title: str
    content: str
    name: str
    about_department: str
    about_item: str
    about_application: str
    received_on: date
    due_on: date
    extended_days: int
    reply: str
    rating: int | None
    version: int


class SubmittedOut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: int
    number: str
    due_on: date
    follow_key: str = Field(description="A guest's follow-up key (empty for an account); shown once")


class CodeSentOut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sent: bool
    valid_minutes: int


class RectifyIn(_In):
    version: int = Field(ge=1)
    verified: bool
    verification: str = Field(min_length=2, max_length=3000)
    measures: str = Field(min_length=2, max_length=3000)
    reply: str = Field(min_length=2, max_length=3000)


class RecheckIn(_In):
    version: int = Field(ge=1)
    passed: bool
    note: str = Field(default="", max_length=2000)


class KbIn(_In):
    """What the duty team publishes (redacted again when kept)."""

    title: str = Field(min_length=2, max_length=120)
    question: str = Field(min_length=5, max_length=5000)
    answer: str = Field(min_length=2, max_length=5000)
