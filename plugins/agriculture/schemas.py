"""Validated inputs (forms and JSON) and the API's response models of the agriculture plugin."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema, field_validator, model_validator

from core.api import OutModel

_PHONE = re.compile(r"^(1\d{10}|0\d{2,3}-?\d{7,8})$")
# Decimals accept a JSON number or a numeric string; the document states the number form with its bounds.
Quantity = Annotated[
    Decimal,
    Field(gt=0, max_digits=14, decimal_places=3),
    WithJsonSchema({"type": "number", "exclusiveMinimum": 0, "maximum": 99999999999}, mode="validation"),
]
Yuan = Annotated[
    Decimal,
    Field(gt=0, le=Decimal("1000000"), decimal_places=2),
    WithJsonSchema({"type": "number", "exclusiveMinimum": 0, "maximum": 1000000}, mode="validation"),
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _phone(v: str) -> str:
    v = v.replace(" ", "")
    if v and not _PHONE.match(v):
        raise ValueError("a mainland mobile (11 digits) or a landline like 0791-86123456")
    return v


class ProducerIn(Strict):
    name: str = Field(min_length=2, max_length=200)
    kind: Literal["enterprise", "cooperative", "family_farm", "grower"]
    credit_code: str = Field(default="", max_length=18)
    contact_name: str = Field(default="", max_length=50)
    phone: str = Field(default="", max_length=20)
    address: str = Field(default="", max_length=200)

    _p = field_validator("phone")(_phone)

    @field_validator("credit_code")
    @classmethod
    def _uscc(cls, v: str) -> str:
        from stdnum.cn import uscc

        v = v.upper()
        if v and not uscc.is_valid(v):
            raise ValueError("not a valid unified social credit code (18 characters, check character)")
        return v


class DecisionIn(Strict):
    confirm: bool
    version: int = Field(ge=1, le=2**31 - 1)
    reason: str = Field(default="", max_length=500)

    @model_validator(mode="after")
    def _reason(self) -> DecisionIn:
        if not self.confirm and not self.reason:
            raise ValueError("reason: a rejection needs a reason")
        return self


class LotIn(Strict):
    product: str = Field(min_length=1, max_length=60)
    quantity: Quantity
    unit: str = Field(default="kg", min_length=1, max_length=10)
    origin: str = Field(default="", max_length=200)
    code: str = Field(default="", max_length=40)  # a pre-printed code; empty: one is made


class ReceiveIn(Strict):
    """A lot shipped to this producer, received as a new lot of its own county under a new code: the
    source lot (any county of the province) becomes its upstream in the chain."""

    source_code: str = Field(min_length=1, max_length=40)
    occurred_on: date
    quantity: Quantity
    product: str = Field(default="", max_length=60)  # empty: the source lot's product
    unit: str = Field(default="kg", min_length=1, max_length=10)
    place: str = Field(default="", max_length=200)


class OutputIn(Strict):
    product: str = Field(min_length=1, max_length=60)
    quantity: Quantity
    unit: str = Field(default="kg", min_length=1, max_length=10)


EventKind = Literal["input", "harvest", "test", "processing", "shipment", "receipt", "correction"]


class EventIn(Strict):
    """One event to append to a lot; which fields are needed depends on ``kind``."""

    kind: EventKind
    occurred_on: date
    place: str = Field(default="", max_length=200)
    input_kind: Literal["seed", "fertiliser", "pesticide", "veterinary", "feed"] | None = None
    material: str = Field(default="", max_length=100)
    phi_days: int | None = Field(default=None, ge=0, le=365)  # pre-harvest interval (安全间隔期)
    passed: bool | None = None
    lab: str = Field(default="", max_length=100)
    items: str = Field(default="", max_length=500)
    buyer: str = Field(default="", max_length=200)
    outputs: list[OutputIn] = Field(default_factory=list, max_length=50)
    corrects_id: int | None = Field(default=None, ge=1, le=2**62)
    reason: str = Field(default="", max_length=500)

    @model_validator(mode="after")
    def _by_kind(self) -> EventIn:
        need: dict[str, tuple[str, ...]] = {
            "input": ("input_kind", "material"),
            "test": ("passed", "lab"),
            "shipment": ("buyer",),
            "receipt": ("buyer",),
            "processing": ("outputs",),
            "correction": ("corrects_id", "reason"),
        }
        missing = [f for f in need.get(self.kind, ()) if getattr(self, f) in (None, "", [])]
        if missing:
            raise ValueError(f"{', '.join(missing)}: required for a {self.kind} event")
        if self.kind == "input" and self.input_kind == "pesticide" and self.phi_days is None:
            raise ValueError("phi_days: a pesticide input needs its pre-harvest interval in days")
        return self


class PriceIn(Strict):
    day: date
    product: str = Field(min_length=1, max_length=60)
    market: str = Field(min_length=1, max_length=100)
    price: Yuan
    unit: str = Field(default="kg", min_length=1, max_length=10)


class PriceQuery(Strict):
    product: str = Field(default="", max_length=60)
    days: int = Field(default=30, ge=1, le=366)


class PostIn(Strict):
    kind: Literal["supply", "demand"]
    product: str = Field(min_length=1, max_length=60)
    quantity: Quantity
    unit: str = Field(default="kg", min_length=1, max_length=10)
    note: str = Field(default="", max_length=1000)
    phone: str = Field(default="", max_length=20)

    _p = field_validator("phone")(_phone)


class PostQuery(Strict):
    kind: Literal["", "supply", "demand"] = ""
    product: str = Field(default="", max_length=60)


class ContactIn(Strict):
    message: str = Field(min_length=1, max_length=1000)


class QuestionIn(Strict):
    title: str = Field(min_length=2, max_length=200)
    body: str = Field(min_length=2, max_length=5000)


class AnswerIn(Strict):
    answer: str = Field(min_length=2, max_length=5000)
    version: int = Field(ge=1, le=2**31 - 1)
    publish: bool = False


class SearchQuery(Strict):
    q: str = Field(default="", max_length=100)


# -- responses ------------------------------------------------------------------------------------------


class ProducerOut(OutModel):
    id: int
    name: str
    kind: str
    kind_title: str
    state: str
    state_title: str
    tenant_code: str
    version: int


class LotOut(OutModel):
    id: int
    code: str
    product: str
    quantity: Decimal
    unit: str
    producer_name: str
    tenant_code: str


class EventOut(OutModel):
    id: int
    kind: str
    kind_title: str
    occurred_on: date
    place: str
    data: dict[str, object]
    corrects_id: int | None
    reason: str
    wrong: bool


class CertificateOut(OutModel):
    number: str
    issued_on: date
    lot_code: str


class PublicEventOut(OutModel):
    kind: str
    kind_title: str
    occurred_on: date


class ChainLotOut(OutModel):
    code: str
    product: str
    hops: int
    direction: Literal["upstream", "downstream"]
    producer_name: str
    county: str
    foreign: bool  # another county's lot: public fields only
    certificate: CertificateOut | None
    events: list[PublicEventOut]


class TraceOut(OutModel):
    code: str
    found: bool
    product: str
    quantity: Decimal
    unit: str
    producer_name: str
    producer_kind: str
    certificate: CertificateOut | None
    events: list[EventOut]
    chain: list[ChainLotOut]


class PriceOut(OutModel):
    id: int
    day: date
    product: str
    market: str
    price: Decimal
    unit: str
    tenant_code: str
    anomaly: bool


class ImportOut(OutModel):
    imported: int


class PostOut(OutModel):
    id: int
    kind: str
    product: str
    quantity: Decimal
    unit: str
    note: str
    poster_name: str
    tenant_code: str
    distance: int | None = None


class QuestionOut(OutModel):
    id: int
    title: str
    body: str
    asked_on: date
    due_on: date
    escalated: bool
    answer: str
    answered_on: date | None
    published: bool
    tenant_code: str
    version: int


class SentOut(OutModel):
    message_id: int
