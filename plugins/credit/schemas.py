"""Validated input: penalties (page, API, import), list entries, repairs, exits."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from core.api import OutModel
from plugins.credit.lists import ListInput
from plugins.credit.services import PenaltyInput

Text = Field(min_length=1, max_length=300)


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class PenaltyIn(_In):
    subject_kind: Literal["legal", "person"]
    subject_code: str = Field(min_length=1, max_length=18)
    subject_name: str = Field(min_length=1, max_length=200)
    title: str = Text
    decision_number: str = Field(min_length=1, max_length=100)
    severity: Literal["minor", "general", "serious"]
    source_department: str = Field(min_length=1, max_length=100)
    decision_date: date
    content: str = Field(default="", max_length=5000)
    # 串通投标 (bid rigging); with court_confirmed it excludes the subject from bidding until debarred_until
    # (two years after the decision when not given).
    category: Literal["", "bid_rigging"] = ""
    court_confirmed: bool = False
    debarred_until: date | None = None

    @field_validator("debarred_until", mode="before")
    @classmethod
    def _blank_date(cls, v: object) -> object:
        return None if isinstance(v, str) and not v.strip() else v

    @field_validator("court_confirmed", mode="before")
    @classmethod
    def _checkbox(cls, v: object) -> object:
        # HTML checkboxes send "on"; CSV imports "", "0", "1", "true", "false", "是", "否".
        if isinstance(v, str):
            return v.strip().lower() in ("on", "1", "true", "yes", "是")
        return v

    @field_validator("subject_kind", "severity", "category", mode="before")
    @classmethod
    def _lower(cls, v: object) -> object:
        return v.strip().lower() if isinstance(v, str) else v

    def to_input(self) -> PenaltyInput:
        return PenaltyInput(**self.model_dump())


class ListEntryIn(_In):
    list_type: Literal["red", "black", "abnormal"]
    subject_kind: Literal["legal", "person"]
    subject_code: str = Field(min_length=1, max_length=18)
    subject_name: str = Field(min_length=1, max_length=200)
    basis: str = Field(min_length=1, max_length=2000)
    issuing_department: str = Field(min_length=1, max_length=100)
    entered_on: date
    exit_on: date | None = None

    def to_input(self) -> ListInput:
        return ListInput(**self.model_dump())


class RepairIn(_In):
    reason: str = Field(min_length=1, max_length=2000)
    version: int = Field(ge=1, le=2**31 - 1)


class RecordOut(OutModel):
    id: int
    kind: str
    subject_kind: str
    subject_code: str
    subject_name: str
    title: str
    decision_number: str
    severity: str | None
    source_department: str
    decision_date: date
    publish_deadline: date
    published_on: date
    publish_until: date
    repaired_on: date | None
    repair_reason: str
    category: str
    court_confirmed: bool
    debarred_until: date | None
    version: int


class RecordQuery(BaseModel):
    kind: Literal["licence", "penalty"] | None = None


class SearchQuery(BaseModel):
    q: str = Field(min_length=1, max_length=100, description="Enterprise name (part) or full code")


class HitOut(OutModel):
    kind: str
    code: str
    name: str


class HitsOut(OutModel):
    """The best matches (at most 50); next_cursor is always null."""

    items: list[HitOut]
    next_cursor: str | None


class CreatedOut(OutModel):
    id: int


class AssessmentOut(OutModel):
    code: str
    level: Literal["none", "attention", "warning", "serious"]
    reasons: list[dict[str, str]]
    measures: list[str]
    penalties: int
    lists: list[str]


class PublicRecordOut(OutModel):
    title: str
    decision_number: str
    content: str
    severity: str | None
    department: str
    decision_date: date
    publish_until: date
    tenant: str


class PublicListOut(OutModel):
    list_type: str
    basis: str
    department: str
    entered_on: date
    exit_on: date | None
    tenant: str


class ReportOut(OutModel):
    code: str = Field(description="The subject's code, masked for a natural person")
    kind: str
    name: str
    licences: list[PublicRecordOut]
    penalties: list[PublicRecordOut]
    lists: list[PublicListOut]
