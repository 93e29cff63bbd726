"""Demo data: in the Nanchang exchange (360100) and Donghu (360102), one project under formal disclosure,
one online auction running today with two qualified buyers (the demo enterprise and a firm), and one
concluded through an auction with its signed trade certificate.

Driven through the services with the platform clock set to each act's day (and put back after), so every
period is lawful and every row is what the procedure writes. Idempotent: a tenant with projects is left
alone.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.api import add_calendar_days, clock, today
from plugins.equity import bidding, buyers, deals, law, services
from plugins.equity.models import Project

ENTERPRISE = ("91360100MA35123453", "南昌示例科技有限公司")  # the demo account ``enterprise``
FIRMS = [("91360102MA35100010", "江西赣江投资有限公司"), ("91360103MA35100020", "南昌洪城实业集团有限公司")]
SELLERS = {
    "360100": ("南昌市国有资本投资运营集团有限公司", "91360100MA35200010", "南昌市国资委", "周建华"),
    "360102": (
        "南昌市东湖区国有资产经营有限公司",
        "91360102MA35200020",
        "东湖区国有资产监督管理办公室",
        "吴志明",
    ),
}
TITLES = {
    "360100": [
        "南昌市某商贸公司 51% 股权转让",
        "南昌轨道广告有限公司 35% 股权转让",
        "江西洪都物流有限公司 20% 股权转让",
    ],
    "360102": [
        "东湖区某物业公司 100% 股权转让",
        "东湖区文旅发展有限公司 30% 股权转让",
        "东湖区城建材料有限公司 45% 股权转让",
    ],
}


def _valid(code: str) -> str:
    from stdnum.cn import uscc

    return code[:17] + uscc.calc_check_digit(code[:17])


@contextmanager
def _on(platform: Any, when: date | datetime) -> Iterator[None]:
    """The platform clock at ``when`` for the acts inside (the demo writes history), then as it was."""
    before = clock.now(platform) if platform.clock.fixed else None
    platform.clock.set(when)
    try:
        yield
    finally:
        platform.clock.set(before)


def _local(platform: Any, day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), platform.clock.zone).astimezone(UTC)


def _file(s: Session, platform: Any, tenant: Any, title: str, appraisal: int, on: date) -> Project:
    name, code, supervisor, rep = SELLERS[tenant.code]
    with _on(platform, on):
        p = services.create(
            s,
            platform,
            tenant,
            services.ProjectIn(
                title=title,
                target=title.removesuffix("转让"),
                seller_name=name,
                seller_code=_valid(code),
                seller_representative=rep,
                supervisor_name=supervisor,
                appraisal_cents=appraisal,
                appraisal_approved_by=supervisor,
                appraisal_approved_on=add_calendar_days(on, -10),
                listing_cents=appraisal,
                increment_cents=appraisal // 100,
                deposit_cents=appraisal // 10,
                conditions="依法设立并有效存续的企业法人，具有良好的财务状况和支付能力，未被列入失信名单",
            ),
            actor="demo",
        )
        services.review_conditions(s, platform, tenant, p.id, p.version, fair=True, reason="", actor="demo")
        services.disclose(s, platform, tenant, p.id, p.version, kind="formal", start=on, actor="demo")
    return p


def _qualified(s: Session, platform: Any, tenant: Any, p: Project, on: date) -> list[int]:
    ids = []
    with _on(platform, on):
        for code, name in (ENTERPRISE, FIRMS[0] if tenant.code == "360100" else FIRMS[1]):
            b = buyers.register(
                s,
                platform,
                tenant,
                p.id,
                credit_code=_valid(code),
                name=name,
                qualification="营业执照、近三年审计报告",
                actor="demo",
            )
            buyers.pay_deposit(s, platform, tenant, b.id, cents=p.deposit_cents, on=on, actor="demo")
            ids.append(b.id)
    after = add_calendar_days(p.formal_end or on, 1)
    with _on(platform, after):
        services.advance(s, platform, tenant, p)
        for bid in ids:
            b = buyers.load_buyer(s, tenant, bid)
            buyers.confirm(s, platform, tenant, bid, b.version, qualified=True, actor="demo")
    return ids


def _concluded(s: Session, platform: Any, tenant: Any, title: str, d: date) -> None:
    p = _file(s, platform, tenant, title, 8_600_000_00, add_calendar_days(d, -120))
    _qualified(s, platform, tenant, p, add_calendar_days(d, -119))
    day = add_calendar_days(p.formal_end or d, 3)
    starts = _local(platform, day, 10)
    with _on(platform, starts):
        buyers.proceed(
            s,
            platform,
            tenant,
            p.id,
            p.version,
            starts_at=starts,
            free_minutes=30,
            countdown_seconds=300,
            actor="demo",
        )
    codes = [_valid(ENTERPRISE[0]), _valid((FIRMS[0] if tenant.code == "360100" else FIRMS[1])[0])]
    for i in range(5):
        bidding.place_bid(
            s,
            platform,
            tenant,
            p.id,
            credit_code=codes[i % 2],
            amount_cents=p.listing_cents + i * p.increment_cents,
            actor="demo",
            now=starts + timedelta(minutes=5 + i),
        )
    bidding.close_if_due(s, platform, tenant, p.id, now=starts + timedelta(hours=1))
    with _on(platform, day):
        deals.sign(
            s, platform, tenant, p.id, p.version, deals.ContractIn(f"CQJY-{p.number}", day), actor="demo"
        )
        deals.pay(
            s, platform, tenant, p.id, cents=p.listing_cents + 4 * p.increment_cents, on=day, actor="demo"
        )
        deals.publish_notice(s, platform, tenant, p.id, start=day, actor="demo")
    with _on(platform, add_calendar_days(law.earliest_end(platform, tenant, day, law.NOTICE), 1)):
        deals.issue_certificate(s, platform, tenant, p.id, actor="demo")


def load(session: Session, directory: Any) -> None:
    platform = session.info.get("platform")
    if platform is None:
        return
    d = today(platform)
    for code in ("360100", "360102"):
        tenant = directory.get(code)
        if tenant is None or "equity" not in set(platform.enabled(tenant)):
            continue
        if session.scalar(select(func.count()).select_from(Project).where(Project.tenant_id == tenant.id)):
            continue
        disclosing, auction, concluded = TITLES[code]
        _concluded(session, platform, tenant, concluded, d)
        # Ready to run: disclosure over, two qualified buyers, the auction open all of today.
        p = _file(session, platform, tenant, auction, 12_000_000_00, add_calendar_days(d, -45))
        _qualified(session, platform, tenant, p, add_calendar_days(d, -44))
        with _on(platform, d):
            buyers.proceed(
                session,
                platform,
                tenant,
                p.id,
                p.version,
                starts_at=_local(platform, d, 0),
                free_minutes=24 * 60 - 10,
                countdown_seconds=300,
                actor="demo",
            )
        _file(session, platform, tenant, disclosing, 3_200_000_00, add_calendar_days(d, -3))
