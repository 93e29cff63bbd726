"""Long commands show progress: `govhall migrate` advances its bar once per revision applied."""

from __future__ import annotations

from click.testing import CliRunner

from core.db import Database, migrate
from core.registry import Registry


def test_migrate_reports_each_revision_it_applies(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'empty.db'}")
    dirs = Registry.load().migration_dirs()
    todo = migrate.to_apply(db, dirs)
    assert "core_0001" in todo and len(todo) >= 8
    steps: list[int] = []
    migrate.upgrade(db, dirs, progress=steps.append)
    assert len(steps) == len(todo)
    assert migrate.to_apply(db, dirs) == []
    db.dispose()


def test_the_migrate_command_shows_a_progress_bar(tmp_path, monkeypatch):
    from core.cli import cli as root

    monkeypatch.setenv("GOVHALL_DATABASE_URL", f"sqlite:///{tmp_path / 'fresh.db'}")
    monkeypatch.setenv("GOVHALL_DATA_DIR", str(tmp_path))
    r = CliRunner().invoke(root, ["migrate"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    assert "migrating" in r.output and "applied heads" in r.output
