"""Messages to the applicant when their application moves (core inbox, ``core.api.notify``).

Driven by approval's own events, so a message exists exactly when the change committed, and produced once
per event (the dedupe key names the event) however often the event is redelivered.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.api import Event, notify
from plugins.approval.models import Application

# verb: (kind, title zh, title en, body zh, body en) — bodies are formatted with the payload
MESSAGES: dict[str, tuple[str, str, str, str, str]] = {
    "accepted": ("approval.accepted", "办件已受理：{item_name}", "Application accepted: {item_name}",
                 "您的办件 {number} 已受理，办理期限至 {deadline}。",
                 "Your application {number} was accepted; it is due by {deadline}."),
    "refused": ("approval.refused", "不予受理：{item_name}", "Not accepted: {item_name}",
                "您的办件 {number} 不予受理。理由：{reason}",
                "Your application {number} was not accepted. Reason: {reason}"),
    "correction_requested": ("approval.correction", "请补正材料：{item_name}",
                             "Correction requested: {item_name}",
                             "您的办件 {number} 需要补正：{reason}",
                             "Your application {number} needs a correction: {reason}"),
    "suspended": ("approval.suspended", "办件进入特别程序：{item_name}",
                  "Application suspended (special procedure): {item_name}",
                  "您的办件 {number} 进入特别程序（{procedure}），期间不计入办理时限。",
                  "Your application {number} is in a special procedure ({procedure}); the clock stops."),
    "approved": ("approval.decision", "准予许可：{item_name}", "Approved: {item_name}",
                 "您的办件 {number} 已作出准予许可的决定。", "A decision to approve {number} was made."),
    # core.holidays publishes it when a holiday notice moves an open deadline (payload: ref, old, new...)
    "moved": ("approval.deadline", "办理期限调整：{label}", "Deadline changed: {label}",
              "因录入 {year} 年节假日安排，您的办件 {label} 的办理期限由 {old} 调整为 {new}。",
              "The {year} holiday arrangement moved the deadline of your application {label} from {old} "
              "to {new}."),
    "denied": ("approval.decision", "不予许可：{item_name}", "Denied: {item_name}",
               "您的办件 {number} 已作出不予许可的决定。理由：{reason}",
               "A decision to deny {number} was made. Reason: {reason}"),
}


class _Blank(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return ""


def handle_event(event: Event, session: Session) -> int | None:
    """Tell the applicant about ``approval.application.<verb>``; returns the message id, if any."""
    verb = event.type.rsplit(".", 1)[-1]
    ours = event.type.startswith("approval.application.") or (
        event.type == "calendar.deadline.moved" and event.payload.get("plugin") == "approval")
    spec = MESSAGES.get(verb) if ours else None
    if spec is None:
        return None
    raw = event.payload.get("application_id") or event.payload.get("ref")
    app_id = int(str(raw)) if str(raw or "").isdigit() else None
    account_id = session.scalar(select(Application.applicant_account_id).where(Application.id == app_id))
    if account_id is None:
        return None
    platform = session.info.get("platform")
    tenant = platform.directory.by_id.get(event.tenant_id) if platform is not None else None
    if tenant is None:
        raise RuntimeError("approval needs the platform in session.info to address messages")
    values = _Blank(event.payload)
    missing = event.payload.get("missing")
    reason = "、".join(map(str, missing)) if isinstance(missing, list) else event.payload.get("reason")
    values["reason"] = reason or event.payload.get("decision_reason") or ""
    kind, tzh, ten, bzh, ben = spec
    return notify(session, tenant=tenant, to_account=int(account_id), kind=kind,
                  title_zh=tzh.format_map(values)[:200], title_en=ten.format_map(values)[:200],
                  body_zh=bzh.format_map(values), body_en=ben.format_map(values),
                  href=f"approval/my/{app_id}", dedupe_key=f"approval.{verb}:{event.id}")
