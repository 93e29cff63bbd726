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


def demo_enterprise(platform: Any) -> Any:
    """The demo's legal person (南昌示例科技有限公司): the public role that bids (registered on the demo
    tender open for bids in Donghu)."""
    from core.identity.models import Account

    with platform.db.session(Scope.system()) as s:
        return s.query(Account).filter_by(username="enterprise").one()


def demo_citizen(platform: Any) -> Any:
    """The demo's natural person (张三), who has applications in the demo tenant: the public roles a staff
    grant does not give (apply, my applications, rate). Log in with ``DEMO_PASSWORD``."""
    from core.identity.models import Account

    with platform.db.session(Scope.system()) as s:
        return s.query(Account).filter_by(username="citizen").one()


def token_for(platform: Any, account: Any) -> str:
    """A bearer token with every scope for ``account``."""
    from core.identity.models import Account
    from core.identity.sessions import create_token

    with platform.db.transaction(Scope.system()) as s:
        acc = s.get(Account, account.id)
        _row, raw = create_token(s, acc, name="tests", scopes=["*"], days=1,
                                 known_permissions=platform.registry.permissions)
    return str(raw)


# Which table each id parameter names, so a sweep can use objects that exist at the demo tenant.
ID_TABLES = {"file_id": "approval_uploads", "app_id": "approval_applications", "card_id": "supervision_cards",
             "record_id": "credit_records", "entry_id": "credit_list_entries", "licence_id": "licences",
             "grant_id": "licence_use_codes", "type_id": "licence_types",
             "sharing_request_id": "exchange_requests", "sharing_grant_id": "exchange_grants",
             "subsystem_id": "exchange_systems", "tender_id": "bidding_tenders",
             "bidder_id": "bidding_bidders", "objection_id": "bidding_objections",
             "order_id": "payment_orders", "lot_id": "agri_lots", "producer_id": "agri_producers",
             "post_id": "agri_posts", "question_id": "agri_questions", "photo_id": "agri_photos",
             "medicine_order_id": "medicine_orders", "product_id": "medicine_products",
             "round_id": "medicine_rounds",
             "ticket_id": "interaction_tickets", "assignment_id": "interaction_assignments",
             "review_id": "interaction_reviews", "disclosure_id": "openness_requests",
             "power_id": "openness_powers",
             "feed_batch_id": "feed_batches", "feed_source_id": "feed_sources",
             "project_id": "equity_projects", "buyer_id": "equity_buyers"}
# The province's catalogue tables, not owned by one tenant: any row will do. Agriculture's supply and
# demand posts belong to a county but are a province-wide market by design (a post's matches are read
# from every hall of the province), so another hall answering for one is not a leak.
GLOBAL_ID_TABLES = {"medicine_products", "medicine_rounds"}
PROVINCE_WIDE_TABLES = GLOBAL_ID_TABLES | {"agri_posts"}


def demo_ids(platform: Any, tenant_code: str = DEMO_TENANT) -> dict[str, int]:
    """An existing object of the tenant for each id parameter: the application is the demo citizen's and
    the file one of its materials."""
    from sqlalchemy import text

    tenant = platform.directory.get(tenant_code)
    citizen = demo_citizen(platform)
    out: dict[str, int] = {}
    with platform.db.session(Scope.system()) as s:
        for param, table in ID_TABLES.items():
            if param == "file_id":
                row = s.execute(text(
                    "SELECT u.id, u.application_id FROM approval_uploads u JOIN approval_applications a "
                    "ON a.id = u.application_id WHERE u.tenant_id = :t AND a.applicant_account_id = :c "
                    "ORDER BY u.id LIMIT 1"), {"t": tenant.id, "c": citizen.id}).first()
                if row is not None:
                    out["file_id"], out["app_id"] = int(row[0]), int(row[1])
                continue
            if param == "app_id" and "app_id" in out:
                continue
            if param == "order_id":  # the demo citizen's own payment order, so /my/ routes reach it
                found = s.execute(text("SELECT id FROM payment_orders WHERE tenant_id = :t "
                                       "AND payer_account_id = :c ORDER BY id LIMIT 1"),
                                  {"t": tenant.id, "c": citizen.id}).scalar()
                if found is not None:
                    out[param] = int(found)
                    continue
            if param == "licence_id":  # the demo citizen's own licence, so /my/ routes reach it
                found = s.execute(text("SELECT id FROM licences WHERE tenant_id = :t "
                                       "AND holder_id_number = :n ORDER BY id LIMIT 1"),
                                  {"t": tenant.id, "n": citizen.id_number}).scalar()
                if found is not None:
                    out[param] = int(found)
                    continue
            if param in ("ticket_id", "disclosure_id"):  # the demo citizen's own, so /my/ routes reach it
                found = s.execute(text(f"SELECT id FROM {table} WHERE tenant_id = :t "  # noqa: S608
                                       "AND account_id = :c ORDER BY id LIMIT 1"),
                                  {"t": tenant.id, "c": citizen.id}).scalar()
                if found is not None:
                    out[param] = int(found)
                    continue
            if table in GLOBAL_ID_TABLES:
                found = s.execute(text(f"SELECT id FROM {table} ORDER BY id LIMIT 1")).scalar()  # noqa: S608
                if found is not None:
                    out[param] = int(found)
                continue
            found = s.execute(text(f"SELECT id FROM {table} WHERE tenant_id = :t ORDER BY id LIMIT 1"),  # noqa: S608
                              {"t": tenant.id}).scalar()
            if found is not None:
                out[param] = int(found)
    return out
