# mypy: disable-error-code="empty-body"
"""Hooks the supervision plugin declares (added through ``govhall_addhooks``; docs/hooks.md).

Plugins implement them with ``@hookimpl(optionalhook=True)`` and plain data (no import of this plugin),
so they load unchanged where supervision is not installed. Both are per-tenant calls: supervision asks
through the subset caller of a tenant, so only rules and figures of plugins enabled there count.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.api import Scope, hookspec


@hookspec
def govhall_supervision_rules() -> list[Mapping[str, Any]]:
    """Rules for the electronic supervision platform, one mapping per rule with the keys of
    ``plugins.supervision.contracts.RuleSpec``: ``id``, ``version``, ``kind_of_power`` (one of the seven
    kinds of power, e.g. ``administrative_approval``), ``severity`` (``prompt``/``yellow``/``red``),
    ``title_zh``, ``title_en``, ``on_events`` (event types), ``evaluate_event(event=, session=)`` and/or
    ``scan(platform=, session=, tenant=[, today=])`` returning ``core.api.Finding`` lists, and
    ``scan_subtree``."""


@hookspec
def govhall_supervision_metrics(scope: Scope, session: Any) -> list[dict[str, Any]]:
    """Figures for supervision dashboards over ``scope`` (often a subtree), one dict per (tenant, kind of
    power): ``{"tenant_path", "kind_of_power", "received", "concluded", "on_time", "overdue",
    "week": "2026-W48" (optional)}``. Computed with set-based SQL over the plugin's own tables."""
