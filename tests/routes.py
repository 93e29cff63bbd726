"""Every registered route of an app (core and plugins, pages and API), and an actor who may use them.

The sweep tests walk this list instead of naming routes, so a route added tomorrow is swept too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from starlette.routing import Mount, Route, Router

from core.db import Scope

PARAM = re.compile(r"{([a-zA-Z_][a-zA-Z0-9_]*)(?::([a-z]+))?}")
DEMO_TENANT = "360102"  # Donghu District: every plugin on, demo applications, cards and records


@dataclass(frozen=True)
class RouteInfo:
    path: str  # the template, e.g. /api/t/{tenant_code}/approval/my/applications/{app_id:int}
    methods: tuple[str, ...]
    endpoint: Any

    @property
    def api(self) -> bool:
        return self.path.startswith("/api/")

    @property
    def params(self) -> list[tuple[str, str]]:
        return [(m.group(1), m.group(2) or "str") for m in PARAM.finditer(self.path)]

    @property
    def id_params(self) -> list[str]:
        return [name for name, conv in self.params if conv == "int"]

    def url(self, **values: Any) -> str:
        """The path with ``tenant_code`` = the demo tenant, ids = 1, strings = ``x`` unless given."""

        def fill(m: re.Match[str]) -> str:
            name, conv = m.group(1), m.group(2) or "str"
            if name in values:
                return str(values[name])
            if name == "tenant_code":
                return DEMO_TENANT
            return "1" if conv == "int" else "x"

        return PARAM.sub(fill, self.path)


def all_routes(app: Any) -> list[RouteInfo]:
    """Every route of ``app``: through mounts and plugin gates, static files excluded."""
    out: list[RouteInfo] = []

    def walk(routes: list[Any], prefix: str) -> None:
        for r in routes:
            if isinstance(r, Mount):
                inner = r.app
                inner = getattr(inner, "app", inner)  # the plugin gate wraps a Router
                if isinstance(inner, Router):
                    walk(list(inner.routes), prefix + r.path)
            elif isinstance(r, Route):
                methods = tuple(sorted((r.methods or {"GET"}) - {"HEAD"}))
                out.append(RouteInfo(prefix + r.path, methods, r.endpoint))

    walk(list(app.routes), "")
    return out


def make_superuser(platform: Any, username: str = "sweeper") -> Any:
    """A staff account holding every role the installation knows, over the whole province: the actor
    that reaches past every permission check, so a sweep exercises the handlers themselves."""
    from core.access.grants import grant
    from core.identity.service import add_membership
    from tests.factories import make_account

    account = make_account(platform, "staff", username)
    root = platform.directory.get("360000")
    with platform.db.transaction(Scope.system()) as s:
        add_membership(s, account.id, root, None)
        for role in sorted(platform.access.templates.grantable()):
            grant(s, platform, account_id=account.id, role=role, tenant=root, subtree=True, actor="tests")
    platform.refresh(force=True)
    return account


def make_citizen(platform: Any, username: str = "sweeping_citizen") -> Any:
    """A natural person: the public roles a staff grant does not give (apply, my applications, rate)."""
    from tests.factories import make_account

    return make_account(platform, "person", username)


def token_for(platform: Any, account: Any) -> str:
    """A bearer token with every scope for ``account``."""
    from core.identity.models import Account
    from core.identity.sessions import create_token

    with platform.db.transaction(Scope.system()) as s:
        acc = s.get(Account, account.id)
        _row, raw = create_token(s, acc, name="tests", scopes=["*"], days=1,
                                 known_permissions=platform.registry.permissions)
    return str(raw)
