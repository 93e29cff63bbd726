""" "Use my data on file" (issue #15) on the demo: Donghu's 食品经营许可 (DH-SP-001) lets the applicant's
credit report come through the exchange from Nanchang instead of an upload. The applicant is offered it,
the exchange is made and signed into Nanchang's log, the clerk sees the data with its provenance (the log
entry), and with the exchange off approval asks for the upload as before."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from core.api import Invalid
from core.db import Scope
from plugins.approval import reuse, services
from plugins.approval.models import ReusedMaterial
from plugins.approval.uploads import Upload
from plugins.exchange import msglog
from plugins.exchange.models import LogEntry
from tests.factories import csrf_token, login

PDF = b"%PDF-1.4\n% reuse\n"
ITEM = "DH-SP-001"
SOURCE = "exchange:360100:credit.report"
ENTERPRISE = "91360100MA35123453"  # the demo enterprise


def _who(platform):
    from core.identity.service import account_by_username

    with platform.db.session(Scope.system()) as s:
        acc = account_by_username(s, "enterprise")
    return services.Who(label=f"legal:{acc.id}", account_id=acc.id, kind="legal", allowed=lambda p: True,
                        departments=None, name=acc.display_name, id_number=acc.id_number)


def _log_count(platform, nanchang):
    with platform.db.session(nanchang.scope) as s:
        return s.scalar(select(func.count()).select_from(LogEntry).where(LogEntry.tenant_id == nanchang.id))


def test_the_credit_report_comes_through_the_exchange_with_its_log_entry(demo_platform):
    donghu, nanchang = demo_platform.directory.get("360102"), demo_platform.directory.get("360100")
    applicant = reuse.applicant_of(_who(demo_platform))
    item = reuse.load_item(demo_platform, donghu, ITEM)
    [source] = reuse.offered(demo_platform, donghu, item, applicant)["credit"]
    assert source["key"] == SOURCE and "数据共享交换平台" in source["title_zh"]
    before = _log_count(demo_platform, nanchang)
    got = reuse.fetch_chosen(demo_platform, donghu, ITEM, applicant, {"credit": SOURCE})["credit"]
    assert got["data"]["subject_code"] == ENTERPRISE and set(got["data"]) == {"subject_code", "level",
                                                                               "level_title"}  # granted only
    assert got["labels"]["level"] == ["预警等级", "Warning level"]
    seq = got["provenance"]["log_seq"]
    with demo_platform.db.session(nanchang.scope) as s:
        entry = s.scalar(select(LogEntry).where(LogEntry.tenant_id == nanchang.id, LogEntry.seq == seq))
        assert entry.resource_code == "credit.report" and entry.consumer_identifier.endswith("/360102:xzspj")
        assert entry.result == "ok" and '"subsystem":"approval"' in entry.body.replace(" ", "")
        assert msglog.verify_export(msglog.export(s, nanchang)).ok  # the chain still verifies
    assert _log_count(demo_platform, nanchang) == before + 1

    from core.clock import today

    who = _who(demo_platform)
    c = services.Ctx(platform=demo_platform, tenant=donghu, who=who, today=today(demo_platform))
    uploads = [Upload("form", "f.pdf", PDF), Upload("id", "i.pdf", PDF)]  # no credit report uploaded
    with demo_platform.db.transaction(donghu.scope) as s:
        app = services.submit(s, c, ITEM, {"shop_name": "东湖小馆"}, uploads, {"credit": got})
        [kept] = services.reused_of(s, app.id)
        assert (kept.material_code, kept.source_key, kept.plugin) == ("credit", SOURCE, "exchange")
        assert kept.provenance["log_seq"] == seq
    with pytest.raises(Invalid) as missing, demo_platform.db.transaction(donghu.scope) as s:
        services.submit(s, c, ITEM, {"shop_name": "东湖小馆"}, uploads)  # without it, it must be uploaded
    assert "credit" in missing.value.fields


def test_a_source_not_offered_is_refused_naming_the_material(demo_platform):
    donghu = demo_platform.directory.get("360102")
    applicant = reuse.applicant_of(_who(demo_platform))
    with pytest.raises(Invalid) as bad:
        reuse.fetch_chosen(demo_platform, donghu, ITEM, applicant, {"credit": "licence:NOT-MINE"})
    assert set(bad.value.fields) == {"credit"}
    person = {**applicant, "id_number": ""}
    assert reuse.offered(demo_platform, donghu, reuse.load_item(demo_platform, donghu, ITEM), person) == {}


def test_with_the_exchange_off_nothing_is_offered_and_the_upload_is_asked_for(demo_platform):
    from core.tenancy.service import set_plugin_state

    donghu = demo_platform.directory.get("360102")
    with demo_platform.db.transaction(Scope.system()) as s:
        set_plugin_state(s, demo_platform.directory, donghu, "exchange", "off", actor="tests")
    demo_platform.refresh(force=True)
    applicant = reuse.applicant_of(_who(demo_platform))
    assert reuse.offered(demo_platform, donghu, reuse.load_item(demo_platform, donghu, ITEM), applicant) == {}
    with pytest.raises(Invalid):
        reuse.fetch_chosen(demo_platform, donghu, ITEM, applicant, {"credit": SOURCE})


def test_the_applicant_chooses_it_on_the_page_and_the_clerk_sees_the_provenance(demo_platform, demo_client):
    login(demo_client, "enterprise", "Govhall2026demo")
    page = demo_client.get(f"/t/360102/approval/items/{ITEM}/apply")
    assert page.status_code == 200 and f'value="{SOURCE}" checked' in page.text
    token = csrf_token(demo_client, f"/t/360102/approval/items/{ITEM}/apply")
    r = demo_client.post(
        f"/t/360102/approval/items/{ITEM}/apply",
        data={"csrf_token": token, "f_shop_name": "东湖小馆", "reuse_credit": SOURCE},
        files={"file_form": ("f.pdf", PDF, "application/pdf"), "file_id": ("i.pdf", PDF, "application/pdf")},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[:2000]
    mine = demo_client.get(r.headers["location"])
    assert "申请人信用报告" in mine.text and "交换日志 #" in mine.text
    app_id = int(re.search(r"/my/(\d+)", r.headers["location"]).group(1))
    demo_client.post("/logout", data={"csrf_token": token})
    demo_client.cookies.clear()
    login(demo_client, "donghu_handler", "Govhall2026demo")
    case = demo_client.get(f"/t/360102/approval/workbench/{app_id}")
    assert case.status_code == 200 and 'data-reused="credit"' in case.text
    assert "预警等级" in case.text and "数据来源" in case.text and "/t/360100/exchange/log" in case.text
    with demo_platform.db.session(Scope.system()) as s:
        assert s.scalar(select(func.count()).select_from(ReusedMaterial)) >= 1


def test_a_file_also_picked_for_a_material_taken_from_data_on_file_is_ignored(demo_platform):
    """The radio decides: an applicant who picked a file and then chose "use my data" is not refused
    with "not a material of this item" (the browser walk hit it), and the file is not kept."""
    from core.clock import today
    from plugins.approval.models import UploadedMaterial as StoredUpload

    donghu = demo_platform.directory.get("360102")
    who = _who(demo_platform)
    got = reuse.fetch_chosen(demo_platform, donghu, ITEM, reuse.applicant_of(who), {"credit": SOURCE})
    c = services.Ctx(platform=demo_platform, tenant=donghu, who=who, today=today(demo_platform))
    uploads = [Upload("form", "f.pdf", PDF), Upload("id", "i.pdf", PDF), Upload("credit", "c.pdf", PDF)]
    with demo_platform.db.transaction(donghu.scope) as s:
        app = services.submit(s, c, ITEM, {"shop_name": "东湖小馆"}, uploads, got)
        q = select(StoredUpload.material_code).where(StoredUpload.application_id == app.id)
        assert set(s.scalars(q)) == {"form", "id"}
        assert [r.material_code for r in services.reused_of(s, app.id)] == ["credit"]
