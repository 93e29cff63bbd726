"""The staff side in the browser's HTTP: the tenderer's officer registers a tender (a schedule that breaks a
period is refused naming the rule), publishes it, clarifies, answers an objection (the procedure resumes),
watches the opening room, draws the panel; a panel member scores online; the officer publishes the
candidates, awards after the publicity and records the contract. Stale versions answer 409, bad input names
the field in Chinese and English and changes nothing; another district's officer sees nothing."""

from __future__ import annotations

import re
from datetime import timedelta

from bidding_helpers import BEFORE, DEADLINE, TENDERER, give_key, register_and_pay, submit
from factories import csrf_token, login, make_staff
from sqlalchemy import func, select

from core.db import Scope
from plugins.bidding import services
from plugins.bidding.models import Bid, Score, Tender

M = "/t/360102/bidding/manage"
GOOD = {
    "title": "东湖区老旧小区改造工程施工",
    "tenderer_name": "南昌市东湖区住房和城乡建设局",
    "tenderer_code": TENDERER,
    "estimated_yuan": "1,000,000.00",
    "bond_yuan": "20000",
    "state_funded": "on",
    "documents_from": "2026-12-01",
    "documents_until": "2026-12-08",
    "deadline_date": "2026-12-22",
    "deadline_time": "09:30",
    "publicity_days": "3",
    "description": "施工招标",
}


def _token(client, path):
    page = client.get(path)
    assert page.status_code == 200, page.text[:300]
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1), page


def _tender(platform, tid):
    with platform.db.session(Scope.system()) as s:
        t = s.get(Tender, tid)
        s.expunge(t)
        return t


