"""Run Alembic over the core branch and every installed plugin's branch (``govhall migrate``)."""

from __future__ import annotations

from collections.abc import Callable
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


def upgrade(db: Database, plugin_dirs: list[Path],
            progress: Callable[[int], None] | None = None) -> list[str]:
    """Upgrade every head; returns the heads reached. ``progress(1)`` after each revision applied."""
    cfg = alembic_config(db, plugin_dirs)
    if progress is not None:
        cfg.attributes["on_version_apply"] = lambda **_kw: progress(1)
    before = set(current_heads(db))
    command.upgrade(cfg, "heads")
    after = set(current_heads(db))
    return sorted(after - before)


def current_heads(db: Database) -> list[str]:
    with db.engine.connect() as conn:
        return list(MigrationContext.configure(conn).get_current_heads())


def pending(db: Database, plugin_dirs: list[Path]) -> list[str]:
    """Heads in the scripts that the database has not reached."""
    script, applied = _applied(db, plugin_dirs)
    return sorted(set(script.get_heads()) - applied)


def to_apply(db: Database, plugin_dirs: list[Path]) -> list[str]:
    """Every revision ``upgrade`` would run (for a progress bar)."""
    script, applied = _applied(db, plugin_dirs)
    return sorted(r.revision for r in script.walk_revisions() if r.revision not in applied)


def _applied(db: Database, plugin_dirs: list[Path]) -> tuple[ScriptDirectory, set[str]]:
    script = ScriptDirectory.from_config(alembic_config(db, plugin_dirs))
    have = current_heads(db)
    # Alembic drops a head from alembic_version once a branch that depends_on it is applied (core_0003
    # under the plugin branches), so compare against everything the stored heads imply, not the heads.
    walk = script.revision_map.iterate_revisions(tuple(have), "base") if have else []
    return script, {r.revision for r in walk}
