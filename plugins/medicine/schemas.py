"""Validated inputs and response models of the medicine plugin's API."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from core.api import OutModel

MAX_CENTS = 10**13
MAX_QTY = 10**7
ID = Field(ge=1, le=2**63 - 1)
Code = Field(min_length=18, max_length=18, description="Unified social credit code (统一社会信用代码)")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _day(v: date) -> date:
    if not date(2000, 1, 1) <= v <= date(2099, 12, 31):
        raise ValueError("a day between 2000-01-01 and 2099-12-31")
    return v


class VersionIn(Strict):
    version: int = Field(ge=1, le=2**31 - 1)


class CompanyIn(Strict):
    credit_code: str = Code
    name: str = Field(min_length=1, max_length=200)
    kind: Literal["manufacturer", "distributor"]


class ProductIn(Strict):
    code: str = Field(min_length=1, max_length=32)
    generic_name: str = Field(min_length=1, max_length=200)
    dosage_form: str = Field(min_length=1, max_length=50)
    strength: str = Field(min_length=1, max_length=100)
    package: str = Field(min_length=1, max_length=100)
    manufacturer_code: str = Code
    approval_number: str = Field(min_length=1, max_length=50)
    atc_code: str = Field(default="", max_length=10)


class PriceIn(Strict):
    price_cents: int = Field(ge=1, le=MAX_CENTS)
    effective_from: date
    note: str = Field(default="", max_length=200)

    _d = field_validator("effective_from")(_day)


class PriceRowIn(Strict):
    product_code: str = Field(default="", max_length=32)
    price_cents: str | int = Field(default="", description="Whole cents")
    effective_from: str = Field(default="", max_length=10, description="YYYY-MM-DD")


class PriceImportIn(Strict):
    name: str = Field(default="prices.json", min_length=1, max_length=100)
    rows: list[PriceRowIn] = Field(min_length=1, max_length=5000)


class AuthorisationIn(Strict):
    distributor_code: str = Code


class HospitalIn(Strict):
    credit_code: str = Code
    name: str = Field(min_length=1, max_length=200)
    grade: str = Field(default="", max_length=20)


class ChoiceIn(Strict):
    product_id: int = ID
    distributor_code: str = Code


class LineIn(Strict):
    product_id: int = ID
    quantity: int = Field(ge=1, le=MAX_QTY)
    price_cents: int = Field(ge=1, le=MAX_CENTS)


class OrderIn(Strict):
    lines: list[LineIn] = Field(min_length=1, max_length=200)


class DecisionIn(Strict):
    line_id: int = ID
    confirm: bool
    reason: str = Field(default="", max_length=200)


class RespondIn(VersionIn):
    lines: list[DecisionIn] = Field(min_length=1, max_length=200)


class ShipLineIn(Strict):
    line_id: int = ID
    quantity: int = Field(ge=0, le=MAX_QTY)


class ShipIn(VersionIn):
    delivery_note: str = Field(min_length=1, max_length=60)
    lines: list[ShipLineIn] = Field(min_length=1, max_length=200)


class AcceptLineIn(Strict):
    line_id: int = ID
    quantity: int = Field(ge=0, le=MAX_QTY)
    batch: str = Field(default="", max_length=40)


class AcceptIn(VersionIn):
    lines: list[AcceptLineIn] = Field(min_length=1, max_length=200)


class InvoiceIn(VersionIn):
    number: str = Field(min_length=1, max_length=40)
    amount_cents: int = Field(ge=1, le=MAX_CENTS)


class PayIn(VersionIn):
    amount_cents: int = Field(ge=1, le=MAX_CENTS)
    reference: str = Field(default="", max_length=60)


class PriceQuery(Strict):
    q: str = Field(
        default="", max_length=100, description="Generic name, product code, approval number or maker"
    )


class OrderQuery(Strict):
    status: (
        Literal["draft", "submitted", "confirmed", "declined", "shipped", "accepted", "invoiced", "paid"]
        | None
    ) = None


# --- responses ------------------------------------------------------------------------------------------


class CompanyOut(OutModel):
    id: int
    credit_code: str
    name: str
    kind: str


class ListedOut(OutModel):
    price_cents: int
    effective_from: date
    tier_path: str
    tier_name: str


class ProductOut(OutModel):
    id: int
    code: str
    generic_name: str
    dosage_form: str
    strength: str
    package: str
    manufacturer: str
    approval_number: str
    atc_code: str
    listed: ListedOut | None


class PriceVersionOut(OutModel):
    id: int
    price_cents: int
    effective_from: date
    tier_path: str
    tier_name: str
    note: str


class PriceHistoryOut(OutModel):
    product_id: int
    versions: list[PriceVersionOut]


class ImportOut(OutModel):
    imported: int


class AuthorisationOut(OutModel):
    id: int
    product_id: int
    distributor_id: int


class HospitalOut(OutModel):
    id: int
    credit_code: str
    name: str
    grade: str


class ChoiceOut(OutModel):
    id: int
    hospital_id: int
    product_id: int
    distributor_id: int


class LineOut(OutModel):
    id: int
    product_id: int
    product_name: str
    quantity: int
    price_cents: int
    listed_cents: int
    status: str
    decline_reason: str
    shipped_qty: int
    accepted_qty: int
    batch: str


class InvoiceOut(OutModel):
    id: int
    seq: int
    issuer_code: str
    receiver_code: str
    number: str
    amount_cents: int
    issued_on: date


class OrderOut(OutModel):
    id: int
    number: str
    hospital: str
    distributor: str
    status: str
    status_title: str
    ordered_on: date
    total_cents: int
    accepted_cents: int
    delivery_note: str
    shipped_on: date | None
    accepted_on: date | None
    due_on: date | None
    paid_on: date | None
    version: int


class OrderDetailOut(OrderOut):
    lines: list[LineOut]
    invoices: list[InvoiceOut]


class PaymentOut(OutModel):
    id: int
    order_id: int
    amount_cents: int
    paid_on: date


class PaymentRecordOut(OutModel):
    hospital_id: int
    name: str
    tenant_path: str
    orders: int
    on_time: int
    late: int
    unpaid_overdue: int
    rate: float | None


class PaymentRecordsOut(OutModel):
    items: list[PaymentRecordOut]