def _count(platform, model):
    with platform.db.session(Scope.system()) as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def test_the_officer_runs_a_tender_from_registration_to_contract_in_the_browser(client, platform):
    platform.clock.set(BEFORE)
    make_staff(platform, "officer", "360102", "bidding_officer")
    login(client, "officer")
    token, listing = _token(client, M)
    assert "登记招标项目" in listing.text
    # a schedule that breaks the 20-day rule: refused naming the rule, nothing written
    bad = client.post(f"{M}/new", data={**GOOD, "csrf_token": token, "deadline_date": "2026-12-12"})
    assert bad.status_code == 422 and "不得少于 20 日" in bad.text and "At least 20 days" in bad.text
    assert 'data-field="deadline"' in bad.text or 'data-field="deadline_date"' in bad.text
    money = client.post(f"{M}/new", data={**GOOD, "csrf_token": token, "estimated_yuan": "1.005"})
    assert (
        money.status_code == 422 and 'data-field="estimated_yuan"' in money.text and "两位小数" in money.text
    )
    assert _count(platform, Tender) == 0
    ok = client.post(f"{M}/new", data={**GOOD, "csrf_token": token})
    assert ok.status_code == 303
    tid = int(ok.headers["location"].rsplit("/", 1)[1])
    t = _tender(platform, tid)
    assert (t.status, t.estimated_cents, t.bond_cents, t.state_funded) == (
        "draft",
        100_000_000,
        2_000_000,
        True,
    )
    page = client.get(f"{M}/tenders/{tid}")
    assert "《招标投标法》第二十四条" in page.text and 'id="publish"' in page.text

    stale = client.post(f"{M}/tenders/{tid}/publish", data={"csrf_token": token, "version": t.version + 5})
    assert stale.status_code == 409 and "已被他人修改" in stale.text
    assert (
        client.post(
            f"{M}/tenders/{tid}/publish",
            data={"csrf_token": token, "version": t.version, "documents": "招标文件正文"},
        )
        .headers["location"]
        .endswith("?done=publish#publish")
    )
    t = _tender(platform, tid)
    assert t.status == "published"
    r = client.post(
        f"{M}/tenders/{tid}/clarify",
        data={"csrf_token": token, "version": t.version, "title": "", "body": "x"},
    )
    assert r.status_code == 422 and 'data-field="title"' in r.text
    r = client.post(
        f"{M}/tenders/{tid}/clarify",
        data={"csrf_token": token, "version": t.version, "title": "答疑一", "body": "x"},
    )
    assert r.status_code == 303 and "答疑一" in client.get(f"{M}/tenders/{tid}").text

    # an objection pauses the procedure; the officer answers on the page and it resumes
    tenant = platform.directory.get("360102")
    with platform.db.transaction(tenant.scope) as s:
        o = services.object_to(
            s,
            platform,
            tenant,
            tid,
            stage="documents",
            objector_code=TENDERER[:-1] + TENDERER[-1],
            objector_name="江西某公司",
            content="资格条件排斥潜在投标人",
            actor="t",
            now=BEFORE,
        )
        oid, over = o.id, o.version
    page = client.get(f"{M}/tenders/{tid}")
    assert 'id="paused"' in page.text and "资格条件排斥潜在投标人" in page.text
    r = client.post(
        f"{M}/tenders/{tid}/answer",
        data={"csrf_token": token, "objection_id": oid, "version": over, "answer": "已修改资格条件"},
    )
    assert r.status_code == 303 and 'id="paused"' not in client.get(f"{M}/tenders/{tid}").text

    # bids come in sealed: the opening room shows counts, never a price, until the opening closes
    register_and_pay(platform, tid, 3)
    keys = [submit(platform, tid, t.ocid, code, price) for code, price in _bidders(3)]
    room = client.get(f"{M}/tenders/{tid}")
    assert '<dd id="sealed-count">3</dd>' in room.text and "1,150,000.00" not in room.text
    for (code, _), (_, key) in zip(_bidders(3), keys, strict=True):
        give_key(platform, tid, code, key)
    platform.clock.set(DEADLINE + timedelta(hours=2))
    room = client.get(f"{M}/tenders/{tid}")
    assert (
        _tender(platform, tid).status == "evaluation" and "1,150,000.00" in room.text and "<svg" in room.text
    )

    # the panel: a size the law refuses names the field; then a lawful draw
    for i in range(5):
        with platform.db.transaction(tenant.scope) as s:
            services.add_expert(s, tenant, name=f"专家{i}", account=f"exp{i}", actor="t")
    r = client.post(f"{M}/tenders/{tid}/draw", data={"csrf_token": token, "size": "4"})
    assert r.status_code == 422 and 'data-field="size"' in r.text
    assert client.post(f"{M}/tenders/{tid}/draw", data={"csrf_token": token, "size": "5"}).status_code == 303
    early = client.post(
        f"{M}/tenders/{tid}/evaluate", data={"csrf_token": token, "version": _tender(platform, tid).version}
    )
    assert early.status_code == 422 and "未由全部评委评分" in early.text
    with platform.db.session(Scope.system()) as s:
        bids = list(s.scalars(select(Bid.id).where(Bid.tender_id == tid).order_by(Bid.id)))
    with platform.db.transaction(tenant.scope) as s:
        for i in range(1, 5):
            for n, b in enumerate(bids):
                services.score(s, platform, tenant, tid, account=f"exp{i}", bid_id=b, value=90 - n, actor="t")
    # the fifth member scores on the page
    client.post("/logout", data={"csrf_token": token})
    make_staff(platform, "exp0", "360102", "bidding_expert")
    login(client, "exp0")
    assert client.get(f"{M}/tenders/{tid}").status_code == 403  # a panel member sees the bids, not the file
    etoken, page = _token(client, f"{M}/tenders/{tid}/scoring")
    assert page.text.count('name="score"') == 3
    assert (
        client.post(f"{M}/tenders/{tid}/evaluate", data={"csrf_token": etoken, "version": 1}).status_code
        == 403
    )
    bad = client.post(
        f"{M}/tenders/{tid}/score", data={"csrf_token": etoken, "bid_id": bids[0], "score": "101"}
    )
    assert bad.status_code == 422 and 'data-field="score"' in bad.text
    for n, b in enumerate(bids):
        assert (
            client.post(
                f"{M}/tenders/{tid}/score", data={"csrf_token": etoken, "bid_id": b, "score": 88 - n}
            ).status_code
            == 303
        )
    assert _count(platform, Score) == 15
    client.post("/logout", data={"csrf_token": etoken})
    login(client, "officer")
    token = csrf_token(client, M)
    r = client.post(
        f"{M}/tenders/{tid}/evaluate", data={"csrf_token": token, "version": _tender(platform, tid).version}
    )
    assert r.status_code == 303
    t = _tender(platform, tid)
    assert t.status == "publicity"
    page = client.get(f"{M}/tenders/{tid}")
    assert "中标候选人公示" in page.text and 'id="award-btn"' in page.text
    early = client.post(f"{M}/tenders/{tid}/award", data={"csrf_token": token, "version": t.version})
    assert early.status_code == 422 and "公示期至" in early.text
    platform.clock.set(t.publicity_until + timedelta(days=1))
    assert (
        client.post(f"{M}/tenders/{tid}/award", data={"csrf_token": token, "version": t.version}).status_code
        == 303
    )
    t = _tender(platform, tid)
    assert t.status == "awarded" and t.award_bid_id == bids[0]
    bad = client.post(
        f"{M}/tenders/{tid}/contract", data={"csrf_token": token, "version": t.version, "price_yuan": "abc"}
    )
    assert bad.status_code == 422 and 'data-field="price_yuan"' in bad.text
    r = client.post(
        f"{M}/tenders/{tid}/contract",
        data={"csrf_token": token, "version": t.version, "price_yuan": "1,150,000.00"},
    )
    assert r.status_code == 303 and _tender(platform, tid).contract_cents == 115_000_000
    listing = client.get(M)
    assert (
        "已签订合同" in listing.text
        and '<dd id="avg-bidders">3.0</dd>' in listing.text
        and "<svg" in listing.text
    )


