"""The application state machine, tested through the services on a real database (no HTTP)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from approval_helpers import MONDAY, PDF, PNG, ctx, food_uploads, in_scope, who
from sqlalchemy import func, select

from core import calendar
from core.access.guard import Forbidden
from core.audit import AuditEntry
from core.errors import Conflict, Invalid, NotFound
from plugins.approval import handling, services
from plugins.approval.models import Application, StatusChange, Task, UploadedMaterial
from plugins.approval.uploads import Upload, blob_path

HANDLER = who("staff", 100, departments=frozenset({"scjgj"}), label="staff:handler")


def _submit(platform, donghu, code="DH-SP-001", w=None, uploads=None, form=None):
    with in_scope(platform, donghu) as s:
        app = services.submit(
            s,
            ctx(platform, donghu, w or who()),
            code,
            form or {"shop_name": "老王小吃"},
            food_uploads() if uploads is None else uploads,
        )
        return app.id, app.number


def _act(platform, donghu, fn, app_id, *args, w=HANDLER, today=MONDAY, **kw):
    with in_scope(platform, donghu) as s:
        version = s.get(Application, app_id).version
        app = fn(s, ctx(platform, donghu, w, today), app_id, version, *args, **kw)
        return app.state


def test_submit_numbers_stores_files_and_history(platform, donghu, items):
    app_id, number = _submit(platform, donghu)
    assert number == "360102-20261102-000001"
    _, second = _submit(platform, donghu)
    assert second.endswith("-000002")
    with in_scope(platform, donghu) as s:
        app = s.get(Application, app_id)
        assert (
            app.state == "submitted"
            and app.item_version_no == 1
            and app.form_data == {"shop_name": "老王小吃"}
        )
        files = list(s.scalars(select(UploadedMaterial).where(UploadedMaterial.application_id == app_id)))
        assert {f.material_code for f in files} == {"form", "photo"}
        for f in files:
            assert blob_path(platform.settings.data_dir, f.sha256).read_bytes() in (PDF, PNG)
        assert [h.action for h in services.history(s, app_id)] == ["submit"]
        assert (
            s.scalar(
                select(func.count())
                .select_from(AuditEntry)
                .where(AuditEntry.action == "approval.application.submit")
            )
            == 2
        )


def test_full_flow_accept_review_approve_conclude_rate(platform, donghu, items):
    app_id, _ = _submit(platform, donghu)
    assert _act(platform, donghu, handling.accept, app_id) == "accepted"
    with in_scope(platform, donghu) as s:
        app = s.get(Application, app_id)
        assert app.deadline == calendar.add_workdays(MONDAY, 10)
        assert [t.role for t in services.tasks_of(s, app_id)] == ["lead"]
    assert _act(platform, donghu, handling.start_review, app_id) == "in_review"
    assert _act(platform, donghu, handling.decide, app_id, approve=True, reason="符合条件") == "approved"
    assert _act(platform, donghu, handling.conclude, app_id, today=MONDAY + timedelta(days=3)) == "concluded"
    with in_scope(platform, donghu) as s:
        app = s.get(Application, app_id)
        assert app.on_time is True and app.working_days_used == calendar.workdays_between(
            MONDAY, MONDAY + timedelta(days=3)
        )
        handling.rate(s, ctx(platform, donghu, who()), app_id, 5, "很快")
    with in_scope(platform, donghu) as s, pytest.raises(Conflict) as e:
        handling.rate(s, ctx(platform, donghu, who()), app_id, 4)
    assert e.value.code == "already_rated"


def test_refuse_needs_a_reason_and_correction_lists_everything(platform, donghu, items):
    app_id, _ = _submit(platform, donghu)
    with pytest.raises(Invalid) as e:
        _act(platform, donghu, handling.refuse, app_id, "  ")
    assert e.value.fields == {"reason": "required"}
    assert (
        _act(platform, donghu, handling.request_correction, app_id, ["form", "photo"])
        == "correction_requested"
    )
    with in_scope(platform, donghu) as s:
        h = services.history(s, app_id)[-1]
        assert "食品经营许可申请书" in h.note and "经营场所照片" in h.note
    # the applicant must bring back every listed material
    with in_scope(platform, donghu) as s, pytest.raises(Invalid) as e:
        app = s.get(Application, app_id)
        services.resubmit(
            s, ctx(platform, donghu, who()), app_id, app.version, [Upload("form", "a.pdf", PDF)]
        )
    assert e.value.code == "missing_material"
    with in_scope(platform, donghu) as s:
        app = s.get(Application, app_id)
        services.resubmit(s, ctx(platform, donghu, who()), app_id, app.version, food_uploads())
    assert _act(platform, donghu, handling.accept, app_id) == "accepted"


def test_bad_input_changes_nothing(platform, donghu, items):
    cases = [
        (dict(code="NOPE"), NotFound, "unknown_item"),
        (dict(code="DH-WJ-002"), Invalid, "wrong_entrance"),  # a personal item, a legal applicant
        (dict(uploads=[Upload("form", "a.pdf", PDF)]), Invalid, "missing_material"),
        (
            dict(uploads=[Upload("form", "a.pdf", PDF + b"x" * 1024 * 1024), Upload("photo", "p.png", PNG)]),
            Invalid,
            "bad_upload",
        ),
        (
            dict(uploads=[Upload("form", "a.exe", b"MZ"), Upload("photo", "p.png", PNG)]),
            Invalid,
            "bad_upload",
        ),
        (
            dict(uploads=[Upload("form", "fake.pdf", b"MZ not a pdf"), Upload("photo", "p.png", PNG)]),
            Invalid,
            "bad_upload",
        ),
        (dict(form={"shop_name": ""}), Invalid, "missing_fields"),
        (dict(w=who("person")), Invalid, "wrong_entrance"),  # a legal-person item, a natural person
    ]
    for kwargs, exc, code in cases:
        with pytest.raises(exc) as e:
            _submit(platform, donghu, **kwargs)
        assert e.value.code == code, kwargs
    with in_scope(platform, donghu) as s:
        assert s.scalar(select(func.count()).select_from(Application)) == 0
    assert not (platform.settings.data_dir / "uploads").exists()


def test_transition_not_allowed_and_stale_version(platform, donghu, items):
    app_id, _ = _submit(platform, donghu)
    with pytest.raises(Conflict) as e:
        _act(platform, donghu, handling.conclude, app_id)
    assert e.value.code == "transition_not_allowed"
    with in_scope(platform, donghu) as s, pytest.raises(Conflict) as e:
        handling.accept(s, ctx(platform, donghu, HANDLER), app_id, 99)
    assert e.value.code == "stale_version"
    with in_scope(platform, donghu) as s:
        assert s.get(Application, app_id).state == "submitted"
        assert len(services.history(s, app_id)) == 1


def test_concurrent_transitions_one_loses(platform, donghu, items):
    """Two handlers load version 1 and act at once: exactly one commits, the other gets a 409."""
    app_id, _ = _submit(platform, donghu)
    s1 = platform.db.session(donghu.scope)
    s2 = platform.db.session(donghu.scope)
    try:
        a1 = handling.accept(s1, ctx(platform, donghu, HANDLER), app_id, 1)
        assert a1.state == "accepted"
        s1.commit()
        with pytest.raises(Conflict) as e:
            handling.refuse(s2, ctx(platform, donghu, HANDLER), app_id, 1, "材料不全")
        assert e.value.code == "stale_version"
        s2.rollback()
    finally:
        s1.close()
        s2.close()
    with in_scope(platform, donghu) as s:
        assert s.get(Application, app_id).state == "accepted"


def test_concurrent_flush_on_stale_copy_is_a_conflict(platform, donghu, items):
    """Both sessions pass the version check, then race at the UPDATE: the version column decides."""
    app_id, _ = _submit(platform, donghu)
    s1 = platform.db.session(donghu.scope)
    s2 = platform.db.session(donghu.scope)
    try:
        s2.get(Application, app_id)  # s2 holds version 1 in its identity map
        s2.commit()  # ends its read transaction; the object stays loaded (expire_on_commit=False)
        handling.accept(s1, ctx(platform, donghu, HANDLER), app_id, 1)
        s1.commit()
        with pytest.raises(Conflict):
            handling.refuse(s2, ctx(platform, donghu, HANDLER), app_id, 1, "材料不全")
    finally:
        s1.close()
        s2.close()


def test_permissions_departments_and_ownership(platform, donghu, items):
    app_id, _ = _submit(platform, donghu)
    other_dept = who("staff", 101, departments=frozenset({"wjw"}))
    with pytest.raises(Forbidden) as e:
        _act(platform, donghu, handling.accept, app_id, w=other_dept)
    assert e.value.hide
    no_perm = who("staff", 102, deny=("approval:application:accept",))
    with pytest.raises(Forbidden):
        _act(platform, donghu, handling.accept, app_id, w=no_perm)
    with pytest.raises(NotFound):  # someone else's application does not exist for this applicant
        _act(platform, donghu, services.withdraw, app_id, w=who("legal", 2))
    assert _act(platform, donghu, services.withdraw, app_id, w=who()) == "withdrawn"


def test_suspension_not_counting_pushes_the_deadline_and_extension_once(platform, donghu, items):
    app_id, _ = _submit(platform, donghu)
    _act(platform, donghu, handling.accept, app_id)
    with in_scope(platform, donghu) as s:
        first = s.get(Application, app_id).deadline
    _act(platform, donghu, handling.suspend, app_id, "inspection", "需现场核查")
    later = MONDAY + timedelta(days=7)
    assert _act(platform, donghu, handling.resume, app_id, today=later) == "accepted"
    paused = calendar.workdays_between(MONDAY, later)
    with in_scope(platform, donghu) as s:
        app = s.get(Application, app_id)
        assert app.paused_days == paused and app.deadline == calendar.add_workdays(MONDAY, 10 + paused)
        assert app.deadline > first
    leader = who("staff", 103, departments=frozenset({"scjgj"}))
    with pytest.raises(Forbidden):
        _act(
            platform,
            donghu,
            handling.extend,
            app_id,
            5,
            "情况复杂",
            w=who("staff", 104, deny=("approval:application:extend",)),
        )
    _act(platform, donghu, handling.extend, app_id, 5, "情况复杂", w=leader)
    with pytest.raises(Conflict) as e:
        _act(platform, donghu, handling.extend, app_id, 3, "再延", w=leader)
    assert e.value.code == "already_extended"
    with in_scope(platform, donghu) as s:
        app = s.get(Application, app_id)
        assert app.deadline == calendar.add_workdays(MONDAY, 10 + paused + 5)
        assert app.extended_by == "staff:103"


def test_parallel_approval_tasks_limits_and_denial(platform, donghu, items):
    app_id, _ = _submit(platform, donghu, code="DH-FG-003", uploads=[Upload("report", "r.pdf", PDF)], form={})
    lead = who("staff", 110, departments=frozenset({"fgw"}))
    _act(platform, donghu, handling.accept, app_id, w=lead)
    with in_scope(platform, donghu) as s:
        app = s.get(Application, app_id)
        tasks = {t.department_code: t for t in services.tasks_of(s, app_id)}
        # lead 10 + longest co 15 = 25 working days, not 10 + 15 + 5 = 30
        assert app.limit_days == 25 and set(tasks) == {"fgw", "zjj", "scjgj"}
        assert tasks["zjj"].deadline == calendar.add_workdays(MONDAY, 15)
    with pytest.raises(Conflict) as e:  # the lead cannot approve before the co-departments
        _act(platform, donghu, handling.decide, app_id, approve=True, w=lead)
    assert e.value.code == "co_pending"
    zjj = who("staff", 111, departments=frozenset({"zjj"}))
    assert _act(platform, donghu, handling.decide, app_id, approve=True, w=zjj) == "in_review"
    scj = who("staff", 112, departments=frozenset({"scjgj"}))
    assert (
        _act(platform, donghu, handling.decide, app_id, approve=False, reason="名称不合规", w=scj) == "denied"
    )
    with in_scope(platform, donghu) as s:
        app = s.get(Application, app_id)
        assert "名称不合规" in app.decision_reason and "行政复议" in app.remedies_notice
        states = dict(
            s.execute(select(Task.department_code, Task.state).where(Task.application_id == app_id)).all()
        )
        assert states == {"fgw": "cancelled", "zjj": "approved", "scjgj": "denied"}
        assert (
            s.scalar(
                select(func.count()).select_from(StatusChange).where(StatusChange.application_id == app_id)
            )
            == 4
        )


def test_parallel_all_approve(platform, donghu, items):
    app_id, _ = _submit(platform, donghu, code="DH-FG-003", uploads=[Upload("report", "r.pdf", PDF)], form={})
    for dept, uid in (("fgw", 120), ("zjj", 121), ("scjgj", 122)):
        w = who("staff", uid, departments=frozenset({dept}))
        if dept == "fgw":
            _act(platform, donghu, handling.accept, app_id, w=w)
            continue
        _act(platform, donghu, handling.decide, app_id, approve=True, w=w)
    assert (
        _act(
            platform,
            donghu,
            handling.decide,
            app_id,
            approve=True,
            w=who("staff", 120, departments=frozenset({"fgw"})),
        )
        == "approved"
    )


def test_a_person_applies_for_a_personal_item(platform, donghu, items):
    app_id, _ = _submit(
        platform, donghu, code="DH-WJ-002", w=who("person"), uploads=[Upload("id", "i.pdf", PDF)], form={}
    )
    with in_scope(platform, donghu) as s:
        assert s.get(Application, app_id).applicant_kind == "person"
