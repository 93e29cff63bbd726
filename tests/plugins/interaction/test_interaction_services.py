"""The ticket workflow through the services on a real database: limits on the legal clock, a guest's
phone code, dispatch down to a township and its reply, call-back, rating, extensions with approval,
links, repeated submissions refused, stale versions, and the tenant boundary."""

from __future__ import annotations

from datetime import date

import pytest
from factories import make_account
from interaction_helpers import load, submit, wide
from sqlalchemy import select

from core.api import DomainError
from core.db import Scope
from plugins.interaction import services
from plugins.interaction.models import Ticket, TicketAssignment, TicketStep

MONDAY = date(2026, 11, 2)


@pytest.fixture(autouse=True)
def _fixed_day(platform):
    platform.clock.set(MONDAY)


def test_due_dates_count_working_days_per_kind_from_tenant_settings(platform):
    complaint, _ = submit(platform, account_id=make_account(platform).id)
    assert complaint.received_on == MONDAY
    assert complaint.due_on == date(2026, 11, 19)  # 13 working days: two weekends skipped
    consult, _ = submit(platform, account_id=make_account(platform).id, kind="consultation")
    assert consult.due_on == date(2026, 11, 5)
    assert complaint.number.startswith("20261102") and complaint.number != consult.number


def test_a_guest_needs_the_code_sent_to_the_phone(platform, codes):
    tenant = platform.directory.get("360102")
    with pytest.raises(DomainError) as err:
        submit(platform, phone="13800001111", code="")
    assert err.value.code == "code_required"
    from plugins.interaction import guests

    guests.send_code(platform, tenant, "13800001111", "10.0.0.9")
    ((phone, code),) = codes
    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(DomainError) as err:
        submit(platform, phone=phone, code=wrong)
    assert err.value.code == "bad_code"
    t, key = submit(platform, phone=phone, code=code)
    assert key and t.access_hash and key not in t.access_hash
    with pytest.raises(DomainError):  # used once
        submit(platform, phone=phone, code=code, ip="10.0.0.2")
    with platform.db.session(tenant.scope) as s:
        assert services.for_guest(s, tenant, t.number, key).id == t.id
        with pytest.raises(DomainError):
            services.for_guest(s, tenant, t.number, key[:-1] + "x")


def test_codes_and_submissions_are_rate_limited(platform, codes):
    tenant = platform.directory.get("360102")
    from plugins.interaction import guests

    guests.send_code(platform, tenant, "13900002222", "10.0.0.5")
    with pytest.raises(guests.TooMany):
        guests.send_code(platform, tenant, "13900002222", "10.0.0.6")  # again within the minute
    person = make_account(platform).id
    for _ in range(5):
        submit(platform, account_id=person, ip="10.9.9.9")
    with pytest.raises(guests.TooMany) as err:
        submit(platform, account_id=person, ip="10.1.1.1")  # same account, other address
    assert err.value.status == 429
    with pytest.raises(guests.TooMany):
        submit(platform, account_id=make_account(platform).id, ip="10.9.9.9")  # same address
    with platform.db.session(tenant.scope) as s:
        assert len(s.scalars(select(Ticket)).all()) == 5


def _dispatch_to_township(platform):
    county, town = platform.directory.get("360102"), platform.directory.get("360102015")
    person = make_account(platform)
    t, _ = submit(platform, account_id=person.id)
    with platform.db.transaction(county.scope) as s:
        row = services.get(s, county, t.id)
        services.accept(s, county, row, row.version, "staff:duty")
    with platform.db.transaction(wide(platform)) as s:
        row = services.get(s, county, t.id)
        a = services.dispatch(
            s, platform, county, row, town, "", row.version, "staff:duty", "请核实<b>处理</b>"
        )
    return county, town, person, t, a


def test_dispatch_to_a_township_reply_callback_and_rating(platform):
    county, town, person, t, a = _dispatch_to_township(platform)
    with platform.db.session(town.scope) as s:  # the township sees its work in its own scope
        mine = services.open_assignments(s, town, None)
        assert [x.number for x in mine] == [t.number]
        assert s.scalars(select(Ticket)).all() == []  # and not the county's tickets
    span = services.span(platform, town, county)
    assert span.code == "360102"
    with platform.db.transaction(span.subtree_scope) as s:
        row = services.get(s, county, t.id)
        services.reply(s, platform, county, row, s.get(TicketAssignment, a.id), "已责令整改", "staff:town")
    with platform.db.transaction(county.scope) as s:
        row = services.get(s, county, t.id)
        assert row.state == "replied" and row.replied_on == MONDAY
        services.callback(s, platform, county, row, row.version, "satisfied", "电话回访", "staff:duty")
        services.rate(s, county, row, row.version, 2, "处理太慢", f"person:{person.id}")
        with pytest.raises(DomainError) as err:
            services.rate(s, county, row, row.version, 5, "", "again")
        assert err.value.code == "already_rated"
    row = load(platform, t.id)
    assert (row.state, row.rating, row.callback_result) == ("closed", 2, "satisfied")
    with platform.db.session(county.scope) as s:
        steps = [x.action for x in services.history(s, row)]
        assert steps == ["submitted", "accepted", "dispatched", "replied", "called_back", "closed", "rated"]
        from core.messages import Message

        assert s.scalars(select(Message).where(Message.to_account_id == person.id)).first() is not None


