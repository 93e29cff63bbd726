"""Request bodies and query parameters of the supervision API and forms (pydantic)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from core.api import OutModel
from plugins.supervision.models import OPEN_STATES, SEVERITIES, STATES

Action = Literal["acknowledge", "appeal", "revoke", "send_back", "escalate", "resolve"]


class CardActionIn(BaseModel):
    """An act on a card: the version the actor saw (optimistic locking) and a note (required for an
    appeal, a revocation and a sending back)."""

    model_config = ConfigDict(extra="forbid")
    version: int = Field(ge=1, le=2**31 - 1, description="The card's version as last read")
    note: str = Field(default="", max_length=2000)


class CardFilter(BaseModel):
    model_config = ConfigDict(extra="ignore")
    state: Literal[STATES + ("open",)] | None = None  # type: ignore[valid-type]
    severity: Literal[SEVERITIES] | None = None  # type: ignore[valid-type]
    owned: bool = False  # only cards whose owning tier is this tenant (the tier's queue)
    cursor: str | None = Field(default=None, max_length=1000,
                               description="next_cursor of the previous page / 上一页的 next_cursor")
    limit: int = Field(default=50, ge=1, le=200)


class CardOut(OutModel):
    id: int
    rule_id: str
    rule_version: int
    kind_of_power: str
    severity: str
    title_zh: str
    title_en: str
    message_zh: str
    message_en: str
    object_type: str
    object_id: str
    occurrence: str
    tenant_code: str
    department_code: str
    step: str
    facts: dict
    state: str
    issued_on: str
    feedback_due: str
    escalation_level: int
    owner_tenant_code: str
    version: int
    object_href: str | None = None
    may_act: list[str] = []
    may_respond: list[str] = []


class CardHistoryOut(OutModel):
    at: str
    actor: str
    action: str
    from_state: str | None
    to_state: str
    note: str
    owner_path: str


class CardDetailOut(CardOut):
    history: list[CardHistoryOut]


class CardPageOut(OutModel):
    items: list[CardOut]
    next_cursor: str | None
    mode: str = Field(description="How the caller sees cards here: supervisor, department or tenant")
    departments: list[str]


class DashboardQuery(BaseModel):
    subtree: Literal["0", "1", "false", "true", "no", "yes"] = Field(
        default="1", description="0: only this tenant, even for a subtree supervisor")


class CellOut(OutModel):
    severity: str
    state: str
    count: int


class CardsChartOut(OutModel):
    items: list[CellOut]
    total: int
    by_severity: dict[str, int]


class RateOut(OutModel):
    tenant_code: str
    tenant_name: str
    tenant_name_en: str
    own_tier: bool
    received: int
    concluded: int
    on_time: int
    overdue: int
    completion_rate: float | None
    on_time_rate: float | None


class RatesChartOut(OutModel):
    items: list[RateOut]


class TrendChartOut(OutModel):
    weeks: list[str]
    cards: dict[str, list[int]]
    received: list[int]
    concluded: list[int]


class KindOut(OutModel):
    kind: str
    title_zh: str
    title_en: str
    covered: bool
    open_cards: int
    cards: int


class KindsChartOut(OutModel):
    items: list[KindOut]


class _Scoped(OutModel):
    tenant: str
    subtree: bool


class CardsDashboardOut(_Scoped, CardsChartOut):
    pass


class RatesDashboardOut(_Scoped, RatesChartOut):
    pass


class TrendDashboardOut(_Scoped, TrendChartOut):
    pass


class KindsDashboardOut(_Scoped, KindsChartOut):
    pass


class DashboardOut(_Scoped):
    cards: CardsChartOut
    rates: RatesChartOut
    trend: TrendChartOut
    kinds: KindsChartOut


CHART_MODELS: dict[str, type[OutModel]] = {"cards": CardsDashboardOut, "rates": RatesDashboardOut,
                                           "trend": TrendDashboardOut, "kinds": KindsDashboardOut}


OPEN = OPEN_STATES
