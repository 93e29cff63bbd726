"""HTML pages of market prices, supply and demand and the 12316 desk."""

from __future__ import annotations

from starlette.routing import BaseRoute


def routes() -> list[BaseRoute]:
    return []
