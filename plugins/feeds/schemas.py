"""Validated inputs of the feeds API and its response models. The records themselves are validated one by
one against their stream's schema (streams.py), so that one malformed record does not refuse the batch."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from core.api import OutModel

StreamName = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[a-z_]+\.[a-z_]+$")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class BatchIn(Strict):
    stream: str = Field(min_length=1, max_length=40, description="e.g. fiscal.payment")
    records: list[Any] = Field(
        min_length=1,
        max_length=2000,
        description="Records of the stream's schema; each is checked on its own",
    )


class RecordErrorOut(OutModel):
    field: str
    message: str


class OutcomeOut(OutModel):
    row: int = Field(description="Position of the record in the batch, from 1")
    status: str = Field(description="inserted, updated, unchanged, stale or rejected")
    key: str
    errors: list[RecordErrorOut] = []


class BatchOut(OutModel):
    id: int
    stream: str
    stream_title: str
    channel: str
    sender: str
    received_at: datetime
    total: int
    inserted: int
    updated: int
    unchanged: int
    stale: int
    rejected: int


class BatchResultOut(BatchOut):
    results: list[OutcomeOut]


class BatchList(OutModel):
    items: list[BatchOut]
    next_cursor: str | None = Field(description="?before= of the next page; null at the end")


class StoredErrorOut(OutModel):
    row: int
    record_key: str
    field: str
    message: str


class BatchDetailOut(BatchOut):
    errors: list[StoredErrorOut]


class BatchQuery(Strict):
    stream: str = Field("", max_length=40)
    before: int | None = Field(None, ge=1, le=2**62, description="The next_cursor of the previous page")


class SourceIn(Strict):
    department: str = Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")
    title: str = Field(min_length=1, max_length=100)
    streams: list[StreamName] = Field(min_length=1, max_length=20)


class SourceRevokeIn(Strict):
    version: int = Field(ge=1, le=2**31)


class SourceOut(OutModel):
    id: int
    client_id: str
    department_code: str
    title: str
    streams: list[str]
    state: str
    version: int
    secret: str | None = Field(default=None, description="Shown once, when the system is registered")


class SourceList(OutModel):
    items: list[SourceOut]
    next_cursor: str | None = Field(description="Always null: every system is on one page")
