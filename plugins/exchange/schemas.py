"""Validated inputs (JSON bodies and forms) and the API's response models."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from core.api import OutModel, SafeUrl

_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,59}$")
_DEPT = re.compile(r"^[A-Za-z0-9_\-]{1,32}$")


FieldName = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[a-z][a-z0-9_]*$")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _dept(v: str) -> str:
    if not _DEPT.match(v):
        raise ValueError("a department code: letters, digits, _ or -")
    return v


class FieldIn(Strict):
    name: str = Field(min_length=1, max_length=40)
    label: str = Field(min_length=1, max_length=50)
    label_en: str = Field(default="", max_length=100)

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not _NAME.match(v):
            raise ValueError("lower-case letters, digits and _, starting with a letter")
        return v


class HttpResourceIn(Strict):
    """An external HTTP service registered as a resource."""

    code: str = Field(min_length=1, max_length=60)
    name: str = Field(min_length=1, max_length=100)
    name_en: str = Field(default="", max_length=200)
    description: str = Field(default="", max_length=2000)
    department: str = Field(min_length=1, max_length=32)
    fields: list[FieldIn] = Field(min_length=1, max_length=60)
    update_cycle: Literal["realtime", "daily", "weekly", "monthly", "quarterly", "yearly"] = "realtime"
    sharing: Literal["unconditional", "conditional", "none"] = "conditional"
    legal_basis: str = Field(default="", max_length=2000)
    format: str = Field(default="json", max_length=10, pattern=r"^json$")
    url: SafeUrl
    method: Literal["GET", "POST"] = "GET"
    openapi: dict[str, Any] = Field(default_factory=dict)
    log_bodies: bool = False

    @field_validator("code")
    @classmethod
    def _code(cls, v: str) -> str:
        if not _CODE.match(v) or "." in v.split("-")[0][:0]:
            raise ValueError("letters, digits, _, - and .")
        return v

    @field_validator("department")
    @classmethod
    def _d(cls, v: str) -> str:
        return _dept(v)

    @field_validator("url")
    @classmethod
    def _url(cls, v: str) -> str:
        if not v.startswith(("http://", "https://")) or len(v) > 500:
            raise ValueError("an absolute http:// or https:// address (at most 500 characters)")
        return v

    @field_validator("fields")
    @classmethod
    def _unique(cls, v: list[FieldIn]) -> list[FieldIn]:
        names = [f.name for f in v]
        if len(set(names)) != len(names):
            raise ValueError("field names must be unique")
        return v


class RequestIn(Strict):
    provider: str = Field(min_length=2, max_length=12, description="The provider tenant's code")
    resource: str = Field(min_length=1, max_length=60, description="The resource's code")
    department: str = Field(min_length=1, max_length=32, description="Your department's code")
    purpose: str = Field(min_length=4, max_length=2000)
    fields: list[FieldName] = Field(min_length=1, max_length=60)

    @field_validator("department")
    @classmethod
    def _d(cls, v: str) -> str:
        return _dept(v)


class RequestAnswerIn(Strict):
    decision: Literal["approve", "narrow", "refuse"]
    version: int = Field(ge=1, le=2**31 - 1)
    fields: list[FieldName] | None = Field(default=None, max_length=60)
    expires_on: date | None = None
    reason: str = Field(default="", max_length=2000)


class RevokeIn(Strict):
    version: int = Field(ge=1, le=2**31 - 1)
    reason: str = Field(min_length=1, max_length=2000)


class SystemIn(Strict):
    department: str = Field(min_length=1, max_length=32)
    subsystem: str = Field(min_length=1, max_length=40)
    title: str = Field(default="", max_length=100)

    @field_validator("department")
    @classmethod
    def _d(cls, v: str) -> str:
        return _dept(v)

    @field_validator("subsystem")
    @classmethod
    def _s(cls, v: str) -> str:
        if not _NAME.match(v):
            raise ValueError("lower-case letters, digits and _, starting with a letter")
        return v


class SystemRevokeIn(Strict):
    version: int = Field(ge=1, le=2**31 - 1)


class CatalogueQuery(Strict):
    q: str = Field(default="", max_length=100)
    sharing: Literal["", "unconditional", "conditional", "none"] = ""
    # read (and checked) by core.api's page_params: ?limit= and ?cursor= (next_cursor of the page before)
    limit: str | None = Field(default=None, max_length=6)
    cursor: str | None = Field(default=None, max_length=500)


class LogQuery(Strict):
    first: int = Field(default=1, ge=1, le=2**31 - 1)
    # read (and checked) by core.api's page_params: ?limit= and ?cursor= (next_cursor of the page before)
    limit: str | None = Field(default=None, max_length=6)
    cursor: str | None = Field(default=None, max_length=500)


# --- responses -------------------------------------------------------------------------------------------


class FieldOut(OutModel):
    name: str
    label: str
    label_en: str = ""


class ResourceOut(OutModel):
    id: int
    tenant_code: str
    code: str
    name: str
    name_en: str
    description: str
    provider: str
    provider_name: str
    fields: list[FieldOut]
    update_cycle: str
    sharing: str
    sharing_title: str
    legal_basis: str
    format: str
    source: str


class CataloguePage(OutModel):
    items: list[ResourceOut]
    next_cursor: str | None = Field(description="?cursor= of the next page; null at the end")


class RequestOut(OutModel):
    id: int
    provider_code: str
    resource_code: str
    resource_name: str
    consumer: str
    consumer_name: str
    purpose: str
    fields: list[str]
    state: str
    state_title: str
    submitted_on: date
    due_on: date
    answered_on: date | None = None
    answer_reason: str = ""
    grant_id: int | None = None
    version: int


class GrantOut(OutModel):
    id: int
    provider_code: str
    resource_code: str
    resource_name: str
    consumer: str
    consumer_name: str
    fields: list[str]
    granted_on: date
    expires_on: date
    state: str
    revoke_reason: str = ""
    version: int


class RequestList(OutModel):
    items: list[RequestOut]
    next_cursor: str | None = Field(description="?cursor= of the next page; null at the end")


class GrantList(OutModel):
    items: list[GrantOut]
    next_cursor: str | None = Field(description="?cursor= of the next page; null at the end")


class MineOut(OutModel):
    requests: list[RequestOut]
    grants: list[GrantOut]
    next_requests_cursor: str | None = None
    next_grants_cursor: str | None = None


class SystemOut(OutModel):
    id: int
    member: str
    subsystem: str
    title: str
    client_id: str
    state: str
    version: int
    secret: str | None = Field(default=None, description="Shown once, when the subsystem is registered")


class SystemList(OutModel):
    items: list[SystemOut]
    next_cursor: str | None = Field(description="?cursor= of the next page; null at the end")


class LogEntryOut(OutModel):
    seq: int
    at: str
    resource: str
    consumer: str
    result: str
    status: int
    hash: str
    key_id: str


class LogPage(OutModel):
    items: list[LogEntryOut]
    verified: bool
    problem: str = ""
    next_cursor: str | None = Field(description="?cursor= of the next page; null at the end")


class DeliveryIn(Strict):
    """An inbound delivery: records for a resource that receives them (each checked by the receiver)."""

    records: list[Any] = Field(min_length=1, max_length=2000)


class DeliveryOut(OutModel):
    resource: str
    receiver: str
    data: Any = Field(description="The receiving plugin's answer (e.g. a result per record)")
    log_seq: int | None = None
    log_hash: str = ""


class GatewayOut(OutModel):
    resource: str
    provider: str
    fields: list[str]
    data: Any
    log_seq: int | None = None
    log_hash: str = ""
