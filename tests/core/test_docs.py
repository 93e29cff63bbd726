"""The docs that plugin authors and operators rely on keep up with the code."""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

import core.hookspecs as hookspecs
from core.registry import Registry
from core.settings import load_settings

DOCS = Path(__file__).resolve().parents[2] / "docs"


def _hookspecs() -> dict[str, object]:
    """The core's hookspecs and those plugins declare (plugins/<name>/hookspecs.py)."""
    modules = [hookspecs] + [importlib.import_module(f"plugins.{p.parent.name}.hookspecs")
                             for p in sorted((DOCS.parent / "plugins").glob("*/hookspecs.py"))]
    return {n: f for m in modules for n, f in vars(m).items()
            if n.startswith("govhall_") and hasattr(f, f"{hookspecs.PROJECT}_spec")}


def _sections(text: str) -> dict[str, str]:
    parts = re.split(r"^### `(govhall_\w+)`\s*$", text, flags=re.M)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts), 2)}


def test_every_hookspec_is_documented_with_its_arguments_and_first_result_flag():
    sections = _sections((DOCS / "hooks.md").read_text(encoding="utf-8"))
    specs = _hookspecs()
    assert specs, "no hookspecs found"
    missing = sorted(set(specs) - set(sections))
    assert missing == [], f"hooks missing from docs/hooks.md: {missing}"
    stale = sorted(set(sections) - set(specs))
    assert stale == [], f"docs/hooks.md documents hooks that do not exist: {stale}"
    for name, fn in specs.items():
        body = sections[name]
        for field in ("**When called:**", "**Arguments:**", "**Returns:**", "**First result:**"):
            assert field in body, f"{name}: no {field} line"
        first = bool(getattr(fn, f"{hookspecs.PROJECT}_spec").get("firstresult"))
        flag = re.search(r"\*\*First result:\*\* (yes|no)", body)
        assert flag and (flag.group(1) == "yes") == first, f"{name}: first-result flag disagrees with code"
        for arg in inspect.signature(fn).parameters:  # type: ignore[arg-type]
            assert f"`{arg}`" in body, f"{name}: argument {arg!r} is not described"


def test_every_declared_setting_is_in_docs_settings_md():
    text = (DOCS / "settings.md").read_text(encoding="utf-8")
    registry = Registry.load()
    specs = load_settings(extra_specs=registry.setting_specs).specs
    missing = sorted(k for k in specs if f"`{k}`" not in text)
    assert missing == [], (f"settings missing from docs/settings.md: {missing} "
                           "(regenerate: govhall settings docs > docs/settings.md)")
    for key, spec in specs.items():
        row = next(line for line in text.splitlines() if line.startswith(f"| `{key}` |"))
        assert spec.help in row, f"{key}: help text in docs/settings.md is out of date"


def test_settings_docs_command_prints_every_setting(cli):
    r = cli("settings", "docs")
    assert r.exit_code == 0
    assert "| `session_days` | `14` | int | >= 1, <= 365 | no |" in r.output
    assert "`hall.contact_phone`" in r.output


def test_plugin_guide_covers_what_a_vendor_needs():
    text = (DOCS / "plugins.md").read_text(encoding="utf-8")
    for needle in ("govhall.plugins", "plugin.py", "models.py", "services.py", "migrations/versions",
                   "branch_labels", "depends_on", "enable_rls", "TenantScoped", "govhall_permissions",
                   "govhall_roles", "require(", "govhall plugins new", "pytest", "docs/hooks.md"):
        assert needle in text, f"docs/plugins.md does not mention {needle}"
