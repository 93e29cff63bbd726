"""Supervision rules (livelihood_conduct) over the interaction tables, through supervision's own scan:
overdue tickets, closed without a call-back, bad reviews not rectified in time, repeated complaints."""

from __future__ import annotations

from datetime import date

from factories import make_account
from interaction_helpers import submit

from core import events
from plugins.interaction import rules, services
from plugins.supervision import scan

MONDAY = date(2026, 11, 2)


def test_the_four_rules_find_what_they_describe_and_only_once(platform):
    platform.clock.set(MONDAY)
    county = platform.directory.get("360102")
    tickets = [
        submit(platform, account_id=make_account(platform).id, about_department="scjgj")[0] for _ in range(3)
    ]
    with platform.db.transaction(county.scope) as s:
        closed = services.get(s, county, tickets[0].id)
        services.accept(s, county, closed, closed.version, "duty")
        services.reply(s, platform, county, closed, None, "已答复", "duty")
        services.callback(s, platform, county, closed, closed.version, "unreachable", "", "duty")
        services.rate(s, county, closed, closed.version, 1, "差", "person")
    while events.dispatch_pending(platform):
        pass
    result = scan.run_scan(platform, today=date(2026, 11, 27))  # after the complaints' and review's limits
    by_rule = result.by_rule
    assert by_rule[rules.OVERDUE] == 2  # the two still open
    assert by_rule[rules.NO_CALLBACK] == 1
    assert by_rule[rules.UNRECTIFIED] == 1
    assert by_rule[rules.REPEATED] == 1  # three complaints about 市场监督管理局
    again = scan.run_scan(platform, today=date(2026, 11, 27))
    assert sum(again.by_rule.get(r["id"], 0) for r in rules.RULES) == 0
