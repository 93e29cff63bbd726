"""Holiday notices and local holidays as data, and what entering one does to open deadlines.

A **notice** is the State Council's yearly arrangement (days off, make-up working days) for one year. It is
national: one per year for the installation, entered by an administrator of a top-level (provincial)
tenant on the console page or with ``govhall calendar import FILE``; it takes effect for every tenant.
A **local holiday** is a day off a tenant adds for itself and its subtree (e.g. an ethnic autonomous
area's festival); it can add days off, never remove national ones.

Entering a notice recomputes nothing silently: ``preview`` lists the open deadlines the new calendar
moves (every plugin answers ``govhall_deadlines_on_calendar`` with ``apply=False``); ``enter`` stores the
notice and recomputes them in one transaction (the same hook with ``apply=True``), records one audit
entry, publishes ``calendar.deadline.moved`` to each deadline's tenant so its holder can be told, and
announces the change to every process (the directory version: each reloads its calendar).

The import file format (TOML; ``docs/operations.md``)::

    year = 2027
    title = "国务院办公厅关于2027年部分节假日安排的通知"
    sample = false              # true marks a sample, never the official notice

    [[holiday]]
    name = "spring_festival"    # new_year, spring_festival, qingming, labour_day, dragon_boat,
                                # mid_autumn, national_day
    off = ["2027-02-05..2027-02-13"]        # days off: single days or inclusive ranges
    work = ["2027-01-31", "2027-02-20"]     # make-up working days (调休上班)
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Integer,
    String,
    UniqueConstraint,
    bindparam,
    select,
    update,
)
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, Session, mapped_column

from core import audit
from core.calendar import HOLIDAY_NAMES, Calendar, Notice
from core.clock import (
    Clock,
    DeadlineChange,
    WorkingDeadline,
    add_calendar_days,
    add_working_days,
    calendar_for,
    clock_of,
    utcnow,
    working_days_between,
)
from core.db import Scope
from core.db.base import Base, BigId, TenantScoped, UTCDateTime

log = structlog.get_logger(__name__)
EVENT_MOVED = "calendar.deadline.moved"


class HolidayNotice(Base):
    """One year's State Council arrangement (national: one row per year)."""

    __tablename__ = "holiday_notices"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    sample: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    off: Mapped[Any] = mapped_column(JSON, nullable=False)  # {"2027-02-05": "spring_festival", ...}
    work: Mapped[Any] = mapped_column(JSON, nullable=False)  # ["2027-01-31", ...]
    entered_by: Mapped[str] = mapped_column(String(100), nullable=False)
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)


