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


class MedVersionIn(Strict):
    version: int = Field(ge=1, le=2**31 - 1)


class MedCompanyIn(Strict):
    credit_code: str = Code
    name: str = Field(min_length=1, max_length=200)
    kind: Literal["manufacturer", "distributor"]


class MedProductIn(Strict):
    code: str = Field(min_length=1, max_length=32)
    generic_name: str = Field(min_length=1, max_length=200)
    dosage_form: str = Field(min_length=1, max_length=50)
    strength: str = Field(min_length=1, max_length=100)
    package: str = Field(min_length=1, max_length=100)
    manufacturer_code: str = Code
    approval_number: str = Field(min_length=1, max_length=50)
    atc_code: str = Field(default="", max_length=10)


class MedPriceIn(Strict):
    price_cents: int = Field(ge=1, le=MAX_CENTS)
    effective_from: date
    note: str = Field(default="", max_length=200)

    _d = field_validator("effective_from")(_day)


class MedPriceRowIn(Strict):
    """One row as a CSV file has it: every value text, checked row by row by the import."""

    product_code: str = Field(default="", max_length=32)
    price_cents: str = Field(default="", max_length=20, description="Whole cents (a number is taken too)")
    effective_from: str = Field(default="", max_length=10, description="YYYY-MM-DD")

    @field_validator("price_cents", mode="before")
    @classmethod
    def _number_as_text(cls, v: object) -> object:
        return str(v) if isinstance(v, int) and not isinstance(v, bool) else v


class MedPriceImportIn(Strict):
    name: str = Field(default="prices.json", min_length=1, max_length=100)
    rows: list[MedPriceRowIn] = Field(min_length=1, max_length=5000)


class MedAuthorisationIn(Strict):
    distributor_code: str = Code


class MedHospitalIn(Strict):
    credit_code: str = Code
    name: str = Field(min_length=1, max_length=200)
    grade: str = Field(default="", max_length=20)


class MedChoiceIn(Strict):
    product_id: int = ID
    distributor_code: str = Code


class MedLineIn(Strict):
    product_id: int = ID
    quantity: int = Field(ge=1, le=MAX_QTY)
    price_cents: int = Field(ge=1, le=MAX_CENTS)


class MedOrderIn(Strict):
    lines: list[MedLineIn] = Field(min_length=1, max_length=200)


class MedDecisionIn(Strict):
    line_id: int = ID
    confirm: bool
    reason: str = Field(default="", max_length=200)


class MedRespondIn(MedVersionIn):
    lines: list[MedDecisionIn] = Field(min_length=1, max_length=200)


class MedShipLineIn(Strict):
    line_id: int = ID
    quantity: int = Field(ge=0, le=MAX_QTY)


class MedShipIn(MedVersionIn):
    delivery_note: str = Field(min_length=1, max_length=60)
    lines: list[MedShipLineIn] = Field(min_length=1, max_length=200)


class MedAcceptLineIn(Strict):
    line_id: int = ID
    quantity: int = Field(ge=0, le=MAX_QTY)
    batch: str = Field(default="", max_length=40)


class MedAcceptIn(MedVersionIn):
    lines: list[MedAcceptLineIn] = Field(min_length=1, max_length=200)


class MedInvoiceIn(MedVersionIn):
    number: str = Field(min_length=1, max_length=40)
    amount_cents: int = Field(ge=1, le=MAX_CENTS)


class MedPayIn(MedVersionIn):
    amount_cents: int = Field(ge=1, le=MAX_CENTS)
    reference: str = Field(default="", max_length=60)


class MedPriceQuery(Strict):
    q: str = Field(
        default="", max_length=100, description="Generic name, product code, approval number or maker"
    )


class MedOrderQuery(Strict):
    status: (
        Literal["draft", "submitted", "confirmed", "declined", "shipped", "accepted", "invoiced", "paid"]
        | None
    ) = None


# --- responses ------------------------------------------------------------------------------------------


class MedCompanyOut(OutModel):
    id: int
    credit_code: str
    name: str
    kind: str


class MedListedOut(OutModel):
    price_cents: int
    effective_from: date
    tier_path: str
    tier_name: str


class MedProductOut(OutModel):
    id: int
    code: str
    generic_name: str
    dosage_form: str
    strength: str
    package: str
    manufacturer: str
    approval_number: str
    atc_code: str
    listed: MedListedOut | None


