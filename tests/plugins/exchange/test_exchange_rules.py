"""Supervision rules over the exchange: set-based scans over a subtree, one card per occurrence."""

from __future__ import annotations

from datetime import timedelta

from exchange_helpers import CONSUMER, CREDIT, PROVIDER, headers, sync, system
from sqlalchemy import select, update

from core.api import Scope, today, utcnow
from plugins.exchange import gateway, rules, services
from plugins.exchange.models import Resource
from plugins.exchange.schemas import HttpResourceIn


def _root_session(platform):
    root = platform.directory.get("360000")
    return platform.db.session(Scope.below(root.id, root.path))


def test_late_request_no_grant_expired_and_stale_are_found(platform):
    sync(platform)
    provider, consumer = platform.directory.get(PROVIDER), platform.directory.get(CONSUMER)
    with platform.db.transaction(provider.scope) as s:
        req = services.request_access(s, platform, provider, consumer, resource_code=CREDIT,
                                      department="xzspj", purpose="核查", fields=["level"], actor="t")
        data = HttpResourceIn.model_validate({
            "code": "census", "name": "人口普查", "department": "xzspj", "url": "http://x.test/c",
            "update_cycle": "monthly", "fields": [{"name": "n", "label": "人数"}]})
        services.register_http(s, provider, data, actor="t")
    cred, secret = system(platform)
    gateway.serve(platform, provider, client_id=cred.client_id, secret=secret, code=CREDIT, asked=[],
                  params={})
    later = today(platform) + timedelta(days=30)
    with _root_session(platform) as s:
        late = rules.late_requests(platform=platform, session=s, today=later)
        none = rules.late_requests(platform=platform, session=s)
        attempts = rules.no_grant_access(platform=platform, session=s)
        stale_now = rules.stale_resources(platform=platform, session=s)
        stale = rules.stale_resources(platform=platform, session=s, now=utcnow() + timedelta(days=40))
    assert [f.object_id for f in late] == [str(req.id)] and none == []
    assert late[0].facts["occurrence"] == req.due_on.isoformat()
    pair = f"{CREDIT}|{cred.member_identifier}"
    assert [(f.object_id, f.facts["attempts"]) for f in attempts] == [(pair, 1)]
    assert stale_now == [] and [f.message_zh for f in stale if "人口普查" in f.message_zh]
    other = platform.directory.get("360103")
    with platform.db.session(Scope.below(other.id, other.path)) as s:
        assert rules.late_requests(platform=platform, session=s, today=later) == []


def test_supervision_turns_a_late_request_into_one_card(platform):
    from plugins.supervision import scan
    from plugins.supervision.models import Card

    sync(platform)
    provider, consumer = platform.directory.get(PROVIDER), platform.directory.get(CONSUMER)
    with platform.db.transaction(provider.scope) as s:
        req = services.request_access(s, platform, provider, consumer, resource_code=CREDIT,
                                      department="xzspj", purpose="核查", fields=["level"], actor="t")
        s.flush()
        from plugins.exchange.models import AccessRequest

        s.execute(update(AccessRequest).where(AccessRequest.id == req.id)
                  .values(due_on=today(platform) - timedelta(days=3)))
        s.execute(update(Resource).values(last_updated_at=utcnow()))
    scan.run_scan(platform)
    scan.run_scan(platform)
    with platform.db.session(Scope.system()) as s:
        cards = s.scalars(select(Card).where(Card.rule_id == "exchange.request_late")).all()
    assert len(cards) == 1 and cards[0].object_id == str(req.id)


def test_headers_helper():
    assert headers("a", "b") == {"X-Exchange-Client": "a", "X-Exchange-Secret": "b"}
