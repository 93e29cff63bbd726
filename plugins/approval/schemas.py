"""Validated input and output shapes of the approval plugin (pydantic): import rows, forms, API bodies."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from core.api import Id, OutModel, SafeUrl, tighten
from plugins.approval.models import ITEM_TYPES

Role = Literal["lead", "co"]
Action = Literal["accept", "refuse", "correct", "review", "approve", "deny", "conclude", "suspend", "resume",
                 "extend"]


class ReuseIn(BaseModel):
    """Where data on file can replace the upload: ``via`` names the plugin that answers approval's
    ``govhall_approval_material_sources`` (licence: ``licence_type``; exchange: ``provider`` tenant code,
    ``resource`` code and the ``param`` the applicant's ID number is sent as)."""

    model_config = ConfigDict(extra="forbid")
    via: str = Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")
    licence_type: str = Field(default="", max_length=40)
    provider: str = Field(default="", max_length=12, pattern=r"^[0-9]*$")
    resource: str = Field(default="", max_length=60)
    param: str = Field(default="", max_length=40, pattern=r"^([a-z][a-z0-9_]*)?$")


class MaterialIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(min_length=1, max_length=40)
    name: str = Field(min_length=1, max_length=200)
    required: bool = True
    original: bool = False
    form_url: SafeUrl = ""  # http(s) or a path on this site: rendered as a link
    allowed_types: str = Field(default="pdf,jpg,png", max_length=100)
    max_mb: int = Field(default=10, ge=1, le=200)
    reuse: list[ReuseIn] = Field(default=[], max_length=5)


class StepIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    department_code: str = Field(min_length=1, max_length=32)
    department_name: str = Field(default="", max_length=100)
    name: str = Field(min_length=1, max_length=200)
    days: int = Field(ge=1, le=1000)
    role: Role = "lead"


class FormFieldIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")
    label: str = Field(min_length=1, max_length=200)
    label_en: str = Field(default="", max_length=200)
    required: bool = True
    kind: Literal["text", "number", "date"] = "text"


class ProcedureIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(min_length=1, max_length=40)
    name: str = Field(min_length=1, max_length=100)
    counts: bool = False
    max_days: int = Field(default=30, ge=1, le=365)


class ItemIn(BaseModel):
    """One catalogue row (import file, API). Unknown fields are refused so a typo is not silently lost."""

    model_config = ConfigDict(extra="forbid")
    code: str = Field(min_length=1, max_length=40, pattern=r"^[0-9A-Za-z_\-.]+$")
    name: str = Field(min_length=1, max_length=200)
    name_en: str = Field(default="", max_length=300)
    item_type: str = Field(max_length=20)
    section: Literal["approval", "public_service"] = "approval"
    entrance: Literal["personal", "legal", "both"]
    department_code: str = Field(min_length=1, max_length=32)
    department_name: str = Field(default="", max_length=100)
    legal_basis: str = Field(default="", max_length=20000)
    conditions: str = Field(default="", max_length=20000)
    statutory_days: int = Field(ge=0, le=1000)
    promised_days: int = Field(ge=0, le=1000)
    acceptance_days: int = Field(default=5, ge=0, le=60)
    fee_cents: int = Field(default=0, ge=0, le=10**9)
    fee_basis: str = Field(default="", max_length=5000)
    online_depth: int = Field(default=4, ge=1, le=4)
    max_visits: int = Field(default=0, ge=0, le=10)
    special_procedures: list[ProcedureIn] = Field(default=[], max_length=50)
    form_fields: list[FormFieldIn] = Field(default=[], max_length=100)
    steps: list[StepIn] = Field(default=[], max_length=50)
    materials: list[MaterialIn] = Field(default=[], max_length=100)
    consult_phone: str = Field(default="", max_length=40)
    complaint_phone: str = Field(default="", max_length=40)
    keywords: str = Field(default="", max_length=500)
    basic_code: str = Field(default="", max_length=40)  # claim this provincial basic item
    implementing_level: str = Field(default="province,city,county", max_length=40)

    @field_validator("item_type")
    @classmethod
    def _known_type(cls, v: str) -> str:
        if v not in ITEM_TYPES:
            raise ValueError(f"must be one of {', '.join(ITEM_TYPES)}")
        return v

    @field_validator("promised_days")
    @classmethod
    def _promised_within_statutory(cls, v: int, info: Any) -> int:
        statutory = info.data.get("statutory_days")
        if statutory and v:  # a tenant may promise a shorter period, never a longer one (core.clock)
            return tighten(statutory, v, "promised_days")
        return v


class TransitionIn(BaseModel):
    """Body of a transition on the API; ``version`` is the version the client saw (optimistic lock)."""

    model_config = ConfigDict(extra="forbid")
    version: int = Field(ge=1, le=2**31 - 1)
    reason: str = Field(default="", max_length=2000)
    remedies: str = Field(default="", max_length=2000)
    missing: list[Annotated[str, Field(max_length=40)]] = Field(default=[], max_length=100)
    procedure: str = Field(default="", max_length=40)
    days: int = Field(default=0, ge=0, le=365)
    approve: bool | None = None


class RatingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    level: int = Field(ge=1, le=5)
    comment: str = Field(default="", max_length=500)


class ApplicationOut(OutModel):
    """One application as its applicant or handler sees it on the API."""

    id: int
    number: str
    item_code: str
    item_name: str
    state: str
    version: int
    submitted_at: str
    accepted_at: str | None
    deadline: str | None
    remaining_days: int | None
    decision_reason: str | None


class MyApplicationOut(ApplicationOut):
    tenant_code: str = Field(description="The hall the application was made in")


class HistoryOut(OutModel):
    at: str
    action: str
    to: str
    note: str | None


class MyApplicationDetailOut(ApplicationOut):
    history: list[HistoryOut]


class TaskOut(OutModel):
    department_code: str
    role: str
    state: str
    deadline: str
    reason: str | None


class FindingOut(OutModel):
    source: str
    code: str
    level: str
    message: str


class CaseOut(ApplicationOut):
    tasks: list[TaskOut]
    findings: list[FindingOut]


class MaterialOut(OutModel):
    code: str
    name: str
    required: bool
    allowed_types: str
    max_mb: int


class FormFieldOut(OutModel):
    name: str
    label: str
    label_en: str = ""
    required: bool = True
    kind: Literal["text", "number", "date"] = "text"


class ItemOut(OutModel):
    code: str
    name: str
    item_type: str
    entrance: str
    section: str
    department_code: str
    promised_days: int
    statutory_days: int
    fee: float
    parallel: bool
    serial_days: int | None
    parallel_days: int | None
    version_no: int
    materials: list[MaterialOut]
    form_fields: list[FormFieldOut]


class ItemVersionOut(ItemOut):
    status: Literal["draft", "published", "retired"]


class ItemQuery(BaseModel):
    q: str = Field(default="", max_length=100, description="Words of the item's name or keywords")
    entrance: Literal["personal", "legal"] | None = None
    section: Literal["approval", "public_service"] | None = None


class PublicDecisionOut(OutModel):
    id: int
    number: str
    item_code: str
    item_name: str
    holder: str
    decision: str | None
    decided_on: str | None
    department_code: str


class WeekOut(OutModel):
    week: str
    received: int
    concluded: int


class FiguresOut(OutModel):
    received: int
    concluded: int
    completion_rate: float
    on_time_rate: float
    average_working_days: float | None


class ChildFiguresOut(FiguresOut):
    code: str
    name: str


class StatsOut(FiguresOut):
    subtree: bool
    weekly: list[WeekOut]
    children: list[ChildFiguresOut]


class StatsQuery(BaseModel):
    subtree: Literal["0", "1"] = Field(default="0", description="1: the subtree (supervisors)")
    since: date | None = None
    until: date | None = None


class ActionPath(BaseModel):
    app_id: Id
    action: Action


QueueState = Literal["submitted", "resubmitted", "correction_requested", "accepted", "in_review", "suspended",
                     "approved", "denied"]


class QueueQuery(BaseModel):
    state: QueueState | None = None
    due: Literal["overdue", "soon"] | None = Field(default=None, description="overdue, or due within 3 days")


class SubmitForm(BaseModel):
    """The multipart form of an online application; ``f_<field>`` and ``file_<material code>`` parts
    carry the item's form fields and materials."""

    model_config = ConfigDict(extra="allow")
    item_code: str = Field(min_length=1, max_length=40)
