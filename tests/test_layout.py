"""Guards for the test tree itself."""

from __future__ import annotations

from collections import Counter
from pathlib import Path


def test_test_module_basenames_are_unique():
    """pytest's default (prepend) import mode imports test modules by basename: two test_services.py in
    different folders would make collection fail, so every test module name must be unique."""
    names = Counter(p.name for p in Path(__file__).parent.rglob("*.py")
                    if p.name != "conftest.py" and p.name != "__init__.py" and "vendor_plugin" not in p.parts)
    assert [n for n, c in names.items() if c > 1] == []
