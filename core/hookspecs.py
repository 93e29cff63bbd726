# mypy: disable-error-code="empty-body"
"""THE plugin contract: every hook govhall calls, with when it is called and what it returns.

Two kinds of hook:

* **Declarations** (``govhall_plugin_info``, ``govhall_routes``, ``govhall_permissions`` ...) are read
  once at start-up, plugin by plugin, so the core knows which plugin declared what. They take no tenant.
* **Per-tenant calls** (``govhall_menu_entries``, ``govhall_handle_event``, ``govhall_checks`` ...) go
  through ``Registry.hook_for(tenant)``, a cached pluggy subset caller that only sees the plugins enabled
  at that tenant. A disabled plugin is therefore absent from menus, events, checks and jobs there.

All hooks are called with keyword arguments. Every hook here is documented in docs/hooks.md
(tests/test_docs.py fails otherwise).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    import click
    from sqlalchemy.orm import Session
    from starlette.routing import BaseRoute

    from core.calendar import Calendar
    from core.clock import DeadlineChange, WorkingDeadline
    from core.contracts import (
        DataResource,
        Event,
        Finding,
        Label,
        MenuEntry,
        MessageProvider,
        PeriodicTask,
        Permission,
        PluginInfo,
        RoleTemplate,
    )
    from core.identity.actor import Actor
    from core.settings import SettingSpec
    from core.tenancy.directory import Directory, TenantRef

PROJECT = "govhall"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


# --- the contract's own extension point ------------------------------------------------------------

@hookspec(historic=True)
def govhall_addhooks(pluginmanager: pluggy.PluginManager) -> None:
    """Add hook specifications of the plugin's own (pytest's ``pytest_addhooks`` pattern): call
    ``pluginmanager.add_hookspecs(module)`` with a module of functions marked ``core.api.hookspec``.
    Historic: called for every plugin as it registers, so the order of loading does not matter.
    Plugins implementing another plugin's hook mark it ``@hookimpl(optionalhook=True)``, so they load
    (and the hook is simply never called) where that plugin is not installed."""


# --- declarations, read once at start-up ------------------------------------------------------------

@hookspec(firstresult=True)
def govhall_plugin_info() -> PluginInfo:
    """Identify the plugin: name (equal to its entry-point name), titles, version, dependencies,
    whether it is on by default. Called once per plugin at start-up; required of every plugin."""


@hookspec
def govhall_routes() -> list[BaseRoute]:
    """HTML routes, mounted at ``/t/{code}/<plugin>/``. Each endpoint must declare its permission with
    ``core.access.require``. Behind the plugin gate: 404 where the plugin is not enabled."""


@hookspec
def govhall_api_routes() -> list[BaseRoute]:
    """JSON routes, mounted at ``/api/t/{code}/<plugin>/`` and listed in ``/api/openapi.json``.
    Same gate and permission rules as ``govhall_routes``."""


@hookspec
def govhall_template_dirs() -> list[Path]:
    """Directories holding ``templates/<plugin>/...``; searched after the core's own templates."""


@hookspec
def govhall_migration_dirs() -> list[Path]:
    """Alembic version directories of the plugin's branch (``branch_labels=("<plugin>",)``,
    ``depends_on`` a core revision). ``govhall migrate`` upgrades every installed branch."""


@hookspec
def govhall_permissions() -> list[Permission]:
    """Every permission the plugin checks, as ``Permission`` constants ``<plugin>:<resource>:<action>``.
    Listed in docs/permissions.md (a test checks it)."""


@hookspec
def govhall_roles() -> list[RoleTemplate]:
    """Roles the plugin adds, and permissions it adds to core roles (a RoleTemplate whose name is a core
    role extends that role). These are the default role policies."""


@hookspec
def govhall_settings() -> list[SettingSpec]:
    """Settings the plugin reads, keys prefixed ``<plugin>.``; validated at start-up like core settings.
    Those declared ``per_tenant`` may be overlaid per tenant and are inherited down the tree."""


@hookspec
def govhall_cli_commands() -> list[click.Command]:
    """Click commands or groups added to ``govhall`` (e.g. ``govhall approval import``)."""


