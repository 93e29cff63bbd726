"""Periodic work: keep each tenant's catalogue in line with what its plugins offer."""

from __future__ import annotations

from typing import Any

from plugins.exchange import services


def sync_task(platform: Any, tenant: Any, session: Any) -> None:
    """Hourly, per tenant where the plugin is on: plugin resources added, updated or deactivated."""
    services.sync_plugin_resources(session, platform, tenant)
