"""Issuing on approval: ``approval.application.approved`` -> a licence, once per application.

The item -> licence type mapping is this plugin's own table, so approval knows nothing of licences. The
licence's source key is the application (``approval.application:<id>``), unique per tenant: a redelivered
event finds the licence already there and does nothing; two deliveries racing meet the unique key, the
loser's transaction rolls back and its retry finds the licence.
"""

from __future__ import annotations

from typing import Any

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.api import Event, Invalid
from plugins.licence import dates, services
from plugins.licence.catalogue import mapping_for
from plugins.licence.issuing import Holder
from plugins.licence.models import Licence, LicenceType

log = structlog.get_logger(__name__)
APPROVED = "approval.application.approved"


class EventTenant:
    """The tenant of an event as the services need it (id, path, code, name)."""

    def __init__(self, platform: Any, event: Event) -> None:
        ref = platform.directory.by_id.get(event.tenant_id) if platform is not None else None
        self.id, self.path = event.tenant_id, event.tenant_path
        self.code = event.tenant_path.rsplit("/", 1)[-1]
        self.name = ref.name if ref is not None else self.code


def field_values(lt: LicenceType, payload: dict[str, Any]) -> dict[str, str]:
    """Each field's value from its source in the event (``form.<name>`` needs the form in the payload)."""
    raw_form = payload.get("form")
    form: dict[str, Any] = raw_form if isinstance(raw_form, dict) else {}
    sources = {
        "applicant_name": payload.get("applicant_name"),
        "applicant_id_number": payload.get("applicant_id_number"),
        "item_name": payload.get("item_name"),
        "application_number": payload.get("number"),
        "decision_reason": payload.get("decision_reason"),
    }
    out = {}
    for f in lt.fields or []:
        source = str(f.get("source") or "")
        if source.startswith("const:"):
            value: Any = source.removeprefix("const:")
        elif source.startswith("form."):
            value = form.get(source.removeprefix("form."), "")
        else:
            value = sources.get(source, "")
        out[f["name"]] = str(value or "")
    return out


def handle_event(event: Event, session: Session) -> Licence | None:
    if event.type != APPROVED:
        return None
    payload = dict(event.payload)
    platform = session.info.get("platform")
    if platform is None:  # the core hands it over in core.events._deliver; fail so the delivery retries
        raise RuntimeError("licence needs the platform in session.info to issue licences")
    mapping = mapping_for(session, event.tenant_id, str(payload.get("item_code", "")))
    if mapping is None:
        return None
    source_key = f"approval.application:{payload.get('application_id')}"
    existing = session.scalar(
        select(Licence).where(Licence.tenant_id == event.tenant_id, Licence.source_key == source_key)
    )
    if existing is not None:
        log.info("licence.already_issued", event_id=event.id, identifier=existing.identifier)
        return existing
    lt = session.get(LicenceType, mapping.type_id)
    assert lt is not None
    holder = Holder(
        str(payload.get("applicant_kind", "")),
        str(payload.get("applicant_id_number", "")),
        str(payload.get("applicant_name", "")),
    )
    try:
        lic = services.issue(
            session,
            platform,
            EventTenant(platform, event),
            lt,
            holder,
            field_values(lt, payload),
            actor=event.actor or "system:licence",
            source_key=source_key,
            decided_on=dates.local_date(platform, event.occurred_at),
            application_number=str(payload.get("number", "")),
            item_name=str(payload.get("item_name", "")),
        )
    except Invalid as exc:
        # A holder this type cannot be issued to will not improve on redelivery: log it, deliver.
        log.warning("licence.not_issued", event_id=event.id, reason=exc.message_en)
        return None
    log.info("licence.issued", event_id=event.id, identifier=lic.identifier)
    _tell_holder(session, platform, event, lic, lt)
    return lic


def _tell_holder(session: Session, platform: Any, event: Event, lic: Licence, lt: LicenceType) -> None:
    """The applicant finds the licence in their messages (core inbox), once per licence."""
    from core.api import notify

    account = event.payload.get("applicant_account_id")
    tenant = platform.directory.by_id.get(event.tenant_id)
    if not isinstance(account, int) or tenant is None:
        return
    notify(session, tenant=tenant, to_account=account, kind="licence.issued",
           title_zh=f"电子证照已签发：{lt.name}"[:200],
           title_en=f"Licence issued: {lt.name_en or lt.name}"[:200],
           body_zh=f"证照编号 {lic.identifier}，可在“我的证照”中查看和下载。",
           body_en=f"Licence number {lic.identifier}; see and download it under My licences.",
           href=f"licence/my/{lic.id}", dedupe_key=f"licence.issued:{lic.id}")
