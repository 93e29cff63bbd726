"""Fixtures of the approval tests: tenants and a small catalogue at Donghu."""

from __future__ import annotations

from typing import Any

import pytest
from approval_helpers import BIRTH, FOOD, PROJECT

from plugins.approval import catalogue
from plugins.approval.schemas import ItemIn


@pytest.fixture
def donghu(platform: Any) -> Any:
    return platform.directory.get("360102")


@pytest.fixture
def xihu(platform: Any) -> Any:
    return platform.directory.get("360103")


@pytest.fixture
def items(platform: Any, donghu: Any) -> dict[str, int]:
    with platform.db.transaction(donghu.scope) as s:
        return {
            d["code"]: catalogue.create_item(s, donghu, ItemIn.model_validate(d)).id
            for d in (FOOD, BIRTH, PROJECT)
        }
