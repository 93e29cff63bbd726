"""The open tender on a real database (SQLite, and PostgreSQL with GOVHALL_TEST_DATABASE_URL): statutory
periods refused by name, sealed bids that the database alone cannot read, the deadline to the second,
opening with keys, the panel draw, evaluation, objections that pause, award falling to the next candidate."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from bidding_helpers import (
    BEFORE,
    BIDDERS,
    DEADLINE,
    DOCS_FROM,
    NAMES,
    TENDERER,
    give_key,
    published,
    register_and_pay,
    submit,
    tender_in,
)
from sqlalchemy import func, inspect, select, text

from core.db import Scope
from core.errors import Conflict, Invalid, NotFound
from plugins.bidding import periods, sealing, services
from plugins.bidding.models import Bid, Bidder, BidFile, Tender

TENANT = "360102"


def _tenant(platform):
    return platform.directory.get(TENANT)


def _count(platform, model) -> int:
    with platform.db.session(Scope.system()) as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def _tender(platform, tid) -> Tender:
    with platform.db.session(_tenant(platform).scope) as s:
        t = s.get(Tender, tid)
        s.expunge(t)
        return t


def test_a_schedule_that_breaks_a_period_is_refused_naming_the_rule(platform):
    tenant = _tenant(platform)
    with platform.db.transaction(tenant.scope) as s, pytest.raises(Invalid) as exc:
        services.create_tender(
            s,
            platform,
            tenant,
            tender_in(
                documents_until=date(2026, 12, 3),
                deadline=datetime(2026, 12, 18, 9, 30, tzinfo=DEADLINE.tzinfo),
                bond_cents=20_000_01,
            ),
            actor="tests",
        )
    e = exc.value
    assert e.code == "period_too_short"
    assert set(e.fields) == {"documents_until", "deadline", "bond_cents"}
    assert "第二十四条" in e.message_zh and "Bidding Law, art. 24" in e.message_en
    assert "2026-12-21" in e.message_zh  # the earliest lawful deadline, by the legal clock
    assert _count(platform, Tender) == 0


def test_the_earliest_lawful_deadline_rolls_past_a_holiday():
    # 20 days after 2026-09-11 is 2026-10-01, National Day: the period ends on the next working day.
    assert periods.end(date(2026, 9, 11), periods.BID_DEADLINE) > date(2026, 10, 7)
    assert periods.end(DOCS_FROM, periods.BID_DEADLINE) == date(2026, 12, 21)


def test_sealed_bids_the_deadline_to_the_second_and_an_opening_with_keys(platform):
    tid, ocid = published(platform)
    register_and_pay(platform, tid, 4)
    prices = [987_654_32, 912_345_67, 955_555_55, 933_333_33]
    keys = {}
    for i, code in enumerate(BIDDERS[:3]):
        _bid, keys[code] = submit(platform, tid, ocid, code, prices[i], ip=f"10.0.0.{i}", device=f"dev{i}")
    # One second before the deadline is in; the deadline itself is out, and nothing is written.
    _bid, keys[BIDDERS[3]] = submit(
        platform, tid, ocid, BIDDERS[3], prices[3], at=DEADLINE - timedelta(seconds=1)
    )
    with pytest.raises(Conflict) as dup:
        submit(platform, tid, ocid, BIDDERS[0], 1, at=DEADLINE - timedelta(seconds=1))
    assert dup.value.code == "duplicate"
    with pytest.raises(NotFound):
        submit(platform, tid, ocid, BIDDERS[4], 1, at=DEADLINE - timedelta(seconds=1))
    with pytest.raises(Invalid) as late:
        submit(platform, tid, ocid, BIDDERS[0], 1, at=DEADLINE)
    assert late.value.code == "late" and "迟到 0 秒" in late.value.message_zh
    assert _count(platform, Bid) == 4

    # The database alone never reveals a price before the opening: no column holds it, in any encoding.
    with platform.db.session(Scope.system()) as s:
        assert s.scalars(select(Bid.price_cents)).all() == [None] * 4
        dump = []
        for table in inspect(s.connection()).get_table_names():
            for row in s.execute(text(f'SELECT * FROM "{table}"')):
                dump += [bytes(v) if isinstance(v, bytes | memoryview) else str(v).encode() for v in row]
        blob = b"\n".join(dump)
    for p in prices:
        assert str(p).encode() not in blob and f"{p / 100:.2f}".encode() not in blob

    tenant = _tenant(platform)
    # Before the deadline no key is taken.
    with platform.db.transaction(tenant.scope) as s, pytest.raises(Conflict):
        services.open_with_key(
            s,
            platform,
            tenant,
            tid,
            credit_code=BIDDERS[0],
            key=sealing.b64(keys[BIDDERS[0]]),
            actor="tests",
            now=DEADLINE - timedelta(seconds=1),
        )
    # A wrong key changes nothing; the bidder may try again.
    with pytest.raises(Invalid) as wrong:
        give_key(platform, tid, BIDDERS[0], b"\x01" * 32)
    assert wrong.value.code == "wrong_key" and "密钥错误" in wrong.value.message_zh
    assert give_key(platform, tid, BIDDERS[0], keys[BIDDERS[0]]) == ("opened", prices[0])
    # Tampered ciphertext is told apart from a wrong key: it no longer matches its signed receipt.
    with platform.db.transaction(Scope.system()) as s:
        bid = s.scalar(select(Bid).join(Bidder).where(Bidder.credit_code == BIDDERS[1]))
        bid.ciphertext = bid.ciphertext[:-1] + bytes([bid.ciphertext[-1] ^ 1])
    with pytest.raises(Invalid) as tampered:
        give_key(platform, tid, BIDDERS[1], keys[BIDDERS[1]])
    assert tampered.value.code == "tampered"
    assert give_key(platform, tid, BIDDERS[2], keys[BIDDERS[2]]) == ("opened", prices[2])
    assert give_key(platform, tid, BIDDERS[3], keys[BIDDERS[3]]) == ("opened", prices[3])
    assert _tender(platform, tid).status == "opening"

    # The window closes: the tampered (unopened) bid counts as withdrawn; three opened bids go on.
    with platform.db.transaction(tenant.scope) as s:
        t = services.load(s, tenant, tid)
        services.advance(s, platform, tenant, t, now=DEADLINE + timedelta(minutes=60))
    t = _tender(platform, tid)
    assert t.status == "evaluation" and t.opening_closed_at is not None
    with platform.db.session(tenant.scope) as s:
        assert sorted(s.scalars(select(Bid.status)).all()) == ["opened", "opened", "opened", "withdrawn"]
        assert s.scalar(select(func.count()).select_from(BidFile)) == 3


def _opened(platform, n: int = 3, prices=(900_000_00, 950_000_00, 980_000_00)):
    tid, ocid = published(platform)
    register_and_pay(platform, tid, n)
    keys = {code: submit(platform, tid, ocid, code, prices[i])[1] for i, code in enumerate(BIDDERS[:n])}
    for code, key in keys.items():
        give_key(platform, tid, code, key)
    return tid


def _pool(platform, n: int = 7, conflicted: int = 1):
    tenant = _tenant(platform)
    with platform.db.transaction(tenant.scope) as s:
        for i in range(n):
            services.add_expert(
                s,
                tenant,
                name=f"专家{i}",
                account=f"expert{i}",
                employer_code=BIDDERS[0] if i < conflicted else "",
                actor="tests",
            )


def test_fewer_than_three_opened_bids_fail_the_tender(platform):
    tid, ocid = published(platform)
    register_and_pay(platform, tid, 3)
    keys = [submit(platform, tid, ocid, code, 100_00 * (i + 1))[1] for i, code in enumerate(BIDDERS[:3])]
    give_key(platform, tid, BIDDERS[0], keys[0])
    give_key(platform, tid, BIDDERS[1], keys[1])
    tenant = _tenant(platform)
    with platform.db.transaction(tenant.scope) as s:
        t = services.load(s, tenant, tid)
        with pytest.raises(Conflict):  # the window is still open
            services.close_opening(
                s, platform, tenant, t, actor="tests", now=DEADLINE + timedelta(minutes=59)
            )
        services.advance(s, platform, tenant, t, now=DEADLINE + timedelta(hours=2))
    t = _tender(platform, tid)
    assert t.status == "failed" and "少于 3 个" in t.status_reason


def test_panel_draw_is_reproducible_excludes_conflicts_and_evaluation_ranks(platform):
    tid = _opened(platform)
    _pool(platform, 7, conflicted=1)
    tenant = _tenant(platform)
    with platform.db.transaction(tenant.scope) as s:
        with pytest.raises(Invalid) as even:
            services.draw_panel(
                s, platform, tenant, tid, size=4, actor="tests", now=DEADLINE + timedelta(hours=2)
            )
        assert even.value.fields == {"size": even.value.message_en}
        with pytest.raises(Invalid) as small:
            services.draw_panel(
                s, platform, tenant, tid, size=7, actor="tests", now=DEADLINE + timedelta(hours=2)
            )
        assert small.value.code == "pool_too_small"
        p = services.draw_panel(
            s, platform, tenant, tid, size=5, seed="seed-1", actor="tests", now=DEADLINE + timedelta(hours=2)
        )
        assert len(p.members) == 5 and len(p.excluded) == 1 and p.excluded[0]["id"] not in p.members
        assert services.draw_members("seed-1", p.pool, 5) == p.members and not p.revealed
        members = list(p.members)
        accounts = {e: f"expert{e - min(p.pool) + 1}" for e in p.pool}
        bids = s.scalars(select(Bid).where(Bid.tender_id == tid).order_by(Bid.id)).all()
        with pytest.raises(NotFound):
            services.score(s, platform, tenant, tid, account="nobody", bid_id=bids[0].id, value=80, actor="t")
        t = services.load(s, tenant, tid)
        with pytest.raises(Invalid) as missing:
            services.finish_evaluation(
                s, platform, tenant, tid, t.version, actor="tests", on=date(2026, 12, 23)
            )
        assert missing.value.code == "scores_missing"
        from plugins.bidding.models import Expert

        by_id = {e.id: e.account for e in s.scalars(select(Expert)).all()}
        for m in members:
            for b, v in zip(bids, (80, 90, 85), strict=True):
                services.score(s, platform, tenant, tid, account=by_id[m], bid_id=b.id, value=v, actor="t")
        assert accounts  # the pool is what the audit records
        services.finish_evaluation(s, platform, tenant, tid, t.version, actor="tests", on=date(2026, 12, 23))
        ranks = {b.bidder_id: b.rank for b in bids}
        assert sorted(ranks.values()) == [1, 2, 3]
        assert [b.rank for b in bids] == [3, 1, 2]
    t = _tender(platform, tid)
    assert t.status == "publicity" and t.publicity_until == date(2026, 12, 28)  # 26th + roll past Sunday


def _to_publicity(platform):
    tid = _opened(platform)
    _pool(platform, 5, conflicted=0)
    tenant = _tenant(platform)
    with platform.db.transaction(tenant.scope) as s:
        p = services.draw_panel(
            s, platform, tenant, tid, size=5, actor="tests", now=DEADLINE + timedelta(hours=2)
        )
        from plugins.bidding.models import Expert

        by_id = {e.id: e.account for e in s.scalars(select(Expert)).all()}
        bids = s.scalars(select(Bid).where(Bid.tender_id == tid).order_by(Bid.id)).all()
        for m in p.members:
            for b, v in zip(bids, (90, 80, 70), strict=True):
                services.score(s, platform, tenant, tid, account=by_id[m], bid_id=b.id, value=v, actor="t")
        t = services.load(s, tenant, tid)
        services.finish_evaluation(s, platform, tenant, tid, t.version, actor="tests", on=date(2026, 12, 23))
    return tid


def test_candidate_objection_pauses_award_falls_to_the_next_and_contract(platform):
    tid = _to_publicity(platform)
    tenant = _tenant(platform)
    t = _tender(platform, tid)
    assert t.publicity_until == date(2026, 12, 28)
    with platform.db.transaction(tenant.scope) as s:
        with pytest.raises(Invalid) as early:
            services.award(s, platform, tenant, tid, t.version, actor="tests", on=date(2026, 12, 28))
        assert early.value.fields.keys() == {"on"}
        o = services.object_to(
            s,
            platform,
            tenant,
            tid,
            stage="candidates",
            objector_code=BIDDERS[2],
            objector_name=NAMES[2],
            content="第一名业绩造假",
            actor="tests",
            now=datetime(2026, 12, 24, 10, 0, tzinfo=DEADLINE.tzinfo),
        )
        assert o.answer_due == date(2026, 12, 28)
    t = _tender(platform, tid)
    with platform.db.transaction(tenant.scope) as s, pytest.raises(Conflict):
        services.award(s, platform, tenant, tid, t.version, actor="tests", on=date(2026, 12, 30))
    with platform.db.transaction(tenant.scope) as s:
        services.answer(
            s,
            platform,
            tenant,
            o.id,
            o.version,
            text="经核查不属实",
            upheld=False,
            actor="tests",
            now=datetime(2026, 12, 26, 9, 0, tzinfo=DEADLINE.tzinfo),
        )
    t = _tender(platform, tid)
    assert t.paused_since is None and t.publicity_until == date(2026, 12, 30)  # two days lost
    with platform.db.transaction(tenant.scope) as s:
        services.award(s, platform, tenant, tid, t.version, actor="tests", on=date(2026, 12, 31))
        t = services.load(s, tenant, tid)
        first = s.get(Bid, t.award_bid_id)
        assert first.rank == 1 and t.contract_due == date(2027, 2, 1)  # 30 days, rolled past a Sunday
        services.reject_award(
            s, platform, tenant, tid, t.version, reason="放弃中标", actor="tests", on=date(2027, 1, 4)
        )
        second = s.get(Bid, t.award_bid_id)
        assert second.rank == 2 and first.status == "rejected" and t.status == "awarded"
        services.sign_contract(
            s,
            platform,
            tenant,
            tid,
            t.version,
            price_cents=second.price_cents,
            actor="t",
            on=date(2027, 1, 10),
        )
        services.complete(s, platform, tenant, tid, t.version, actor="tests", on=date(2027, 3, 1))
    assert _tender(platform, tid).status == "completed"


def test_clarification_late_moves_the_deadline_and_document_objections_pause(platform):
    tid, ocid = published(platform)
    register_and_pay(platform, tid, 1)
    tenant = _tenant(platform)
    with platform.db.transaction(tenant.scope) as s:
        t = services.load(s, tenant, tid)
        d = services.clarify(
            s,
            platform,
            tenant,
            tid,
            t.version,
            title="工程量清单修改",
            body="第 3 章",
            affects_bids=True,
            actor="tests",
            now=datetime(2026, 12, 10, 15, 0, tzinfo=DEADLINE.tzinfo),
        )
        assert d.deadline_after.astimezone(DEADLINE.tzinfo) == datetime(
            2026, 12, 25, 9, 30, tzinfo=DEADLINE.tzinfo
        )
    deadline = datetime(2026, 12, 25, 9, 30, tzinfo=DEADLINE.tzinfo)
    with platform.db.transaction(tenant.scope) as s, pytest.raises(Invalid) as late:
        services.object_to(
            s,
            platform,
            tenant,
            tid,
            stage="documents",
            objector_code=BIDDERS[0],
            objector_name="甲",
            content="资格条件排斥潜在投标人",
            actor="t",
            now=datetime(2026, 12, 16, 9, 0, tzinfo=DEADLINE.tzinfo),
        )
    assert late.value.code == "objection_late" and "2026-12-15" in late.value.message_zh
    with platform.db.transaction(tenant.scope) as s:
        o = services.object_to(
            s,
            platform,
            tenant,
            tid,
            stage="documents",
            objector_code=BIDDERS[0],
            objector_name="甲",
            content="资格条件排斥潜在投标人",
            actor="t",
            now=datetime(2026, 12, 14, 9, 0, tzinfo=DEADLINE.tzinfo),
        )
    with pytest.raises(Conflict):  # paused: no bids meanwhile
        submit(platform, tid, ocid, BIDDERS[0], 100, at=datetime(2026, 12, 15, 9, 0, tzinfo=DEADLINE.tzinfo))
    with platform.db.transaction(tenant.scope) as s:
        services.answer(
            s,
            platform,
            tenant,
            o.id,
            o.version,
            text="已修改资格条件",
            upheld=True,
            actor="t",
            now=datetime(2026, 12, 16, 9, 0, tzinfo=DEADLINE.tzinfo),
        )
    t = _tender(platform, tid)
    assert services.aware(t.deadline) == deadline + timedelta(days=2)


def test_court_confirmed_bid_rigging_excludes_black_list_and_serious_flag_credit_off_changes_nothing(
    platform,
):
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parents[1] / "credit"))
    from credit_helpers import listed, penalty, switch

    from plugins.credit.rules import rules_from_platform
    from plugins.credit.services import PenaltyInput, record_penalty

    today = BEFORE.date()
    platform.clock.set(today)
    listed(platform, BIDDERS[0], "black", today=today)
    for i in range(4):
        penalty(platform, BIDDERS[1], days_ago=10 + i, today=today)
    # entered at the city (Nanchang): the credit network is the province, so Donghu's tender sees it
    city = platform.directory.get("360100")
    with platform.db.transaction(city.scope) as s:
        record_penalty(
            s,
            city,
            rules_from_platform(platform, city),
            PenaltyInput(
                subject_kind="legal",
                subject_code=BIDDERS[2],
                subject_name=NAMES[2],
                title="串通投标",
                decision_number="洪发改罚〔2026〕7号",
                severity="serious",
                source_department="南昌市发展改革委",
                decision_date=today - timedelta(days=20),
                category="bid_rigging",
                court_confirmed=True,
                debarred_until=date(2027, 11, 1),
            ),
            actor="t",
            today=today,
        )
    tid, _ = published(platform)
    tenant = _tenant(platform)
    with platform.db.transaction(tenant.scope) as s, pytest.raises(Invalid) as excluded:
        services.register(
            s, platform, tenant, tid, credit_code=BIDDERS[2], name=NAMES[2], actor="t", now=BEFORE
        )
    assert excluded.value.code == "excluded_bid_rigging" and excluded.value.fields.keys() == {"credit_code"}
    assert "串通投标" in excluded.value.message_zh and "2027-11-01" in excluded.value.message_zh
    assert "洪发改罚〔2026〕7号" in excluded.value.message_en and "2027-11-01" in excluded.value.message_en
    assert _count(platform, Bidder) == 0
    with platform.db.transaction(tenant.scope) as s:
        black = services.register(
            s, platform, tenant, tid, credit_code=BIDDERS[0], name=NAMES[0], actor="t", now=BEFORE
        )
        serious = services.register(
            s, platform, tenant, tid, credit_code=BIDDERS[1], name=NAMES[1], actor="t", now=BEFORE
        )
        assert black.flagged and "黑名单" in black.flag_reason and black.credit_lists == ["black"]
        assert serious.flagged and serious.credit_level == "serious" and "严重" in serious.flag_reason
    switch(platform, TENANT, "credit", "off")
    with platform.db.transaction(tenant.scope) as s:
        b = services.register(
            s, platform, tenant, tid, credit_code=BIDDERS[2], name=NAMES[2], actor="t", now=BEFORE
        )
        assert not b.flagged and b.credit_level == "" and b.flag_reason == ""


def test_bad_inputs_change_nothing(platform):
    tid, ocid = published(platform)
    register_and_pay(platform, tid, 1)
    tenant = _tenant(platform)
    with platform.db.transaction(tenant.scope) as s, pytest.raises(Invalid) as bad:
        services.submit_bid(
            s,
            platform,
            tenant,
            tid,
            credit_code=BIDDERS[0],
            nonce="AAAA",
            ciphertext="!!",
            commitment="x",
            actor="t",
            now=BEFORE,
        )
    assert bad.value.fields.keys() == {"nonce"}
    with platform.db.transaction(tenant.scope) as s, pytest.raises(Invalid) as code:
        services.register(
            s, platform, tenant, tid, credit_code="91360100MA0000000X", name="x", actor="t", now=BEFORE
        )
    assert code.value.fields.keys() == {"credit_code"}
    with platform.db.transaction(tenant.scope) as s, pytest.raises(Invalid):
        services.create_tender(s, platform, tenant, tender_in(tenderer_code="123"), actor="t")
    assert _count(platform, Bid) == 0 and _count(platform, Bidder) == 1 and TENDERER


@pytest.mark.postgres
def test_concurrent_bids_at_the_deadline_each_land_once(platform):
    """On PostgreSQL: many bidders at once, the unique key keeps one bid per bidder and nothing is lost."""
    import threading

    tid, ocid = published(platform)
    register_and_pay(platform, tid, 5)
    errors: list[Exception] = []

    def go(code: str) -> None:
        try:
            submit(platform, tid, ocid, code, 123_00, at=DEADLINE - timedelta(milliseconds=5))
        except Exception as e:  # noqa: BLE001 - collected and asserted below
            errors.append(e)

    threads = [threading.Thread(target=go, args=(c,)) for c in BIDDERS[:5] + BIDDERS[:2]]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert _count(platform, Bid) == 5
    assert len(errors) == 2 and all(isinstance(e, Conflict) or "unique" in str(e).lower() for e in errors)


def test_the_seal_command_makes_a_bid_the_platform_opens(platform, cli, tmp_path):
    tid, ocid = published(platform)
    register_and_pay(platform, tid, 1)
    key_file = tmp_path / "bid.key"
    doc = tmp_path / "tech.pdf"
    doc.write_bytes(b"%PDF technical proposal")
    r = cli("bidding", "seal", ocid, BIDDERS[0], "1234567.89", "--file", str(doc), "--key-out", str(key_file))
    assert r.exit_code == 0, r.output
    import json

    body = json.loads(r.output.splitlines()[0])
    tenant = _tenant(platform)
    with platform.db.transaction(tenant.scope) as s:
        services.submit_bid(
            s,
            platform,
            tenant,
            tid,
            credit_code=BIDDERS[0],
            actor="t",
            now=DEADLINE - timedelta(hours=1),
            **body,
        )
    with platform.db.transaction(tenant.scope) as s:
        bid = services.open_with_key(
            s,
            platform,
            tenant,
            tid,
            credit_code=BIDDERS[0],
            key=key_file.read_text().strip(),
            actor="t",
            now=DEADLINE + timedelta(minutes=1),
        )
        assert bid.price_cents == 123456789


def test_an_invited_tender_takes_only_the_invited_and_needs_three(platform):
    tenant = _tenant(platform)
    with platform.db.transaction(tenant.scope) as s, pytest.raises(Invalid) as few:
        services.create_tender(
            s, platform, tenant, tender_in(procedure="invited", invited=BIDDERS[:2]), actor="t"
        )
    assert few.value.code == "too_few_invited" and "第十七条" in few.value.message_zh
    assert few.value.fields.keys() == {"invited"} and _count(platform, Tender) == 0
    with platform.db.transaction(tenant.scope) as s:
        t = services.create_tender(
            s, platform, tenant, tender_in(procedure="invited", invited=[*BIDDERS[:3], BIDDERS[0]]), actor="t"
        )
        services.publish_tender(s, platform, tenant, t.id, t.version, actor="t", now=BEFORE)
        tid = t.id
    assert _tender(platform, tid).invited == sorted(BIDDERS[:3])
    with platform.db.transaction(tenant.scope) as s, pytest.raises(Invalid) as outsider:
        services.register(
            s, platform, tenant, tid, credit_code=BIDDERS[3], name=NAMES[3], actor="t", now=BEFORE
        )
    assert outsider.value.code == "not_invited" and _count(platform, Bidder) == 0
    register_and_pay(platform, tid, 3)
    assert _count(platform, Bidder) == 3
    from plugins.bidding import ocds

    with platform.db.session(tenant.scope) as s:
        record = ocds.record(s, s.get(Tender, tid))
    assert record["compiledRelease"]["tender"]["procurementMethod"] == "selective"


def test_a_bid_withdrawn_before_the_deadline_gets_a_signed_receipt_and_may_be_replaced(platform):
    tid, ocid = published(platform)
    register_and_pay(platform, tid, 1)
    bid_id, _ = submit(platform, tid, ocid, BIDDERS[0], 100_000_000)
    tenant = _tenant(platform)
    with platform.db.transaction(tenant.scope) as s:
        bid = services.withdraw_bid(
            s, platform, tenant, tid, credit_code=BIDDERS[0], actor="t", now=DEADLINE - timedelta(seconds=1)
        )
        assert bid.status == "retracted" and bid.withdrawal_signature
        receipt = bid.withdrawal_receipt
    with platform.db.session(Scope.system()) as s:
        row = s.execute(text("SELECT ciphertext FROM bidding_bids WHERE id = :i"), {"i": bid_id}).one()
        assert bytes(row[0]) == b""
    assert '"withdrawn_at":"2026-12-22T01:29:59+00:00"' in receipt
    with platform.db.transaction(tenant.scope) as s, pytest.raises(NotFound):
        services.withdraw_bid(
            s, platform, tenant, tid, credit_code=BIDDERS[0], actor="t", now=DEADLINE - timedelta(seconds=1)
        )
    # a new bid takes the place of the withdrawn one; after the deadline nothing can be withdrawn
    submit(platform, tid, ocid, BIDDERS[0], 99_000_000, at=DEADLINE - timedelta(milliseconds=1))
    with platform.db.transaction(tenant.scope) as s, pytest.raises(Invalid) as late:
        services.withdraw_bid(s, platform, tenant, tid, credit_code=BIDDERS[0], actor="t", now=DEADLINE)
    assert late.value.code == "late"
    with platform.db.session(Scope.system()) as s:
        assert [b.status for b in s.scalars(select(Bid).where(Bid.tender_id == tid))] == ["sealed"]
