"""Validated input and output shapes of the approval plugin (pydantic): import rows, forms, API bodies."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from plugins.approval.models import ITEM_TYPES

Role = Literal["lead", "co"]


class MaterialIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(min_length=1, max_length=40)
    name: str = Field(min_length=1, max_length=200)
    required: bool = True
    original: bool = False
    form_url: str = ""
    allowed_types: str = "pdf,jpg,png"
    max_mb: int = Field(default=10, ge=1, le=200)


class StepIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    department_code: str = Field(min_length=1, max_length=32)
    department_name: str = ""
    name: str = Field(min_length=1, max_length=200)
    days: int = Field(ge=1, le=1000)
    role: Role = "lead"


class FormFieldIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")
    label: str = Field(min_length=1)
    label_en: str = ""
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
    name_en: str = ""
    item_type: str
    section: Literal["approval", "public_service"] = "approval"
    entrance: Literal["personal", "legal", "both"]
    department_code: str = Field(min_length=1, max_length=32)
    department_name: str = ""
    legal_basis: str = ""
    conditions: str = ""
    statutory_days: int = Field(ge=0, le=1000)
    promised_days: int = Field(ge=0, le=1000)
    acceptance_days: int = Field(default=5, ge=0, le=60)
    fee_cents: int = Field(default=0, ge=0)
    fee_basis: str = ""
    online_depth: int = Field(default=4, ge=1, le=4)
    max_visits: int = Field(default=0, ge=0, le=10)
    special_procedures: list[ProcedureIn] = []
    form_fields: list[FormFieldIn] = []
    steps: list[StepIn] = []
    materials: list[MaterialIn] = []
    consult_phone: str = ""
    complaint_phone: str = ""
    keywords: str = ""
    basic_code: str = ""  # claim this provincial basic item
    implementing_level: str = "province,city,county"

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
        if statutory is not None and statutory and v > statutory:
            raise ValueError("promised limit may not exceed the statutory limit")
        return v


class TransitionIn(BaseModel):
    """Body of a transition on the API; ``version`` is the version the client saw (optimistic lock)."""

    model_config = ConfigDict(extra="forbid")
    version: int = Field(ge=1)
    reason: str = Field(default="", max_length=2000)
    remedies: str = Field(default="", max_length=2000)
    missing: list[str] = []
    procedure: str = ""
    days: int = Field(default=0, ge=0, le=365)
    approve: bool | None = None


class RatingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    level: int = Field(ge=1, le=5)
    comment: str = Field(default="", max_length=500)


class ApplicationOut(BaseModel):
    id: int
    number: str
    item_code: str
    item_name: str
    state: str
    version: int
    submitted_at: str
    accepted_at: str | None = None
    deadline: str | None = None
    remaining_days: int | None = None
    decision_reason: str | None = None


class StatsOut(BaseModel):
    received: int
    concluded: int
    completion_rate: float
    on_time_rate: float
    average_working_days: float | None