def _bidders(n):
    from bidding_helpers import BIDDERS

    return [(BIDDERS[i], 115_000_000 + i * 1_000_000) for i in range(n)]


def test_staff_pages_stay_inside_the_tenant_and_behind_the_permission(client, platform):
    platform.clock.set(BEFORE)
    make_staff(platform, "officer", "360102", "bidding_officer")
    login(client, "officer")
    token = csrf_token(client, M)
    tid = int(
        client.post(f"{M}/new", data={**GOOD, "csrf_token": token}).headers["location"].rsplit("/", 1)[1]
    )
    client.post("/logout", data={"csrf_token": token})
    assert client.get(M).status_code == 303  # a guest is sent to log in
    make_staff(platform, "xihu", "360103", "bidding_officer")
    login(client, "xihu")
    token = csrf_token(client, "/t/360103/bidding/manage")
    assert client.get(f"{M}/tenders/{tid}").status_code == 403
    theirs = client.get(f"/t/360103/bidding/manage/tenders/{tid}")
    missing = client.get("/t/360103/bidding/manage/tenders/999999")
    assert theirs.status_code == missing.status_code == 404
    r = client.post(
        f"/t/360103/bidding/manage/tenders/{tid}/cancel",
        data={"csrf_token": token, "version": 1, "reason": "x"},
    )
    assert r.status_code == 404 and _tender(platform, tid).status == "draft"


PDF = b"%PDF-1.7\n" + b"x" * 2000


def test_tender_document_files_are_checked_stored_and_served_with_their_digest(client, platform):
    platform.clock.set(BEFORE)
    make_staff(platform, "officer", "360102", "bidding_officer")
    login(client, "officer")
    token = csrf_token(client, M)
    tid = int(
        client.post(f"{M}/new", data={**GOOD, "csrf_token": token}).headers["location"].rsplit("/", 1)[1]
    )
    up = f"{M}/tenders/{tid}/upload"
    fake = client.post(
        up, data={"csrf_token": token}, files={"file": ("招标文件.pdf", b"MZ\x90\x00 not a pdf")}
    )
    assert fake.status_code == 422 and 'data-field="file"' in fake.text and "文件类型须为" in fake.text
    exe = client.post(up, data={"csrf_token": token}, files={"file": ("setup.exe", b"MZ\x90\x00")})
    assert exe.status_code == 422
    ok = client.post(up, data={"csrf_token": token}, files={"file": ("第一章 招标公告.pdf", PDF)})
    assert ok.status_code == 303
    page = client.get(f"{M}/tenders/{tid}")
    link = re.search(rf'href="(/t/360102/bidding/tenders/{tid}/files/\d+)"', page.text).group(1)
    got = client.get(link)
    assert got.status_code == 200 and got.content == PDF and got.headers["content-type"] == "application/pdf"
    assert "attachment" in got.headers["content-disposition"]
    # a file changed on disk is refused, not served
    import hashlib

    from plugins.bidding.files import blob_path

    blob_path(platform.settings.data_dir, hashlib.sha256(PDF).hexdigest()).write_bytes(b"%PDF tampered")
    assert client.get(link).status_code == 404
    # a guest sees no file of a draft; another district's hall neither
    client.post("/logout", data={"csrf_token": token})
    assert client.get(link).status_code == 404
    assert client.get(link.replace("/t/360102/", "/t/360103/")).status_code == 404


