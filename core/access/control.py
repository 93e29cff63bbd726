"""AccessControl: the one place permission decisions are made.

Public roles (guest, person, legal) hold their permissions in every tenant. Staff roles are granted per
tenant (optionally for the subtree) and decided by Casbin (core.access.enforcer), one small enforcer per
account. In front of it sits a decision cache keyed (account, tenant path, obj, act) that belongs to one
policy version: when the version moves, a new empty state is swapped in whole — nothing is modified in
place, so a concurrent check sees either the old state or the new one, never half of each.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Connection, bindparam, literal, or_, select
from sqlalchemy.orm import Session

from core.access.enforcer import AccountPolicy, GrantRow, RoleTemplates
from core.access.guard import Decision
from core.access.models import RoleGrant
from core.access.watcher import POLICY_KEY, read_policy_version
from core.db.scope import Scope
from core.identity.actor import Actor
from core.identity.models import StaffMembership
from core.tenancy.models import CoreState, Department

if TYPE_CHECKING:
    from core.platform import Platform
    from core.tenancy.directory import TenantRef

PUBLIC_ROLE_OF_KIND = {
    "guest": ("guest",),
    "person": ("guest", "person"),
    "legal": ("guest", "legal"),
    "staff": ("guest",),
}
MAX_DECISIONS = 200_000
_G = RoleGrant.__table__
_GRANTS = select(
    _G.c.id,
    _G.c.account_id,
    _G.c.role,
    _G.c.tenant_id,
    _G.c.tenant_path,
    _G.c.subtree,
    _G.c.granted_by,
    _G.c.granted_at,
).where(_G.c.account_id == bindparam("account_id"))
_VERSION = select(CoreState.__table__.c.version).where(CoreState.__table__.c.key == POLICY_KEY)
_D, _M = Department.__table__, StaffMembership.__table__
_DEPARTMENT_CODES = (
    select(_D.c.code).join(_M, _M.c.department_id == _D.c.id)
    .where(_M.c.account_id == bindparam("account_id"), _M.c.tenant_id == bindparam("tenant_id"))
)
MAX_ACCOUNTS = 5_000  # ~23 KB each (bench/bench_access.py): ~115 MB at most


@dataclass
class _State:
    """Everything cached for one policy version."""

    version: int
    accounts: dict[int, AccountPolicy] = field(default_factory=dict)
    decisions: dict[tuple[int, str, str], Decision] = field(default_factory=dict)
    departments: dict[tuple[int, int], frozenset[str]] = field(default_factory=dict)


class AccessControl:
    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        registry = platform.registry
        self.templates = RoleTemplates(registry.roles, registry.permissions)
        self._public: dict[str, frozenset[str]] = {
            kind: frozenset(p for r in names for p in self.templates.of(r))
            for kind, names in PUBLIC_ROLE_OF_KIND.items()
        }
        # A staff account reads what the public reads, but acts only through the roles it is granted: the
        # public's acts (submitting a complaint, a system pushing a feed) are not a supervisor's, whom the
        # boundary tests hold to reading everywhere and changing nothing.
        declared = registry.permissions
        self._public["staff"] = frozenset(
            p for p in self._public["staff"]
            if p in declared and (declared[p].read_only or declared[p].supervisory)
        )
        self._public_decision = {kind: Decision(True, f"public role of a {kind}") for kind in self._public}
        self._state = _State(version=-1)
        self._lock = threading.Lock()
        self._polled_at = 0.0

    # -- decisions -------------------------------------------------------------------------------------

    def check(self, actor: Actor, tenant: TenantRef | None, permission: str) -> Decision:
        """May ``actor`` use ``permission`` at ``tenant``? ``reason`` names the grant, or why nothing did."""
        permission = getattr(permission, "name", permission)
        if (
            actor.token_id is not None
            and "*" not in actor.token_scopes
            and permission not in actor.token_scopes
        ):
            return Decision(False, f"the API token is not scoped for {permission}")
        if permission in self._public.get(actor.kind, frozenset()):
            return self._public_decision[actor.kind]
        if permission not in self.templates.permissions:
            return Decision(False, f"{permission} is not a declared permission")
        if tenant is None:
            return Decision(False, "no tenant")
        if actor.account_id is None or actor.kind != "staff":
            return Decision(False, f"{actor.label} holds no role granting {permission} at {tenant.code}")
        self._maybe_poll()
        state = self._state
        key = (actor.account_id, tenant.path, permission)
        cached = state.decisions.get(key)
        if cached is not None:
            return cached
        policy = self._policy(state, actor.account_id)
        decision = self._decide(policy, actor, tenant, permission)
        current = self._state  # read once: a swap after this line leaves the write in a dropped state
        if policy.version == current.version:  # never cache an answer under another version
            if len(current.decisions) >= MAX_DECISIONS:
                current.decisions.clear()
            current.decisions[key] = decision
        return decision

    def _decide(self, policy: AccountPolicy, actor: Actor, tenant: TenantRef, permission: str) -> Decision:
        allowed = policy.enforce(tenant.path, permission)
        if allowed:
            grant = policy.covering(tenant.path, permission)
            why = grant.describe() if grant else "casbin policy"
            return Decision(True, why, version=policy.version)
        return Decision(
            False,
            f"{actor.label} holds no role granting {permission} at {tenant.code}",
            version=policy.version,
        )

    def departments(self, session: Session | Connection, account_id: int, tenant_id: int) -> frozenset[str]:
        """Codes of the departments of ``tenant_id`` a staff account belongs to, read through the caller's
        session on a miss and kept for this policy version (a membership change bumps it, so every
        process sees it within ``watch_interval``): a handler's request no longer reads them each time."""
        self._maybe_poll()
        state = self._state
        key = (account_id, tenant_id)
        found = state.departments.get(key)
        if found is None:
            params = {"account_id": account_id, "tenant_id": tenant_id}
            found = frozenset(session.execute(_DEPARTMENT_CODES, params).scalars())
            if len(state.departments) >= MAX_DECISIONS:
                state.departments.clear()
            state.departments[key] = found
        return found

    def policy_of(self, account_id: int) -> AccountPolicy:
        """The account's current policy (grants and enforcer) for this process's policy version."""
        self._maybe_poll()
        return self._policy(self._state, account_id)

    def _policy(self, state: _State, account_id: int) -> AccountPolicy:
        policy = state.accounts.get(account_id)
        if policy is not None:
            return policy
        version, rows = self._load_grants(account_id)
        policy = AccountPolicy(account_id, version, rows, self.templates)
        current = self._advance(version)
        if current.version == version:
            if len(current.accounts) >= MAX_ACCOUNTS:
                current.accounts.clear()
            current.accounts[account_id] = policy
        return policy

    def _load_grants(self, account_id: int) -> tuple[int, list[GrantRow]]:
        """The account's grants and the policy version they belong to, read consistently: the version is
        read before and after, and a grant change between the two (which bumps it) makes us read again.
        Core statements built once, on the AUTOCOMMIT reader (core tables, no scope): this can run inside
        a request's transaction (a permission first checked there), and the reader's pool is separate and
        never waits on a lock, so it cannot take part in a pool deadlock."""
        with self.platform.db.reader.connect() as conn:
            while True:
                before = conn.execute(_VERSION).scalar() or 0
                rows = [GrantRow(*r) for r in conn.execute(_GRANTS, {"account_id": account_id})]
                after = conn.execute(_VERSION).scalar() or 0
                if before == after:
                    return int(after), rows

    # -- versions --------------------------------------------------------------------------------------

    def _advance(self, version: int) -> _State:
        """Swap in an empty state when ``version`` is newer than ours; return the current state."""
        state = self._state
        if version > state.version:
            with self._lock:
                if version > self._state.version:
                    self._state = _State(version=version)
                state = self._state
        return state

    def poll(self) -> bool:
        """Read the policy version (one primary-key SELECT); drop caches if it moved. The app's watcher
        loop calls this every ``watch_interval``. Returns True when it moved."""
        self._polled_at = time.monotonic()
        before = self._state.version
        return self._advance(read_policy_version(self.platform.db)).version != before

    def _maybe_poll(self) -> None:
        if time.monotonic() - self._polled_at >= self.platform.settings["watch_interval"]:
            if self.platform.listening:  # the listener polls on every policy notice
                return
            self.poll()

    @property
    def version(self) -> int:
        return self._state.version

    # -- lists and scopes ------------------------------------------------------------------------------

    def tenant_filter(self, actor: Actor, permission: Any, column: Any) -> ColumnElement[bool]:
        """SQL predicate over a tenant-path column: the tenants where ``actor`` holds ``permission``
        (one equality per exact grant, one index range per subtree grant)."""
        permission = getattr(permission, "name", permission)
        if (
            actor.token_id is not None
            and "*" not in actor.token_scopes
            and permission not in actor.token_scopes
        ):
            return literal(False)
        if permission in self._public.get(actor.kind, frozenset()):
            return literal(True)
        if actor.account_id is None or actor.kind != "staff":
            return literal(False)
        exact, roots = self.policy_of(actor.account_id).paths_with(permission)
        parts: list[ColumnElement[bool]] = [column == p for p in exact]
        parts += [Scope(path=p, subtree=True).predicate(column) for p in roots]
        return or_(*parts) if parts else literal(False)

    def subtree_scope(self, actor: Actor, tenant: TenantRef, permission: Any) -> Scope | None:
        """``Scope.below(tenant)`` when a subtree grant at or above ``tenant`` gives ``permission``."""
        permission = getattr(permission, "name", permission)
        if (
            actor.account_id is None
            or actor.kind != "staff"
            or not self.check(actor, tenant, permission).allowed
        ):
            return None
        grant = self.policy_of(actor.account_id).covering(tenant.path, permission, subtree_only=True)
        return Scope.below(tenant.id, tenant.path) if grant is not None else None
