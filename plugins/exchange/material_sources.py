""" "Use my data on file" through the exchange (issue #15): this plugin's answer to approval's
``govhall_approval_material_sources`` hook (declared by approval, docs/hooks.md).

An item's material declares ``reuse: [{"via": "exchange", "provider": "<tenant code>", "resource":
"<resource code>", "param": "<parameter>"}]`` (e.g. Nanchang's ``credit.report`` with ``subject_code``).
The applicant is offered it when the item's department — the consuming member — may read the resource
(unconditional, or an active, unexpired grant). At submission the exchange is made in-process
(``gateway.serve_in_process``): the same rights check, field projection and signed log entry as a
system's call, with the applicant's ID number as the parameter; approval keeps the data with its
provenance — the provider and the log entry (sequence number and hash) that records the exchange.
"""

from __future__ import annotations

import functools
from typing import Any

from core.api import Conflict, NotFound, today, utcnow
from plugins.exchange import gateway, services

VIA = "exchange"


def sources(
    platform: Any, tenant: Any, item: dict[str, Any], material: dict[str, Any], applicant: dict[str, Any]
) -> list[dict[str, Any]]:
    number = str(applicant.get("id_number") or "").strip().upper()
    department = str(item.get("department_code") or "")
    if not number or not department:
        return []
    consumer = services.member_identifier(tenant.path, department)
    out = []
    for want in material.get("reuse") or []:
        if not isinstance(want, dict) or want.get("via") != VIA or not want.get("resource"):
            continue
        provider = platform.directory.get(str(want.get("provider") or tenant.code))
        if provider is None or "exchange" not in platform.enabled(provider):
            continue
        code, param = str(want["resource"]), str(want.get("param") or "subject_code")
        with platform.db.session(provider.scope) as s:
            try:
                res = services.resource_by_code(s, provider, code)
            except NotFound:
                continue
            if res.sharing == "none":
                continue
            if res.sharing == "conditional":
                grant = services.grant_for(s, res, consumer)
                if grant is None or grant.state != "active" or grant.expires_on < today(platform):
                    continue
            name, who = res.name, res.provider_name or provider.name
            labels = {
                f["name"]: [f.get("label") or f["name"], f.get("label_en") or f["name"]]
                for f in res.fields or []
            }
        out.append(
            {
                "key": f"exchange:{provider.code}:{code}",
                "title_zh": f"使用我的数据：{name}（{who}，经数据共享交换平台获取）",
                "title_en": f"Use my data on file: {name} ({who}, through the data-sharing exchange)",
                "provider_zh": f"数据共享交换平台 · {who}",
                "provider_en": f"Data-sharing exchange · {who}",
                "plugin": VIA,
                "fetch": functools.partial(
                    fetch,
                    provider_id=provider.id,
                    code=code,
                    consumer=consumer,
                    params={param: number},
                    labels=labels,
                    who=who,
                ),
            }
        )
    return out


def fetch(
    *,
    session: Any,
    platform: Any,
    provider_id: int,
    code: str,
    consumer: str,
    params: dict[str, str],
    labels: dict[str, list[str]],
    who: str,
) -> dict[str, Any]:
    """The exchange itself, logged and signed; ``session`` (approval's) is not used: the gateway keeps to
    its own short transactions at the provider's scope."""
    provider = platform.directory.by_id.get(provider_id)
    if provider is None:
        raise NotFound("The providing hall is gone", "数据提供方已不存在")
    ans = gateway.serve_in_process(
        platform, provider, consumer=consumer, subsystem="approval", code=code, asked=[], params=params
    )
    if ans.status != 200 or not isinstance(ans.data, dict):
        raise Conflict(
            f"The exchange answered {ans.status}: {ans.message}",
            f"数据共享交换未能取得数据（{ans.status}）：{ans.message}",
            code="exchange_refused",
        )
    data = {k: (", ".join(map(str, v)) if isinstance(v, list) else v) for k, v in ans.data.items()}
    return {
        "data": data,
        "labels": {k: labels.get(k, [k, k]) for k in data},
        "provenance": {
            "provider_zh": f"{who}（数据共享交换平台）",
            "provider_en": f"{who} (data-sharing exchange)",
            "reference": f"交换日志 #{ans.log_seq} Exchange log #{ans.log_seq}",
            "log_seq": ans.log_seq,
            "log_hash": ans.log_hash,
            "resource": code,
            "at": utcnow().isoformat(),
            "href": f"/t/{provider.code}/exchange/log",
            "verified": True,
        },
    }
