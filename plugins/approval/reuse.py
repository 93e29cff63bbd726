""" "Use my data on file" (不再重复提交, issue #15): a material that declares ``reuse`` may be supplied from
the applicant's data on file instead of an upload — a licence they hold, a record another department
shares through the exchange. Approval asks the plugins enabled here through its own hook,
``govhall_approval_material_sources`` (plugins/approval/hookspecs.py); with none of them on, nothing is
offered and every material is uploaded as before.

The data is fetched when the applicant submits, before the submission's transaction (a fetch may call
another hall or the exchange, which keep to their own short transactions), and kept with the application
(``ReusedMaterial``) with its provenance for the clerk.
"""

from __future__ import annotations

from typing import Any

from core.api import DomainError, Invalid
from plugins.approval import catalogue


def applicant_of(who: Any) -> dict[str, Any]:
    return {"account_id": who.account_id, "kind": who.kind, "id_number": who.id_number, "name": who.name}


def _item(item: Any) -> dict[str, Any]:
    return {
        "code": item.code,
        "name": item.name,
        "version_no": item.version_no,
        "department_code": item.department_code,
        "department_name": item.department_name,
    }


def offered(
    platform: Any, tenant: Any, item: Any, applicant: dict[str, Any]
) -> dict[str, list[dict[str, Any]]]:
    """Material code -> the sources the applicant may choose instead of uploading it."""
    wanted = [m for m in item.materials if m.reuse]
    if not wanted or not applicant.get("id_number"):
        return {}
    hook = platform.hooks(tenant).govhall_approval_material_sources
    out: dict[str, list[dict[str, Any]]] = {}
    with platform.db.session(tenant.scope) as s:  # handed on, not used here: it holds no connection
        for m in wanted:
            material = {"code": m.code, "name": m.name, "required": m.required, "reuse": list(m.reuse)}
            found = [
                src
                for batch in hook(
                    platform=platform,
                    tenant=tenant,
                    item=_item(item),
                    material=material,
                    applicant=applicant,
                    session=s,
                )
                for src in batch or []
                if isinstance(src, dict) and src.get("key") and src.get("fetch")
            ]
            if found:
                out[m.code] = found
    return out


def load_item(platform: Any, tenant: Any, code: str) -> Any:
    with platform.db.session(tenant.scope) as s:
        item = catalogue.get_item(s, code)
        _ = list(item.materials)  # loaded before the session closes
        return item


def fetch_chosen(
    platform: Any, tenant: Any, item_code: str, applicant: dict[str, Any], choices: dict[str, str]
) -> dict[str, dict[str, Any]]:
    """Fetch what the applicant chose (material code -> source key). A source no longer offered, or one
    whose data cannot be used any more (a licence revoked meanwhile, the exchange refusing), is an
    ``Invalid`` naming the material: upload it instead. Nothing is stored here."""
    choices = {k: v for k, v in choices.items() if v}
    if not choices:
        return {}
    item = load_item(platform, tenant, item_code)
    sources = offered(platform, tenant, item, applicant)
    names = {m.code: m.name for m in item.materials}
    got: dict[str, dict[str, Any]] = {}
    fields: dict[str, str] = {}
    fields_zh: dict[str, str] = {}
    for code, key in choices.items():
        source = next((src for src in sources.get(code, []) if src["key"] == key), None)
        if source is None:
            fields[code], fields_zh[code] = (
                "this data on file is not available: upload it",
                "该数据不可用，请上传此材料",
            )
            continue
        try:
            with platform.db.transaction(tenant.scope) as s:
                fetched = source["fetch"](session=s, platform=platform)
        except DomainError as exc:
            fields[code] = f"{exc.message_en}: upload it instead"
            fields_zh[code] = f"{exc.message_zh}，请上传此材料"
            continue
        got[code] = {
            "key": key,
            "plugin": str(source.get("plugin", "")),
            "title": source["title_zh"],
            "data": fetched.get("data") or {},
            "labels": fetched.get("labels") or {},
            "provenance": fetched.get("provenance") or {},
        }
    if fields:
        zh = "；".join(f"“{names.get(c, c)}”{m}" for c, m in fields_zh.items())
        raise Invalid(
            "Some data on file could not be used: " + "; ".join(fields.values()),
            zh,
            code="reuse_unavailable",
            fields=fields,
            fields_zh=fields_zh,
        )
    return got
