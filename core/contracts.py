"""Data types that cross the plugin boundary: what hooks take and return.

Plugins get these through ``core.api`` (the public plugin API); they never import each other.
Every type is a frozen dataclass so that what a plugin declares cannot be changed behind its back.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

_PERMISSION_RE = re.compile(r"^[a-z][a-z0-9_]*:[a-z][a-z0-9_]*:[a-z][a-z0-9_]*$")
_PLUGIN_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{1,30}$")


@dataclass(frozen=True)
class PluginInfo:
    """Who a plugin is. ``name`` must equal its entry-point name."""

    name: str
    title_zh: str
    title_en: str
    version: str
    depends: tuple[str, ...] = ()
    default_enabled: bool = False
    required: bool = False  # cannot be switched off anywhere (the hall itself)
    description_zh: str = ""
    description_en: str = ""

    def __post_init__(self) -> None:
        if not _PLUGIN_NAME_RE.match(self.name):
            raise ValueError(f"plugin name {self.name!r} must be lower-case letters, digits and _")


@dataclass(frozen=True)
class Permission:
    """A permission constant ``<plugin>:<resource>:<action>``, declared by its plugin as data."""

    name: str
    title_zh: str
    title_en: str
    # Read-only permissions may be held by supervisors (who read a subtree and act nowhere).
    read_only: bool = False
    # An act on the supervision platform's own objects (cards), never on what is supervised: the one kind
    # of non-read permission the supervisor role may also hold ("supervisors act only on cards").
    supervisory: bool = False

    def __post_init__(self) -> None:
        if not _PERMISSION_RE.match(self.name):
            raise ValueError(f"permission {self.name!r} must look like plugin:resource:action")

    @property
    def plugin(self) -> str:
        return self.name.split(":", 1)[0]

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class RoleTemplate:
    """A role and the permissions it carries by default (a plugin may add permissions to core roles)."""

    name: str
    title_zh: str
    title_en: str
    permissions: tuple[str, ...] = ()


Section = Literal[
    "personal",  # 个人办事 entrance
    "legal",  # 法人办事 entrance
    "approval",  # 行政审批 section
    "public_service",  # 公共服务 section
    "sunshine",  # 阳光政务 section
    "subsystem",  # tiles of the subsystems (credit, bidding, ...)
    "workbench",  # staff workbench entries
    "console",  # administration console entries
    "my",  # "my space" entries for the logged-in user
    "search",  # the hall's search box: the first entry (by order) receives ``?q=`` at its href
]


@dataclass(frozen=True)
class MenuEntry:
    """One link in the hall. ``href`` is relative to the tenant's hall root (``/t/{code}/``)."""

    section: Section
    title_zh: str
    title_en: str
    href: str
    plugin: str = ""
    icon: str = ""
    order: int = 100
    permission: str | None = None  # shown only to actors holding it here
    description_zh: str = ""
    description_en: str = ""


@dataclass(frozen=True)
class PeriodicTask:
    """Work a plugin wants run every ``every_seconds``, once across all processes, per enabled tenant
    (``per_tenant=True``) or once for the whole installation."""

    name: str
    every_seconds: int
    run: Callable[..., Any]
    per_tenant: bool = False


@dataclass(frozen=True)
class Event:
    """A domain event as delivered to plugins. ``type`` is ``<plugin>.<entity>.<verb>``."""

    id: int
    type: str
    tenant_id: int
    tenant_path: str
    payload: Mapping[str, Any]
    occurred_at: datetime
    actor: str = ""


@dataclass(frozen=True)
class Finding:
    """What a check or rule found about one object: shown to people and stored with the object.

    Neutral on purpose: ``govhall_checks`` returns findings, and so do the rules plugins give to the
    supervision plugin (its own hooks); the core knows nothing of either domain."""

    source: str  # plugin that produced it
    code: str  # machine-readable, e.g. "credit.warning.serious"
    level: Literal["info", "attention", "warning", "serious"]
    message_zh: str
    message_en: str
    object_type: str = ""
    object_id: str = ""
    tenant_id: int | None = None
    facts: Mapping[str, Any] = field(default_factory=dict)
    measures: tuple[str, ...] = ()


@dataclass(frozen=True)
class DataResource:
    """A data resource a plugin offers for exchange (the data sharing platform, plugins/exchange).

    ``fetch(session=, platform=, tenant=, params=)`` answers one query: ``session`` is scoped to the
    providing ``tenant``, ``params`` a ``dict[str, str]`` of the consumer's query parameters; it returns a
    dict (one record) or a list of dicts, and raises ``core.api.NotFound`` when nothing matches.
    ``field_labels`` maps a field to its (Chinese, English) label; ``department_code`` names the
    providing department at the tenant ("" = the tenant's first department)."""

    code: str
    title_zh: str
    title_en: str
    plugin: str
    fields: tuple[str, ...] = ()
    fetch: Callable[..., Any] | None = None
    field_labels: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    department_code: str = ""
    sharing: Literal["unconditional", "conditional", "none"] = "conditional"
    update_cycle: str = "realtime"
    legal_basis: str = ""
    description_zh: str = ""


@dataclass(frozen=True)
class MessageProvider:
    """An outside channel for inbox messages (``govhall_message_providers``): ``channel`` is ``sms`` or
    ``email``; the tenant setting ``hall.<channel>_provider`` names which provider a hall uses. ``send``
    takes a ``core.messages.OutgoingMessage`` already in the recipient's language and raises to retry; it
    must pass ``OutgoingMessage.idempotency_key`` to the outside service and drop a second send with a key
    already accepted (the same key comes again only after a crash between a send and its record)."""

    name: str
    channel: Literal["sms", "email"]
    send: Callable[[Any], None]
    title_zh: str = ""
    title_en: str = ""


@dataclass(frozen=True)
class Label:
    """The name people see for a code a plugin writes where people read it: an audit action
    (``payment.order.created``), a target kind (``payment.order``), a detail or fact key
    (``payment.amount_cents``), a state (``payment.created``). Keys are namespaced by the plugin that
    declares them (``govhall_labels``); core.labels presents audit entries and facts with them and never
    shows a key it has no name for."""

    key: str
    zh: str
    en: str
