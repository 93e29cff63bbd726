"""Every column that holds a tenant path, and re-pathing them all when a subtree moves.

Path columns are found by their type, not from a list: every column declared with
``core.db.base.PathType`` (``tenant_path`` of every TenantScoped table, ``tenants.path``, supervision's
card owner columns, whatever a plugin declares next) is moved by ``govhall tenants move``. A column whose
path is history — hashed into the audit chain, kept as it was at the time — says so with
``info={"history": True}``. Tables that exist in the database but that no loaded model maps (a plugin
installed elsewhere, or uninstalled with its data kept) are found by inspection: their ``tenant_path``
column, and on PostgreSQL any column with PathType's byte-order collation "C".
"""

from __future__ import annotations

import importlib
import importlib.metadata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Table, func, inspect, literal, text, update
from sqlalchemy.orm import Session

from core.db.base import Base, TenantPathString


@dataclass(frozen=True, order=True)
class PathColumn:
    table: str
    column: str


def is_path_column(column: Column[Any]) -> bool:
    return isinstance(column.type, TenantPathString) and not column.info.get("history", False)


def load_all_models() -> None:
    """Import every module of the core and of each installed plugin that declares a table, so that the
    metadata names every path column even where a plugin's hook module does not import its models.
    Once per process (a move is rare; this reads the packages' sources)."""
    global _models_loaded
    if _models_loaded:
        return
    from core.registry import ENTRY_POINT_GROUP

    roots = {"core": Path(__file__).resolve().parent.parent}
    for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        module = importlib.import_module(ep.value.split(":")[0])
        package = module.__name__.rpartition(".")[0]
        if package and package != "core" and getattr(module, "__file__", None):
            roots[package] = Path(str(module.__file__)).parent
    for package, root in roots.items():
        for f in sorted(root.rglob("*.py")):
            if "migrations" in f.parts or f.name in ("asgi.py", "__main__.py"):
                continue
            if "__tablename__" in f.read_text(encoding="utf-8", errors="replace"):
                rel = f.relative_to(root).with_suffix("")
                importlib.import_module(".".join([package, *rel.parts]).removesuffix(".__init__"))
    _models_loaded = True


_models_loaded = False


def mapped_path_columns() -> list[PathColumn]:
    """Path columns of every table the loaded models map (history columns left out)."""
    return sorted(PathColumn(t.name, c.name) for t in Base.metadata.tables.values()
                  for c in t.columns if is_path_column(c))


def path_columns(session: Session) -> list[PathColumn]:
    """Path columns of every table in this database: mapped ones by type, the rest by inspection."""
    load_all_models()
    insp = inspect(session.connection())
    present = set(insp.get_table_names())
    found = {pc for pc in mapped_path_columns() if pc.table in present}
    postgres = session.get_bind().dialect.name == "postgresql"
    for table in present - set(Base.metadata.tables) - {"alembic_version"}:
        for col in insp.get_columns(table):
            collation = getattr(col["type"], "collation", None)
            if col["name"] == "tenant_path" or (postgres and collation == "C"):
                found.add(PathColumn(table, col["name"]))
    return sorted(found)


def repath(session: Session, old: str, new: str) -> dict[PathColumn, int]:
    """Rewrite every path at or below ``old`` to start with ``new`` instead, in every path column:
    one set-based UPDATE per column (a btree range on the path). Returns rows changed per column."""
    params = {"old": old, "hi": old + "0", "new": new, "n": len(old) + 1}
    changed: dict[PathColumn, int] = {}
    for pc in path_columns(session):
        table = Base.metadata.tables.get(pc.table)
        if isinstance(table, Table):
            col = table.c[pc.column]
            stmt: Any = (update(table).where(col >= old, col < old + "0")
                         .values({col: literal(new) + func.substr(col, len(old) + 1)}))
            result: Any = session.execute(stmt)
        else:
            q = session.get_bind().dialect.identifier_preparer.quote
            t, c = q(pc.table), q(pc.column)
            result = session.execute(text(f"UPDATE {t} SET {c} = :new || substr({c}, :n) "
                                          f"WHERE {c} >= :old AND {c} < :hi"), params)
        changed[pc] = int(result.rowcount or 0)
    return changed
