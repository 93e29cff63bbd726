"""Demo fees: DH-GA-003 (居民身份证换领) in Donghu, paid before acceptance, and a Nanchang item due
before conclusion."""

from __future__ import annotations

from typing import Any

from core.api import account_by_username
from plugins.payment import services

DEMO = [
    (
        "360102",
        "DH-GA-003",
        "居民身份证换领",
        2000,
        "《居民身份证工本费》收费标准：20元/证",
        "before_acceptance",
    ),
    # Demo data: the amount and basis illustrate a fee due before conclusion, not a real tariff.
    (
        "360100",
        "NC-RSJ-002",
        "社会保障卡申领（补换卡）",
        1500,
        "补换卡工本费 15元/张（演示数据）",
        "before_conclusion",
    ),
]


def load(session: Any, directory: Any) -> None:
    for code, item, name, cents, basis, stage in DEMO:
        tenant = directory.get(code)
        if tenant is None:
            continue
        fee = services.get_fee(session, tenant, item)
        if fee is None:
            services.set_fee(
                session,
                tenant,
                item_code=item,
                item_name=name,
                amount_cents=cents,
                legal_basis=basis,
                stage=stage,
                actor="demo",
            )
    _citizens_order(session, directory)


def _citizens_order(session: Any, directory: Any) -> None:
    """The demo citizen owes the Donghu fee: one order in "my payments" (idempotent by its key)."""
    donghu = directory.get("360102")
    citizen = account_by_username(session, "citizen")
    if donghu is None or citizen is None or services.get_fee(session, donghu, "DH-GA-003") is None:
        return
    from core.api import Conflict

    platform = session.info.get("platform")
    if platform is None:
        return
    payer = services.Payer(citizen.id, citizen.display_name, "demo")
    try:
        order, created = services.create_order(session, platform, donghu, payer=payer, item_code="DH-GA-003",
                                               amount_cents=2000, idempotency_key="demo:citizen:DH-GA-003")
    except Conflict:  # already paid or under way on an earlier demo start
        return
    if created:
        services.tell_created(session, donghu, order)

