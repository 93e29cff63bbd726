"""Migrations: every branch upgrades from an empty database, the core branch downgrades and upgrades
again, and no model differs from its migrations (autogenerate against a freshly migrated database)."""

from __future__ import annotations

import importlib
import os
import re
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect

from core.db import Base, Database, migrate
from core.registry import Registry
from core.settings import normalise_db_url

PG_URL = os.environ.get("GOVHALL_TEST_DATABASE_URL", "").strip()
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def empty_db(tmp_path: Path) -> Iterator[Database]:
    """A database with nothing in it, on the backend under test."""
    if not PG_URL:
        db = Database(f"sqlite:///{tmp_path / 'empty.db'}")
        yield db
        db.dispose()
        return
    admin = create_engine(normalise_db_url(PG_URL), isolation_level="AUTOCOMMIT")
    name = f"govhall_mig_{uuid.uuid4().hex[:8]}"
    with admin.connect() as c:
        c.exec_driver_sql(f'CREATE DATABASE "{name}"')
    db = Database(normalise_db_url(PG_URL).rsplit("/", 1)[0] + f"/{name}")
    yield db
    db.dispose()
    with admin.connect() as c:
        c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


def _tables(db: Database) -> set[str]:
    return set(inspect(db.engine).get_table_names()) - {"alembic_version"}


def test_every_branch_upgrades_from_empty(empty_db):
    registry = Registry.load()
    dirs = registry.migration_dirs()
    script = ScriptDirectory.from_config(migrate.alembic_config(empty_db, dirs))
    assert migrate.pending(empty_db, dirs) == sorted(script.get_heads())
    migrate.upgrade(empty_db, dirs)
    # alembic stores only the leaves; every head of every branch must be reached by them
    assert migrate.pending(empty_db, dirs) == []
    labels = {label for rev in script.walk_revisions() for label in rev.branch_labels}
    assert "core" in labels
    assert {p for p, ds in registry.declared("govhall_migration_dirs").items() if ds} <= labels
    assert {"tenants", "plugin_states", "audit_log"} <= _tables(empty_db)
    # a second run is a no-op
    assert migrate.upgrade(empty_db, dirs) == []


def test_core_branch_downgrades_and_upgrades_again(empty_db):
    cfg = migrate.alembic_config(empty_db, [])
    command.upgrade(cfg, "heads")
    assert "tenants" in _tables(empty_db)
    command.downgrade(cfg, "base")
    assert _tables(empty_db) == set()
    command.upgrade(cfg, "heads")
    assert migrate.current_heads(empty_db) == [ScriptDirectory.from_config(cfg).get_current_head()]


def test_every_branch_is_labelled_and_depends_on_the_core():
    registry = Registry.load()
    for d in registry.migration_dirs():
        for f in sorted(Path(d).glob("*.py")):
            source = f.read_text(encoding="utf-8")
            if re.search(r"^down_revision\s*=\s*None", source, re.M):
                assert re.search(r"^branch_labels\s*=\s*\(", source, re.M), f"{f}: root without branch label"
                assert re.search(r"^depends_on\s*=\s*.*core_000", source, re.M), f"{f}: not based on core"


# -- models against migrations -------------------------------------------------------------------------

def _import_models(registry: Registry) -> set[str]:
    """Import every module of the core and of each installed plugin that declares a table; return the
    top-level packages whose models count (core, and each plugin's package)."""
    packages = {"core"} | {p.module.__name__.split(".")[0] for p in registry.plugins.values()}
    roots = {"core": REPO / "core"}
    for p in registry.plugins.values():
        mod_file = getattr(p.module, "__file__", None)
        if mod_file:
            roots.setdefault(p.module.__name__.rsplit(".", 1)[0], Path(mod_file).parent)
    for prefix, root in roots.items():
        for f in root.rglob("*.py"):
            if "migrations" in f.parts or f.name == "asgi.py":
                continue
            if "__tablename__" in f.read_text(encoding="utf-8", errors="replace"):
                rel = f.relative_to(root).with_suffix("")
                importlib.import_module(".".join([prefix, *rel.parts]).removesuffix(".__init__"))
    return packages


def _owner_packages() -> dict[str, str]:
    return {m.class_.__table__.name: m.class_.__module__.split(".")[0] for m in Base.registry.mappers
            if hasattr(m.class_, "__table__")}


def test_models_match_migrations(platform):
    """Autogenerate finds nothing to do against a freshly migrated database (every branch)."""
    # models of packages that are not installed here (a vendor test's leftovers) are not migrated
    packages = {p for p in _import_models(platform.registry) if p == "core" or p in sys.modules}
    owners = _owner_packages()

    def include(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
        if type_ == "table":
            if reflected and compare_to is None:  # in the database only: a table no model declares
                return True
            return owners.get(name or "", "core") in packages
        table = getattr(obj, "table", None)
        if table is not None and not reflected:
            return owners.get(table.name, "core") in packages
        return True

    with platform.db.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": include})
        diff = compare_metadata(ctx, Base.metadata)
    flat = [op for d in diff for op in (d if isinstance(d, list) else [d])]
    summary = [f"{op[0]} {getattr(op[1], 'name', None) or op[2:4]}" for op in flat]
    assert diff == [], "models differ from migrations:\n" + "\n".join(summary)
