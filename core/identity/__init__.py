"""Identity: accounts, passwords, sessions, API tokens, login and logout — one login for the network."""

from __future__ import annotations

from typing import Any


def install(platform: Any) -> None:
    """Attach authentication to the platform (called by create_app)."""
