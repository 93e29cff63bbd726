"""Applications and their state machine: submit, accept, correct, review, decide, conclude, and the clock.

Every transition is permission-checked, written to the status history, audited (core.audit) and
published as an event (core.events) in one transaction. The ``version`` column is SQLAlchemy's
version_id_col: a transition made on a stale copy fails the UPDATE, and the caller gets a Conflict (409).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from core.api import Conflict, Forbidden, Invalid, NotFound, Permission, audit, events
from core.api import now as clock_now
from core.api import today as clock_today
from plugins.approval import numbers, rollup
from plugins.approval import permissions as P
from plugins.approval.catalogue import get_item
from plugins.approval.fees import item_fee
from plugins.approval.models import (
    AcceptanceFinding,
    Application,
    ReusedMaterial,
    ServiceItem,
    StatusChange,
    Task,
)
from plugins.approval.uploads import Upload, check_uploads, store_uploads

STATE_TITLES: dict[str, tuple[str, str]] = {
    "submitted": ("已提交", "Submitted"),
    "accepted": ("已受理", "Accepted"),
    "refused": ("不予受理", "Refused to accept"),
    "correction_requested": ("待补正", "Correction requested"),
    "resubmitted": ("已补正", "Resubmitted"),
    "in_review": ("审查中", "In review"),
    "approved": ("准予许可", "Approved"),
    "denied": ("不予许可", "Denied"),
    "concluded": ("已办结", "Concluded"),
    "withdrawn": ("已撤回", "Withdrawn"),
    "suspended": ("特别程序中", "Suspended"),
}
OPEN_STATES = ("submitted", "resubmitted", "correction_requested", "accepted", "in_review", "suspended")
REMEDIES = (
    "申请人如对本决定不服，可以自收到本决定之日起六十日内依法申请行政复议，或者在六个月内依法提起"
    "行政诉讼。 If you disagree, you may apply for administrative reconsideration within 60 days or "
    "bring an administrative lawsuit within six months."
)

# action: (states it may start from, permission, event verb)
TRANSITIONS: dict[str, tuple[tuple[str, ...], Permission, str]] = {
    "accept": (("submitted", "resubmitted"), P.APP_ACCEPT, "accepted"),
    "refuse": (("submitted", "resubmitted"), P.APP_ACCEPT, "refused"),
    "request_correction": (("submitted", "resubmitted"), P.APP_ACCEPT, "correction_requested"),
    "resubmit": (("correction_requested",), P.APP_SUBMIT, "resubmitted"),
    "start_review": (("accepted",), P.APP_DECIDE, "review_started"),
    "decide": (("accepted", "in_review"), P.APP_DECIDE, ""),
    "conclude": (("approved", "denied"), P.APP_DECIDE, "concluded"),
    "withdraw": (OPEN_STATES, P.APP_OWN, "withdrawn"),
    "suspend": (("accepted", "in_review"), P.APP_SUSPEND, "suspended"),
    "resume": (("suspended",), P.APP_SUSPEND, "resumed"),
    "extend": (("accepted", "in_review", "suspended"), P.APP_EXTEND, "extended"),
}


@dataclass(frozen=True)
class Who:
    """The acting account as the services need it. ``departments`` None means not limited to any."""

    label: str
    account_id: int | None
    kind: str
    allowed: Callable[[Permission], bool]
    departments: frozenset[str] | None = None
    name: str = ""
    id_number: str = ""


@dataclass
class Ctx:
    """What a service call needs: the platform (settings, hooks), the tenant, who acts, and today."""

    platform: Any
    tenant: Any
    who: Who
    today: date = None  # type: ignore[assignment]  # the platform clock's today when not given

    def __post_init__(self) -> None:
        if self.today is None:
            self.today = clock_today(self.platform)

    def now(self) -> datetime:
        """The moment of the act: now, or on ``today`` when a caller acts on another day (demo, tests),
        so the status history and the day columns always agree."""
        real = clock_now(self.platform)
        return real if self.today == real.date() else datetime.combine(self.today, real.time(), UTC)

    def require(self, perm: Permission) -> None:
        if not self.who.allowed(perm):
            raise Forbidden(perm.name, f"{self.who.label} lacks {perm.name}")


def _now() -> datetime:
    return clock_now()


# --- reading ------------------------------------------------------------------------------------------


def load(session: Session, app_id: int, version: int | None = None) -> Application:
    app = session.get(Application, app_id)
    scope = session.info["scope"]
    if app is None or app.tenant_path != scope.path and not scope.covers(app.tenant_path):
        raise NotFound("No such application here", "本级没有这个办件", code="unknown_application")
    if version is not None and app.version != version:
        raise _stale(app)
    return app


def _stale(app: Application | str) -> Conflict:
    number = app if isinstance(app, str) else app.number
    return Conflict(
        f"Application {number} was changed by someone else meanwhile; reload and try again",
        f"办件 {number} 已被他人处理，请刷新后重试",
        code="stale_version",
    )


def _own(c: Ctx, app: Application) -> None:
    """Applicants only see their own applications: anyone else's looks like it does not exist."""
    if app.applicant_account_id != c.who.account_id:
        raise NotFound("No such application here", "本级没有这个办件", code="unknown_application")


