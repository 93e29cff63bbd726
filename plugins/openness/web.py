"""What the openness pages share: the request's context, running work on the hall's session, and bad
input turned into field -> message in the page's language (the field named in Chinese with its key)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from core.api import DomainError, form_errors, run_scoped, today
from plugins.openness import law
from plugins.openness.models import ACTIONS, EXTENSION_STATES

FIELD_ZH = {
    "requester_kind": "申请人类型",
    "requester_name": "申请人姓名或名称",
    "phone": "联系电话",
    "email": "电子邮箱",
    "address": "通信地址",
    "description": "所需信息的描述",
    "department_code": "公开机关（部门）",
    "channel": "申请方式",
    "made_on": "提交日期",
    "received_on": "收到申请之日",
    "note": "说明",
    "third_party": "第三方",
    "days": "延期工作日",
    "reason": "延期理由",
    "approve": "是否批准",
    "outcome": "答复类型",
    "ground": "法律依据",
    "reply": "答复内容",
    "version": "版本",
    "year": "年度",
    "code": "权力编码",
    "category": "权力类别",
    "name": "权力名称",
    "legal_basis": "法律依据",
    "responsibilities": "责任事项",
    "accountability": "追责情形",
    "change_note": "修订说明",
    "item_code": "办事事项",
    "form": "表单",
}


def ctx(request: Request) -> Any:
    return request.state.ctx


async def run(request: Request, fn: Any, *, write: bool = True) -> Any:
    return await run_scoped(request, fn, write=write)


def errors_of(request: Request, exc: Exception) -> dict[str, str]:
    """Field (named in the page's language, the key beside the Chinese) -> message."""
    return form_errors(exc, FIELD_ZH, lang=ctx(request).lang)


def status_of(exc: Exception) -> int:
    return exc.status if isinstance(exc, DomainError) else 422


def common(request: Request, **values: Any) -> dict[str, Any]:
    c = ctx(request)
    return {
        "channels": law.CHANNELS,
        "received_rules": law.RECEIVED_RULES,
        "requester_kinds": law.REQUESTER_KINDS,
        "states": law.STATES,
        "outcomes": law.OUTCOMES,
        "actions": ACTIONS,
        "extension_states": EXTENSION_STATES,
        "outcome_name": law.outcome_name,
        "law": law,
        "today": today(c.platform),
        "base": f"/t/{c.tenant.code}/openness",
        **values,
    }


async def own_request(request: Request) -> None:
    """``require(visible=...)``: one of the caller's own requests here; anyone else's answers 404."""
    from plugins.openness import services

    c = ctx(request)
    rid = int(request.path_params["disclosure_id"])
    await run(request, lambda s: services.mine(s, c.tenant, c.actor.account_id or -1, rid), write=False)


async def request_here(request: Request) -> None:
    """``require(visible=...)``: a request of this hall (another hall's answers 404)."""
    from plugins.openness import services

    c = ctx(request)
    rid = int(request.path_params["disclosure_id"])
    await run(request, lambda s: services.get(s, c.tenant, rid), write=False)
