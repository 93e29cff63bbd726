"""Hook implementations of the supervision plugin (电子监察): thin wiring only.

Rules come from every plugin enabled at a tenant through ``govhall_supervision_rules``; they are
evaluated on delivered events (``govhall_handle_event``) and by a periodic scan (``govhall_periodic_tasks``)
that also escalates cards past their feedback deadline.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import structlog

from core.api import (
    Event,
    Label,
    MenuEntry,
    PeriodicTask,
    PluginInfo,
    SettingSpec,
    WorkingDeadline,
    declare_plugin,
    hookimpl,
)
from plugins.supervision import permissions, scan

log = structlog.get_logger(__name__)
HERE = Path(__file__).parent
SCAN_EVERY_SECONDS = 300


@hookimpl
def govhall_working_deadlines() -> list[WorkingDeadline]:
    """A card's feedback limit, in the tenant's working days. Counted from the day it was issued: an
    escalation sets a new limit from its own day, but the days between issue and escalation are past days,
    which a notice (next year's arrangement) does not move."""
    from plugins.supervision.models import OPEN_STATES, Card

    return [WorkingDeadline("card", Card.issued_on, Card.feedback_due, Card.state.in_(OPEN_STATES),
                            label=Card.title_zh, holder=Card.department_code)]


declare_plugin(
    __name__,
    info=PluginInfo(name="supervision", title_zh="电子监察", title_en="Electronic supervision",
                    version="0.1.0", default_enabled=True,
                    description_zh="对审批和公共服务全过程实时监察：提示、黄牌、红牌，逐级上报，监察看板",
                    description_en="Real-time supervision of approvals and public services: prompts, "
                                   "yellow and red cards, escalation up the tree, dashboards"),
    hookspecs="plugins.supervision.hookspecs",
    permissions=permissions.PERMISSIONS,
    roles=permissions.ROLES,
    settings=[
        SettingSpec("supervision.feedback_days", 5, "Working days a department has to respond to a card "
                    "before it escalates to the parent tier.", type=int, min=1, max=60, per_tenant=True),
        SettingSpec("supervision.escalate_after_days", 5, "Working days an escalated card stays with a tier "
                    "before it escalates again (county -> city -> province).", type=int, min=1, max=60,
                    per_tenant=True),
    ],
    migrations=HERE / "migrations" / "versions",
    templates=HERE / "templates",
    routes="plugins.supervision.views:routes",
    api_routes="plugins.supervision.api:routes",
    labels=[
        Label("supervision.card", "督办卡", "Supervision card"),
        Label("supervision.cards", "督办卡", "Supervision cards"),
    ],
    menu=[
        MenuEntry("workbench", "电子监察", "Electronic supervision", "supervision/", plugin="supervision",
                  order=40, permission=permissions.CARD_VIEW.name,
                  description_zh="提示、黄牌、红牌的签收、申诉与处置",
                  description_en="Cards: respond and act"),
        MenuEntry("workbench", "监察看板", "Supervision dashboard", "supervision/dashboard",
                  plugin="supervision", order=41, permission=permissions.DASHBOARD_VIEW.name),
        MenuEntry("sunshine", "电子监察", "Electronic supervision", "supervision/dashboard",
                  plugin="supervision", order=60, permission=permissions.DASHBOARD_VIEW.name),
    ],
)


def _scan_task(*, platform: Any, tenant: Any = None, session: Any = None) -> None:
    scan.run_scan(platform)


@hookimpl
def govhall_periodic_tasks() -> list[PeriodicTask]:
    # Installation-wide: the scan covers each whole tree set-based (see scan.py), never tenant by tenant.
    return [PeriodicTask("scan", SCAN_EVERY_SECONDS, _scan_task, per_tenant=False)]


@hookimpl
def govhall_handle_event(event: Event, session: Any) -> None:
    platform = session.info.get("platform")
    if platform is None:  # the core hands it over in core.events._deliver; fail so the delivery retries
        raise RuntimeError("supervision needs the platform in session.info to evaluate events")
    scan.handle_event(platform, event, session)
    from plugins.supervision import messages

    messages.handle_event(platform, event, session)
