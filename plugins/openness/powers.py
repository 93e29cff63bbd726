"""The power and responsibility lists (权责清单): each department's powers by category with their legal
basis, responsibilities and accountability, kept in editions. A new power starts as a draft; publishing
makes it part of the public list; revising a published power makes a draft of the next edition, and
publishing that supersedes the one before (kept, with the day it ended); repealing ends a power. Service
items (approval's catalogue, through ``govhall_openness_catalogue_items``) link to the power they
exercise by its code."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.api import Conflict, Department, Invalid, NotFound, audit, today
from plugins.openness import law
from plugins.openness.models import Power, PowerItem
from plugins.openness.schemas import PowerIn
from plugins.openness.services import flush_or_stale

CURRENT = ("published",)


def _missing() -> NotFound:
    return NotFound("No such power here", "本级没有该权力事项", code="unknown_power")


def get(session: Session, tenant: Any, power_id: int) -> Power:
    row = session.get(Power, power_id)
    if row is None or row.tenant_id != tenant.id:
        raise _missing()
    return row


def editions(session: Session, tenant: Any, code: str, *, drafts: bool = False) -> list[Power]:
    q = select(Power).where(Power.tenant_id == tenant.id, Power.code == code)
    if not drafts:
        q = q.where(Power.state != "draft")
    return list(session.scalars(q.order_by(Power.edition.desc())))


def published(session: Session, tenant: Any, *, department: str = "", category: str = "") -> list[Power]:
    q = select(Power).where(Power.tenant_id == tenant.id, Power.state == "published")
    if department:
        q = q.where(Power.department_code == department)
    if category:
        q = q.where(Power.category == category)
    return list(session.scalars(q.order_by(Power.department_code, Power.category, Power.code)))


def working(session: Session, tenant: Any, *, department: str = "") -> list[Power]:
    """What the list's keepers work on: every draft and every published power (not the history)."""
    q = select(Power).where(Power.tenant_id == tenant.id, Power.state.in_(("draft", "published")))
    if department:
        q = q.where(Power.department_code == department)
    return list(session.scalars(q.order_by(Power.department_code, Power.code, Power.edition)))


def by_category(session: Session, tenant: Any) -> dict[str, int]:
    rows = session.execute(
        select(Power.category, func.count())
        .where(Power.tenant_id == tenant.id, Power.state == "published")
        .group_by(Power.category)
    ).all()
    return {k: 0 for k in law.POWER_CATEGORIES} | {c: int(n) for c, n in rows}


def _department(session: Session, tenant: Any, code: str) -> None:
    found = session.scalar(
        select(Department.id).where(Department.tenant_id == tenant.id, Department.code == code)
    )
    if found is None:
        raise Invalid(
            f"No department {code!r} here",
            f"{tenant.name}没有该部门",
            code="unknown_department",
            fields={"department_code": "unknown department"},
            fields_zh={"department_code": "没有该部门"},
        )


def _fill(row: Power, data: PowerIn, actor: str) -> None:
    row.department_code, row.category, row.name = data.department_code, data.category, data.name
    row.legal_basis, row.responsibilities = data.legal_basis, data.responsibilities
    row.accountability, row.change_note, row.changed_by = data.accountability, data.change_note, actor[:120]


def create(session: Session, tenant: Any, data: PowerIn, actor: str) -> Power:
    """A new power (edition 1, a draft); its code is new at this hall."""
    _department(session, tenant, data.department_code)
    taken = session.scalar(select(Power.id).where(Power.tenant_id == tenant.id, Power.code == data.code))
    if taken is not None:
        raise Conflict(
            "A power with this code exists; revise it instead",
            "该权力编码已存在，请修订该权力事项",
            code="power_code_taken",
            fields={"code": "taken"},
            fields_zh={"code": "已存在"},
        )
    row = Power(tenant_id=tenant.id, tenant_path=tenant.path, code=data.code, edition=1, state="draft")
    _fill(row, data, actor)
    session.add(row)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise Conflict("A power with this code exists", "该权力编码已存在", code="power_code_taken") from None
    return row


