"""Granting and revoking roles: the same rules for the CLI, the console page and plugins.

An operator (``actor`` given as a string such as ``"cli"``) may grant any staff role anywhere. A person
acting through the console (an ``Actor``) must hold ``hall:roles:manage`` where the grant is made, may
grant a subtree only where a subtree grant of theirs covers it, and only roles whose every permission
they hold there themselves — so nobody can hand out more than they have.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from core import audit
from core.access.enforcer import PUBLIC_ROLES, GrantRow
from core.access.models import RoleGrant
from core.access.watcher import bump_policy
from core.errors import Conflict, Invalid, NotFound
from core.identity.actor import Actor
from core.identity.models import Account

if TYPE_CHECKING:
    from core.tenancy.directory import TenantRef

ROLES_MANAGE = "hall:roles:manage"


class GrantRefused(Invalid):
    status = 403
    code = "grant_refused"


@dataclass(frozen=True)
class HeldRole:
    """A role someone holds at a tenant, and the grant it comes from (here, or inherited from above)."""

    grant: GrantRow
    username: str
    display_name: str
    inherited: bool


def _actor_label(actor: Actor | str) -> str:
    return actor if isinstance(actor, str) else actor.label


def _check_role(platform: Any, role: str) -> None:
    templates = platform.access.templates
    if role in PUBLIC_ROLES or role not in templates.roles:
        known = ", ".join(templates.grantable())
        raise Invalid(
            f"unknown or non-grantable role {role!r} (roles: {known})",
            f"无法授予的角色 {role}",
            fields={"role": f"可授予的角色 / grantable roles: {known}"},
        )


def check_may_grant(platform: Any, actor: Actor | str, role: str, tenant: TenantRef, subtree: bool) -> None:
    """Raise GrantRefused unless ``actor`` may grant (or revoke) ``role`` at ``tenant``: they must manage
    roles there and hold every hall administration permission the role carries."""
    _check_role(platform, role)
    if isinstance(actor, str):
        return  # an operator at the command line
    access = platform.access
    if not access.check(actor, tenant, ROLES_MANAGE).allowed:
        raise GrantRefused(f"you may not manage roles at {tenant.code}", f"您无权管理{tenant.name}的角色")
    if actor.account_id is None:
        raise GrantRefused("log in first", "请先登录")
    policy = access.policy_of(actor.account_id)
    # No escalation of administrative power: the granter must hold every hall administration
    # permission the role carries. Business permissions (handling applications, issuing penalties) are
    # the duty team's work that a comprehensive administrator assigns without doing it.
    perms = platform.registry.permissions
    needed = sorted(p for p in access.templates.of(role)
                    if p.startswith("hall:") and p in perms and not perms[p].read_only)
    for perm in [ROLES_MANAGE, *needed]:
        if policy.covering(tenant.path, perm, subtree_only=subtree) is None:
            where = "for the whole subtree of" if subtree else "at"
            raise GrantRefused(
                f"you do not hold {perm} {where} {tenant.code}, so you cannot grant {role} there",
                f"您在{tenant.name}{'及其下级' if subtree else ''}不具备 {perm} 权限，不能授予该角色",
            )


def _after_commit(session: Session, platform: Any) -> None:
    def refresh(_session: Session) -> None:
        platform.access.poll()  # this process sees its own change at once

    event.listen(session, "after_commit", refresh, once=True)


def grant(
    session: Session,
    platform: Any,
    *,
    account_id: int,
    role: str,
    tenant: TenantRef,
    subtree: bool,
    actor: Actor | str,
) -> RoleGrant:
    """Grant ``role`` at ``tenant`` (and its subtree). Re-granting updates the subtree flag."""
    check_may_grant(platform, actor, role, tenant, subtree)
    account = session.get(Account, account_id)
    if account is None:
        raise NotFound("no such account", "没有该账户", fields={"user": "unknown"})
    if account.kind != "staff":
        raise Invalid(
            "roles are granted to staff accounts only",
            "只能给工作人员账户授予角色",
            fields={"user": "不是工作人员账户 / not a staff account"},
        )
    row = session.scalar(
        select(RoleGrant).where(
            RoleGrant.account_id == account_id, RoleGrant.role == role, RoleGrant.tenant_id == tenant.id
        )
    )
    if row is not None and row.subtree == subtree:
        raise Conflict(
            f"{account.username} already holds {role} at {tenant.code}",
            f"{account.display_name}已在此处拥有该角色",
            code="already_granted",
        )
    label = _actor_label(actor)
    if row is None:
        row = RoleGrant(
            account_id=account_id,
            role=role,
            tenant_id=tenant.id,
            tenant_path=tenant.path,
            subtree=subtree,
            granted_by=label,
        )
        session.add(row)
    else:
        row.subtree, row.granted_by = subtree, label
    bump_policy(session)
    audit.record(
        session,
        actor=label,
        action="role.grant",
        tenant=tenant,
        target=f"account:{account.username}",
        details={"role": role, "subtree": subtree},
    )
    session.flush()
    _after_commit(session, platform)
    return row


def revoke(
    session: Session, platform: Any, *, account_id: int, role: str, tenant: TenantRef, actor: Actor | str
) -> None:
    """Revoke the grant of ``role`` made at ``tenant`` (inherited grants are revoked where they were made)."""
    row = session.scalar(
        select(RoleGrant).where(
            RoleGrant.account_id == account_id, RoleGrant.role == role, RoleGrant.tenant_id == tenant.id
        )
    )
    if row is None:
        raise NotFound(
            f"no grant of {role} at {tenant.code} for this account",
            "没有这项授权",
            fields={"role": "not granted here"},
        )
    check_may_grant(platform, actor, role, tenant, row.subtree)
    account = session.get(Account, account_id)
    session.delete(row)
    bump_policy(session)
    audit.record(
        session,
        actor=_actor_label(actor),
        action="role.revoke",
        tenant=tenant,
        target=f"account:{account.username if account else account_id}",
        details={"role": role, "subtree": row.subtree},
    )
    session.flush()
    _after_commit(session, platform)


def _grant_columns() -> tuple[Any, ...]:
    """The columns of a GrantRow, in its field order."""
    t = RoleGrant.__table__
    return (t.c.id, t.c.account_id, t.c.role, t.c.tenant_id, t.c.tenant_path, t.c.subtree, t.c.granted_by,
            t.c.granted_at)


def holders_at(session: Session, directory: Any, tenant: TenantRef) -> list[HeldRole]:
    """Who holds which role at ``tenant``: grants made here, and subtree grants made at an ancestor."""
    ancestors = [a.path for a in directory.ancestors(tenant)[:-1]]
    t = RoleGrant.__table__
    a = Account.__table__
    cond = t.c.tenant_path == tenant.path
    if ancestors:
        cond = cond | (t.c.tenant_path.in_(ancestors) & t.c.subtree.is_(True))
    rows = session.execute(
        select(
            *_grant_columns(),
            a.c.username,
            a.c.display_name,
        )
        .join(a, a.c.id == t.c.account_id)
        .where(cond)
        .order_by(t.c.tenant_path, a.c.username, t.c.role)
    ).all()
    return [
        HeldRole(GrantRow(*r[:8]), r.username, r.display_name, r.tenant_path != tenant.path) for r in rows
    ]


def grants_of(session: Session, account_id: int) -> list[GrantRow]:
    t = RoleGrant.__table__
    rows = session.execute(
        select(*_grant_columns())
        .where(t.c.account_id == account_id)
        .order_by(t.c.tenant_path, t.c.role)
    ).all()
    return [GrantRow(*r) for r in rows]
