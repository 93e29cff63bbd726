# mypy: disable-error-code="empty-body"
"""Hooks the exchange plugin declares (added through ``govhall_addhooks``; docs/hooks.md).

Plugins implement them with ``@hookimpl(optionalhook=True)`` and plain data (no import of this plugin), so
they load unchanged where exchange is not installed.
"""

from __future__ import annotations

from typing import Any

from core.api import hookspec


@hookspec(firstresult=True)
def govhall_exchange_receive(
    platform: Any, session: Any, tenant: Any, resource: str, sender: str, body: Any
) -> dict[str, Any] | None:
    """A registered member's subsystem delivered ``body`` (the parsed JSON of ``POST
    /api/t/<tenant>/exchange/x/<resource>``) to ``resource`` (its catalogue code, ``<plugin>.<code>``) at
    ``tenant``, after exchange authenticated the subsystem and checked its grant. ``sender`` is the
    member's identifier (``GOV:<tenant path>:<department code>``). ``session`` is the transaction (scoped
    to ``tenant``) that also appends the delivery to the message log. Return the answer (a JSON object)
    for a resource the plugin receives, None otherwise; raise ``core.api.DomainError`` to refuse the
    delivery (logged with its code). Stops at the first non-None result."""