@hookspec
def govhall_periodic_tasks() -> list[PeriodicTask]:
    """Periodic work. Runs once across all processes; per-tenant tasks only for tenants where the plugin
    is enabled."""


@hookspec
def govhall_message_providers() -> list[MessageProvider]:
    """Outside channels for inbox messages (SMS, e-mail), as ``core.contracts.MessageProvider``. A hall
    uses the provider its ``hall.sms_provider`` / ``hall.email_provider`` setting names, among plugins
    enabled there; the built-in hall plugin offers ``log`` (development: writes a log line). ``send`` may
    be called again for one (message, channel) after a crash between sending and recording it, always
    with the same ``OutgoingMessage.idempotency_key``: pass it to the outside service and drop a repeat
    (docs/hooks.md; core.delivery)."""


# --- per-tenant calls, through Registry.hook_for(tenant) ---------------------------------------------

@hookspec
def govhall_labels() -> list[Label]:
    """Names people see for the codes this plugin writes where people read them: audit actions, target
    kinds, detail and fact keys, states (``core.contracts.Label``, keys in the plugin's namespace:
    ``payment.order.created``, ``payment.order``, ``payment.amount_cents``). Pages never show a key: what
    has no name is composed from names that exist or left out (core.labels)."""


@hookspec
def govhall_menu_entries(tenant: TenantRef, actor: Actor) -> list[MenuEntry]:
    """Links for the hall's entrances, sections, subsystem tiles, workbench, console and "my space" at
    ``tenant`` (a ``core.tenancy.TenantRef``) for ``actor`` (a ``core.identity.Actor``). What a guest
    gets must depend only on the tenant, its settings and switches: guests' hall pages are cached per
    (tenant, language, directory version)."""


@hookspec
def govhall_handle_event(event: Event, session: Session) -> None:
    """Handle a domain event of the event's tenant. Delivery is at-least-once; the core records each
    (event, plugin) delivery so a handler runs again only if it failed. ``session`` is scoped to the
    event's tenant and commits with the delivery record."""


@hookspec
def govhall_checks(check: str, subject: dict[str, Any], tenant: TenantRef, session: Session) -> list[Finding]:
    """Contribute findings to a named check another plugin asks for, e.g. ``approval.acceptance`` with
    ``subject={"kind": "legal", "id_number": "9136...", "item_code": ...}``. Return [] if not concerned."""


@hookspec
def govhall_data_resources(tenant: TenantRef) -> list[DataResource]:
    """Data resources this plugin offers for exchange at ``tenant`` (the data sharing platform)."""


@hookspec
def govhall_tenant_enabled(tenant: TenantRef, session: Session) -> None:
    """The plugin was switched on at ``tenant`` (explicitly). Never runs DDL: tables exist once installed."""


@hookspec
def govhall_tenant_disabled(tenant: TenantRef, session: Session) -> None:
    """The plugin was switched off at ``tenant``. Data is kept; only visibility changes."""


@hookspec
def govhall_demo_data(session: Session, directory: Directory) -> None:
    """Load demo data (``govhall serve --demo``). Must be idempotent: called on every demo start.
    ``session`` has system scope; write each row with its tenant."""


@hookspec
def govhall_working_deadlines() -> list[WorkingDeadline]:
    """Declaration: the deadlines this plugin stores as working days counted from a stored start
    (``core.api.WorkingDeadline``). The core recounts the open ones when a holiday notice is entered,
    lists them in the preview, audits and announces each move; a plugin whose periods need more than
    that (tasks, statutory limits) answers ``govhall_deadlines_on_calendar`` instead."""


@hookspec
def govhall_deadlines_on_calendar(calendar: Calendar, years: list[int], session: Session,
                                  apply: bool) -> list[DeadlineChange]:
    """Open deadlines a new calendar moves (a holiday notice entered for ``years``), as a list of
    ``core.clock.DeadlineChange``. ``calendar`` is the new ``core.calendar.Calendar``: count on it
    (``add_working_days(..., calendar=calendar)``), not on the one in force. With ``apply`` False only
    list; with True also write the new deadlines. ``session`` has system scope and commits with the notice,
    its audit entry and a ``calendar.deadline.moved`` event per change. Called on every installed plugin
    (a notice is national), not per tenant."""
