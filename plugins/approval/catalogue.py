"""The catalogue of service items: versions, the provincial basic catalogue and claims, search (the
import of whole files is plugins.approval.importer).

Search is a bigram index (``approval_search_tokens``): Chinese has no spaces, so words cannot be split
without a dictionary, but every two-character window of a name is a token. A query matches an item when
the item holds every bigram of the query. It is one indexed lookup per query on SQLite and PostgreSQL
alike (pg_trgm would need an extension that a managed PostgreSQL may not allow, and trigrams of two-
character Chinese words do not exist), and it stays tenant-scoped through the token table's path column.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.api import Department, Invalid, NotFound, table_of
from core.api import today as clock_today
from plugins.approval.models import BasicItem, ItemMaterial, SearchToken, ServiceItem
from plugins.approval.schemas import ItemIn

_WORD = re.compile(r"[a-z0-9]+|[\u3400-\u9fff]+")
_ITEM_SCALARS = (
    "name",
    "name_en",
    "item_type",
    "section",
    "entrance",
    "department_code",
    "legal_basis",
    "conditions",
    "statutory_days",
    "promised_days",
    "acceptance_days",
    "fee_cents",
    "fee_basis",
    "online_depth",
    "max_visits",
    "consult_phone",
    "complaint_phone",
    "keywords",
)


def tokens(text: str) -> set[str]:
    """Bigrams of the CJK runs and whole (truncated) Latin words; a lone character is its own token."""
    out: set[str] = set()
    for run in _WORD.findall(text.lower()):
        if run[0].isascii():
            out.add(run[:8])
        elif len(run) == 1:
            out.add(run)
        else:
            out.update(run[i : i + 2] for i in range(len(run) - 1))
    return out


def index_item(session: Session, item: ServiceItem) -> None:
    for tok in item_tokens(item.name, item.keywords, item.name_en, item.code):
        session.add(
            SearchToken(item_id=item.id, token=tok, tenant_id=item.tenant_id, tenant_path=item.tenant_path)
        )


def item_values(tenant: Any, data: ItemIn, department_name: str | None, *, status: str = "published",
                version_no: int = 1, basic_item_id: int | None = None) -> dict[str, Any]:
    """The column values of one item version (``department_name`` when the row names none: looked up)."""
    fields = {k: getattr(data, k) for k in _ITEM_SCALARS}
    fields["department_name"] = data.department_name or department_name or data.department_code
    return {
        "tenant_id": tenant.id,
        "tenant_path": tenant.path,
        "code": data.code,
        "version_no": version_no,
        "status": status,
        "valid_from": clock_today() if status == "published" else None,
        "basic_item_id": basic_item_id,
        "special_procedures": [p.model_dump() for p in data.special_procedures],
        "form_fields": [f.model_dump() for f in data.form_fields],
        "steps": [s.model_dump() for s in data.steps],
        **fields,
    }


def item_tokens(name: str, keywords: str, name_en: str, code: str) -> set[str]:
    return tokens(f"{name} {keywords} {name_en}") | tokens(code)


def create_item(
    session: Session,
    tenant: Any,
    data: ItemIn,
    *,
    status: str = "published",
    version_no: int = 1,
    basic_item_id: int | None = None,
) -> ServiceItem:
    """Write one item version with its materials and search tokens (in the caller's transaction)."""
    dept = None if data.department_name else session.scalar(select(Department.name).where(
        Department.tenant_id == tenant.id, Department.code == data.department_code))
    item = ServiceItem(**item_values(tenant, data, dept, status=status, version_no=version_no,
                                     basic_item_id=basic_item_id))
    item.materials = [
        ItemMaterial(position=i, tenant_id=tenant.id, tenant_path=tenant.path, **m.model_dump())
        for i, m in enumerate(data.materials)
    ]
    session.add(item)
    session.flush()
    if status == "published":
        index_item(session, item)
    return item


def published(session: Session, code: str) -> ServiceItem | None:
    return session.scalar(
        select(ServiceItem).where(ServiceItem.code == code, ServiceItem.status == "published")
    )


def get_item(session: Session, code: str) -> ServiceItem:
    item = published(session, code)
    if item is None:
        raise NotFound(
            f"There is no service item {code!r} here",
            f"本级没有编码为“{code}”的办事事项",
            code="unknown_item",
        )
    return item


def new_version(session: Session, tenant: Any, data: ItemIn) -> ServiceItem:
    """A draft of the next version of ``data.code``; the published one stays in force until publish()."""
    last = session.scalar(select(func.max(ServiceItem.version_no)).where(ServiceItem.code == data.code)) or 0
    return create_item(session, tenant, data, status="draft", version_no=last + 1)


def publish(session: Session, item: ServiceItem, today: date | None = None) -> None:
    """Publish a draft; the version it replaces is retired (valid_to set), applications keep theirs."""
    today = today or clock_today()
    if item.status != "draft":
        raise Invalid("Only a draft can be published", "只有草稿可以发布", code="not_draft")
    current = published(session, item.code)
    if current is not None:
        current.status, current.valid_to = "retired", today
        session.execute(table_of(SearchToken).delete().where(SearchToken.item_id == current.id))
    item.status, item.valid_from = "published", today
    session.flush()
    index_item(session, item)


def search(
    session: Session, query: str, *, limit: int = 20, entrance: str | None = None, section: str | None = None
) -> list[ServiceItem]:
    """Published items of the session's tenant holding every token of ``query``."""
    toks = sorted(tokens(query))
    stmt = select(ServiceItem).where(ServiceItem.status == "published")
    if toks:
        hits = (
            select(SearchToken.item_id)
            .where(SearchToken.token.in_(toks))
            .group_by(SearchToken.item_id)
            .having(func.count(func.distinct(SearchToken.token)) == len(toks))
        )
        stmt = stmt.where(ServiceItem.id.in_(hits))
    if entrance:
        stmt = stmt.where(ServiceItem.entrance.in_((entrance, "both")))
    if section:
        stmt = stmt.where(ServiceItem.section == section)
    return list(session.scalars(stmt.order_by(func.length(ServiceItem.name), ServiceItem.code).limit(limit)))


def browse(
    session: Session,
    *,
    entrance: str | None = None,
    section: str | None = None,
    item_type: str | None = None,
    limit: int = 200,
) -> list[ServiceItem]:
    return (
        search(session, "", limit=limit, entrance=entrance, section=section)
        if not item_type
        else list(
            session.scalars(
                select(ServiceItem)
                .where(ServiceItem.status == "published", ServiceItem.item_type == item_type)
                .order_by(ServiceItem.code)
                .limit(limit)
            )
        )
    )


# --- the provincial basic catalogue and claims by lower tiers -----------------------------------------


def basic_values(province: Any, data: ItemIn) -> dict[str, Any]:
    return {"tenant_id": province.id, "tenant_path": province.path, "code": data.code, "name": data.name,
            "item_type": data.item_type, "competent_department": data.department_name or data.department_code,
            "implementing_level": data.implementing_level, "basis": data.legal_basis}


def add_basic(session: Session, province: Any, data: ItemIn) -> BasicItem:
    row = BasicItem(**basic_values(province, data))
    session.add(row)
    session.flush()
    return row


def find_basic(platform: Any, tenant: Any, code: str) -> BasicItem | None:
    """The root's basic item ``code``, read in the root's own scope (the basic catalogue is public)."""
    root = platform.directory.ancestors(tenant)[0]
    with platform.db.session(root.scope) as s:
        row = s.scalar(select(BasicItem).where(BasicItem.code == code))
        if row is not None:
            s.expunge(row)
        return row


def claimed(basic: BasicItem, data: ItemIn) -> ItemIn:
    """A lower tier's row for a basic item: the six fixed elements come from the province, unchangeable;
    the implementation details (limits, fees, materials, department...) are the claimer's own."""
    return data.model_copy(update={"name": basic.name, "code": basic.code, "item_type": basic.item_type,
                                   "legal_basis": basic.basis})


def claim(session: Session, tenant: Any, basic: BasicItem, data: ItemIn) -> ServiceItem:
    """A lower tier claims a basic item (``claimed``)."""
    return create_item(session, tenant, claimed(basic, data), basic_item_id=basic.id)


def items_for_powers(session: Session, tenant: Any) -> list[dict[str, Any]]:
    """Openness's ``govhall_openness_catalogue_items``: the tenant's published items, as plain data."""
    rows = session.execute(
        select(ServiceItem.code, ServiceItem.name, ServiceItem.name_en, ServiceItem.department_code)
        .where(ServiceItem.tenant_id == tenant.id, ServiceItem.status == "published")
        .order_by(ServiceItem.department_code, ServiceItem.code)
    ).all()
    return [
        {"code": code, "name": name, "name_en": name_en, "department_code": dept,
         "href": f"approval/items/{code}"}
        for code, name, name_en, dept in rows
    ]