class LocalHoliday(TenantScoped, Base):
    """A day off a tenant adds for itself and its subtree."""

    __tablename__ = "local_holidays"
    __table_args__ = (UniqueConstraint("tenant_id", "day", name="uq_local_holidays_tenant_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    day: Mapped[date] = mapped_column(Date, nullable=False)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    created_by: Mapped[str] = mapped_column(String(100), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)


# -- the file format --------------------------------------------------------------------------------------

class NoticeError(ValueError):
    """A notice that cannot be entered; the message names the field (Chinese first, then English)."""


def _days(values: Iterable[Any], where: str) -> list[date]:
    out: list[date] = []
    for v in values:
        text = str(v).strip()
        try:
            if ".." in text:
                a, b = (date.fromisoformat(x.strip()) for x in text.split("..", 1))
                if b < a:
                    raise ValueError
                out += [a + timedelta(days=i) for i in range((b - a).days + 1)]
            else:
                out.append(date.fromisoformat(text))
        except ValueError:
            raise NoticeError(f"{where}: 日期格式应为 YYYY-MM-DD 或 YYYY-MM-DD..YYYY-MM-DD / "
                              f"expected a date or a range of dates, got {text!r}") from None
    return out


def parse_notice(text: str) -> Notice:
    """A notice from the TOML import format (module docstring); raises NoticeError naming the field."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise NoticeError(f"file: 不是有效的 TOML / not valid TOML: {exc}") from None
    year = data.get("year")
    if not isinstance(year, int) or not 1901 <= year <= 2099:
        raise NoticeError("year: 年份须为 1901-2099 的整数 / year must be a whole number 1901-2099")
    title = str(data.get("title", "")).strip()
    if not title:
        raise NoticeError("title: 须填写通知标题 / the notice's title is required")
    off: dict[date, str] = {}
    work: set[date] = set()
    blocks = data.get("holiday", [])
    if not isinstance(blocks, list) or not blocks:
        raise NoticeError("holiday: 至少一个节日 / at least one [[holiday]] block is required")
    for i, block in enumerate(blocks):
        name = block.get("name", "")
        if name not in HOLIDAY_NAMES:
            raise NoticeError(f"holiday[{i}].name: 未知节日 / unknown holiday {name!r} "
                              f"(one of {', '.join(HOLIDAY_NAMES)})")
        for d in _days(block.get("off", []), f"holiday[{i}].off"):
            off[d] = name
        work.update(_days(block.get("work", []), f"holiday[{i}].work"))
    notice = Notice(year=year, off=off, work=frozenset(work), title=title, sample=bool(data.get("sample")))
    problems = notice.problems()
    if problems:
        raise NoticeError("holiday: " + "; ".join(problems))
    return notice


def dump_notice(notice: Notice) -> str:
    """The import format of a notice (one block per holiday, single days)."""
    lines = [f"year = {notice.year}", f"title = {_q(notice.title)}", f"sample = {str(notice.sample).lower()}"]
    names = sorted(set(notice.off.values()), key=list(HOLIDAY_NAMES).index)
    for name in names:
        days = sorted(d for d, k in notice.off.items() if k == name)
        lines += ["", "[[holiday]]", f"name = {_q(name)}",
                  "off = [" + ", ".join(_q(d.isoformat()) for d in days) + "]"]
    if notice.work:
        lines += ["", "[[holiday]]", 'name = "in_lieu"', "off = []",
                  "work = [" + ", ".join(_q(d.isoformat()) for d in sorted(notice.work)) + "]"]
    return "\n".join(lines) + "\n"


def _q(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


# -- loading --------------------------------------------------------------------------------------------

def _row_notice(row: HolidayNotice) -> Notice:
    return Notice(year=row.year, off={date.fromisoformat(k): v for k, v in (row.off or {}).items()},
                  work=frozenset(date.fromisoformat(d) for d in row.work or []), title=row.title,
                  sample=row.sample)


def load(session: Session, clock: Clock) -> None:
    """Read every notice and local holiday and put them in force on ``clock`` (system scope)."""
    try:
        with session.begin_nested():  # a database not migrated yet keeps the law and the package
            notices = [_row_notice(r) for r in session.scalars(select(HolidayNotice))]
            local: dict[str, dict[date, str]] = {}
            for r in session.execute(select(LocalHoliday.tenant_path, LocalHoliday.day, LocalHoliday.name)):
                local.setdefault(r.tenant_path, {})[r.day] = r.name
    except SQLAlchemyError as exc:
        log.warning("calendar.notices_unavailable", error=str(exc).splitlines()[0][:200])
        return
    clock.install(Calendar().with_notices(notices), local)


def notices(session: Session) -> list[HolidayNotice]:
    return list(session.scalars(select(HolidayNotice).order_by(HolidayNotice.year)))


# -- entering a notice ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Outcome:
    notice: Notice
    changes: list[DeadlineChange]
    applied: bool


def recount(session: Session, plugin: str, spec: WorkingDeadline, calendar: Calendar, years: Sequence[int],
            apply: bool) -> list[DeadlineChange]:
    """The open deadlines of one ``WorkingDeadline`` declaration that ``calendar`` moves; with ``apply``,
    written. Only rows started before the end of the notice's last year and due from the start of its
    first can have counted one of its days. One statement reads them; each distinct (tenant, start, due)
    is counted once; the moves are written by primary key in one executemany."""
    first, last = date(min(years), 1, 1), date(max(years), 12, 31)
    model = spec.due.class_
    if spec.unit == "calendar" and spec.days is None:
        raise ValueError(f"{plugin}: a calendar-day WorkingDeadline ({spec.kind}) needs its days column")
    cols = [model.id, model.tenant_id, model.tenant_path, spec.start, spec.due,
            spec.label if spec.label is not None else spec.start,
            spec.holder if spec.holder is not None else model.tenant_path,
            spec.days if spec.days is not None else model.id]
    stamp = isinstance(getattr(spec.start.type, "impl", spec.start.type), DateTime)  # a timestamp column
    started = (spec.start < datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
               if stamp else spec.start <= last)
    rows = session.execute(
        select(*cols).where(spec.open, spec.start.is_not(None), spec.due.is_not(None), started,
                            spec.due >= first).order_by(model.id)
    ).all()
    memo: dict[tuple[str, date, date, Any], date] = {}
    out: list[DeadlineChange] = []
    for row_id, tenant_id, path, start, due, label, holder, days in rows:
        start = start.date() if isinstance(start, datetime) else start
        key = (path, start, due, days if spec.days is not None else None)
        new = memo.get(key)
        if new is None:
            cal = calendar_for(None, path, base=calendar)
            if spec.days is None:
                n = working_days_between(start, due, calendar=calendar_for(None, path))
                new = add_working_days(start, n, calendar=cal)
            elif spec.unit == "working":
                new = add_working_days(start, int(days), calendar=cal)
            else:
                new = add_calendar_days(start, int(days), roll_to_working_day=True, calendar=cal)
            memo[key] = new
        if new != due:
            out.append(DeadlineChange(
                plugin=plugin, kind=spec.kind, ref=str(row_id), tenant_id=tenant_id, tenant_path=path,
                old=due, new=new, label=str(label if spec.label is not None else row_id),
                holder=str(holder) if spec.holder is not None else ""))
    if apply and out:
        # Core executemany by primary key; a versioned row's version moves too, so a form opened on the old
        # deadline is refused as stale rather than written over it.
        table = model.__table__
        values: dict[str, Any] = {spec.due.expression.name: bindparam("_new")}
        if "version" in table.c:
            values["version"] = table.c.version + 1
        session.execute(update(table).where(table.c.id == bindparam("_id")).values(values),
                        [{"_id": int(c.ref), "_new": c.new} for c in out])
    return out


def _changes(platform: Any, session: Session, calendar: Calendar, years: Sequence[int], apply: bool
             ) -> list[DeadlineChange]:
    results = platform.registry.pm.hook.govhall_deadlines_on_calendar(
        calendar=calendar, years=list(years), session=session, apply=apply)
    for plugin, specs in platform.registry.declared("govhall_working_deadlines").items():
        results.extend(recount(session, plugin, spec, calendar, years, apply) for spec in specs)
    out = [c for batch in results for c in (batch or []) if c.old != c.new]
    return sorted(out, key=lambda c: (c.tenant_path, c.plugin, c.kind, c.ref))


def preview(platform: Any, notice: Notice) -> list[DeadlineChange]:
    """The open deadlines entering ``notice`` would move (nothing is written)."""
    new = clock_of(platform).calendar.with_notices([notice])
    with platform.db.session(Scope.system()) as s:
        changes = _changes(platform, s, new, [notice.year], apply=False)
        s.rollback()
    return changes


def enter(platform: Any, notice: Notice, *, actor: str, apply: bool = True) -> Outcome:
    """Store ``notice`` and recompute the open deadlines it moves, in one audited transaction; then put
    the new calendar in force. With ``apply=False`` only list them (``preview``)."""
    problems = notice.problems()
    if problems:
        raise NoticeError("holiday: " + "; ".join(problems))
    if not apply:
        return Outcome(notice, preview(platform, notice), applied=False)
    from core.events import publish
    from core.tenancy.directory import bump_version

    clock = clock_of(platform)
    new = clock.calendar.with_notices([notice])
    directory = platform.directory  # read (and reloaded if stale) before a connection is held
    with platform.db.session(Scope.system()) as s:
        row = s.get(HolidayNotice, notice.year, with_for_update=True)
        values = {"title": notice.title[:300], "sample": notice.sample,
                  "off": {d.isoformat(): k for d, k in sorted(notice.off.items())},
                  "work": [d.isoformat() for d in sorted(notice.work)],
                  "entered_by": actor[:100], "entered_at": utcnow()}
        if row is None:
            s.add(HolidayNotice(year=notice.year, version=1, **values))
        else:
            for k, v in values.items():
                setattr(row, k, v)
            row.version += 1
        s.flush()
        changes = _changes(platform, s, new, [notice.year], apply=True)
        audit.record(s, actor=actor, action="calendar.notice.entered", target=f"holiday_notice:{notice.year}",
                     details={"year": notice.year, "title": notice.title, "sample": notice.sample,
                              "days_off": len(notice.off), "make_up_days": len(notice.work),
                              "deadlines_moved": len(changes),
                              "moved": [c.as_dict() for c in changes[:200]]})
        for c in changes:
            tenant = directory.by_id.get(c.tenant_id)
            if tenant is not None:
                publish(s, tenant=tenant, type=EVENT_MOVED, payload={**c.as_dict(), "year": notice.year},
                        actor=actor)
        bump_version(s)
        s.commit()
    clock.install(new)
    log.info("calendar.notice_entered", year=notice.year, moved=len(changes), actor=actor)
    return Outcome(notice, changes, applied=True)


def add_local_holiday(platform: Any, tenant: Any, day: date, name: str, *, actor: str) -> None:
    """Add a local holiday for ``tenant`` and its subtree (national days off cannot be removed)."""
    from core.tenancy.directory import bump_version

    if not name.strip():
        raise NoticeError("name: 须填写假日名称 / the holiday's name is required")
    with platform.db.session(Scope.tenant(tenant.id, tenant.path)) as s:
        exists = s.scalar(select(LocalHoliday.id).where(LocalHoliday.tenant_id == tenant.id,
                                                        LocalHoliday.day == day))
        if exists is None:
            s.add(LocalHoliday(tenant_id=tenant.id, tenant_path=tenant.path, day=day, name=name[:100],
                               created_by=actor[:100], created_at=utcnow()))
            audit.record(s, actor=actor, action="calendar.local_holiday.added", tenant=tenant,
                         target=f"local_holiday:{day.isoformat()}", details={"day": day, "name": name})
        s.flush()
        bump_version(s)
        s.commit()
    with platform.db.session(Scope.system()) as s:
        load(s, clock_of(platform))


# -- warnings -------------------------------------------------------------------------------------------

WARN_NEXT_YEAR_FROM = (10, 1)  # from 1 October, deadlines of 60 working days reach into next year


def missing_notice_years(platform: Any = None, today: date | None = None) -> list[int]:
    """This year (and, from 1 October, next year) where no notice, entered or packaged, is in force: their
    deadlines are counted on the law's holidays and weekends only (provisional)."""
    from core.clock import today as _today

    day = today or _today(platform)
    cal = clock_of(platform).calendar
    years = [day.year] + ([day.year + 1] if (day.month, day.day) >= WARN_NEXT_YEAR_FROM else [])
    return [y for y in years if cal.provisional(y)]


def warning_parts(years: Sequence[int]) -> tuple[str, str]:
    """The warning for years without a notice, in Chinese and in English."""
    ys = "、".join(str(y) for y in years)
    en = ", ".join(str(y) for y in years)
    return (f"{ys} 年尚未录入国务院节假日安排通知：期限暂按法定节假日（含补假）和周末计算，为临时结果。",
            f"No State Council holiday notice entered for {en}: deadlines count the statutory holidays "
            f"(with days off in lieu) and weekends only (provisional).")


def warning_text(years: Sequence[int], lang: str | None = None) -> str:
    """The warning in ``lang`` (zh-CN or en), or both, Chinese first, when None (the CLI)."""
    zh, en = warning_parts(years)
    if lang is None:
        return f"{zh} / {en}"
    return zh if lang == "zh-CN" else en