def _in_department(c: Ctx, department_code: str) -> None:
    deps = c.who.departments
    if deps is not None and department_code not in deps:
        raise Forbidden(P.APP_HANDLE.name, f"{c.who.label} is not in department {department_code}", hide=True)


def history(session: Session, app_id: int) -> list[StatusChange]:
    return list(
        session.scalars(
            select(StatusChange).where(StatusChange.application_id == app_id).order_by(StatusChange.id)
        )
    )


def tasks_of(session: Session, app_id: int) -> list[Task]:
    return list(session.scalars(select(Task).where(Task.application_id == app_id).order_by(Task.id)))


def findings_of(session: Session, app_id: int) -> list[AcceptanceFinding]:
    return list(session.scalars(select(AcceptanceFinding).where(AcceptanceFinding.application_id == app_id)))


# --- the common path of every transition -----------------------------------------------------------------


def _move(
    session: Session,
    c: Ctx,
    app: Application,
    action: str,
    to_state: str | None,
    note: str = "",
    **payload: Any,
) -> Application:
    """Check the action is allowed from the current state, record it, audit it, publish it."""
    starts, perm, verb = TRANSITIONS[action]
    if action == "decide" and to_state in ("approved", "denied"):
        verb = to_state  # a co-department's partial approval is history, not an event
    c.require(perm)
    if app.state not in starts:
        title = STATE_TITLES.get(app.state, (app.state, app.state))
        raise Conflict(
            f"Cannot {action.replace('_', ' ')} an application that is {title[1].lower()}",
            f"办件当前状态为“{title[0]}”，不能执行此操作",
            code="transition_not_allowed",
        )
    before = app.state
    if to_state is not None:
        app.state = to_state
    flag_modified(app, "state")  # every act bumps the version, even one that keeps the state
    _record(session, c, app, action, before, note, verb, payload)
    return app


def _record(
    session: Session,
    c: Ctx,
    app: Application,
    action: str,
    before: str,
    note: str,
    verb: str,
    payload: dict[str, Any],
) -> None:
    number = app.number  # read now: after a failed flush the object cannot be loaded any more
    session.add(
        StatusChange(
            application_id=app.id,
            action=action,
            from_state=before,
            to_state=app.state,
            actor=c.who.label,
            note=note,
            at=c.now(),
            tenant_id=app.tenant_id,
            tenant_path=app.tenant_path,
        )
    )
    try:
        session.flush()
    except StaleDataError:
        raise _stale(number) from None
    rollup.on_transition(session, app, action)
    audit.record(
        session,
        actor=c.who.label,
        action=f"approval.application.{action}",
        tenant=c.tenant,
        target=f"approval.application:{app.id}",
        details={"number": app.number, "from": before, "to": app.state, "note": note},
    )
    if verb:
        events.publish(
            session,
            tenant=c.tenant,
            type=f"approval.application.{verb}",
            payload=event_payload(app, **payload),
            actor=c.who.label,
        )


def event_payload(app: Application, **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "application_id": app.id,
        "number": app.number,
        "item_code": app.item_code,
        "item_name": app.item_name,
        "applicant_kind": app.applicant_kind,
        "applicant_id_number": app.applicant_id_number,
        "applicant_name": app.applicant_name,
        "applicant_account_id": app.applicant_account_id,
        "department_code": app.department_code,
    }
    if app.deadline:
        out["deadline"] = app.deadline.isoformat()
    if app.decision_reason:
        out["decision_reason"] = app.decision_reason
    if app.fee_cents:
        out["fee"] = app.fee_cents / 100
    out.update({k: v for k, v in extra.items() if v is not None})
    return out


# --- applicant --------------------------------------------------------------------------------------------


def _check_entrance(c: Ctx, item: ServiceItem) -> None:
    entrance = {"person": "personal", "legal": "legal"}.get(c.who.kind, "")
    if item.entrance != "both" and item.entrance != entrance:
        where = ("个人办事", "personal") if item.entrance == "personal" else ("法人办事", "legal-person")
        raise Invalid(
            f"{item.name} is a {where[1]} item; apply with a {where[1]} account",
            f"“{item.name}”属于{where[0]}事项，请使用相应账户申报",
            code="wrong_entrance",
            fields={"item": "wrong entrance"},
        )


def _check_form(item: ServiceItem, form: dict[str, str]) -> dict[str, str]:
    empty = [
        f for f in item.form_fields or []
        if f.get("required", True) and not str(form.get(f["name"], "")).strip()
    ]
    missing = {f["name"]: "required" for f in empty}
    if missing:
        raise Invalid(
            "Required form fields are empty",
            "请填写必填项：" + "、".join(f["label"] for f in empty),
            code="missing_fields",
            fields=missing,
            fields_zh={f["name"]: "请填写此项" for f in empty},
        )
    return {f["name"]: str(form.get(f["name"], "")).strip()[:2000] for f in item.form_fields or []}


