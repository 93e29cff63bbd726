"""The late-issue supervision rule (set-based, one card per licence however often it scans), the JSON API
(documented shapes, the one error shape, boundaries) and concurrent acts on PostgreSQL (one winner)."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from factories import make_account, make_staff
from licence_helpers import ACME, issue, load, make_type
from sqlalchemy import select
from starlette.testclient import TestClient

from core.db import Scope
from core.errors import Conflict
from plugins.licence import dates, holders, rules, services
from plugins.licence.models import UseCode


def _token_client(app, platform, username: str) -> TestClient:
    from core.identity.service import account_by_username
    from core.identity.sessions import create_token

    with platform.db.transaction(Scope.system()) as s:
        account = account_by_username(s, username)
        _row, raw = create_token(s, account, name="tests", scopes=["*"], days=1, known_permissions=set())
    return TestClient(app, headers={"Authorization": f"Bearer {raw}"}, follow_redirects=False)


def test_a_licence_issued_after_ten_working_days_is_found_once(platform):
    make_type(platform)
    decided = date(2026, 9, 1)
    on_time = issue(platform, on=date(2026, 9, 3), decided_on=decided)
    late = issue(platform, on=date(2026, 10, 20), decided_on=decided)
    root = platform.directory.get("360000")
    with platform.db.session(Scope.below(root.id, root.path)) as s:
        found = rules.late_issues(s, root)
        again = rules.late_issues(s, root)
    assert [f.object_id for f in found] == [str(late.id)] and str(on_time.id) not in [
        f.object_id for f in again
    ]
    fact = found[0].facts
    assert fact["occurrence"] == dates.issue_deadline(decided).isoformat() == fact["deadline"]
    assert fact["href"] == f"licence/licences/{late.id}" and "第四十四条" in fact["basis"]
    assert found[0].tenant_id == platform.directory.get("360102").id


def test_supervision_turns_the_late_issue_into_one_card(platform):
    from plugins.supervision import scan

    make_type(platform)
    issue(platform, on=date(2026, 10, 20), decided_on=date(2026, 9, 1))
    scan.run_scan(platform)
    scan.run_scan(platform)
    from plugins.supervision.models import Card

    with platform.db.session(Scope.system()) as s:
        cards = s.scalars(select(Card).where(Card.rule_id == rules.LATE_RULE_ID)).all()
    assert len(cards) == 1


def test_api_verify_keys_and_staff_actions(app, platform):
    make_type(platform)
    lic = load(platform, issue(platform).id)
    with TestClient(app) as guest:
        ok = guest.get(f"/api/t/360102/licence/verify/{lic.identifier}").json()
        assert ok["state"] == "valid" and ok["signature_ok"] and ok["key_id"] == lic.key_id
        bad = guest.get("/api/t/360102/licence/verify/XYZ")
        assert bad.status_code == 404 and bad.json()["error"]["code"] == "bad_identifier"
        keys = guest.get("/api/t/360102/licence/keys").json()["items"]
        assert [k["key_id"] for k in keys] == [lic.key_id]
        assert guest.get("/api/t/360102/licence/licences").status_code == 401
    make_staff(platform, "officer", "360102", "item_handler")
    make_staff(platform, "other", "360103", "item_handler")
    with _token_client(app, platform, "officer") as c:
        listed = c.get("/api/t/360102/licence/licences?limit=1").json()
        assert [i["identifier"] for i in listed["items"]] == [lic.identifier]
        stale = c.post(
            f"/api/t/360102/licence/licences/{lic.id}/suspend", json={"version": 99, "reason": "x"}
        )
        assert stale.status_code == 409 and stale.json()["error"]["code"] == "stale_version"
        empty = c.post(f"/api/t/360102/licence/licences/{lic.id}/suspend", json={"version": lic.version})
        assert empty.status_code == 422 and "reason" in empty.json()["error"]["fields"]
        done = c.post(
            f"/api/t/360102/licence/licences/{lic.id}/suspend",
            json={"version": lic.version, "reason": "责令整改"},
        )
        assert done.status_code == 200 and done.json()["state"] == "suspended"
    with _token_client(app, platform, "other") as c:
        theirs = c.get(f"/api/t/360103/licence/licences/{lic.id}")
        missing = c.get("/api/t/360103/licence/licences/999999")
        assert theirs.status_code == missing.status_code == 404 and theirs.json() == missing.json()


def test_api_use_code_for_a_clerk(app, platform):
    make_type(platform)
    make_account(platform, "legal", "acme", id_number=ACME)
    make_staff(platform, "clerk", "360121", "item_handler")
    lic = issue(platform)
    with _token_client(app, platform, "acme") as holder:
        got = holder.post(f"/api/t/360102/licence/my/{lic.id}/codes", json={"purpose": "投标"})
        assert got.status_code == 201, got.text
        code = got.json()["code"]
        assert holder.post("/api/t/360102/licence/my/999/codes", json={}).status_code == 404
    with _token_client(app, platform, "clerk") as clerk:
        r = clerk.post("/api/t/360121/licence/redeem", json={"code": code})
        assert r.status_code == 200 and r.json()["licence"]["identifier"] == lic.identifier
        again = clerk.post("/api/t/360121/licence/redeem", json={"code": code})
        assert again.status_code == 409 and again.json()["error"]["code"] == "code_spent"


@pytest.mark.postgres
def test_two_concurrent_acts_on_one_licence_have_one_winner(platform):
    make_type(platform)
    lic = issue(platform)
    tenant = platform.directory.get("360102")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def act(action: str) -> None:
        try:
            with platform.db.transaction(tenant.scope) as s:
                services.load(s, tenant, lic.id, version=lic.version)
                barrier.wait(timeout=10)
                services.act(s, tenant, lic.id, action, version=lic.version, reason="并发", actor=action)
            outcomes.append(action)
        except Conflict as exc:
            outcomes.append(exc.code)

    threads = [threading.Thread(target=act, args=(a,)) for a in ("suspend", "revoke")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(outcomes) == 2 and outcomes.count("stale_version") == 1
    assert load(platform, lic.id).state in ("suspended", "revoked")


@pytest.mark.postgres
def test_two_clerks_racing_with_one_code_one_wins(platform):
    from core.identity.actor import Actor

    make_type(platform)
    lic = issue(platform)
    tenant = platform.directory.get("360102")
    with platform.db.transaction(tenant.scope) as s:
        code, _row = holders.grant(
            s, tenant, services.load(s, tenant, lic.id), purpose="", hours=1, actor="t"
        )
    clerk_tenant = platform.directory.get("360103")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def go(n: int) -> None:
        actor = Actor(account_id=1000 + n, kind="staff", display_name=f"clerk{n}", username=f"clerk{n}")
        barrier.wait(timeout=10)
        try:
            holders.redeem(platform, clerk_tenant, code, actor=actor, hours=1)
            outcomes.append("won")
        except Conflict as exc:
            outcomes.append(exc.code)

    threads = [threading.Thread(target=go, args=(n,)) for n in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["code_spent", "won"]
    with platform.db.session(Scope.system()) as s:
        row = s.scalars(select(UseCode)).one()
    assert row.redeemed_at is not None and row.view_until - row.redeemed_at == timedelta(hours=1)
