"""Members, the catalogue synced from plugins, requests answered within ten working days, grants revoked;
every act audited; boundaries between tenants."""

from __future__ import annotations

from datetime import timedelta

import pytest
from exchange_helpers import CONSUMER, CREDIT, PROVIDER, grant, sync, system
from sqlalchemy import select

from core.api import Conflict, Invalid, NotFound, add_working_days, today
from plugins.exchange import services
from plugins.exchange.models import AccessRequest, Grant


def test_members_are_departments_named_by_tenant_path_and_code(platform):
    t = platform.directory.get(CONSUMER)
    with platform.db.transaction(t.scope) as s:
        ids = [m.identifier for m in services.members(s, t)]
        again = [m.identifier for m in services.members(s, t)]
        with pytest.raises(NotFound):
            services.member(s, t, "nope")
    assert "GOV:360000/360100/360102:xzspj" in ids and ids == again
    assert services.parse_identifier(ids[0])[0] == t.path


def test_catalogue_holds_what_the_enabled_plugins_offer(platform):
    codes = sync(platform)
    assert {"approval.application", CREDIT} <= set(codes)
    assert sorted(sync(platform)) == sorted(codes)  # idempotent
    root = platform.directory.get("360000")
    from core.api import Scope

    with platform.db.session(Scope.below(root.id, root.path)) as s:
        found = services.search(s, "信用")
        assert [r.code for r in found] == [CREDIT]
        assert found[0].provider_identifier.endswith(":fgw")
        assert services.search(s, "warning level")[0].code == CREDIT  # English field labels
        assert services.search(s, "%") == []


def test_request_answer_within_ten_working_days_and_revoke(platform):
    sync(platform)
    g = grant(platform, ["subject_code", "level"])
    provider = platform.directory.get(PROVIDER)
    with platform.db.session(provider.scope) as s:
        req = s.scalars(select(AccessRequest)).one()
        assert req.due_on == add_working_days(req.submitted_on, 10)
        assert req.state == "narrowed" and req.grant_id == g.id and g.fields == ["subject_code", "level"]
        assert req.consumer_identifier == "GOV:360000/360100/360102:xzspj"
    with platform.db.transaction(provider.scope) as s, pytest.raises(Conflict):
        services.revoke_grant(s, platform, provider, g.id, version=g.version + 1, reason="x", actor="t")
    with platform.db.transaction(provider.scope) as s, pytest.raises(Invalid):
        services.revoke_grant(s, platform, provider, g.id, version=g.version, reason=" ", actor="t")
    with platform.db.transaction(provider.scope) as s:
        done = services.revoke_grant(
            s, platform, provider, g.id, version=g.version, reason="用途完成", actor="t"
        )
        assert done.state == "revoked"
    from core.api import audit

    with platform.db.session(provider.scope) as s:
        actions = [
            e.action
            for e in s.scalars(select(audit.AuditEntry).where(audit.AuditEntry.tenant_id == provider.id))
        ]
    assert {"exchange.request.submitted", "exchange.request.narrowed", "exchange.grant.revoked"} <= set(
        actions
    )
    mine = services.mine(platform, platform.directory.get(CONSUMER))
    assert [r.id for r in mine["requests"]] == [req.id] and mine["grants"][0].state == "revoked"


def test_refusal_needs_reasons_and_nothing_changes_on_a_refused_input(platform):
    sync(platform)
    provider, consumer = platform.directory.get(PROVIDER), platform.directory.get(CONSUMER)
    with platform.db.transaction(provider.scope) as s:
        req = services.request_access(
            s,
            platform,
            provider,
            consumer,
            resource_code=CREDIT,
            department="xzspj",
            purpose="核查",
            fields=["level"],
            actor="t",
        )
        rid, version = req.id, req.version
        with pytest.raises(Conflict):  # one pending request per department and resource
            services.request_access(
                s,
                platform,
                provider,
                consumer,
                resource_code=CREDIT,
                department="xzspj",
                purpose="核查",
                fields=["level"],
                actor="t",
            )
        with pytest.raises(Invalid):
            services.request_access(
                s,
                platform,
                provider,
                consumer,
                resource_code=CREDIT,
                department="fgw",
                purpose="核查",
                fields=["nope"],
                actor="t",
            )
    for kw in (
        {"decision": "refuse", "reason": ""},
        {"decision": "approve", "expires_on": today(platform)},
        {"decision": "approve", "expires_on": today(platform) + timedelta(days=3), "fields": ["lists"]},
    ):
        with platform.db.transaction(provider.scope) as s, pytest.raises(Invalid):
            services.answer(s, platform, provider, rid, version=version, actor="t", **kw)
    with platform.db.session(provider.scope) as s:
        assert s.get(AccessRequest, rid).state == "pending" and s.scalars(select(Grant)).all() == []
    with platform.db.transaction(provider.scope) as s:
        done = services.answer(
            s,
            platform,
            provider,
            rid,
            version=version,
            decision="refuse",
            reason="用途与所需字段不相符",
            actor="t",
        )
        assert done.state == "refused" and done.grant_id is None
    other = platform.directory.get("360103")
    with platform.db.session(other.scope) as s, pytest.raises(NotFound):
        services.load_request(s, other, rid)


def test_credentials_keep_only_a_hash_and_can_be_revoked(platform):
    row, secret = system(platform)
    assert row.secret_hash != secret and len(secret) >= 40
    t = platform.directory.get(CONSUMER)
    with platform.db.session(t.scope) as s:
        assert services.authenticate(s, row.client_id, secret).id == row.id
        assert services.authenticate(s, row.client_id, secret + "x") is None
    with platform.db.transaction(t.scope) as s:
        services.revoke_system(s, t, row.id, row.version, actor="t")
    with platform.db.session(t.scope) as s:
        assert services.authenticate(s, row.client_id, secret).state == "revoked"
