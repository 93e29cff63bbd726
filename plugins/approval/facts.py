"""Facts other plugins add to an application's pages through ``govhall_approval_case_facts``
(plugins/approval/hookspecs.py): payment's fee and its state, for instance; and to an item's service
guide through ``govhall_approval_item_facts`` (openness's power the item exercises). With no such plugin
on, there are none and the pages are as before."""

from __future__ import annotations

from typing import Any

from core.api import safe_url

KEYS = ("label_zh", "label_en", "value_zh", "value_en")


def case_facts(platform: Any, tenant: Any, app: Any, viewer: str, session: Any) -> list[dict[str, Any]]:
    application = {
        "id": app.id,
        "number": app.number,
        "item_code": app.item_code,
        "state": app.state,
        "applicant_account_id": app.applicant_account_id,
    }
    batches = platform.hooks(tenant).govhall_approval_case_facts(
        platform=platform, tenant=tenant, application=application, viewer=viewer, session=session
    )
    return _clean(batches)


def item_facts(platform: Any, tenant: Any, item: Any, session: Any) -> list[dict[str, Any]]:
    """Facts other plugins add to an item's service guide (``govhall_approval_item_facts``): the power
    it exercises, where openness is on."""
    batches = platform.hooks(tenant).govhall_approval_item_facts(
        platform=platform,
        tenant=tenant,
        item={"code": item.code, "name": item.name, "department_code": item.department_code},
        session=session,
    )
    return _clean(batches)


def _clean(batches: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for batch in batches or []:
        for fact in batch or []:
            if not isinstance(fact, dict) or not all(isinstance(fact.get(k), str) for k in KEYS):
                continue
            href = safe_url(fact.get("href")) if fact.get("href") else None
            out.append(
                {
                    **fact,
                    "href": href,
                    "level": fact.get("level") if fact.get("level") in ("ok", "warning") else "",
                }
            )
    return out
