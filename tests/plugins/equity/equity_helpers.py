"""Shared helpers of the equity tests: a filed project, disclosure run to its end, qualified buyers."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from factories import credit_code

from plugins.equity import buyers, services

TENANT = "360102"
SELLER = credit_code(700)
BUYERS = [credit_code(701 + i) for i in range(4)]
NAMES = ["江西甲投资有限公司", "江西乙实业有限公司", "江西丙控股有限公司", "江西丁资本有限公司"]
FILED = date(2026, 12, 1)  # a Tuesday
AUCTION_AT = datetime(2027, 1, 15, 2, 0, tzinfo=UTC)  # 10:00 in Nanchang


def project_in(**kw: Any) -> services.ProjectIn:
    base: dict[str, Any] = dict(
        title="南昌市某国有企业所持江西某公司 40% 股权",
        target="江西某科技有限公司 40% 股权",
        seller_name="南昌市国有资本投资有限公司",
        seller_code=SELLER,
        seller_representative="刘一",
        supervisor_name="南昌市国资委",
        appraisal_cents=10_000_000_00,
        appraisal_approved_by="南昌市国资委",
        appraisal_approved_on=date(2026, 11, 20),
        listing_cents=10_000_000_00,
        increment_cents=100_000_00,
        conditions="意向受让方为依法设立并有效存续的企业法人，净资产不低于 5000 万元",
        deposit_cents=1_000_000_00,
    )
    base.update(kw)
    return services.ProjectIn(**base)


def tenant(platform: Any, code: str = TENANT) -> Any:
    return platform.directory.get(code)


def filed(platform: Any, **kw: Any) -> int:
    platform.clock.set(FILED)
    t = tenant(platform)
    with platform.db.transaction(t.scope) as s:
        p = services.create(s, platform, t, project_in(**kw), actor="tests")
        services.review_conditions(s, platform, t, p.id, p.version, fair=True, reason="", actor="reviewer")
        return p.id


def disclosed(platform: Any, **kw: Any) -> int:
    pid = filed(platform, **kw)
    t = tenant(platform)
    with platform.db.transaction(t.scope) as s:
        p = services.load(s, t, pid)
        services.disclose(s, platform, t, pid, p.version, kind="formal", start=FILED, actor="tests")
    return pid


def with_buyers(platform: Any, n: int = 2, qualify: int | None = None, **kw: Any) -> tuple[int, list[int]]:
    """A project past its disclosure with ``n`` buyers who paid, the first ``qualify`` of them qualified."""
    pid = disclosed(platform, **kw)
    t = tenant(platform)
    ids = []
    with platform.db.transaction(t.scope) as s:
        for code, name in list(zip(BUYERS, NAMES, strict=True))[:n]:
            b = buyers.register(
                s, platform, t, pid, credit_code=code, name=name, representative="某某", actor="tests"
            )
            buyers.pay_deposit(s, platform, t, b.id, cents=1_000_000_00, on=FILED, actor="tests")
            ids.append(b.id)
    platform.clock.set(date(2027, 1, 4))  # after the 20 working days
    with platform.db.transaction(t.scope) as s:
        services.advance(s, platform, t, services.load(s, t, pid))
        for i, bid in enumerate(ids):
            b = buyers.load_buyer(s, t, bid)
            ok = qualify is None or i < qualify
            buyers.confirm(
                s, platform, t, bid, b.version, qualified=ok, reason="" if ok else "净资产不足", actor="tests"
            )
    return pid, ids


def auction_ready(platform: Any, n: int = 2, **kw: Any) -> tuple[int, list[int]]:
    pid, ids = with_buyers(platform, n, **kw)
    t = tenant(platform)
    with platform.db.transaction(t.scope) as s:
        p = services.load(s, t, pid)
        buyers.proceed(
            s,
            platform,
            t,
            pid,
            p.version,
            starts_at=AUCTION_AT,
            free_minutes=30,
            countdown_seconds=60,
            actor="tests",
        )
    return pid, ids
