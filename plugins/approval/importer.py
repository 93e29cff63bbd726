"""``govhall approval import FILE``: service items from CSV or JSON, every row checked first, all or none.

Files are read by the shared reader (core.imports): the same encodings and row numbers as every import.
Items are written set-based — one INSERT ... RETURNING per 500 items, one INSERT each for their
materials, search tokens and basic items, one audit append for the lot (bench/bench_import.py: writing
them one ORM object and one flush at a time cost ~25 ms an item, most of it autoflush and flush).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from core.api import Department, ImportFile, RowError, RowsRefused, audit, read_import
from core.api import validate_rows as validate
from plugins.approval.catalogue import basic_values, claimed, find_basic, item_tokens, item_values
from plugins.approval.models import BasicItem, ItemMaterial, SearchToken, ServiceItem
from plugins.approval.schemas import ItemIn

JSON_COLUMNS = ("special_procedures", "form_fields", "steps", "materials")
_BATCH = 500


def read_rows(path: Path) -> ImportFile:
    """Rows of a CSV (header line; JSON in the list columns) or a JSON array file."""
    return read_import(path, json_columns=JSON_COLUMNS)


def validate_rows(rows: list[tuple[int, dict[str, Any]]]) -> tuple[list[tuple[int, ItemIn]], list[RowError]]:
    """Validated rows with their row numbers and every error (a code twice in the file included)."""
    checked, errors = validate(rows, ItemIn)
    good: list[tuple[int, ItemIn]] = []
    seen: dict[str, int] = {}
    for n, item in checked:
        if item.code in seen:
            errors.append(RowError(n, "code", f"{item.code} appears twice in the file (first in row "
                                              f"{seen[item.code]})"))
            continue
        seen[item.code] = n
        good.append((n, item))
    return good, errors


def import_items(platform: Any, tenant: Any, file: ImportFile, *, actor: str = "cli",
                 progress: Callable[[int], None] | None = None) -> int:
    """Import every row or none (RowsRefused lists each bad row); each item published is audited."""
    numbered, errors = validate_rows(file.rows)
    errors = file.errors + errors
    total = len(file.rows) + len(file.errors)
    basics = _find_basics(platform, tenant, numbered, errors)
    if errors:
        raise RowsRefused(file.name, errors, total)
    with platform.db.transaction(tenant.scope) as s:
        existing = set(s.scalars(select(ServiceItem.code).where(ServiceItem.status == "published")))
        clash = [RowError(n, "code", f"{i.code} is already published here") for n, i in numbered
                 if i.code in existing]
        if clash:
            raise RowsRefused(file.name, clash, total)
        items = [i for _, i in numbered]
        for start in range(0, len(items), _BATCH):
            batch = items[start:start + _BATCH]
            write_items(s, tenant, batch, basics)
            if progress is not None:
                progress(len(batch))
        audit.record_many(s, actor=actor, tenant=tenant, acts=[
            ("approval.item.publish", f"approval.item:{i.code}",
             {"version": 1, "file": file.name, "claims": i.basic_code or None}) for i in items])
    return len(items)


def write_items(session: Session, tenant: Any, items: list[ItemIn],
                basics: dict[str, BasicItem]) -> list[int]:
    """Publish ``items`` at ``tenant`` set-based: at the root each also becomes a basic item; below it,
    a row whose code is in ``basics`` claims that basic item. Returns the new items' ids, in order."""
    depts: dict[str, str] = {code: name for code, name in session.execute(
        select(Department.code, Department.name).where(Department.tenant_id == tenant.id))}
    basic_ids: dict[str, int] = {c: b.id for c, b in basics.items()}  # by the row's own code
    if tenant.parent_id is None:
        rows = [basic_values(tenant, i) for i in items]
        new = session.scalars(insert(BasicItem).returning(BasicItem.id, sort_by_parameter_order=True), rows)
        basic_ids.update(zip((i.code for i in items), new, strict=True))
    datas = [claimed(basics[i.code], i) if i.code in basics else i for i in items]
    values = [item_values(tenant, d, depts.get(d.department_code), basic_item_id=basic_ids.get(i.code))
              for i, d in zip(items, datas, strict=True)]
    ids = list(session.scalars(insert(ServiceItem).returning(ServiceItem.id, sort_by_parameter_order=True),
                               values))
    place = {"tenant_id": tenant.id, "tenant_path": tenant.path}
    materials = [{"item_id": item_id, "position": n, **place, **m.model_dump()}
                 for item_id, d in zip(ids, datas, strict=True) for n, m in enumerate(d.materials)]
    if materials:
        session.execute(insert(_table(ItemMaterial)), materials)
    words = [{"item_id": item_id, "token": tok, **place} for item_id, v in zip(ids, values, strict=True)
             for tok in sorted(item_tokens(v["name"], v["keywords"], v["name_en"], v["code"]))]
    if words:
        session.execute(insert(_table(SearchToken)), words)
    return ids


def _table(model: Any) -> Table:
    """The Core table: an executemany of plain rows, without the ORM's per-row bookkeeping."""
    return cast(Table, model.__table__)


def _find_basics(platform: Any, tenant: Any, numbered: list[tuple[int, ItemIn]],
                 errors: list[RowError]) -> dict[str, BasicItem]:
    """The provincial basic items that rows claim (``basic_code``); a missing one is a row error."""
    basics: dict[str, BasicItem] = {}
    if tenant.parent_id is None:
        return basics
    for n, item in numbered:
        if item.basic_code:
            found = find_basic(platform, tenant, item.basic_code)
            if found is None:
                errors.append(RowError(n, "basic_code",
                                       f"no basic item {item.basic_code} in the provincial catalogue"))
            else:
                basics[item.code] = found
    return basics
