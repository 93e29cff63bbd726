"""Hook implementations of the interaction plugin: thin wiring only (logic in services and guests)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from core.api import Label, MenuEntry, PluginInfo, SettingSpec, WorkingDeadline, declare_plugin, hookimpl
from plugins.interaction import permissions as P

HERE = Path(__file__).resolve().parent


@hookimpl
def govhall_working_deadlines() -> list[WorkingDeadline]:
    """A ticket's due date (working days from receipt, plus an approved extension), a department's
    assignment (the ticket's due date when dispatched) and a bad review's rectification limit."""
    from plugins.interaction.models import Review as V
    from plugins.interaction.models import Ticket as T
    from plugins.interaction.models import TicketAssignment as A

    return [
        WorkingDeadline("ticket", T.received_on, T.due_on,
                        T.state.in_(("submitted", "accepted", "dispatched")), label=T.number),
        # Dispatched on a date the row keeps only as a timestamp; counted from that day (a notice changes
        # next year's days, so the days between receipt and dispatch are never among those it moves).
        WorkingDeadline("assignment", A.created_at, A.due_on, A.state == "open", label=A.number,
                        holder=A.department_code),
        WorkingDeadline("rectification", V.rated_on, V.rect_due_on, V.rect_state == "open",
                        label=V.number, holder=V.department_code),
    ]


def _limit(kind: str, default: int, what: str) -> SettingSpec:
    return SettingSpec(
        f"interaction.limit_{kind}",
        default,
        f"Working days the hall has to answer a {what} (0: the same day), on the legal clock.",
        type=int,
        min=0,
        max=60,
        per_tenant=True,
    )


declare_plugin(
    __name__,
    info=PluginInfo(
        name="interaction",
        title_zh="互动交流",
        title_en="Interaction",
        version="0.1.0",
        description_zh="咨询、投诉、建议、求助（12345 工单）：受理、转办、答复、回访、评价",
        description_en="Consultations, complaints, suggestions and requests for help (12345 tickets): "
        "accept, dispatch, reply, call back, rate",
    ),
    permissions=P.PERMISSIONS,
    roles=P.ROLES,
    settings=[
        _limit("consultation", 3, "consultation"),
        _limit("complaint", 13, "complaint"),
        _limit("suggestion", 15, "suggestion"),
        _limit("help", 5, "request for help"),
        SettingSpec(
            "interaction.rectification_days",
            10,
            "Working days a department has to verify, rectify and reply to a bad review (5 to 15 are in "
            "use), on the legal clock.",
            type=int,
            min=5,
            max=15,
            per_tenant=True,
        ),
        SettingSpec(
            "interaction.attachment_max_mb",
            10,
            "Largest file attached to a ticket or a reply, in MB (at most 5 files each time).",
            type=int,
            min=1,
            max=100,
        ),
        SettingSpec(
            "interaction.daily_submissions",
            5,
            "Tickets one phone number, network address or account may submit to a hall in 24 hours; "
            "more are refused (429).",
            type=int,
            min=1,
            max=1000,
            per_tenant=True,
        ),
    ],
    migrations=HERE / "migrations" / "versions",
    templates=HERE / "templates",
    routes="plugins.interaction.views:routes",
    api_routes="plugins.interaction.api:routes",
    demo="plugins.interaction.demo:load",
    menu=[
        MenuEntry("subsystem", "互动交流", "Interaction", "interaction/new", order=12,
                  permission=P.SUBMIT.name, description_zh="咨询、投诉、建议、求助",
                  description_en="Consult, complain, suggest, ask for help"),
        MenuEntry("public_service", "我要咨询投诉", "Consult or complain", "interaction/new", order=50,
                  permission=P.SUBMIT.name),
        MenuEntry("public_service", "咨询知识库", "Answered consultations", "interaction/kb", order=51,
                  permission=P.KB_VIEW.name),
        MenuEntry("my", "我的诉求", "My tickets", "interaction/my", order=30, permission=P.SUBMIT.name),
        MenuEntry("workbench", "诉求工单", "Tickets", "interaction/tickets", order=40,
                  permission=P.VIEW.name),
        MenuEntry("workbench", "转办待办", "Dispatched to me", "interaction/work", order=41,
                  permission=P.HANDLE.name),
        MenuEntry("workbench", "好差评整改", "Reviews and rectification", "interaction/reviews", order=42,
                  permission=P.HANDLE.name),
        MenuEntry("sunshine", "好差评统计", "Service ratings", "interaction/figures", order=45,
                  permission=P.FIGURES.name),
        MenuEntry("my", "我的评价", "My reviews", "interaction/my-reviews", order=31,
                  permission=P.MY_REVIEWS.name),
    ],
    other_hooks={"govhall_supervision_rules": "plugins.interaction.rules:RULES"},  # supervision's hook
)


@hookimpl
def govhall_labels() -> list[Label]:
    """Names of the audit actions, targets and detail keys this plugin writes (core.labels)."""
    from plugins.interaction.models import CALLBACK_RESULTS

    return [
        Label("interaction.ticket.accept", "受理工单", "Ticket accepted"),
        Label("interaction.ticket.reject", "不予受理工单", "Ticket not accepted"),
        Label("interaction.ticket.dispatch", "转办工单", "Ticket dispatched"),
        Label("interaction.ticket.close", "回访并办结工单", "Ticket called back and closed"),
        Label("interaction.ticket.extension", "审批工单延期", "Ticket extension decided"),
        Label("interaction.review.rectify", "差评整改答复", "Bad review rectified"),
        Label("interaction.review.recheck", "差评整改复核", "Rectification re-checked"),
        Label("interaction.kb.publish", "发布咨询到知识库", "Consultation published in the knowledge base"),
        Label("interaction.kb.withdraw", "从知识库撤下咨询", "Consultation withdrawn from the knowledge"
              " base"),
        Label("interaction.ticket", "工单", "Ticket"),
        Label("interaction.review", "评价", "Review"),
        Label("interaction.to", "转办至", "Dispatched to"),
        Label("interaction.callback", "回访结果", "Call-back"),
        Label("interaction.days", "延期工作日", "Working days"),
        Label("interaction.approved", "批准", "Approved"),
        Label("interaction.verified", "情况属实", "Held up"),
        Label("interaction.passed", "复核通过", "Passed"),
        *[Label(f"interaction.{k}", zh, en) for k, (zh, en) in CALLBACK_RESULTS.items()],
    ]


@hookimpl
def govhall_handle_event(event: Any, session: Any) -> None:
    """Every plugin's ``<plugin>.service.rated`` becomes a review here (reviews.py)."""
    from plugins.interaction import reviews

    reviews.handle_event(event, session)


@hookimpl(optionalhook=True)  # approval's hook (plugins/approval/hookspecs.py)
def govhall_approval_rating(
    platform: Any, tenant: Any, application: dict[str, Any], session: Any
) -> dict[str, Any] | None:
    """Ratings of applications are reviews here (approval keeps none of its own)."""
    from plugins.interaction import approval_hooks

    return approval_hooks.rating(platform, tenant, application, session)


@hookimpl(optionalhook=True)  # approval's hook (plugins/approval/hookspecs.py)
def govhall_approval_case_panels(
    platform: Any, tenant: Any, application: dict[str, Any], viewer: str, allowed: Any, session: Any
) -> list[dict[str, Any]]:
    from plugins.interaction import approval_hooks

    return approval_hooks.case_panels(platform, tenant, application, allowed, session)
