"""AccessControl: the one place permission decisions are made.

Public roles (guest, person, legal) hold their permissions in every tenant. Staff roles are granted per
tenant (optionally for the subtree) and decided by the enforcer in core.access.enforcer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core.access.guard import Decision
from core.identity.actor import Actor

if TYPE_CHECKING:
    from core.platform import Platform
    from core.tenancy.directory import TenantRef

PUBLIC_ROLE_OF_KIND = {"guest": ("guest",), "person": ("guest", "person"), "legal": ("guest", "legal"),
                       "staff": ("guest",)}


class AccessControl:
    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        roles = platform.registry.roles
        self._public: dict[str, frozenset[str]] = {
            kind: frozenset(p for r in names if r in roles for p in roles[r].permissions)
            for kind, names in PUBLIC_ROLE_OF_KIND.items()
        }

    def check(self, actor: Actor, tenant: TenantRef | None, permission: str) -> Decision:
        if permission in self._public.get(actor.kind, frozenset()):
            return Decision(True, f"public role of a {actor.kind}")
        if tenant is None:
            return Decision(False, "no tenant")
        return Decision(False, f"{actor.label} holds no role granting {permission} at {tenant.code}")

    def tenant_filter(self, actor: Actor, permission: str, column: Any) -> Any:
        """SQL predicate over a tenant-path column: the tenants where ``actor`` holds ``permission``."""
        from core.db.scope import subtree_predicate

        return subtree_predicate(column, [])
