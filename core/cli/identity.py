"""``govhall users create``, ``govhall roles list|grant|revoke``, ``govhall tokens create|list|revoke``
and ``govhall access check USER TENANT_CODE PERMISSION [--json]``."""

from __future__ import annotations

import json
from typing import Any, cast

import click

from core.cli.common import pass_platform, tenant_arg


@click.group()
def users() -> None:
    """Accounts: staff are created here by an operator; persons and legal persons register themselves."""


@users.command("create")
@click.argument("username")
@click.option("--kind", type=click.Choice(["staff", "person", "legal"]), default="staff", show_default=True)
@click.option("--name", "display_name", required=True, help="Display name.")
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="Password (prompted when omitted).",
)
@click.option("--id-number", default=None, help="Resident ID (person) or unified social credit code (legal).")
@click.option("--representative-name", default=None, help="Legal representative (legal persons).")
@click.option("--representative-id", default=None, help="Representative's resident ID (legal persons).")
@click.option(
    "--tenant", "tenant_code", default=None, help="Staff: make the account a member of this tenant."
)
@click.option("--department", default=None, help="Staff: department code within --tenant.")
@pass_platform
def users_create(
    platform: Any,
    username: str,
    kind: str,
    display_name: str,
    password: str,
    id_number: str | None,
    representative_name: str | None,
    representative_id: str | None,
    tenant_code: str | None,
    department: str | None,
) -> None:
    """Create an account."""
    from core.db import Scope
    from core.identity.service import add_membership, create_account

    if department and not tenant_code:
        raise click.BadParameter("--department needs --tenant", param_hint="--department")
    tenant = tenant_arg(platform, tenant_code) if tenant_code else None
    with platform.db.transaction(Scope.system()) as s:
        account = create_account(
            s,
            kind=kind,
            username=username,
            password=password,
            display_name=display_name,
            id_number=id_number,
            representative_name=representative_name,
            representative_id=representative_id,
        )
        if tenant is not None:
            add_membership(s, account.id, tenant, department)
    click.echo(
        f"created {kind} account {username} (id {account.id})"
        + (f", member of {tenant.code}" + (f"/{department}" if department else "") if tenant else "")
    )


@users.command("logout")
@click.argument("username")
@pass_platform
def users_logout(platform: Any, username: str) -> None:
    """End every login session of USER (e.g. after a lost device); API tokens are revoked separately."""
    from core.db import Scope
    from core.identity.service import require_account
    from core.identity.sessions import revoke_all_sessions

    with platform.db.transaction(Scope.system()) as s:
        ended = revoke_all_sessions(s, require_account(s, username).id)
    click.echo(f"ended {ended} session(s) of {username}")


@click.group()
def roles() -> None:
    """Roles and grants: who may do what, where in the tree."""


@roles.command("list")
@click.option("--user", "username", default=None, help="List this account's grants instead of the roles.")
@click.option("--tenant", "tenant_code", default=None, help="List who holds which role at this tenant.")
@pass_platform
def roles_list(platform: Any, username: str | None, tenant_code: str | None) -> None:
    """The role templates with their permissions, or an account's grants, or the holders at a tenant."""
    from core.access.grants import grants_of, holders_at
    from core.db import Scope
    from core.identity.service import require_account

    templates = platform.access.templates
    with platform.db.session(Scope.system()) as s:
        if username:
            account = require_account(s, username)
            for g in grants_of(s, account.id):
                click.echo(g.describe())
            return
        if tenant_code:
            for h in holders_at(s, platform.directory, tenant_arg(platform, tenant_code)):
                origin = f"inherited from {h.grant.code}" if h.inherited else "granted here"
                click.echo(f"{h.username}\t{h.grant.role}\t{origin}{' (subtree)' if h.grant.subtree else ''}")
            return
    for name, role in templates.roles.items():
        click.echo(f"{name}\t{role.title_zh} / {role.title_en}")
        for perm in sorted(templates.of(name)):
            click.echo(f"    {perm}")


def _grant_args(fn: Any) -> Any:
    fn = click.option("--tenant", "tenant_code", required=True, help="Tenant code where the grant is made.")(
        fn
    )
    fn = click.argument("role")(fn)
    return click.argument("username")(fn)


@roles.command("grant")
@_grant_args
@click.option("--subtree", is_flag=True, help="Also for every tenant below --tenant.")
@pass_platform
def roles_grant(platform: Any, username: str, role: str, tenant_code: str, subtree: bool) -> None:
    """Grant ROLE to USER at --tenant (and its subtree)."""
    from core.access.grants import grant
    from core.db import Scope
    from core.identity.service import require_account

    tenant = tenant_arg(platform, tenant_code)
    with platform.db.transaction(Scope.system()) as s:
        account = require_account(s, username)
        grant(s, platform, account_id=account.id, role=role, tenant=tenant, subtree=subtree, actor="cli")
    click.echo(f"granted {role} to {username} at {tenant.code}{' and its subtree' if subtree else ''}")