def _expect(row: Power, version: int, *states: str) -> None:
    if row.version != version:
        raise Conflict(
            "Someone else changed this power meanwhile; reload and try again",
            "该权力事项已被他人修改，请刷新后重试",
            code="stale_version",
        )
    if states and row.state not in states:
        zh, en = law.POWER_STATES[row.state]
        raise Conflict(
            f"A power that is {en.lower()} cannot do this",
            f"该权力事项当前为“{zh}”，不能执行此操作",
            code="transition_not_allowed",
        )


def edit(session: Session, tenant: Any, row: Power, version: int, data: PowerIn, actor: str) -> None:
    """Change a draft (the code stays)."""
    _expect(row, version, "draft")
    if data.code != row.code:
        raise Invalid(
            "A power keeps its code", "权力编码不能修改", code="code_fixed", fields={"code": "fixed"}
        )
    _department(session, tenant, data.department_code)
    _fill(row, data, actor)
    flush_or_stale(session)


def revise(session: Session, tenant: Any, row: Power, version: int, actor: str) -> Power:
    """A draft of the next edition of a published power, starting from its text."""
    _expect(row, version, "published")
    drafting = session.scalar(
        select(Power.id).where(Power.tenant_id == tenant.id, Power.code == row.code, Power.state == "draft")
    )
    if drafting is not None:
        raise Conflict(
            "A new edition of this power is already being drafted",
            "该权力事项已有待公布的修订稿",
            code="draft_exists",
        )
    new = Power(
        tenant_id=tenant.id,
        tenant_path=tenant.path,
        code=row.code,
        edition=row.edition + 1,
        state="draft",
        department_code=row.department_code,
        category=row.category,
        name=row.name,
        legal_basis=row.legal_basis,
        responsibilities=row.responsibilities,
        accountability=row.accountability,
        change_note="",
        changed_by=actor[:120],
    )
    session.add(new)
    flush_or_stale(session)
    return new


def publish(session: Session, platform: Any, tenant: Any, row: Power, version: int, actor: str) -> None:
    """Publish a draft; the edition published before it (if any) is superseded from today."""
    _expect(row, version, "draft")
    day = today(platform)
    for old in session.scalars(
        select(Power).where(Power.tenant_id == tenant.id, Power.code == row.code, Power.state == "published")
    ):
        old.state, old.ended_on = "superseded", day
    row.state, row.published_on, row.changed_by = "published", day, actor[:120]
    flush_or_stale(session)
    audit.record(
        session,
        actor=actor,
        action="openness.power.publish",
        tenant=tenant,
        target=f"openness.power:{row.code}",
        details={"edition": row.edition, "category": row.category},
    )


def repeal(
    session: Session, platform: Any, tenant: Any, row: Power, version: int, note: str, actor: str
) -> None:
    """Take a published power off the list (kept in the history); its item links go with it."""
    _expect(row, version, "published")
    row.state, row.ended_on, row.change_note = "repealed", today(platform), note
    for link in session.scalars(
        select(PowerItem).where(PowerItem.tenant_id == tenant.id, PowerItem.power_code == row.code)
    ):
        session.delete(link)
    flush_or_stale(session)
    audit.record(
        session,
        actor=actor,
        action="openness.power.repeal",
        tenant=tenant,
        target=f"openness.power:{row.code}",
        details={"edition": row.edition},
    )


# -- service items and the power each exercises ----------------------------------------------------------


def catalogue_items(platform: Any, tenant: Any, session: Session) -> list[dict[str, Any]]:
    """The service items of the hall as the catalogue plugin (approval) reports them through
    ``govhall_openness_catalogue_items``; none where no such plugin is on."""
    out: dict[str, dict[str, Any]] = {}
    for batch in (
        platform.hooks(tenant).govhall_openness_catalogue_items(
            platform=platform, tenant=tenant, session=session
        )
        or []
    ):
        for item in batch or []:
            if (
                isinstance(item, dict)
                and isinstance(item.get("code"), str)
                and isinstance(item.get("name"), str)
            ):
                out.setdefault(item["code"], item)
    return sorted(out.values(), key=lambda i: (str(i.get("department_code", "")), i["code"]))


