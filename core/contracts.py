"""Data types that cross the plugin boundary: what hooks take and return.

Plugins import from here (and from core.hookspecs for ``hookimpl``); they never import each other.
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
class SupervisionRule:
    """A rule the supervision platform evaluates. ``kind_of_power`` is one of the seven kinds
    (core.contracts.KINDS_OF_POWER); ``on_events`` lists event types it reacts to; ``scan`` is a
    set-based periodic evaluation. Both return findings; supervision turns them into cards."""

    id: str
    version: int
    kind_of_power: str
    severity: Literal["prompt", "yellow", "red"]
    title_zh: str
    title_en: str
    on_events: tuple[str, ...] = ()
    evaluate_event: Callable[..., list[Finding]] | None = None
    scan: Callable[..., list[Finding]] | None = None
    # False: ``scan(platform=, session=, tenant=)`` is called once per tenant where the rule applies, with a
    # session scoped to that tenant. True: called once per root of the tree with ``tenant`` the root and a
    # session scoped to its whole subtree, and must cover every tenant in ``session.scope`` (one query for
    # a province instead of one per village). Scans may also accept ``today`` (a date) as a keyword.
    scan_subtree: bool = False


KINDS_OF_POWER: tuple[tuple[str, str, str], ...] = (
    ("administrative_approval", "行政审批", "Administrative approval"),
    ("sunshine_medicine", "阳光医药", "Sunshine medicine"),
    ("public_resource_trading", "公共资源交易", "Public resource trading"),
    ("livelihood_conduct", "民生及作风", "Livelihood and conduct"),
    ("fiscal", "财政收支", "Fiscal revenue and expenditure"),
    ("cadre_personnel", "干部人事", "Cadre personnel"),
    ("judicial_enforcement", "司法执法", "Judicial enforcement"),
)


@dataclass(frozen=True)
class Finding:
    """What a check or rule found about one object: shown to people and stored with the object."""

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
