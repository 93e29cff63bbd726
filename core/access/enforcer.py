"""The Casbin side of access control: role templates and one account's grants as a small, immutable
Casbin enforcer ("filtered loading per account").

Why per account: at Jiangxi scale (~110,000 grants) one enforcer holding every grant takes seconds to
load and must never be reloaded in place (wrong denials while it loads). A request only ever asks about
its own actor, so each account's grants (a handful of rows, one indexed SELECT) are loaded into their own
enforcer on first use and kept until the policy version changes; a change builds nothing in place — the
next check builds a fresh enforcer aside. Decisions are cached in front of it (core.access.control).
"""

from __future__ import annotations

import ast
import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import casbin
from casbin.model import Model
from casbin.util.expression import SimpleEval

from core.contracts import Permission, RoleTemplate

MODEL_TEXT = (Path(__file__).parent / "model.conf").read_text(encoding="utf-8")
SUPERVISOR = "supervisor"
PUBLIC_ROLES = ("guest", "person", "legal")


def covers(grant_path: str, request_path: str) -> bool:
    """Separator-aware subtree match: the request's tenant is the grant's tenant or lies below it."""
    return request_path == grant_path or request_path.startswith(grant_path + "/")


_PARSED: dict[str, ast.expr] = {}
_PARSE_LOCK = threading.Lock()


class TunedEnforcer(casbin.Enforcer):  # type: ignore[misc]
    """Casbin's Enforcer without re-parsing the matcher on every call.

    Stock ``enforce`` runs ``ast.parse`` on the matcher each time: ~40 us, and on CPython 3.11 not safe
    to run in several threads at once (the concurrency test caught "AST constructor recursion depth
    mismatch"). The parsed tree is cached once per matcher text; each call still gets its own evaluator,
    because the evaluator keeps per-call state.
    """

    @staticmethod
    def _get_expression(expr: str, functions: Any = None) -> SimpleEval:
        expr = expr.replace("&&", "and").replace("||", "or")
        expr = re.sub(r"!(?!=)", "not ", expr)
        tree = _PARSED.get(expr)
        if tree is None:
            with _PARSE_LOCK:
                tree = _PARSED.get(expr)
                if tree is None:
                    tree = _PARSED[expr] = ast.parse(expr.strip()).body[0].value  # type: ignore[attr-defined]
        evaluator = SimpleEval("", functions)
        evaluator.expr = expr
        evaluator.ast_parsed_value = tree
        return evaluator


def _request_within_grant(request_path: str, grant_path: str) -> bool:
    return covers(grant_path, request_path)


@dataclass(frozen=True, slots=True)
class GrantRow:
    id: int
    account_id: int
    role: str
    tenant_id: int
    tenant_path: str
    subtree: bool
    granted_by: str = ""
    granted_at: datetime | None = None

    def applies_at(self, path: str) -> bool:
        return covers(self.tenant_path, path) if self.subtree else path == self.tenant_path

    @property
    def code(self) -> str:
        return self.tenant_path.rsplit("/", 1)[-1]

    def describe(self) -> str:
        return (
            f"grant #{self.id}: {self.role} at {self.code}"
            + (" and its subtree" if self.subtree else "")
            + (f" (by {self.granted_by})" if self.granted_by else "")
        )


class RoleTemplates:
    """Role -> permissions, merged from every plugin's ``govhall_roles``.

    The supervisor reads a subtree and acts nowhere but on supervision cards: whatever a plugin adds to
    it, only permissions declared ``read_only`` (or ``supervisory``) are kept.
    """

    def __init__(self, roles: Mapping[str, RoleTemplate], permissions: Mapping[str, Permission]) -> None:
        self.roles = dict(roles)
        self.permissions = dict(permissions)
        self.perms: dict[str, frozenset[str]] = {}
        for name, role in roles.items():
            perms = [p for p in role.permissions if p in permissions]
            if name == SUPERVISOR:
                perms = [p for p in perms if permissions[p].read_only or permissions[p].supervisory]
            self.perms[name] = frozenset(perms)

    def of(self, role: str) -> frozenset[str]:
        return self.perms.get(role, frozenset())

    def grantable(self) -> list[str]:
        return [r for r in self.roles if r not in PUBLIC_ROLES]


def _split(permission: str) -> tuple[str, str]:
    obj, _, act = permission.rpartition(":")
    return obj, act


class AccountPolicy:
    """One account's grants in a Casbin enforcer, built once and never modified afterwards."""

    __slots__ = ("account_id", "version", "grants", "_enforcer", "_subject", "_templates", "_lock")

    def __init__(
        self, account_id: int, version: int, grants: Iterable[GrantRow], templates: RoleTemplates
    ) -> None:
        self.account_id = account_id
        self.version = version
        self.grants = tuple(grants)
        self._subject = f"account:{account_id}"
        model = Model()
        model.load_model_from_text(MODEL_TEXT)
        enforcer = TunedEnforcer(model)
        # Casbin calls the matching function as (requested domain, stored grant domain).
        enforcer.add_named_domain_matching_func("g", _request_within_grant)
        roles = sorted({g.role for g in self.grants})
        if roles:
            model.add_policies("p", "p", [[r, "*"] for r in roles])
            model.add_policies("g", "g3", [[r, p] for r in roles for p in sorted(templates.of(r))])
        subtree = [[self._subject, g.role, g.tenant_path] for g in self.grants if g.subtree]
        exact = [[self._subject, g.role, g.tenant_path] for g in self.grants if not g.subtree]
        if subtree:
            model.add_policies("g", "g", subtree)
        if exact:
            model.add_policies("g", "g2", exact)
        enforcer.build_role_links()
        self._enforcer = enforcer
        # Casbin's domain role manager fills per-domain caches on first use: one caller at a time.
        self._lock = threading.Lock()
        self._templates = templates

    def enforce(self, path: str, permission: str) -> bool:
        if not self.grants:
            return False
        obj, act = _split(permission)
        with self._lock:
            return bool(self._enforcer.enforce(self._subject, path, obj, act))

    def covering(self, path: str, permission: str, *, subtree_only: bool = False) -> GrantRow | None:
        """The grant that gives ``permission`` at ``path`` (the plain-Python reading of the same rule);
        the nearest one when several do."""
        best: GrantRow | None = None
        for g in self.grants:
            if subtree_only and not g.subtree:
                continue
            if (
                g.applies_at(path)
                and permission in self._templates.of(g.role)
                and (best is None or len(g.tenant_path) > len(best.tenant_path))
            ):
                best = g
        return best

    def paths_with(self, permission: str) -> tuple[list[str], list[str]]:
        """(exact tenant paths, subtree roots) where this account holds ``permission``."""
        exact = [
            g.tenant_path for g in self.grants if not g.subtree and permission in self._templates.of(g.role)
        ]
        roots = [g.tenant_path for g in self.grants if g.subtree and permission in self._templates.of(g.role)]
        return exact, roots
