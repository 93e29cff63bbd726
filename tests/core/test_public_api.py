"""Plugins reach the core only through ``core.api`` (the public plugin API).

The built-in plugins written before ``core.api`` existed are listed in LEGACY while they move over
(issue #11); a plugin not listed may import nothing from core but ``core.api``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import core.api

PLUGINS = Path(__file__).resolve().parents[2] / "plugins"
LEGACY: set[str] = set()


def _core_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "core" or node.module.startswith("core."):
                out.append(node.module)
        elif isinstance(node, ast.Import):
            out += [a.name for a in node.names if a.name == "core" or a.name.startswith("core.")]
    return out


def test_new_plugins_import_only_the_public_api():
    bad = []
    for pkg in sorted(p for p in PLUGINS.iterdir() if p.is_dir() and (p / "__init__.py").exists()):
        if pkg.name in LEGACY:
            continue
        for path in pkg.rglob("*.py"):
            bad += [f"{path.relative_to(PLUGINS)}: {m}" for m in _core_imports(path) if m != "core.api"]
    assert bad == []


def test_public_api_names_resolve():
    missing = [n for n in core.api.__all__ if not hasattr(core.api, n)]
    assert missing == []