def links(session: Session, tenant: Any, power_code: str | None = None) -> list[PowerItem]:
    q = select(PowerItem).where(PowerItem.tenant_id == tenant.id)
    if power_code is not None:
        q = q.where(PowerItem.power_code == power_code)
    return list(session.scalars(q.order_by(PowerItem.item_code)))


def power_of_item(session: Session, tenant: Any, item_code: str) -> Power | None:
    """The published power an item exercises (None when unlinked)."""
    code = session.scalar(
        select(PowerItem.power_code).where(PowerItem.tenant_id == tenant.id, PowerItem.item_code == item_code)
    )
    if code is None:
        return None
    return session.scalars(
        select(Power).where(Power.tenant_id == tenant.id, Power.code == code, Power.state == "published")
    ).first()


def link(session: Session, platform: Any, tenant: Any, row: Power, item_code: str, actor: str) -> None:
    """Link an item of the catalogue to this published power (replacing the power it had)."""
    if row.state != "published":
        raise Conflict(
            "Only a published power can be linked", "只能关联已公布的权力事项", code="not_published"
        )
    known = {i["code"] for i in catalogue_items(platform, tenant, session)}
    if item_code not in known:
        raise Invalid(
            "No such service item here",
            "本级没有该办事事项",
            code="unknown_item",
            fields={"item_code": "unknown item"},
            fields_zh={"item_code": "没有该事项"},
        )
    found = session.scalars(
        select(PowerItem).where(PowerItem.tenant_id == tenant.id, PowerItem.item_code == item_code)
    ).first()
    if found is not None:
        found.power_code, found.linked_by = row.code, actor[:120]
    else:
        session.add(
            PowerItem(
                tenant_id=tenant.id,
                tenant_path=tenant.path,
                power_code=row.code,
                item_code=item_code,
                linked_by=actor[:120],
            )
        )
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="openness.power.link",
        tenant=tenant,
        target=f"openness.power:{row.code}",
        details={"item": item_code},
    )


def unlink(session: Session, tenant: Any, item_code: str) -> None:
    for found in session.scalars(
        select(PowerItem).where(PowerItem.tenant_id == tenant.id, PowerItem.item_code == item_code)
    ):
        session.delete(found)
    session.flush()


def gaps(platform: Any, tenant: Any, session: Session) -> dict[str, Any]:
    """Published powers no item exercises, and catalogue items linked to no published power."""
    items = catalogue_items(platform, tenant, session)
    linked = {link.item_code: link.power_code for link in links(session, tenant)}
    current = published(session, tenant)
    codes = {p.code for p in current}
    used = {code for item, code in linked.items() if code in codes}
    return {
        "powers_without_item": [p for p in current if p.code not in used],
        "items_without_power": [i for i in items if linked.get(i["code"]) not in codes],
        "items": items,
        "catalogue": bool(items),
    }


def item_facts(session: Session, tenant: Any, item_code: str) -> list[dict[str, Any]]:
    """Approval's ``govhall_approval_item_facts``: the power an item exercises, with a link to it."""
    power = power_of_item(session, tenant, item_code)
    if power is None:
        return []
    zh, en = law.POWER_CATEGORIES.get(power.category, ("", ""))
    return [
        {
            "label_zh": "行使的权力（权责清单）",
            "label_en": "Power exercised (power list)",
            "value_zh": f"{power.name}（{zh}）",
            "value_en": f"{power.name} ({en})",
            "href": f"/t/{tenant.code}/openness/powers/{power.id}",
            "link_zh": "查看权责清单",
            "link_en": "See the power list",
        }
    ]
