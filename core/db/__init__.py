"""Database: engine and sessions, the declarative base, tenant scopes and their guards."""

from core.db.base import Base, BigId, PathType, TenantScoped, Timestamped, utcnow
from core.db.engine import Database, GuardedSession, ScopeError, subsession
from core.db.scope import Scope, subtree_predicate

__all__ = [
    "Base", "BigId", "Database", "GuardedSession", "PathType", "Scope", "ScopeError", "TenantScoped",
    "Timestamped", "subsession", "subtree_predicate", "utcnow",
]
