"""``govhall serve --demo``: migrate, apply tenants/jiangxi.toml, load every plugin's demo data."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from core.db import Scope, migrate
from core.tenancy import loader

JIANGXI = Path(__file__).resolve().parent.parent / "tenants" / "jiangxi.toml"


def load_demo(platform: Any, echo: Callable[[str], None] = print, tree_file: Path = JIANGXI) -> None:
    platform.settings.data_dir.mkdir(parents=True, exist_ok=True)
    migrate.upgrade(platform.db, platform.registry.migration_dirs())
    echo("demo: database migrated")
    tree, lines, path = loader.load_file(tree_file)
    platform.refresh(force=True)
    loader.validate(tree, lines, path, platform.directory, platform.settings)
    with platform.db.transaction(Scope.system()) as s:
        report = loader.apply(s, tree, platform.directory, actor="demo")
    echo(f"demo: {path.name}: {report.summary()}")
    platform.refresh(force=True)
    from core.identity import install as install_identity

    install_identity(platform)  # idempotent; `serve --demo` gets here before create_app installs it
    for loader_fn in platform.demo_loaders:
        loader_fn(platform)
    with platform.db.transaction(Scope.system()) as s:
        s.info["platform"] = platform  # for demo loaders that need settings or hooks (as events do)
        platform.registry.pm.hook.govhall_demo_data(session=s, directory=platform.directory)
    platform.refresh(force=True)
    echo("demo: demo data loaded")
