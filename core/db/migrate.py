"""Run Alembic over the core branch and every installed plugin's branch (``govhall migrate``)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from core.db.engine import Database

CORE_MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(db: Database, plugin_dirs: list[Path]) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(CORE_MIGRATIONS))
    locations = [str(CORE_MIGRATIONS / "versions"), *(str(Path(d).resolve()) for d in plugin_dirs)]
    # A path separator alembic will not find inside a path.
    cfg.set_main_option("path_separator", "newline")
    cfg.set_main_option("version_locations", "\n".join(locations))
    cfg.attributes["engine"] = db.engine
    return cfg


def upgrade(db: Database, plugin_dirs: list[Path]) -> list[str]:
    """Upgrade every head; returns the revisions applied."""
    cfg = alembic_config(db, plugin_dirs)
    before = set(current_heads(db))
    command.upgrade(cfg, "heads")
    after = set(current_heads(db))
    return sorted(after - before)


def current_heads(db: Database) -> list[str]:
    with db.engine.connect() as conn:
        return list(MigrationContext.configure(conn).get_current_heads())


def pending(db: Database, plugin_dirs: list[Path]) -> list[str]:
    """Heads in the scripts that the database has not reached."""
    script = ScriptDirectory.from_config(alembic_config(db, plugin_dirs))
    have = current_heads(db)
    # Alembic drops a head from alembic_version once a branch that depends_on it is applied (core_0003
    # under the plugin branches), so compare against everything the stored heads imply, not the heads.
    walk = script.revision_map.iterate_revisions(tuple(have), "base") if have else []
    applied = {r.revision for r in walk}
    return sorted(set(script.get_heads()) - applied)
