"""The limits of the state-owned asset transaction measures (企业国有资产交易监督管理办法, SASAC/MOF Order
No. 32, 2016) that equity trading enforces, each with its basis, and the periods counted by the legal clock.

Counting follows the Civil Code (art. 201): a period starts the day after the act (publication, signing),
so ``Period(start, n).deadline()`` is the earliest lawful last day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from core.api import Period, add_months, add_working_days, calendar_for


@dataclass(frozen=True)
class Limit:
    code: str
    value: int
    zh: str
    en: str
    basis: str


DISCLOSURE = Limit(
    "disclosure",
    20,
    "产权转让信息预披露和正式披露时间均不得少于 20 个工作日",
    "Pre-disclosure and formal disclosure last at least 20 working days each",
    "《企业国有资产交易监督管理办法》第十三条",
)
RELIST = Limit(
    "relist",
    90,
    "降低转让底价后重新披露不得少于 20 个工作日；低于评估结果 90% 的，须经转让行为批准单位书面同意",
    "A lower listing needs a new 20-working-day disclosure; below 90% of the appraisal the approving "
    "body's written consent",
    "《企业国有资产交易监督管理办法》第十八条",
)
PAYMENT = Limit(
    "payment",
    5,
    "成交价款在合同生效之日起 5 个工作日内一次付清；分期付款的首期不低于 30% 并在 5 个工作日内支付，"
    "其余款项提供担保、付款期限不超过 1 年",
    "Full payment within 5 working days; or at least 30% down within 5 working days and the rest, "
    "secured, within one year",
    "《企业国有资产交易监督管理办法》第二十八条",
)
DOWN_PERCENT = 30
NOTICE = Limit(
    "notice",
    5,
    "交易结果公告不少于 5 个工作日",
    "The result notice is published for at least 5 working days",
    "《企业国有资产交易监督管理办法》第二十九条",
)
SIGNING = Limit(
    "signing",
    5,
    "竞得人应在竞价结束（或取得竞得资格）之日起 5 个工作日内签订产权交易合同，逾期视为放弃，保证金不予退还，"
    "由报价次高的竞买人递补",
    "The winner signs the contract within 5 working days of the award; otherwise it is deemed to give up, "
    "its deposit is forfeited and the second-highest bidder is offered the deal",
    "产权交易机构网络竞价规则（竞得人签约期限与次高报价递补）",
)
REAPPRAISE = Limit(
    "reappraise",
    12,
    "自首次正式披露之日起超过 12 个月未征集到合格受让方的，应重新审计、评估并披露",
    "Twelve months after the first formal disclosure without a qualified buyer: appraise and disclose anew",
    "《企业国有资产交易监督管理办法》第十九条",
)


def earliest_end(platform: Any, tenant: Any, start: date, limit: Limit) -> date:
    """The first lawful last day of a period of ``limit.value`` working days published on ``start``."""
    return Period(start, limit.value, basis=limit.basis).deadline(calendar=calendar_for(platform, tenant))


def payment_due(platform: Any, tenant: Any, signed_on: date) -> date:
    return add_working_days(signed_on, PAYMENT.value, calendar_for(platform, tenant))


def sign_due(platform: Any, tenant: Any, awarded_on: date) -> date:
    return add_working_days(awarded_on, SIGNING.value, calendar_for(platform, tenant))


def one_year_after(day: date) -> date:
    return add_months(day, 12)


def reappraisal_due(first_listed_on: date) -> date:
    return add_months(first_listed_on, REAPPRAISE.value)


def below_consent_line(listing_cents: int, appraisal_cents: int) -> bool:
    """Below 90% of the appraisal (exact, in integers)."""
    return listing_cents * 100 < appraisal_cents * RELIST.value
