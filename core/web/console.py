"""The administration console of a tenant: the tree, plugin switches, role grants, the audit log."""

from __future__ import annotations

from starlette.routing import BaseRoute


def routes() -> list[BaseRoute]:
    return []