def test_an_invited_tender_on_the_form_and_a_bidder_withdraws_in_the_browser(client, platform):
    platform.clock.set(BEFORE)
    make_staff(platform, "officer", "360102", "bidding_officer")
    login(client, "officer")
    token = csrf_token(client, M)
    from bidding_helpers import BIDDERS

    few = client.post(
        f"{M}/new", data={**GOOD, "csrf_token": token, "procedure": "invited", "invited": BIDDERS[0]}
    )
    assert few.status_code == 422 and 'data-field="invited"' in few.text and "第十七条" in few.text
    r = client.post(
        f"{M}/new",
        data={**GOOD, "csrf_token": token, "procedure": "invited", "invited": "\n".join(BIDDERS[:3])},
    )
    tid = int(r.headers["location"].rsplit("/", 1)[1])
    assert (
        _tender(platform, tid).procedure == "invited" and "邀请招标" in client.get(f"{M}/tenders/{tid}").text
    )
    t = _tender(platform, tid)
    client.post(f"{M}/tenders/{tid}/publish", data={"csrf_token": token, "version": t.version})
    client.post("/logout", data={"csrf_token": token})

    from factories import make_account

    make_account(platform, "legal", "firm", display_name="江西甲建设有限公司", id_number=BIDDERS[0])
    login(client, "firm")
    base = f"/t/360102/bidding/tenders/{tid}"
    token = csrf_token(client, base)
    assert client.post(f"{base}/register", data={"csrf_token": token}).status_code == 303
    with platform.db.transaction(platform.directory.get("360102").scope) as s:
        from plugins.bidding.models import Bidder

        b = s.scalar(select(Bidder).where(Bidder.tender_id == tid))
        services.pay_bond(s, platform, platform.directory.get("360102"), b.id, cents=2_000_000, actor="t")
    submit(platform, tid, t.ocid, BIDDERS[0], 99_000_000)
    page = client.get(base)
    assert 'id="withdraw"' in page.text
    r = client.post(f"{base}/withdraw", data={"csrf_token": token})
    assert r.status_code == 200 and 'id="withdrawal"' in r.text and "签名撤回回执" in r.text
    assert 'id="seal"' in client.get(base).text  # a new bid may be sealed
    api = client.post(f"/api{base}/withdraw", headers={"X-CSRF-Token": token})
    assert api.status_code == 404  # nothing sealed left to withdraw


def test_the_expert_pool_page_adds_members_and_names_bad_fields(client, platform):
    make_staff(platform, "officer", "360102", "bidding_officer")
    login(client, "officer")
    token = csrf_token(client, f"{M}/experts")
    bad = client.post(f"{M}/experts", data={"csrf_token": token, "name": "王专家", "employer_code": "123"})
    assert bad.status_code == 422 and 'data-field="employer_code"' in bad.text
    ok = client.post(f"{M}/experts", data={"csrf_token": token, "name": "王专家", "specialty": "工程造价"})
    assert ok.status_code == 303 and "王专家" in client.get(f"{M}/experts").text
    client.post("/logout", data={"csrf_token": token})
    make_staff(platform, "exp", "360102", "bidding_expert")
    login(client, "exp")
    assert client.get(f"{M}/experts").status_code == 403
