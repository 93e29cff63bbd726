"""What the interaction pages share: the request's context, running work in a transaction, and bad
input turned into field -> message in the page's language."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from core.api import DomainError, form_errors, today
from plugins.interaction.models import ACTIONS, CALLBACK_RESULTS, KINDS, LINK_KINDS, STATES

FIELD_ZH = {
    "kind": "诉求类型",
    "title": "标题",
    "content": "内容",
    "name": "姓名",
    "phone": "手机号",
    "code": "验证码",
    "about_department": "涉及部门",
    "about_item": "涉及事项",
    "about_application": "涉及办件",
    "note": "说明",
    "reply": "答复",
    "days": "延期天数",
    "rating": "评价",
    "comment": "评价意见",
    "other_number": "关联工单编号",
    "tenant_code": "转办对象",
    "department_code": "部门",
    "result": "回访结果",
    "version": "版本",
    "form": "表单",
}


def ctx(request: Request) -> Any:
    return request.state.ctx


async def run(request: Request, fn: Any, *, write: bool = True, scope: Any = None) -> Any:
    c = ctx(request)

    def work() -> Any:
        opener = c.platform.db.transaction if write else c.platform.db.session
        with opener(scope or c.tenant.scope) as s:
            return fn(s)

    return await c.platform.db.run(work)


def errors_of(request: Request, exc: Exception) -> dict[str, str]:
    """Field (named in the page's language, English beside Chinese) -> message."""
    return form_errors(exc, FIELD_ZH, lang=ctx(request).lang)


def status_of(exc: Exception) -> int:
    return exc.status if isinstance(exc, DomainError) else 422


def max_mb(request: Request) -> int:
    return int(ctx(request).platform.settings["interaction.attachment_max_mb"])


def common(request: Request, **values: Any) -> dict[str, Any]:
    from plugins.interaction.attachments import MAX_FILES

    c = ctx(request)
    return {
        "max_files": MAX_FILES,
        "max_mb": max_mb(request),
        "kinds": KINDS,
        "states": STATES,
        "actions": ACTIONS,
        "link_kinds": LINK_KINDS,
        "callback_results": CALLBACK_RESULTS,
        "today": today(c.platform),
        "base": f"/t/{c.tenant.code}/interaction",
        **values,
    }


def client_ip(request: Request) -> str:
    return request.client.host if request.client else ""


async def own_ticket(request: Request) -> None:
    """``require(visible=...)``: one of the caller's own tickets here; anyone else's answers like a missing
    one (404)."""
    from plugins.interaction import services

    c = ctx(request)
    tid = int(request.path_params["ticket_id"])
    await run(request, lambda s: services.mine(s, c.tenant, c.actor.account_id or -1, tid), write=False)


async def ticket_here(request: Request) -> None:
    """``require(visible=...)``: a ticket of this hall (another hall's answers 404)."""
    from plugins.interaction import services

    c = ctx(request)
    tid = int(request.path_params["ticket_id"])
    await run(request, lambda s: services.get(s, c.tenant, tid), write=False)


async def guest_ticket(request: Request) -> None:
    """``require(visible=...)``: a ticket of this hall whose follow-up key is given (``?key=``); a wrong key
    answers like a missing ticket (404)."""
    from plugins.interaction import services

    c = ctx(request)
    number, key = request.path_params["number"], request.query_params.get("key", "")
    await run(request, lambda s: services.for_guest(s, c.tenant, number, key), write=False)
