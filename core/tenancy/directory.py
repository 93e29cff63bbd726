"""The tenant directory: an immutable in-memory snapshot of the tree, plugin states and tenant settings.

Built aside from the database and swapped whole when ``core_state['directory']`` changes, so a request
never sees a half-loaded tree. Resolving a tenant is a dict lookup; its enabled plugin set is computed
once per snapshot and cached (bench/bench_directory.py measures both at 20,000 villages).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.contracts import PluginInfo
from core.db.scope import Scope
from core.tenancy.models import CoreState, Department, PluginState, Tenant, TenantSetting

DIRECTORY_KEY = "directory"


class TenantRef(NamedTuple):
    """What a request knows about its tenant, without touching the database.

    A NamedTuple rather than a frozen dataclass: the directory builds 21,600 of them on every reload,
    and a frozen dataclass's __init__ costs ~10x a tuple's (bench/bench_directory.py)."""

    id: int
    code: str
    path: str
    level: str
    kind: str
    name: str
    name_en: str
    parent_id: int | None

    @property
    def scope(self) -> Scope:
        return Scope.tenant(self.id, self.path)

    @property
    def subtree_scope(self) -> Scope:
        return Scope.below(self.id, self.path)

    @property
    def depth(self) -> int:
        return self.path.count("/")


@dataclass(frozen=True, slots=True)
class Effective:
    """The effective state of one plugin at one tenant, and where it came from."""

    plugin: str
    enabled: bool
    origin: str  # code of the tenant whose setting decided, or "default"
    locked: bool  # decided by a lock (at origin, covering this tenant)
    reason: str = ""  # set when a dependency forces the plugin off

    def as_json(self) -> dict[str, Any]:
        return {"plugin": self.plugin, "enabled": self.enabled, "origin": self.origin, "locked": self.locked,
                "reason": self.reason}


@dataclass(frozen=True, slots=True)
class StateRow:
    enabled: bool
    locked: bool


class Directory:
    def __init__(
        self,
        version: int,
        tenants: Iterable[TenantRef],
        states: Mapping[int, Mapping[str, StateRow]],
        settings: Mapping[int, Mapping[str, Any]],
        plugins: Mapping[str, PluginInfo],
    ) -> None:
        self.version = version
        self.by_id: dict[int, TenantRef] = {}
        self.by_code: dict[str, TenantRef] = {}
        self.children: dict[int | None, list[int]] = {}
        for t in tenants:
            self.by_id[t.id] = t
            self.by_code[t.code] = t
            self.children.setdefault(t.parent_id, []).append(t.id)
        for kids in self.children.values():
            kids.sort(key=lambda i: self.by_id[i].code)
        self.states = states
        self.settings = settings
        self.plugins = plugins
        self._effective: dict[int, dict[str, Effective]] = {}
        self._enabled: dict[int, frozenset[str]] = {}

    # -- tree ------------------------------------------------------------------------------------------

    def get(self, code: str) -> TenantRef | None:
        return self.by_code.get(code)

    def roots(self) -> list[TenantRef]:
        return [self.by_id[i] for i in self.children.get(None, [])]

    def kids(self, tenant: TenantRef) -> list[TenantRef]:
        return [self.by_id[i] for i in self.children.get(tenant.id, [])]

    def ancestors(self, tenant: TenantRef) -> list[TenantRef]:
        """Root first, the tenant itself last."""
        return [self.by_code[c] for c in tenant.path.split("/")]

    def descendants(self, tenant: TenantRef) -> list[TenantRef]:
        out: list[TenantRef] = []
        stack = list(reversed(self.kids(tenant)))
        while stack:
            t = stack.pop()
            out.append(t)
            stack.extend(reversed(self.kids(t)))
        return out

    # -- plugins ---------------------------------------------------------------------------------------

    def effective(self, tenant: TenantRef) -> dict[str, Effective]:
        cached = self._effective.get(tenant.id)
        if cached is not None:
            return cached
        chain = self.ancestors(tenant)
        result: dict[str, Effective] = {}
        for name, info in self.plugins.items():
            result[name] = self._decide(name, info, chain)
        # A plugin cannot be on where a dependency is off: switch dependants off until nothing changes.
        changed = True
        while changed:
            changed = False
            for name, eff in result.items():
                if not eff.enabled:
                    continue
                off = [d for d in self.plugins[name].depends if not result[d].enabled]
                if off:
                    result[name] = Effective(name, False, eff.origin, eff.locked,
                                             reason=f"dependency {', '.join(off)} is off")
                    changed = True
        self._effective[tenant.id] = result
        return result

    def _decide(self, name: str, info: PluginInfo, chain: list[TenantRef],
                own: Mapping[str, StateRow] | None = None) -> Effective:
        if info.required:
            return Effective(name, True, "default", True)
        rows = [self.states.get(node.id, {}).get(name) for node in chain]
        if own is not None:  # the tenant's own switches as a change being checked would leave them
            rows[-1] = own.get(name)
        for node, row in zip(chain, rows, strict=True):  # highest lock wins
            if row is not None and row.locked:
                return Effective(name, row.enabled, node.code, True)
        for node, row in zip(reversed(chain), reversed(rows), strict=True):  # else the nearest explicit value
            if row is not None:
                return Effective(name, row.enabled, node.code, False)
        return Effective(name, info.default_enabled, "default", False)

    def decided(self, tenant: TenantRef, own: Mapping[str, StateRow] | None = None) -> dict[str, bool]:
        """Each plugin's value at ``tenant`` from the switches alone (locks, nearest explicit value,
        default), before dependencies switch anything off. ``own`` replaces the tenant's own switches,
        to ask what a change would leave (core.tenancy.service.switch_refusal)."""
        chain = self.ancestors(tenant)
        return {n: self._decide(n, info, chain, own).enabled for n, info in self.plugins.items()}

    def enabled(self, tenant: TenantRef) -> frozenset[str]:
        cached = self._enabled.get(tenant.id)
        if cached is None:
            cached = frozenset(n for n, e in self.effective(tenant).items() if e.enabled)
            self._enabled[tenant.id] = cached
        return cached

    def lock_above(self, tenant: TenantRef, plugin: str) -> TenantRef | None:
        """The highest strict ancestor that locks ``plugin`` for its subtree, if any."""
        for node in self.ancestors(tenant)[:-1]:
            row = self.states.get(node.id, {}).get(plugin)
            if row is not None and row.locked:
                return node
        return None

    # -- per-tenant settings ---------------------------------------------------------------------------

    def setting(self, tenant: TenantRef, key: str) -> tuple[bool, Any, str]:
        """(found, value, origin code) of the nearest overlay of ``key`` at or above ``tenant``."""
        for node in reversed(self.ancestors(tenant)):
            values = self.settings.get(node.id)
            if values is not None and key in values:
                return True, values[key], node.code
        return False, None, ""


def read_version(session: Session, key: str = DIRECTORY_KEY) -> int:
    row = session.get(CoreState, key)
    return row.version if row else 0


def bump_version(session: Session, key: str = DIRECTORY_KEY) -> None:
    """Announce a change to every process; call inside the transaction that makes the change."""
    row = session.get(CoreState, key, with_for_update=True)
    if row is None:
        session.add(CoreState(key=key, version=1))
    else:
        row.version += 1


def load_directory(session: Session, plugins: Mapping[str, PluginInfo]) -> Directory:
    """Read the whole tree in three plain SELECTs (the ORM's per-object cost matters at 20,000 rows)."""
    version = read_version(session)
    t = Tenant.__table__
    rows = session.execute(
        select(t.c.id, t.c.code, t.c.path, t.c.level, t.c.kind, t.c.name, t.c.name_en, t.c.parent_id)
        .where(t.c.active.is_(True))
    ).all()
    tenants = [TenantRef(*r) for r in rows]
    states: dict[int, dict[str, StateRow]] = {}
    ps = PluginState.__table__
    for tid, plugin, enabled, locked in session.execute(
        select(ps.c.tenant_id, ps.c.plugin, ps.c.enabled, ps.c.locked)
    ):
        states.setdefault(tid, {})[plugin] = StateRow(bool(enabled), bool(locked))
    settings: dict[int, dict[str, Any]] = {}
    ts = TenantSetting.__table__
    for tid, key, value in session.execute(select(ts.c.tenant_id, ts.c.key, ts.c.value)):
        settings.setdefault(tid, {})[key] = value
    return Directory(version, tenants, states, settings, plugins)


def departments_of(session: Session, tenant: TenantRef) -> list[Department]:
    return list(session.scalars(select(Department).where(Department.tenant_id == tenant.id)
                                .order_by(Department.code)))
