"""The public plugin API: the one core module a plugin imports for ordinary work.

Everything else under ``core`` is private by convention and may change without notice. Built-in
plugins use only this module (``tests/test_layout.py`` enforces it for plugins listed there), so a
vendor's plugin can do everything they do. Names here are a contract: add freely, rename never.
"""

from __future__ import annotations

import typing

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
    Label,
    MenuEntry,
    PeriodicTask,
    Permission,
    PluginInfo,
    RoleTemplate,
)
from core.db import Scope, subsession
from core.db.base import Base, BigId, PathType, TenantScoped, Timestamped, UTCDateTime, table_of, utcnow
from core.db.engine import nested_connections_allowed
from core.db.rls import disable_rls, enable_rls
from core.db.upsert import upsert
from core.errors import Conflict, DomainError, Invalid, NotFound
from core.events import publish, publish_rows
from core.hookspecs import hookimpl, hookspec
from core.identity.actor import Actor
from core.identity.csrf import check as check_csrf
from core.identity.service import (
    account_by_username,
    account_id_number,
    actor_names,
    department_names,
    departments_of,
)
from core.imports import ImportFile, RowError, RowsRefused, read_import
from core.imports import validate as validate_rows
from core.platform import Platform
from core.settings import SettingSpec
from core.tenancy.directory import TenantRef
from core.tenancy.models import Department, Tenant
from core.tenancy.overlay import tenant_settings
from core.testing import SMALL_TREE, app_for_tests, start_test_platform
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
from core.web.render import json_error, render, translate

__all__ = [
    "Actor", "Base", "BigId", "Conflict", "DataResource", "Department", "DomainError", "Event", "Finding",
    "Forbidden", "Id",
    "ImportFile", "Invalid", "Label",
    "MenuEntry", "NotFound", "OutModel", "PageParams", "PathType", "PeriodicTask",
    "Permission", "Platform", "PluginInfo", "RoleTemplate", "RowError", "RowsRefused", "SMALL_TREE", "Scope",
    "SettingSpec", "Tenant", "TenantRef", "TenantScoped", "Timestamped", "UTCDateTime", "account_by_username",
    "actor_names",
    "account_id_number", "add_calendar_days", "add_working_days", "api_doc", "app_for_tests", "audit",
    "charts", "check_csrf", "clock", "cursor_key", "decode_cursor", "department_names", "departments_of",
    "disable_rls",
    "enable_rls", "encode_cursor", "events", "form_data", "hookimpl", "hookspec", "imports", "is_working_day",
    "json_error", "json_ok", "local_date", "nested_connections_allowed", "page_model", "page_params",
    "paginate", "parse_body", "parse_path", "parse_query", "pass_platform", "progress", "publish",
    "publish_rows", "read_form", "read_import", "render", "require", "signing", "start_test_platform",
    "subsession", "table_of", "tenant_arg", "tenant_object", "tenant_settings", "today", "translate",
    "upsert", "utcnow", "validate", "validate_rows", "working_days_between",
]

# The legal clock (issue #12): the clock object, periods with pauses and extensions, the calendar a
# tenant counts on, and what a plugin returns when a holiday notice moves its deadlines.
from core.clock import (  # noqa: E402
    PAUSE_KINDS,
    Calendar,
    Clock,
    DeadlineChange,
    Extension,
    Pause,
    Period,
    WorkingDeadline,
    add_months,
    calendar_for,
    days_before,
    latest_start_over,
    now,
    remaining,
    tighten,
    within_statutory,
)

__all__ += [
    "PAUSE_KINDS", "Calendar", "Clock", "DeadlineChange", "Extension", "Pause", "Period", "add_months",
    "calendar_for",
    "days_before", "latest_start_over", "now", "remaining", "tighten", "within_statutory", "WorkingDeadline",
]

# The core inbox (issue #16): tell a person or a department something, once per dedupe key, in their
# language; outside channels (SMS, e-mail) are providers a plugin declares.
# A message a person waits for (a phone code), sent now through the hall's provider for its channel; the
# caller commits its record first and sets ``idempotency_key`` (core.delivery, docs/hooks.md).
from core.delivery import send_now  # noqa: E402
from core.messages import MessageProvider, OutgoingMessage, notify  # noqa: E402

__all__ += ["MessageProvider", "OutgoingMessage", "notify", "send_now"]

# Links people enter (issue #10): the input type and the render-time check (core.web.security).
from core.web.security import SafeUrl, safe_url  # noqa: E402

__all__ += ["SafeUrl", "safe_url"]


async def run_scoped(request: typing.Any, fn: typing.Any, *, write: bool = False,
                     scope: typing.Any = None) -> typing.Any:
    """Run ``fn(session)`` in the worker thread pool on a session of the request's tenant (or of
    ``scope``, e.g. a subtree): a transaction when ``write``, else a read-only session. The one way a
    handler reaches the database; plugins used to write this helper each for themselves."""
    ctx = request.state.ctx

    def work() -> typing.Any:
        opener = ctx.platform.db.transaction if write else ctx.platform.db.session
        with opener(scope or ctx.tenant.scope) as s:
            return fn(s)

    return await ctx.platform.db.run(work)


__all__ += ["run_scoped"]

# Bad form input on a page (one translation of pydantic's error types into Chinese, English beside).
from core.web.form_errors import error_zh, form_error_pairs, form_errors  # noqa: E402

__all__ += ["error_zh", "form_error_pairs", "form_errors"]

# Money typed on a page (issue #18's "money is exact"): one parser, yuan to integer cents.
from core.money import yuan_cents  # noqa: E402

__all__ += ["yuan_cents"]

# Uploaded files (one check for every plugin): a known extension proven by the first bytes, not empty,
# at most the caller's size, at most so many files; refused in both languages.
from core.web.uploads import (  # noqa: E402
    FILE_TYPES,
    CheckedFile,
    FileType,
    Refusal,
    check_upload,
    check_uploads,
    detect_upload,
    read_uploads,
    upload_refusal,
)

__all__ += ["FILE_TYPES", "CheckedFile", "FileType", "Refusal", "check_upload", "check_uploads",
            "detect_upload", "read_uploads", "upload_refusal"]

# A plugin's constant declarations (info, permissions, roles, settings, routes, migrations, templates,
# menu, demo ...) in one call instead of a dozen one-line hook implementations (core.declare).
from core.declare import declare_plugin  # noqa: E402

__all__ += ["declare_plugin"]