def submit(
    session: Session,
    c: Ctx,
    item_code: str,
    form: dict[str, str],
    uploads: Sequence[Upload],
    reused: Mapping[str, dict[str, Any]] | None = None,
) -> Application:
    """Apply online: validate the applicant, the form and every material, then store and number it.
    ``reused``: materials supplied from the applicant's data on file instead of an upload (material code
    -> what ``reuse.fetch_chosen`` fetched); only materials that declare ``reuse`` may be."""
    reused = dict(reused or {})
    c.require(P.APP_SUBMIT)
    if c.who.kind not in ("person", "legal") or c.who.account_id is None:
        raise Invalid(
            "Only a natural or legal person can apply", "只有自然人或法人账户可以申报", code="wrong_entrance"
        )
    item = get_item(session, item_code)
    _check_entrance(c, item)
    max_mb = c.platform.settings["approval.upload_max_mb"]
    problems: list[Invalid] = []  # the form and the materials checked together: one round trip fixes all
    data: dict[str, str] = {}
    reusable = {m.code for m in item.materials if m.reuse}
    if set(reused) - reusable:
        bad = sorted(set(reused) - reusable)[0]
        raise Invalid(f"Material {bad} cannot be supplied from data on file", "该材料不能使用已有数据",
                      code="not_reusable", fields={bad: "upload this material"})
    to_upload = [m for m in item.materials if m.code not in reused]
    # The applicant's choice decides: a file also picked for a material taken from data on file is not
    # checked, and not stored (below) — it was refused as "not a material of this item" before.
    files = [u for u in uploads if u.material_code not in reused]
    for check in (lambda: data.update(_check_form(item, form)),
                  lambda: check_uploads(to_upload, files, max_mb=max_mb, require_all=True)):
        try:
            check()
        except Invalid as exc:
            problems.append(exc)
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise Invalid("; ".join(p.message_en for p in problems), "；".join(p.message_zh for p in problems),
                      code=problems[0].code, fields={k: v for p in problems for k, v in p.fields.items()},
                      fields_zh={k: v for p in problems for k, v in p.fields_zh.items()})
    app = Application(
        tenant_id=c.tenant.id,
        tenant_path=c.tenant.path,
        number=numbers.next_number(session, c.tenant, c.today),
        item_id=item.id,
        item_code=item.code,
        item_name=item.name,
        item_version_no=item.version_no,
        department_code=item.department_code,
        applicant_account_id=c.who.account_id,
        applicant_kind=c.who.kind,
        applicant_name=c.who.name,
        applicant_id_number=c.who.id_number,
        form_data=data,
        state="submitted",
        submitted_at=c.now(),
        submitted_on=c.today,
        fee_cents=item_fee(c.platform, c.tenant, item, session).cents,
    )
    session.add(app)
    session.flush()
    store_uploads(session, app, [u for u in uploads if u.material_code not in reused],
                  c.platform.settings.data_dir, round_no=1)
    for code, got in reused.items():
        session.add(ReusedMaterial(
            tenant_id=c.tenant.id, tenant_path=c.tenant.path, application_id=app.id, material_code=code,
            source_key=str(got["key"])[:200], plugin=str(got["plugin"])[:40], title=str(got["title"])[:300],
            data=got["data"], labels=got["labels"], provenance=got["provenance"], fetched_at=c.now(),
        ))
    _record(session, c, app, "submit", "", "", "submitted",
            {"reused": sorted(reused)} if reused else {})
    return app


def reused_of(session: Session, app_id: int) -> list[ReusedMaterial]:
    return list(session.scalars(
        select(ReusedMaterial).where(ReusedMaterial.application_id == app_id).order_by(ReusedMaterial.id)))


def resubmit(session: Session, c: Ctx, app_id: int, version: int, uploads: Sequence[Upload]) -> Application:
    """Upload what the correction notice asked for; every listed material must come back."""
    app = load(session, app_id, version)
    _own(c, app)
    item = session.get(ServiceItem, app.item_id)
    assert item is not None
    wanted = [m for m in item.materials if m.code in set(app.correction_notice or [])]
    check_uploads(wanted, uploads, max_mb=c.platform.settings["approval.upload_max_mb"], require_all=True)
    _move(session, c, app, "resubmit", "resubmitted")
    rounds = 1 + len([h for h in history(session, app.id) if h.action == "resubmit"])
    store_uploads(session, app, uploads, c.platform.settings.data_dir, round_no=rounds)
    return app


def withdraw(session: Session, c: Ctx, app_id: int, version: int, reason: str = "") -> Application:
    app = load(session, app_id, version)
    _own(c, app)
    return _move(session, c, app, "withdraw", "withdrawn", reason)
