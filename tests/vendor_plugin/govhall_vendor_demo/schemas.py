"""Validated input of the vendor_demo API."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    title: str = Field(min_length=1, max_length=100)
    body: str = Field(default="", max_length=2000)
