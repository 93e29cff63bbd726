"""docs/permissions.md names every declared permission and every role (datasette's test_docs idea)."""

from __future__ import annotations

from pathlib import Path

from core.registry import Registry

DOC = Path(__file__).resolve().parents[3] / "docs" / "permissions.md"


def test_every_declared_permission_is_documented():
    text = DOC.read_text(encoding="utf-8")
    registry = Registry.load()
    missing = [name for name in registry.permissions if f"`{name}`" not in text]
    assert not missing, f"add these permissions to docs/permissions.md: {missing}"


def test_every_role_is_documented():
    text = DOC.read_text(encoding="utf-8")
    missing = [name for name in Registry.load().roles if f"`{name}`" not in text]
    assert not missing, f"add these roles to docs/permissions.md: {missing}"