def test_dispatch_only_within_the_subtree_or_up_one_tier(platform):
    county = platform.directory.get("360102")
    t, _ = submit(platform, account_id=make_account(platform).id)
    with platform.db.transaction(Scope.system()) as s:
        row = services.get(s, county, t.id)
        services.accept(s, county, row, row.version, "duty")
        with pytest.raises(DomainError) as err:
            services.dispatch(
                s, platform, county, row, platform.directory.get("360103"), "", row.version, "duty"
            )
        assert err.value.code == "bad_target"
        with pytest.raises(DomainError) as err:
            services.dispatch(s, platform, county, row, county, "nosuch", row.version, "duty")
        assert err.value.code == "unknown_department"
        services.dispatch(s, platform, county, row, platform.directory.get("360100"), "", row.version, "duty")
        assert row.state == "dispatched" and row.handler_path.endswith("360100")


def test_extension_needs_approval_and_moves_the_due_date_in_working_days(platform):
    county, _town, _p, t, _a = _dispatch_to_township(platform)
    with platform.db.transaction(wide(platform)) as s:
        row = services.get(s, county, t.id)
        services.request_extension(s, row, row.version, 5, "需现场核查", "staff:town")
        assert row.due_on == date(2026, 11, 19)
        with pytest.raises(DomainError):
            services.request_extension(s, row, row.version, 3, "again", "staff:town")
    with platform.db.transaction(county.scope) as s:
        row = services.get(s, county, t.id)
        services.decide_extension(s, platform, county, row, row.version, True, "同意", "duty")
        assert (row.due_on, row.extended_days, row.pending_extension_days) == (date(2026, 11, 26), 5, 0)
        assert [x.action for x in services.history(s, row)][-2:] == [
            "extension_requested",
            "extension_approved",
        ]


def test_stale_versions_and_wrong_states_answer_409(platform):
    county = platform.directory.get("360102")
    t, _ = submit(platform, account_id=make_account(platform).id)
    with platform.db.transaction(county.scope) as s:
        row = services.get(s, county, t.id)
        with pytest.raises(DomainError) as err:
            services.accept(s, county, row, row.version + 1, "duty")
        assert err.value.status == 409 and err.value.code == "stale_version"
        with pytest.raises(DomainError) as err:
            services.callback(s, platform, county, row, row.version, "satisfied", "", "duty")
        assert err.value.code == "transition_not_allowed"
        with pytest.raises(DomainError):
            services.reject(s, county, row, row.version, "duty", "")  # a reason is required
        assert (
            s.scalars(select(TicketStep).where(TicketStep.ticket_id == row.id)).all()[-1].action
            == "submitted"
        )


def test_duplicates_are_linked_both_ways(platform):
    county = platform.directory.get("360102")
    a, _ = submit(platform, account_id=make_account(platform).id)
    b, _ = submit(platform, account_id=make_account(platform).id)
    with platform.db.transaction(county.scope) as s:
        services.link(s, county, services.get(s, county, b.id), a.number, "duplicate", "duty")
        with pytest.raises(DomainError):
            services.link(s, county, services.get(s, county, a.id), a.number, "related", "duty")
    with platform.db.session(county.scope) as s:
        assert [(k, o.id) for k, o in services.links(s, services.get(s, county, a.id))] == [
            ("duplicate", b.id)
        ]
        assert [(k, o.id) for k, o in services.links(s, services.get(s, county, b.id))] == [
            ("duplicate", a.id)
        ]


def test_another_tenant_sees_no_ticket(platform):
    t, _ = submit(platform, account_id=make_account(platform).id)
    xihu = platform.directory.get("360103")
    with platform.db.session(xihu.scope) as s:
        with pytest.raises(DomainError) as err:
            services.get(s, xihu, t.id)
        assert err.value.status == 404
        assert s.scalars(select(Ticket)).all() == []


def test_a_code_is_committed_before_the_sms_and_taken_back_when_the_provider_fails(platform, monkeypatch):
    """The outside call comes after the record (core.delivery's rule): the provider finds the code
    already stored, gets its idempotency key, and a provider that fails leaves no code behind."""
    import core.messages
    from plugins.interaction import guests
    from plugins.interaction.models import PhoneCode

    tenant = platform.directory.get("360102")
    seen: list[tuple[str, int]] = []

    def provider(m):
        with platform.db.session(tenant.scope) as s:  # another connection: only committed rows
            seen.append((m.idempotency_key, len(s.scalars(select(PhoneCode.id)).all())))

    monkeypatch.setattr(core.messages, "log_provider_send", provider)
    guests.send_code(platform, tenant, "13600001111", "10.0.0.7")
    with platform.db.session(tenant.scope) as s:
        (code_id,) = s.scalars(select(PhoneCode.id)).all()
    assert len(seen) == 1 and seen[0][0].startswith(f"interaction-code-{code_id}-") and seen[0][1] == 1

    def down(m):
        raise ConnectionError("sms gateway down")

    monkeypatch.setattr(core.messages, "log_provider_send", down)
    with pytest.raises(guests.SmsUnavailable) as err:
        guests.send_code(platform, tenant, "13600002222", "10.0.0.8")
    assert err.value.status == 503
    with platform.db.session(tenant.scope) as s:
        assert s.scalars(select(PhoneCode.id)).all() == [code_id]
