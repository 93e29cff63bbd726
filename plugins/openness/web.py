"""What the openness pages share: the request's context, running work on the hall's session, and bad
input turned into field -> message in the page's language (the field named in Chinese with its key)."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from starlette.requests import Request

from core.api import DomainError, run_scoped, today
from plugins.openness import law
from plugins.openness.models import ACTIONS, EXTENSION_STATES

_ZH = {
    "missing": "必填",
    "string_too_short": "内容过短或未填写",
    "string_too_long": "内容过长",
    "string_pattern_mismatch": "格式不正确",
    "int_parsing": "应为整数",
    "literal_error": "取值无效",
    "greater_than_equal": "数值过小",
    "less_than_equal": "数值过大",
    "value_error": "格式不正确",
    "extra_forbidden": "不应提交此字段",
    "bool_parsing": "取值无效",
    "date_from_datetime_parsing": "日期格式应为 年-月-日",
    "date_parsing": "日期格式应为 年-月-日",
}
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
    zh = ctx(request).lang == "zh-CN"

    def label(name: str) -> str:
        return f"{FIELD_ZH.get(name, name)} ({name})" if zh else name

    if isinstance(exc, ValidationError):
        out = {}
        for e in exc.errors():
            name = ".".join(map(str, e["loc"])) or "form"
            msg = str(e["msg"]).removeprefix("Value error, ")
            out[label(name)] = (_ZH.get(e["type"], "格式不正确") + "：" + msg) if zh else msg
        return out
    assert isinstance(exc, DomainError)
    message = exc.message_zh if zh else exc.message_en
    return {label(n): message for n in exc.fields} or {label("form"): message}


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
