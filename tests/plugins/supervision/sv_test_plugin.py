"""A test-only plugin that contributes supervision rules and metrics over a tiny table of its own.

It stands in for any plugin (approval, medicine, bidding) in the supervision tests: the supervision
plugin must find its rules through hooks alone. The table lives in its own MetaData, so it is not part of
the project's models and migrations; ``create_table(platform)`` makes it in the test database.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import Column, Date, Integer, MetaData, String, Table, and_, case, func, select

from core.api import Event, Finding, PluginInfo, Scope, hookimpl

NAME = "sv_test"
META = MetaData()
CASES = Table(
    "sv_test_cases", META,
    Column("id", Integer, primary_key=True),
    Column("tenant_id", Integer, nullable=False),
    Column("tenant_path", String(200), nullable=False, index=True),
    Column("department_code", String(32), nullable=False, default=""),
    Column("deadline", Date, nullable=False),
    Column("concluded_on", Date, nullable=True),
)
TODAY: dict[str, date] = {"value": date(2026, 11, 28)}


def create_table(platform: Any) -> None:
    META.create_all(platform.db.engine)


def add_case(platform: Any, tenant_code: str, deadline: date, department: str = "xzspj",
             concluded_on: date | None = None) -> int:
    tenant = platform.directory.get(tenant_code)
    with platform.db.transaction(Scope.system()) as s:
        return int(s.execute(CASES.insert().values(tenant_id=tenant.id, tenant_path=tenant.path,
                                                  department_code=department, deadline=deadline,
                                                  concluded_on=concluded_on).returning(CASES.c.id)).scalar())


def _scope_pred(session: Any) -> Any:
    return session.info["scope"].predicate(CASES.c.tenant_path)


def _findings(rows: Any, code: str, zh: str, en: str, level: str) -> list[Finding]:
    return [Finding(source=NAME, code=code, level=level,  # type: ignore[arg-type]
                    message_zh=f"{zh}（期限 {r.deadline}）", message_en=f"{en} (deadline {r.deadline})",
                    object_type="sv_test.case", object_id=str(r.id),
                    tenant_id=r.tenant_id,
                    facts={"occurrence": r.deadline.isoformat(), "deadline": r.deadline.isoformat(),
                           "department_code": r.department_code, "step": "review",
                           "href": f"sv_test/cases/{r.id}"}) for r in rows]


def scan_overdue(*, platform: Any, session: Any, tenant: Any) -> list[Finding]:
    rows = session.execute(select(CASES).where(_scope_pred(session), CASES.c.concluded_on.is_(None),
                                               CASES.c.deadline < TODAY["value"])).all()
    return _findings(rows, "sv_test.overdue", "办件已超期", "Case overdue", "serious")


def scan_near(*, platform: Any, session: Any, tenant: Any) -> list[Finding]:
    today = TODAY["value"]
    rows = session.execute(select(CASES).where(
        _scope_pred(session), CASES.c.concluded_on.is_(None),
        and_(CASES.c.deadline >= today, CASES.c.deadline <= today + timedelta(days=2)))).all()
    return _findings(rows, "sv_test.near", "办件临近期限", "Case near its deadline", "warning")


def on_denied(*, event: Event, session: Any) -> list[Finding]:
    if event.payload.get("decision_reason"):
        return []
    return [Finding(source=NAME, code="sv_test.no_reason", level="serious",
                    message_zh="不予许可未说明理由", message_en="Denied without a reason",
                    object_type="sv_test.case",
                    object_id=str(event.payload["case_id"]), tenant_id=event.tenant_id,
                    facts={"department_code": event.payload.get("department_code", ""), "step": "decide"})]


# Plain mappings (supervision's RuleSpec): the plugin imports nothing of supervision's.
RULES: list[dict[str, Any]] = [
    dict(id="sv_test.overdue", version=1, kind_of_power="administrative_approval", severity="red",
         title_zh="办件超期", title_en="Case overdue", scan=scan_overdue, scan_subtree=True),
    dict(id="sv_test.near", version=2, kind_of_power="administrative_approval", severity="yellow",
         title_zh="临近期限", title_en="Near its deadline", scan=scan_near, scan_subtree=True),
    dict(id="sv_test.no_reason", version=1, kind_of_power="administrative_approval", severity="red",
         title_zh="决定无理由", title_en="Decision without a reason", on_events=("sv_test.case.denied",),
         evaluate_event=on_denied),
]


@hookimpl
def govhall_plugin_info() -> PluginInfo:
    return PluginInfo(name=NAME, title_zh="测试插件", title_en="Test plugin", version="0.0.1",
                      default_enabled=True)


@hookimpl(optionalhook=True)
def govhall_supervision_rules() -> list[dict[str, Any]]:
    return RULES


@hookimpl(optionalhook=True)
def govhall_supervision_metrics(scope: Any, session: Any) -> list[dict[str, Any]]:
    c = CASES.c
    on_time = case((and_(c.concluded_on.is_not(None), c.concluded_on <= c.deadline), 1), else_=0)
    concluded = case((c.concluded_on.is_not(None), 1), else_=0)
    overdue = case((and_(c.concluded_on.is_(None), c.deadline < TODAY["value"]), 1), else_=0)
    rows = session.execute(select(c.tenant_path, func.count(), func.sum(concluded), func.sum(on_time),
                                  func.sum(overdue)).where(scope.predicate(c.tenant_path))
                           .group_by(c.tenant_path)).all()
    return [{"tenant_path": r[0], "kind_of_power": "administrative_approval", "received": int(r[1]),
             "concluded": int(r[2] or 0), "on_time": int(r[3] or 0), "overdue": int(r[4] or 0)} for r in rows]
