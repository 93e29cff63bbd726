# mypy: disable-error-code="empty-body"
"""Hooks the openness plugin declares (added through ``govhall_addhooks``; docs/hooks.md).

A catalogue plugin (approval) implements them with ``@hookimpl(optionalhook=True)`` and plain data, with
no import of this plugin, so it loads unchanged where openness is not installed; openness works unchanged
(the power lists alone) where no catalogue plugin is on.
"""

from __future__ import annotations

from typing import Any

from core.api import hookspec


@hookspec
def govhall_openness_catalogue_items(platform: Any, tenant: Any, session: Any) -> list[dict[str, Any]]:
    """The service items of ``tenant``'s catalogue, so each can be linked to the power it exercises and
    the console can list items without a power. Each item: ``code``, ``name``, ``name_en``,
    ``department_code``, and optional ``href`` (a same-site path to its guide). ``session`` is scoped to
    ``tenant`` (read only)."""
