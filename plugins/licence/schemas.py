"""Validated inputs (forms and JSON) and the API's response models."""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from core.api import OutModel

SOURCES = ("applicant_name", "applicant_id_number", "item_name", "application_number", "decision_reason")
_FIELD_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_ITEM_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]{0,39}$")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class FieldSpec(Strict):
    """One field a licence type carries and where its value comes from when approval issues it."""

    name: str = Field(min_length=1, max_length=40)
    label: str = Field(min_length=1, max_length=50)
    label_en: str = Field(default="", max_length=100)
    source: str = Field(default="", max_length=200)

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not _FIELD_NAME.match(v):
            raise ValueError("lower-case letters, digits and _, starting with a letter")
        return v

    @field_validator("source")
    @classmethod
    def _source(cls, v: str) -> str:
        if v == "" or v in SOURCES or v.startswith("const:"):
            return v
        if v.startswith("form.") and _FIELD_NAME.match(v.removeprefix("form.")):
            return v
        raise ValueError(f"one of {', '.join(SOURCES)}, form.<field> or const:<text>")


class LicenceTypeIn(Strict):
    code: str = Field(min_length=21, max_length=40)
    name: str = Field(min_length=1, max_length=100)
    name_en: str = Field(default="", max_length=200)
    department_code: str = Field(min_length=1, max_length=32)
    department_name: str = Field(min_length=1, max_length=100)
    issuer_code: str = Field(min_length=18, max_length=30)
    holder_kind: Literal["person", "legal", "both"] = "legal"
    validity_months: int = Field(default=0, ge=0, le=1200)
    fields: list[FieldSpec] = Field(default_factory=list, max_length=30)

    @field_validator("fields")
    @classmethod
    def _unique(cls, v: list[FieldSpec]) -> list[FieldSpec]:
        names = [f.name for f in v]
        if len(names) != len(set(names)):
            raise ValueError("field names must be unique")
        return v


class MappingIn(Strict):
    item_code: str = Field(min_length=1, max_length=40)
    item_name: str = Field(default="", max_length=200)
    type_code: str = Field(min_length=21, max_length=40)

    @field_validator("item_code")
    @classmethod
    def _item(cls, v: str) -> str:
        if not _ITEM_CODE.match(v):
            raise ValueError("letters, digits, - and _ only")
        return v


class VersionIn(Strict):
    version: int = Field(ge=1, le=2**31 - 1)


class ActIn(VersionIn):
    reason: str = Field(min_length=1, max_length=2000)


class ChangeIn(ActIn):
    fields: dict[str, str] = Field(default_factory=dict)
    holder_name: str | None = Field(default=None, max_length=200)

    @field_validator("fields")
    @classmethod
    def _values(cls, v: dict[str, str]) -> dict[str, str]:
        if any(len(x) > 500 for x in v.values()):
            raise ValueError("each value at most 500 characters")
        return {k: x.strip() for k, x in v.items()}


class GrantIn(Strict):
    purpose: str = Field(default="", max_length=200)


class RedeemIn(Strict):
    code: str = Field(min_length=1, max_length=40)


# -- responses ---------------------------------------------------------------------------------------


class LicenceOut(OutModel):
    id: int
    identifier: str
    type_code: str
    type_name: str
    version_no: int
    state: str
    state_title: str
    holder_name: str
    issuer_name: str
    issued_on: date
    valid_from: date
    valid_until: date | None
    tenant_code: str
    version: int


class VerificationOut(OutModel):
    identifier: str
    found: bool
    state: str | None = None
    state_title: str | None = None
    reason: str = ""
    type_name: str = ""
    holder_name: str = ""
    issuer_name: str = ""
    valid_from: date | None = None
    valid_until: date | None = None
    signature_ok: bool = False
    key_id: str = ""
    newer_identifier: str | None = None


class KeyOut(OutModel):
    key_id: str
    tenant_path: str
    algorithm: str
    public_key: str
    created_at: str
    retired_at: str | None


class KeysOut(OutModel):
    items: list[KeyOut]
    next_cursor: str | None = Field(description="Always null: every key on one page")


class UseCodeOut(OutModel):
    code: str
    expires_at: str
    licence_identifier: str


class RedeemedOut(OutModel):
    grant_id: int
    licence: LicenceOut


class TypeOut(OutModel):
    id: int
    code: str
    name: str
    name_en: str
    department_name: str
    issuer_code: str
    holder_kind: str
    validity_months: int
    active: bool
    version: int


class MappingOut(OutModel):
    item_code: str
    item_name: str
    type_code: str
    type_name: str


class LicenceQuery(BaseModel):
    state: Literal["valid", "changed", "suspended", "revoked", "expired"] | None = None