class MedPriceVersionOut(OutModel):
    id: int
    price_cents: int
    effective_from: date
    tier_path: str
    tier_name: str
    note: str


class MedPriceHistoryOut(OutModel):
    product_id: int
    versions: list[MedPriceVersionOut]


class MedImportOut(OutModel):
    imported: int


class MedAuthorisationOut(OutModel):
    id: int
    product_id: int
    distributor_id: int


class MedHospitalOut(OutModel):
    id: int
    credit_code: str
    name: str
    grade: str


class MedChoiceOut(OutModel):
    id: int
    hospital_id: int
    product_id: int
    distributor_id: int


class MedLineOut(OutModel):
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


class MedInvoiceOut(OutModel):
    id: int
    seq: int
    issuer_code: str
    receiver_code: str
    number: str
    amount_cents: int
    issued_on: date


class MedOrderOut(OutModel):
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


class MedOrderDetailOut(MedOrderOut):
    lines: list[MedLineOut]
    invoices: list[MedInvoiceOut]


class MedPaymentOut(OutModel):
    id: int
    order_id: int
    amount_cents: int
    paid_on: date


class MedPaymentRecordOut(OutModel):
    hospital_id: int
    name: str
    tenant_path: str
    orders: int
    on_time: int
    late: int
    unpaid_overdue: int
    rate: float | None


class MedPaymentRecordsOut(OutModel):
    hospitals: list[MedPaymentRecordOut]


# --- volume-based procurement and prescriptions ----------------------------------------------------------


class MedWinnerIn(Strict):
    product_id: int = ID
    price_cents: int = Field(ge=1, le=MAX_CENTS)


class MedRoundIn(Strict):
    name: str = Field(min_length=1, max_length=200)
    starts_on: date
    ends_on: date
    prepay_percent: int = Field(
        default=30, ge=0, le=100, description="Share of the year's amount the fund prepays"
    )
    products: list[MedWinnerIn] = Field(min_length=1, max_length=500)

    _d = field_validator("starts_on", "ends_on")(_day)


class MedCommitmentIn(Strict):
    hospital_id: int = ID
    product_id: int = ID
    annual_qty: int = Field(ge=1, le=MAX_QTY)


class MedPrescriptionIn(Strict):
    external_id: str = Field(
        min_length=1, max_length=60, description="The hospital's own prescription number"
    )
    doctor: str = Field(min_length=1, max_length=60)
    product_id: int = ID
    quantity: int = Field(ge=1, le=MAX_QTY)
    days_supply: int = Field(ge=1, le=366)
    visit: Literal["outpatient", "emergency"]
    dispensed_on: date
    reason: str = Field(default="", max_length=500, description="Why a longer supply (required by the rules)")
    trace_code: str = Field(default="", max_length=40, description="The drug traceability code (追溯码)")

    _d = field_validator("dispensed_on")(_day)


class MedPrescriptionsIn(Strict):
    items: list[MedPrescriptionIn] = Field(min_length=1, max_length=1000)


class MedRoundOut(OutModel):
    id: int
    name: str
    tier_name: str
    starts_on: date
    ends_on: date
    prepay_percent: int


class MedCommitmentOut(OutModel):
    id: int
    round_id: int
    hospital_id: int
    product_id: int
    annual_qty: int
    prepaid_cents: int


class MedMonthOut(OutModel):
    month: str
    quantity: int


class MedCompletionOut(OutModel):
    commitment_id: int
    hospital: str
    product: str
    annual_qty: int
    prepaid_cents: int
    done_qty: int
    expected_qty: int
    percent: float
    monthly: list[MedMonthOut]


class MedCompletionsOut(OutModel):
    round: MedRoundOut
    commitments: list[MedCompletionOut]


class MedStoredOut(OutModel):
    stored: int


class MedExchangePrescriptionIn(MedPrescriptionIn):
    """One prescription summary delivered through the exchange, naming its hospital by credit code."""

    hospital_code: str = Field(min_length=18, max_length=18, description="The hospital's credit code")


class MedExchangePrescriptionsIn(Strict):
    records: list[MedExchangePrescriptionIn] = Field(min_length=1, max_length=1000)
