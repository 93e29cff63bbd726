"""Data scopes: which tenant rows a session may touch.

A scope is minted only by code that has checked access (the tenant resolver for a request's own
tenant, the access layer for subtree grants, the CLI for an operator). Repositories take it as a
required argument; the ORM guard and PostgreSQL row-level security enforce it a second and third time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, literal, or_


@dataclass(frozen=True, slots=True)
class Scope:
    """One tenant (``subtree=False``), a subtree rooted at ``path``, or the whole system (path ``*``)."""

    path: str
    tenant_id: int | None = None
    subtree: bool = False

    @classmethod
    def tenant(cls, tenant_id: int, path: str) -> Scope:
        return cls(path=path, tenant_id=tenant_id, subtree=False)

    @classmethod
    def below(cls, tenant_id: int, path: str) -> Scope:
        """The subtree rooted at a tenant, the tenant included. Grant explicitly; never implied."""
        return cls(path=path, tenant_id=tenant_id, subtree=True)

    @classmethod
    def system(cls) -> Scope:
        """Every tenant: migrations, operator commands, cross-tenant jobs. Never for a request."""
        return cls(path="*", tenant_id=None, subtree=True)

    @property
    def is_system(self) -> bool:
        return self.path == "*"

    def covers(self, path: str) -> bool:
        if self.is_system:
            return True
        if not self.subtree:
            return path == self.path
        return path == self.path or path.startswith(self.path + "/")

    def predicate(self, column: Any) -> ColumnElement[bool]:
        """SQL filter for a tenant-path column (a btree range, no LIKE)."""
        if self.is_system:
            return literal(True)
        if not self.subtree:
            return column == self.path
        return and_(column >= self.path, column < self.path + "0")


def subtree_predicate(column: Any, paths: list[str]) -> ColumnElement[bool]:
    """OR of subtree ranges, for "tenants where this actor holds P" filters."""
    if not paths:
        return literal(False)
    return or_(*(Scope(path=p, subtree=True).predicate(column) for p in paths))
