""" "Use my licence" in place of an uploaded material (不再重复提交): this plugin's answer to approval's
``govhall_approval_material_sources`` hook (declared by approval, docs/hooks.md).

An item's material declares ``reuse: [{"via": "licence", "licence_type": "<type code>"}]``. The applicant
is offered each licence of that type they hold, in any hall of the network, that is valid today. At
submission the licence is read again from its issuing tenant — revoked, suspended, changed or expired
meanwhile means it cannot be used (a ``DomainError``: approval tells the applicant to upload instead) —
its stored signature is re-verified, and approval keeps its data with the provenance: issuer, number,
issue date and the verification page.
"""

from __future__ import annotations

import functools
from typing import Any

from core.api import Conflict, NotFound, subsession
from plugins.licence import dates, holders, services
from plugins.licence.issuing import verify_url
from plugins.licence.models import Licence

VIA = "licence"


def wanted_types(material: dict[str, Any]) -> set[str]:
    return {
        str(r.get("licence_type") or "").strip().upper()
        for r in material.get("reuse") or []
        if isinstance(r, dict) and r.get("via") == VIA
    } - {""}


def sources(
    platform: Any, tenant: Any, material: dict[str, Any], applicant: dict[str, Any]
) -> list[dict[str, Any]]:
    """One source per valid licence of a wanted type that the applicant holds."""
    types = wanted_types(material)
    kind, number = str(applicant.get("kind", "")), str(applicant.get("id_number") or "").strip().upper()
    if not types or kind not in ("person", "legal") or not number:
        return []
    holder = holders.HolderId(kind, number)
    today = dates.today(platform)
    out = []
    for row in holders.my_licences(platform, holder):
        lic: Licence = row["licence"]
        if lic.type_code not in types or services.effective_state(lic, today) != "valid":
            continue
        out.append(
            {
                "key": f"licence:{lic.identifier}",
                "title_zh": f"使用我的电子证照：{lic.type_name}（{lic.issuer_name}，{lic.issued_on} 颁发）",
                "title_en": f"Use my electronic licence: {lic.type_name} ({lic.issuer_name}, "
                f"issued {lic.issued_on})",
                "provider_zh": f"电子证照 · {lic.issuer_name}",
                "provider_en": f"Electronic licence · {lic.issuer_name}",
                "plugin": VIA,
                "fetch": functools.partial(
                    fetch, tenant_id=lic.tenant_id, identifier=lic.identifier, holder=holder
                ),
            }
        )
    return out


def fetch(
    *, session: Any, platform: Any, tenant_id: int, identifier: str, holder: holders.HolderId
) -> dict[str, Any]:
    """The licence's data and provenance, read again from its issuing tenant at submission."""
    from plugins.licence.verification import signature_ok

    owner = platform.directory.by_id.get(tenant_id)
    if owner is None:
        raise NotFound("The issuing hall of this licence is gone", "该证照的发证机关网厅已不存在")
    # On the caller's connection (its submission transaction), in the issuing tenant's scope: a second
    # pooled connection here is the pool deadlock of issue #10, item 3 (core.db.subsession).
    with subsession(session, owner.scope) as s:
        lic = services.by_identifier(s, owner, identifier)
        if lic is None or lic.holder_kind != holder.kind or lic.holder_id_number != holder.id_number:
            raise NotFound("No such licence of yours", "没有您的这份电子证照")
        state = services.effective_state(lic, dates.today(platform))
        if state != "valid":
            raise Conflict(
                f"The licence is {services.state_title(state, 'en').lower()}",
                f"该证照当前状态为“{services.state_title(state)}”，不能使用",
            )
        if not signature_ok(s, lic):
            raise Conflict("The licence's signature does not verify", "该证照的电子签名验证不通过")
        data = {
            "licence_number": lic.identifier,
            "licence_type": lic.type_name,
            "holder": lic.holder_name,
            "valid_until": lic.valid_until.isoformat() if lic.valid_until else "长期",
            **{f["name"]: f.get("value", "") for f in lic.data or []},
        }
        labels = {
            "licence_number": ["证照编号", "Licence number"],
            "licence_type": ["证照名称", "Licence"],
            "holder": ["持证主体", "Holder"],
            "valid_until": ["有效期至", "Valid until"],
            **{f["name"]: [f["label"], f.get("label_en") or f["label"]] for f in lic.data or []},
        }
        return {
            "data": data,
            "labels": labels,
            "provenance": {
                "provider_zh": lic.issuer_name,
                "provider_en": lic.issuer_name,
                "reference": lic.identifier,
                "at": lic.issued_on.isoformat(),
                "href": verify_url(platform, owner, lic.identifier),
                "verified": True,
                "key_id": lic.key_id,
            },
        }
