"""The rule packs over the demo feed: every rule finds what the demo planted, the dashboard shows all
seven kinds of power covered, re-sending a batch and scanning again issues no card twice, and a pack
switched off (or the plugin off) finds nothing there."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from core.db import Scope
from plugins.feeds import demo, services
from plugins.feeds.rules import RULES
from plugins.supervision import scan
from plugins.supervision.dashboard import kinds_of_power
from plugins.supervision.models import Card


def load_demo(platform):
    with platform.db.transaction(Scope.system()) as s:
        s.info["platform"] = platform
        demo.load(s, platform.directory)


def cards(platform, code="360102"):
    t = platform.directory.get(code)
    with platform.db.session(t.scope) as s:
        return Counter(c.rule_id for c in s.scalars(select(Card).where(Card.rule_id.like("feeds.%"))))


EXPECTED = {
    "feeds.fiscal.over_budget": 1,
    "feeds.fiscal.split_purchase": 1,
    "feeds.fiscal.special_fund_late": 1,
    "feeds.cadre.no_publicity": 1,
    "feeds.cadre.objections_open": 1,
    "feeds.cadre.relative_same_post": 1,
    "feeds.judicial.past_limit": 1,
    "feeds.judicial.penalty_off_norm": 1,
    "feeds.judicial.closed_without_notice": 1,
    "feeds.livelihood.deceased_payee": 1,
    "feeds.livelihood.paid_twice": 1,
    "feeds.livelihood.staff_payee": 1,
}


def test_every_rule_finds_the_demo_case_and_a_rescan_of_a_resent_batch_adds_nothing(platform):
    load_demo(platform)
    scan.run_scan(platform)
    assert cards(platform) == EXPECTED
    assert cards(platform, "360100") == EXPECTED
    t = platform.directory.get("360102")
    # The same batch again, then the same scan: nothing changes and no card is issued twice.
    feeds = demo._fiscal(lambda n: demo.add_calendar_days(demo.today(platform), n).isoformat(), "DH")
    with platform.db.transaction(t.scope) as s:
        recs = [{**r, "source_time": demo.SENT.isoformat()} for r in feeds["fiscal.payment"]]
        feed = services.receive(
            s, platform, t, "fiscal.payment", recs, channel="api", sender="t", department="fgw"
        )
    assert feed.counts["unchanged"] == len(recs)
    again = scan.run_scan(platform)
    assert again.issued == 0
    assert cards(platform) == EXPECTED


def _covered(platform, code):
    t = platform.directory.get(code)
    with platform.db.session(t.scope) as s:
        return {i["kind"] for i in kinds_of_power(platform, s, t, t.scope)["items"] if i["covered"]}


FED = {"fiscal", "cadre_personnel", "judicial_enforcement"}


def test_the_dashboard_shows_the_fed_kinds_covered_where_feeds_is_on(platform, cli):
    # (sunshine medicine is the medicine plugin's; the other kinds come from approval, bidding and here)
    assert FED | {"administrative_approval", "livelihood_conduct"} <= _covered(platform, "360102")
    assert cli("plugins", "disable", "feeds", "--tenant", "360100").exit_code == 0
    platform.refresh(force=True)
    # (payment's reconciliation rules are fiscal too)
    assert not {"cadre_personnel", "judicial_enforcement"} & _covered(platform, "360100")
    assert {r["kind_of_power"] for r in RULES} == {
        "fiscal",
        "cadre_personnel",
        "judicial_enforcement",
        "livelihood_conduct",
    }


def test_a_pack_switched_off_and_the_plugin_off_find_nothing_there(platform, cli):
    load_demo(platform)
    from core.tenancy.service import set_tenant_setting

    with platform.db.transaction(Scope.system()) as s:
        set_tenant_setting(s, platform.directory.get("360100"), "feeds.packs", "fiscal", actor="tests")
    r = cli("plugins", "disable", "feeds", "--tenant", "360102")
    assert r.exit_code == 0, r.output
    platform.refresh(force=True)
    scan.run_scan(platform)
    assert set(cards(platform, "360100")) == {k for k in EXPECTED if k.startswith("feeds.fiscal.")}
    assert cards(platform, "360102") == {}