@roles.command("revoke")
@_grant_args
@pass_platform
def roles_revoke(platform: Any, username: str, role: str, tenant_code: str) -> None:
    """Revoke the grant of ROLE to USER made at --tenant."""
    from core.access.grants import revoke
    from core.db import Scope
    from core.identity.service import require_account

    tenant = tenant_arg(platform, tenant_code)
    with platform.db.transaction(Scope.system()) as s:
        account = require_account(s, username)
        revoke(s, platform, account_id=account.id, role=role, tenant=tenant, actor="cli")
    click.echo(f"revoked {role} from {username} at {tenant.code}")


@click.group()
def tokens() -> None:
    """Bearer API tokens: named, scoped, expiring, revocable; stored hashed."""


@tokens.command("create")
@click.argument("username")
@click.option("--name", required=True, help="A name to tell tokens apart.")
@click.option(
    "--scope", "scopes", multiple=True, help="Permission the token may use (repeat); default all (*)."
)
@click.option(
    "--days", type=click.IntRange(1, 366), default=90, show_default=True, help="Days until it expires."
)
@pass_platform
def tokens_create(platform: Any, username: str, name: str, scopes: tuple[str, ...], days: int) -> None:
    """Create a token for USER; prints it once (it is stored only as a hash)."""
    from core.db import Scope
    from core.identity.service import require_account
    from core.identity.sessions import create_token

    with platform.db.transaction(Scope.system()) as s:
        account = require_account(s, username)
        row, raw = create_token(
            s,
            account,
            name=name,
            scopes=list(scopes),
            days=days,
            known_permissions=platform.registry.permissions,
        )
        expires = row.expires_at
    click.echo(f"token {name} for {username}, scopes {' '.join(row.scopes)}, expires {expires:%Y-%m-%d}")
    click.echo(raw)


@tokens.command("list")
@click.argument("username")
@pass_platform
def tokens_list(platform: Any, username: str) -> None:
    """USER's tokens: name, scopes, expiry, state."""
    from core.db import Scope, utcnow
    from core.identity.service import require_account
    from core.identity.sessions import tokens_of

    with platform.db.session(Scope.system()) as s:
        account = require_account(s, username)
        for t in tokens_of(s, account):
            state = "revoked" if t.revoked_at else "expired" if t.expires_at <= utcnow() else "active"
            click.echo(f"{t.name}\t{state}\texpires {t.expires_at:%Y-%m-%d}\t{' '.join(t.scopes or [])}")


@tokens.command("revoke")
@click.argument("username")
@click.option("--name", required=True, help="Name of the token to revoke.")
@pass_platform
def tokens_revoke(platform: Any, username: str, name: str) -> None:
    """Revoke USER's token --name."""
    from core.db import Scope
    from core.identity.service import require_account
    from core.identity.sessions import revoke_token

    with platform.db.transaction(Scope.system()) as s:
        revoke_token(s, require_account(s, username), name)
    click.echo(f"revoked token {name} of {username}")


@click.group()
def access() -> None:
    """Ask the access layer a question."""


@access.command("check")
@click.argument("username")
@click.argument("tenant_code")
@click.argument("permission")
@click.option("--json", "as_json", is_flag=True, help='Print {"allowed": bool, "reason": str}.')
@pass_platform
def access_check(platform: Any, username: str, tenant_code: str, permission: str, as_json: bool) -> None:
    """May USER use PERMISSION at TENANT_CODE? Prints allow or deny (and, with --json, the reason)."""
    from core.db import Scope
    from core.identity.actor import Actor, ActorKind
    from core.identity.service import require_account

    tenant = tenant_arg(platform, tenant_code, "TENANT_CODE")
    if permission not in platform.registry.permissions:
        raise click.BadParameter(f"{permission!r} is not a declared permission", param_hint="PERMISSION")
    with platform.db.session(Scope.system()) as s:
        account = require_account(s, username)
        actor = Actor(
            account_id=account.id,
            kind=cast(ActorKind, account.kind),
            display_name=account.display_name,
            username=account.username,
        )
    decision = platform.access.check(actor, tenant, permission)
    if as_json:
        click.echo(json.dumps({"allowed": decision.allowed, "reason": decision.reason}, ensure_ascii=False))
    else:
        click.echo(f"{'allow' if decision.allowed else 'deny'}: {decision.reason}")


def register(cli: click.Group) -> None:
    for group in (users, roles, tokens, access):
        cli.add_command(group)
