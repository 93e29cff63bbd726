"""Plugins reach the core only through ``core.api`` (the public plugin API).

Every plugin package under plugins/, the vendor plugin the tests install and the files
``govhall plugins new`` generates may import nothing from core but ``core.api``; the rest of core is
private (docs/plugins.md).
"""

from __future__ import annotations

import ast
from pathlib import Path

import core.api
from core.cli.scaffold import FILES, TEMPLATE_DIR, fill, placeholders

ROOT = Path(__file__).resolve().parents[2]
PLUGINS = ROOT / "plugins"
VENDOR = ROOT / "tests" / "vendor_plugin" / "govhall_vendor_demo"


def _core_imports(source: str) -> list[str]:
    tree = ast.parse(source)
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "core" or node.module.startswith("core."):
                out.append(node.module)
        elif isinstance(node, ast.Import):
            out += [a.name for a in node.names if a.name == "core" or a.name.startswith("core.")]
    return out


def test_plugins_import_only_the_public_api():
    bad = []
    packages = [p for p in PLUGINS.iterdir() if p.is_dir() and (p / "__init__.py").exists()]
    for pkg in sorted([*packages, VENDOR]):
        for path in pkg.rglob("*.py"):
            bad += [f"{path.relative_to(ROOT)}: {m}" for m in _core_imports(path.read_text(encoding="utf-8"))
                    if m != "core.api"]
    assert bad == []


def test_the_scaffold_generates_plugins_importing_only_the_public_api():
    values = placeholders("parking", None)
    bad = []
    for target, template in FILES.items():
        if template and target.endswith(".py"):
            source = fill((TEMPLATE_DIR / template).read_text(encoding="utf-8"), values)
            bad += [f"{template}: {m}" for m in _core_imports(source) if m != "core.api"]
    assert bad == []


def test_public_api_names_resolve():
    missing = [n for n in core.api.__all__ if not hasattr(core.api, n)]
    assert missing == []
