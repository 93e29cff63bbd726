"""Facts other plugins add to an application's pages through ``govhall_approval_case_facts``
(plugins/approval/hookspecs.py): payment's fee and its state, for instance; and to an item's service
guide through ``govhall_approval_item_facts`` (openness's power the item exercises). With no such plugin
on, there are none and the pages are as before."""

from __future__ import annotations

from typing import Any

from core.api import safe_url

KEYS = ("label_zh", "label_en", "value_zh", "value_en")


def case_facts(platform: Any, tenant: Any, app: Any, viewer: str, session: Any) -> list[dict[str, Any]]:
    application = _application(app)
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


def _application(app: Any) -> dict[str, Any]:
    return {
        "id": app.id,
        "number": app.number,
        "item_code": app.item_code,
        "state": app.state,
        "applicant_account_id": app.applicant_account_id,
    }


def rating_of(platform: Any, tenant: Any, app: Any, session: Any) -> dict[str, Any] | None:
    """What the plugin that records reviews says of this application's rating (``govhall_approval_rating``):
    ``None`` where no plugin answers (ratings are unavailable at the tenant), else ``{"review": ...}``
    with the review cleaned (a level 1..5, strings, a same-site link) or ``None`` while none is recorded."""
    if platform is None:
        return None
    answer = platform.hooks(tenant).govhall_approval_rating(
        platform=platform, tenant=tenant, application=_application(app), session=session
    )
    if not isinstance(answer, dict):
        return None
    review = answer.get("review")
    level = review.get("level") if isinstance(review, dict) else None
    if not isinstance(review, dict) or not isinstance(level, int) or not 1 <= level <= 5:
        return {"review": None}
    text = ("comment", "rated_on", "rectification_zh", "rectification_en", "outcome_zh", "outcome_en")
    clean: dict[str, Any] = {k: str(review.get(k) or "") for k in text}
    clean["level"] = level
    clean["href"] = safe_url(review.get("href")) if review.get("href") else None
    return {"review": clean}


PANEL_ROW_KEYS = ("kind_zh", "kind_en", "text", "state_zh", "state_en", "due")


def case_panels(platform: Any, tenant: Any, app: Any, allowed: Any, session: Any) -> list[dict[str, Any]]:
    """Panels other plugins add to the case page (``govhall_approval_case_panels``), malformed rows left
    out; none where no such plugin is on."""
    batches = platform.hooks(tenant).govhall_approval_case_panels(
        platform=platform, tenant=tenant, application=_application(app), viewer="staff", allowed=allowed,
        session=session,
    )
    out: list[dict[str, Any]] = []
    for batch in batches or []:
        for panel in batch or []:
            titles = ("title_zh", "title_en")
            if not isinstance(panel, dict) or not all(isinstance(panel.get(k), str) for k in titles):
                continue
            rows = [
                {**{k: str(r.get(k) or "") for k in PANEL_ROW_KEYS}, "overdue": r.get("overdue") is True,
                 "href": safe_url(r.get("href")) if r.get("href") else None}
                for r in panel.get("rows") or [] if isinstance(r, dict)
            ]
            out.append({"title_zh": panel["title_zh"], "title_en": panel["title_en"], "rows": rows})
    return out
