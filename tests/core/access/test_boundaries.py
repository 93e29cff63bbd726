"""The boundaries of issue #3 through the access layer, real HTTP and the CLI."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from core.access.enforcer import covers
from core.access.grants import GrantRefused, grant
from core.access.models import RoleGrant
from core.db import Scope
from core.errors import Conflict, Invalid
from core.tenancy.models import Tenant
from tests.factories import actor_of, csrf_token, login, make_account, make_staff


def _t(platform, code):
    return platform.directory.get(code)


def _staff_only(platform, role):
    """Permissions of ``role`` that a logged-in staff member does not hold anyway (not public)."""
    access = platform.access
    return sorted(access.templates.of(role) - access.templates.of("guest"))


def test_subtree_match_is_separator_aware():
    assert covers("360000/360100", "360000/360100")
    assert covers("360000/360100", "360000/360100/360102")
    assert not covers("360000/3601", "360000/360100")
    assert not covers("360000/360100", "360000/3601000")


def test_donghu_item_handler_acts_in_donghu_only(platform):
    handler = actor_of(make_staff(platform, "donghu_clerk", "360102", "item_handler", "xzspj"))
    perms = _staff_only(platform, "item_handler")
    assert perms
    for perm in perms:
        assert platform.access.check(handler, _t(platform, "360102"), perm).allowed
        assert not platform.access.check(handler, _t(platform, "360103"), perm).allowed
        assert not platform.access.check(handler, _t(platform, "360100"), perm).allowed
        below = platform.directory.kids(_t(platform, "360102"))[0]
        assert not platform.access.check(handler, below, perm).allowed  # an exact grant does not flow down


def test_donghu_handler_gets_403_in_xihu_over_http(client, platform):
    make_staff(platform, "donghu_clerk2", "360102", "item_handler", "xzspj")
    login(client, "donghu_clerk2")
    assert client.get("/t/360103/console/roles").status_code == 403
    assert client.get("/t/360102/console/roles").status_code == 403  # not an administrator either


def test_nanchang_admin_with_subtree_acts_below_but_not_in_jingdezhen(client, platform):
    make_staff(platform, "nc_admin", "360100", "comprehensive_admin", subtree=True)
    login(client, "nc_admin")
    assert client.get("/t/360100/console/roles").status_code == 200
    assert client.get("/t/360102/console/roles").status_code == 200
    assert client.get("/t/360200/console/roles").status_code == 403
    assert client.get("/t/360000/console/roles").status_code == 403


def test_provincial_supervisor_reads_everywhere_below_and_changes_nothing(client, platform):
    sup = make_staff(platform, "prov_sup", "360000", "supervisor", subtree=True)
    make_staff(platform, "victim", "360102", None)
    actor = actor_of(sup)
    registry = platform.registry
    assert all(
        registry.permissions[p].read_only or registry.permissions[p].supervisory
        for p in platform.access.templates.of("supervisor")
    )
    writes = [p for p, d in registry.permissions.items() if not d.read_only and not d.supervisory]
    for code in ("360000", "360100", "360102", "360200"):
        assert platform.access.check(actor, _t(platform, code), "hall:roles:view").allowed
        assert not any(platform.access.check(actor, _t(platform, code), p).allowed for p in writes)
    login(client, "prov_sup")
    assert client.get("/t/360102/console/roles").status_code == 200
    token = csrf_token(client, "/t/360102/console/roles")
    r = client.post(
        "/t/360102/console/roles",
        data={"csrf_token": token, "action": "grant", "username": "victim", "role": "item_handler"},
    )
    assert r.status_code == 403
    with platform.db.session(Scope.system()) as s:
        assert s.scalar(select(RoleGrant).where(RoleGrant.role == "item_handler")) is None


def test_roles_page_shows_local_and_inherited_grants(client, platform):
    make_staff(platform, "nc_admin2", "360100", "comprehensive_admin", subtree=True)
    make_staff(platform, "donghu_clerk3", "360102", "item_handler", "xzspj")
    login(client, "nc_admin2")
    page = client.get("/t/360102/console/roles").text
    assert "donghu_clerk3" in page and "本级授权" in page
    assert "nc_admin2" in page and "继承自" in page and 'href="/t/360100/console/roles"' in page


def test_admin_grants_and_revokes_within_their_subtree_with_csrf(client, platform):
    make_staff(platform, "nc_admin3", "360100", "comprehensive_admin", subtree=True)
    clerk = make_staff(platform, "new_clerk", "360102", None)
    login(client, "nc_admin3")
    token = csrf_token(client, "/t/360102/console/roles")
    # system_admin carries only permissions a comprehensive administrator holds, so they may grant it.
    form = {"csrf_token": token, "action": "grant", "username": "new_clerk", "role": "system_admin"}
    perm = "hall:settings:manage"
    bad = client.post("/t/360102/console/roles", data={**form, "csrf_token": "f" * 64})
    assert bad.status_code == 403
    assert not platform.access.check(actor_of(clerk), _t(platform, "360102"), perm).allowed
    ok = client.post("/t/360102/console/roles", data=form)
    assert ok.status_code == 303
    assert platform.access.check(actor_of(clerk), _t(platform, "360102"), perm).allowed
    # Outside the admin's subtree the route itself refuses.
    assert client.post("/t/360200/console/roles", data={**form}).status_code == 403
    revoke = {**form, "action": "revoke"}
    assert client.post("/t/360102/console/roles", data=revoke).status_code == 303
    assert not platform.access.check(actor_of(clerk), _t(platform, "360102"), perm).allowed


def test_grant_rules_no_more_than_one_holds(platform):
    county_admin = actor_of(make_staff(platform, "dh_admin", "360102", "comprehensive_admin"))  # exact grant
    clerk = make_staff(platform, "clerk_x", "360102", None)
    donghu = _t(platform, "360102")

    def attempt(actor, role, subtree=False):
        with platform.db.transaction(Scope.system()) as s:
            grant(s, platform, account_id=clerk.id, role=role, tenant=donghu, subtree=subtree, actor=actor)

    with pytest.raises(GrantRefused):
        attempt(county_admin, "system_admin", subtree=True)  # a subtree their grant does not cover
    with pytest.raises(GrantRefused):
        attempt(actor_of(make_staff(platform, "sys_admin", "360102", "system_admin")), "system_admin")
    templates = platform.access.templates
    perms = platform.registry.permissions
    admin_perms = templates.of("comprehensive_admin")
    beyond = [r for r in templates.grantable()
              if any(p.startswith("hall:") and not perms[p].read_only and p not in admin_perms
                     for p in templates.of(r))]
    for role in beyond:  # roles carrying administrative permissions the administrator does not hold
        with pytest.raises(GrantRefused):
            attempt(county_admin, role)
    # Business roles are assigned by the administrator without the administrator doing the work.
    assert not templates.of("item_handler") <= admin_perms
    attempt(county_admin, "item_handler")
    attempt(county_admin, "system_admin")
    with pytest.raises(Conflict):
        attempt("cli", "system_admin")
    attempt("cli", "interaction_officer")  # an operator at the command line may grant any staff role
    citizen = make_account(platform, "person", "citizen_g")
    with platform.db.transaction(Scope.system()) as s, pytest.raises(Invalid):
        grant(
            s, platform, account_id=citizen.id, role="item_handler", tenant=donghu, subtree=False, actor="cli"
        )
    with pytest.raises(Invalid):
        attempt("cli", "person")


def test_tenant_filter_and_subtree_scope(platform):
    admin = actor_of(make_staff(platform, "nc_admin4", "360100", "comprehensive_admin", subtree=True))
    clerk = actor_of(make_staff(platform, "clerk_f", "360102", "item_handler"))
    t = Tenant.__table__
    with platform.db.session(Scope.system()) as s:

        def codes(actor, perm):
            return set(
                s.scalars(select(t.c.code).where(platform.access.tenant_filter(actor, perm, t.c.path)))
            )

        nanchang = {c for c in s.scalars(select(t.c.code)) if c.startswith("3601")}
        assert codes(admin, "hall:roles:manage") == nanchang
        assert codes(clerk, "hall:account:self") == {"360102"}
        assert codes(clerk, "hall:roles:manage") == set()
        assert len(codes(clerk, "hall:hall:view")) == len(platform.directory.by_id)  # public: everywhere
    scope = platform.access.subtree_scope(admin, _t(platform, "360102"), "hall:roles:view")
    assert scope == Scope.below(_t(platform, "360102").id, _t(platform, "360102").path)
    assert platform.access.subtree_scope(clerk, _t(platform, "360102"), "hall:account:self") is None
    assert platform.access.subtree_scope(admin, _t(platform, "360200"), "hall:roles:view") is None


def test_token_scopes_narrow_what_an_actor_may_do(platform):
    from dataclasses import replace

    admin = actor_of(make_staff(platform, "nc_admin5", "360100", "comprehensive_admin", subtree=True))
    scoped = replace(admin, token_id=1, token_scopes=("hall:roles:view",))
    donghu = _t(platform, "360102")
    assert platform.access.check(scoped, donghu, "hall:roles:view").allowed
    assert not platform.access.check(scoped, donghu, "hall:roles:manage").allowed


def test_access_check_cli(cli, platform):
    make_staff(platform, "cli_clerk", "360102", "item_handler", "xzspj")
    r = cli("access", "check", "cli_clerk", "360102", "hall:account:self", "--json")
    data = json.loads(r.output)
    assert data["allowed"] is True and "item_handler at 360102" in data["reason"]
    r = cli("access", "check", "cli_clerk", "360103", "hall:account:self", "--json")
    data = json.loads(r.output)
    assert data["allowed"] is False and data["reason"]
    assert cli("access", "check", "cli_clerk", "360103", "hall:account:self").output.startswith("deny")
    assert cli("access", "check", "cli_clerk", "360103", "no:such:perm").exit_code == 2


def test_roles_cli_grant_list_revoke(cli, platform):
    make_staff(platform, "cli_admin", "360100", None)
    assert (
        cli("roles", "grant", "cli_admin", "comprehensive_admin", "--tenant", "360100", "--subtree").exit_code
        == 0
    )
    assert (
        "comprehensive_admin at 360100 and its subtree" in cli("roles", "list", "--user", "cli_admin").output
    )
    held = cli("roles", "list", "--tenant", "360102").output
    assert "cli_admin" in held and "inherited from 360100" in held
    assert "comprehensive_admin" in cli("roles", "list").output
    check = cli("access", "check", "cli_admin", "360102", "hall:roles:manage")
    assert check.output.startswith("allow")
    assert cli("roles", "revoke", "cli_admin", "comprehensive_admin", "--tenant", "360100").exit_code == 0
    assert cli("access", "check", "cli_admin", "360102", "hall:roles:manage").output.startswith("deny")
    bad = cli("roles", "grant", "cli_admin", "no_such_role", "--tenant", "360100")
    assert bad.exit_code == 1 and "no_such_role" in bad.output


def test_moving_a_subtree_moves_its_grants(cli, platform):
    admin = actor_of(make_staff(platform, "nc_admin6", "360100", "comprehensive_admin", subtree=True))
    clerk = actor_of(make_staff(platform, "clerk_m", "360102", "item_handler"))
    assert platform.access.check(admin, _t(platform, "360102"), "hall:roles:manage").allowed
    assert cli("tenants", "move", "360102", "--to", "360200").exit_code == 0
    platform.refresh(force=True)
    platform.access.poll()
    moved = _t(platform, "360102")
    assert moved.path == "360000/360200/360102"
    assert not platform.access.check(admin, moved, "hall:roles:manage").allowed
    decision = platform.access.check(clerk, moved, "hall:account:self")
    assert decision.allowed, decision.reason
    from core.identity.models import StaffMembership

    with platform.db.session(Scope.system()) as s:
        paths = set(
            s.scalars(select(StaffMembership.tenant_path).where(StaffMembership.tenant_id == moved.id))
        )
    assert paths == {"360000/360200/360102"}
