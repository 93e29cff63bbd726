"""Hook implementations of the credit plugin: thin wiring only (logic in services, check, warning)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from core.api import Event, Finding, Label, MenuEntry, PluginInfo, declare_plugin, hookimpl
from plugins.credit import check as credit_check
from plugins.credit import permissions, rules

HERE = Path(__file__).resolve().parent

declare_plugin(
    __name__,
    info=PluginInfo(name="credit", title_zh="公共信用", title_en="Public credit", version="0.1.0",
                    description_zh="双公示、红黑名单、企业信用监管警示与联合奖惩",
                    description_en="Licence and penalty publicity, red and black lists, enterprise credit "
                                   "warning, joint reward and punishment"),
    permissions=permissions.PERMISSIONS,
    roles=permissions.ROLES,
    settings=rules.SPECS,
    migrations=HERE / "migrations" / "versions",
    templates=HERE / "templates",
    routes="plugins.credit.views:routes",
    api_routes="plugins.credit.api:routes",
    cli="plugins.credit.cli:credit",
    demo="plugins.credit.demo:load",
    labels=[
        Label("credit.licence", "行政许可信息", "Licence record"),
        Label("credit.penalty", "行政处罚信息", "Penalty record"),
        Label("credit.list", "红黑名单", "Credit list"), Label("credit.record", "信用记录", "Credit record"),
    ],
    menu=[
        MenuEntry("subsystem", "公共信用", "Public credit", "credit/", plugin="credit", order=10,
                  permission=permissions.PUBLIC_VIEW.name,
                  description_zh="信用查询、双公示、红黑名单",
                  description_en="Credit search, publicity, lists"),
        MenuEntry("sunshine", "双公示", "Licences and penalties", "credit/publicity", plugin="credit",
                  order=30,
                  permission=permissions.PUBLIC_VIEW.name),
        MenuEntry("sunshine", "红黑名单", "Red and black lists", "credit/lists", plugin="credit", order=31,
                  permission=permissions.PUBLIC_VIEW.name),
        MenuEntry("workbench", "信用信息管理", "Credit records", "credit/records", plugin="credit", order=40,
                  permission=permissions.RECORD_VIEW.name),
    ],
)


@hookimpl
def govhall_checks(check: str, subject: dict[str, Any], tenant: Any, session: Any) -> list[Finding] | None:
    # None (not []) for checks credit does not answer: pluggy leaves None out of the results, so a caller
    # asking a check nobody answers gets no batches at all.
    if check not in credit_check.ANSWERS:
        return None
    return credit_check.acceptance_check(check, subject, tenant, session)


@hookimpl
def govhall_handle_event(event: Event, session: Any) -> None:
    credit_check.handle_event(event, session)


@hookimpl(optionalhook=True)  # supervision's hook (plugins/supervision/hookspecs.py)
def govhall_supervision_rules() -> list[dict[str, Any]]:
    return [dict(
        id=credit_check.RULE_ID, version=1, kind_of_power="administrative_approval", severity="yellow",
        title_zh="受理信用预警等级为“严重”的申请人", title_en="Applicant at credit level serious accepted",
        on_events=("approval.application.accepted",), evaluate_event=credit_check.serious_on_acceptance,
    ), dict(
        id=credit_check.LATE_RULE_ID, version=1, kind_of_power="administrative_approval", severity="prompt",
        title_zh="行政许可信息超过 7 个工作日公示", title_en="Licence published after seven working days",
        scan=credit_check.late_licences, scan_subtree=True,
    )]


@hookimpl
def govhall_data_resources(tenant: Any) -> list[Any]:
    """The data-sharing platform's catalogue: a subject's credit report (plugins/credit/exchange.py)."""
    from plugins.credit.exchange import resources

    return resources(tenant)
