"""The public plugin API: the one core module a plugin imports for ordinary work.

Everything else under ``core`` is private by convention and may change without notice. Built-in
plugins use only this module (``tests/test_layout.py`` enforces it for plugins listed there), so a
vendor's plugin can do everything they do. Names here are a contract: add freely, rename never.
"""

from __future__ import annotations

from core import audit, events, imports, signing
from core import clock as clock
from core.access import require
from core.access.guard import Forbidden
from core.cli.common import pass_platform, progress, tenant_arg
from core.clock import (
    add_calendar_days,
    add_working_days,
    is_working_day,
    local_date,
    today,
    working_days_between,
)
from core.contracts import (
    DataResource,
    Event,
    Finding,
    MenuEntry,
    PeriodicTask,
    Permission,
    PluginInfo,
    RoleTemplate,
    SupervisionRule,
)
from core.db import Scope, subsession
from core.db.base import Base, BigId, PathType, TenantScoped, utcnow
from core.db.rls import disable_rls, enable_rls
from core.errors import Conflict, DomainError, Invalid, NotFound
from core.events import publish
from core.hookspecs import hookimpl
from core.identity.actor import Actor
from core.platform import Platform
from core.settings import SettingSpec
from core.tenancy.directory import TenantRef
from core.tenancy.models import Department, Tenant
from core.web import charts
from core.web.api import (
    Id,
    OutModel,
    PageParams,
    api_doc,
    cursor_key,
    decode_cursor,
    encode_cursor,
    json_ok,
    page_model,
    page_params,
    paginate,
    parse_body,
    parse_path,
    parse_query,
    tenant_object,
    validate,
)
from core.web.forms import form_data, read_form
from core.web.render import json_error, render

__all__ = [
    "Actor", "Base", "BigId", "Conflict", "DataResource", "Department", "DomainError", "Event", "Finding",
    "Forbidden",
    "Id", "Invalid", "MenuEntry", "NotFound", "OutModel", "PageParams", "PathType", "PeriodicTask",
    "Permission", "Platform", "PluginInfo", "RoleTemplate", "Scope", "SettingSpec", "SupervisionRule",
    "Tenant", "TenantRef", "TenantScoped", "add_calendar_days", "add_working_days", "api_doc", "audit",
    "charts", "clock", "cursor_key", "decode_cursor", "disable_rls", "enable_rls", "encode_cursor",
    "events", "form_data", "hookimpl", "imports", "is_working_day", "json_error", "json_ok", "local_date",
    "page_model", "page_params", "paginate", "parse_body", "parse_path", "parse_query", "pass_platform",
    "progress", "publish", "read_form", "render", "require", "signing", "subsession", "tenant_arg",
    "tenant_object", "today", "utcnow", "validate", "working_days_between",
]
