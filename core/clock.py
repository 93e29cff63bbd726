"""The legal clock: today for a tenant, and statutory periods in working or calendar days.

The one place the platform reads the time and counts periods. Its public names are re-exported by
``core.api`` and are a contract: keep them stable.

- **Today is injectable.** ``platform.clock`` is a ``Clock``; ``today(platform)`` and ``now(platform)``
  ask it. Tests and the demo call ``platform.clock.set(date(2026, 12, 20))`` (no monkeypatching);
  ``set(None)`` returns to real time. Without a platform the real time is used.
- **Periods.** ``add_working_days``, ``working_days_between``, ``add_calendar_days`` count over the
  calendar in force (``core.calendar``: law + package + entered notices); pass ``calendar=`` to count
  over another one (a tenant's, with its local holidays: ``calendar_for(platform, tenant)``; or the
  calendar a new notice would make, when recomputing deadlines). ``Period`` is a small value a plugin
  can store (``to_dict``/``from_dict``): start, unit, days, legal basis, pauses, extensions -> deadline.

Counting convention (statutory limits run from the day after the act): ``working_days_between(a, b)``
counts working days in the half-open interval (a, b]; ``add_working_days(a, n)`` is the day b with
``working_days_between(a, b) == n``.
"""

from __future__ import annotations

import threading
from calendar import monthrange as _monthrange
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from core import calendar as _calendar
from core.calendar import Calendar

DEFAULT_ZONE = "Asia/Shanghai"
Unit = Literal["working", "calendar"]
#: Why a period stops running (the clock does not run while the applicant or a third party acts).
PAUSE_KINDS: dict[str, tuple[str, str]] = {
    "suspension": ("中止", "Suspension"),
    "correction": ("补正", "Correction"),
    "consultation": ("征求意见", "Third-party consultation"),
    "expert_review": ("专家评审", "Expert review"),
    "hearing": ("听证", "Hearing"),
    "inspection": ("检验检测", "Inspection or testing"),
}


def utcnow() -> datetime:
    """The real current instant, aware, in UTC (stored timestamps: ``core.db.utcnow`` delegates here)."""
    return datetime.now(UTC)


class Clock:
    """Today and now for one platform, and the calendar it counts on.

    Real time unless ``set``: then a fixed instant (a date means noon of that day in the halls' zone),
    which ``advance`` moves. Thread-safe enough for tests and the demo: setting is one assignment."""

    def __init__(self, zone_name: str = DEFAULT_ZONE) -> None:
        self.zone = ZoneInfo(zone_name)
        self._fixed: datetime | None = None
        self._calendar: Calendar | None = None
        self._local: dict[str, dict[date, str]] = {}  # tenant path -> its own local holidays
        self._by_path: dict[str, Calendar] = {}
        self._lock = threading.Lock()

    # -- time -------------------------------------------------------------------------------------------

    def now(self) -> datetime:
        return self._fixed if self._fixed is not None else utcnow()

    def today(self) -> date:
        return self.now().astimezone(self.zone).date()

    def set(self, when: date | datetime | None) -> None:
        """Fix the clock at ``when`` (a date: noon there) or, with None, return to real time."""
        if when is None:
            self._fixed = None
        elif isinstance(when, datetime):
            self._fixed = when if when.tzinfo else when.replace(tzinfo=UTC)
        else:
            self._fixed = datetime.combine(when, time(12), self.zone).astimezone(UTC)

    def advance(self, days: int = 0, **delta: float) -> None:
        """Move a fixed clock on (``advance(3)``, ``advance(hours=2)``); fixes it first if it runs."""
        self._fixed = self.now() + timedelta(days=days, **delta)

    @property
    def fixed(self) -> bool:
        return self._fixed is not None

    # -- calendar ---------------------------------------------------------------------------------------

    @property
    def calendar(self) -> Calendar:
        return self._calendar if self._calendar is not None else _calendar.current()

    def install(self, calendar: Calendar, local: Mapping[str, Mapping[date, str]] | None = None) -> None:
        """Put a calendar (and the tenants' local holidays, by tenant path) in force, for this platform
        and for callers of this process that count without one."""
        with self._lock:
            self._calendar = calendar
            if local is not None:
                self._local = {p: dict(d) for p, d in local.items()}
            self._by_path = {}
        _calendar.install(calendar)

    def local_days(self, path: str) -> dict[date, str]:
        """Local holidays in force at the tenant with this path (its own and its ancestors')."""
        parts = path.split("/") if path else []
        days: dict[date, str] = {}
        for i in range(1, len(parts) + 1):
            days.update(self._local.get("/".join(parts[:i]), {}))
        return days

    def calendar_for(self, tenant: Any = None, base: Calendar | None = None) -> Calendar:
        """The calendar of a tenant: the national one (or ``base``, e.g. the one a new notice makes) plus
        the local holidays of the tenant and its ancestors."""
        path = str(getattr(tenant, "path", tenant if isinstance(tenant, str) else "") or "")
        if base is not None:
            return base.with_local(self.local_days(path)) if self._local else base
        if not path or not self._local:
            return self.calendar
        cal = self._by_path.get(path)
        if cal is None:
            cal = self.calendar.with_local(self.local_days(path))
            self._by_path[path] = cal
        return cal


_real_clock = Clock()
_process_clock: Clock = _real_clock


def use(clock: Clock | None) -> None:
    """Make ``clock`` the process's clock for callers without a platform (``Platform.start`` does it
    with its own; None returns to real time)."""
    global _process_clock
    _process_clock = clock if clock is not None else _real_clock


def clock_of(platform: Any = None) -> Clock:
    """The platform's clock; without a platform, the process's (the started platform's, else real time)."""
    c = getattr(platform, "clock", None) if platform is not None else None
    return c if isinstance(c, Clock) else _process_clock


def zone(platform: Any = None) -> ZoneInfo:
    """The time zone the halls live in (the ``timezone`` setting)."""
    name = DEFAULT_ZONE
    if platform is not None:
        name = platform.settings["timezone"]
    return ZoneInfo(name)


def now(platform: Any = None) -> datetime:
    """The current instant, aware, in UTC (stored times are UTC); the platform's clock decides."""
    return clock_of(platform).now()


def today(platform: Any = None, tenant: Any = None) -> date:
    """Today where the halls are (not the server's date), by the platform's clock."""
    if platform is None:
        return clock_of(None).today()
    return now(platform).astimezone(zone(platform)).date()


def local_date(platform: Any, at: datetime) -> date:
    """The day in the halls' zone on which ``at`` happened (naive values are UTC, as SQLite returns)."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(zone(platform)).date()


def calendar_for(platform: Any = None, tenant: Any = None, base: Calendar | None = None) -> Calendar:
    """The calendar a tenant (a TenantRef or a tenant path) counts on: national notices (or ``base``)
    plus its local holidays."""
    return clock_of(platform).calendar_for(tenant, base)


def _cal(calendar: Calendar | None) -> Calendar:
    return calendar if calendar is not None else _calendar.current()


def is_working_day(day: date, calendar: Calendar | None = None) -> bool:
    return _cal(calendar).is_workday(day)


def add_working_days(start: date, n: int, calendar: Calendar | None = None) -> date:
    """The n-th working day after ``start``."""
    return _cal(calendar).add_workdays(start, n)


def working_days_between(a: date, b: date, calendar: Calendar | None = None) -> int:
    """Working days after ``a`` up to and including ``b`` (negative when ``b`` is before ``a``)."""
    return _cal(calendar).workdays_between(a, b)


def add_calendar_days(start: date, n: int, *, roll_to_working_day: bool = False,
                      calendar: Calendar | None = None) -> date:
    """``n`` calendar days after ``start``; with ``roll_to_working_day`` a last day that falls on a
    holiday or weekend moves to the next working day (where the law says so)."""
    return _cal(calendar).add_calendar_days(start, n, roll_to_working_day=roll_to_working_day)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (earlier, when negative), clamped to the month's end (31 January +
    1 month = 28/29 February): validity periods and month-based terms."""
    total = day.month - 1 + months
    year, month = day.year + total // 12, total % 12 + 1
    return date(year, month, min(day.day, _monthrange(year, month)[1]))


def days_before(day: date, n: int) -> date:
    """The calendar day ``n`` days before ``day`` (look-back windows, not deadlines)."""
    return day - timedelta(days=n)


def remaining(today: date, due: date, calendar: Calendar | None = None) -> int:
    """Working days left until ``due`` as seen on ``today`` (0 when due today, negative when overdue)."""
    return _cal(calendar).workdays_between(today, due)


def latest_start_over(today: date, n: int, calendar: Calendar | None = None) -> date:
    """The latest day X with more than ``n`` working days between X and ``today`` (the boundary of a
    "started more than n working days ago" filter)."""
    cal = _cal(calendar)
    x = cal.add_workdays(today, -n) - timedelta(days=1)
    while cal.workdays_between(x, today) <= n:
        x -= timedelta(days=1)
    return x


def tighten(statutory: int, promised: int | None, field_name: str = "days") -> int:
    """A tenant's promised period: shorter than or equal to the statutory one, never longer.

    Raises ``ValueError`` naming the field when ``promised`` is longer or not positive."""
    if promised is None:
        return statutory
    if promised < 1:
        raise ValueError(f"{field_name}: 时限须为正数 / must be at least 1 (got {promised})")
    if promised > statutory:
        raise ValueError(f"{field_name}: 承诺时限不得长于法定时限 {statutory} 天 / may not be longer "
                         f"than the statutory {statutory} days (got {promised})")
    return promised


@dataclass(frozen=True)
class DeadlineChange:
    """An open deadline a new calendar moves (``govhall_deadlines_on_calendar``): which plugin's what,
    in which tenant, from ``old`` to ``new``, and who holds it (an account name or department code)."""

    plugin: str
    kind: str
    ref: str
    tenant_id: int
    tenant_path: str
    old: date
    new: date
    label: str = ""
    holder: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"plugin": self.plugin, "kind": self.kind, "ref": self.ref, "tenant_id": self.tenant_id,
                "tenant_path": self.tenant_path, "old": self.old.isoformat(), "new": self.new.isoformat(),
                "label": self.label, "holder": self.holder}


@dataclass(frozen=True)
class WorkingDeadline:
    """A deadline a plugin stores as a date counted in working days from a stored start date
    (``govhall_working_deadlines``). When a holiday notice is entered the core recounts every open one on
    the new calendar: the working days the old calendar counted from ``start`` to ``due`` are counted again
    from ``start`` on the new one (so pauses and extensions already folded into ``due`` are kept), and
    each moved deadline is listed, audited and announced like approval's.

    ``start`` and ``due`` are mapped ``Date`` columns of one tenant-scoped model; ``open`` is the SQL
    condition of the rows whose deadline still runs (a closed row's deadline is history and never moves);
    ``label`` and ``holder`` optional columns shown in the preview (a number, a department code).

    Where the row keeps its period (``days``, a column), the due date is computed afresh from it instead:
    ``unit="working"`` counts working days, ``unit="calendar"`` calendar days with a last day on a holiday
    rolled to the next working day (the only way a calendar-day limit moves with a notice)."""

    kind: str
    start: Any
    due: Any
    open: Any
    label: Any = None
    holder: Any = None
    days: Any = None
    unit: Unit = "working"


def within_statutory(statutory: int, basis: str = "") -> Any:
    """A ``SettingSpec(check=...)`` for a per-tenant period setting: a tenant may tighten the statutory
    period (1..``statutory`` days), never lengthen it; the error names the legal basis when given."""

    def check(value: Any) -> str | None:
        try:
            tighten(statutory, int(value), "value")
        except (TypeError, ValueError) as exc:
            return f"{exc}{f' ({basis})' if basis else ''}"
        return None

    return check


# -- periods ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Pause:
    """A span during which the period does not run: from ``start`` (the act) to ``end`` (the resumption;
    None while it lasts). The days after ``start`` up to and including ``end`` are not counted."""

    kind: str
    start: date
    end: date | None = None
    reason: str = ""


@dataclass(frozen=True)
class Extension:
    """A recorded extension: ``days`` more, approved by ``approved_by`` on ``on``."""

    days: int
    approved_by: str
    on: date
    reason: str = ""


@dataclass(frozen=True)
class Period:
    """A statutory period: ``days`` working (or calendar) days from ``start``, on a ``basis`` (a short
    legal-basis string pages show, e.g. "《行政许可法》第四十二条"), with pauses and extensions.

    Immutable: ``pause``, ``resume`` and ``extend`` return a new period. ``deadline`` is the last day."""

    start: date
    days: int
    unit: Unit = "working"
    basis: str = ""
    roll_to_working_day: bool = False
    pauses: tuple[Pause, ...] = ()
    extensions: tuple[Extension, ...] = ()

    def __post_init__(self) -> None:
        if self.unit not in ("working", "calendar"):
            raise ValueError(f"unit: must be working or calendar (got {self.unit!r})")
        if self.days < 0:
            raise ValueError(f"days: must not be negative (got {self.days})")

    @property
    def paused(self) -> Pause | None:
        """The pause that is running (None when the period runs)."""
        return next((p for p in self.pauses if p.end is None), None)

    def pause(self, kind: str, on: date, reason: str = "") -> Period:
        if kind not in PAUSE_KINDS:
            raise ValueError(f"kind: unknown pause {kind!r} (one of {', '.join(PAUSE_KINDS)})")
        if self.paused is not None:
            raise ValueError("kind: the period is already paused")
        if on < self.start:
            raise ValueError(f"on: {on} is before the period started ({self.start})")
        return replace(self, pauses=(*self.pauses, Pause(kind, on, None, reason)))

    def resume(self, on: date) -> Period:
        current = self.paused
        if current is None:
            raise ValueError("on: the period is not paused")
        if on < current.start:
            raise ValueError(f"on: {on} is before the pause started ({current.start})")
        pauses = tuple(replace(p, end=on) if p is current else p for p in self.pauses)
        return replace(self, pauses=pauses)

    def extend(self, days: int, approved_by: str, on: date, reason: str = "") -> Period:
        if days < 1:
            raise ValueError(f"days: an extension adds at least one day (got {days})")
        if not approved_by.strip():
            raise ValueError("approved_by: an extension names who approved it")
        return replace(self, extensions=(*self.extensions, Extension(days, approved_by, on, reason)))

    @property
    def extension_days(self) -> int:
        return sum(e.days for e in self.extensions)

    def _span(self, a: date, b: date, cal: Calendar) -> int:
        return cal.workdays_between(a, b) if self.unit == "working" else (b - a).days

    def paused_days(self, as_of: date | None = None, calendar: Calendar | None = None) -> int:
        """Days (in the period's unit) the pauses took; a running pause counts up to ``as_of``."""
        cal = _cal(calendar)
        total = 0
        for p in self.pauses:
            end = p.end if p.end is not None else as_of
            if end is not None and end > p.start:
                total += self._span(p.start, end, cal)
        return total

    def deadline(self, as_of: date | None = None, calendar: Calendar | None = None) -> date:
        """The last day of the period (a running pause is counted up to ``as_of``, if given)."""
        cal = _cal(calendar)
        n = self.days + self.extension_days + self.paused_days(as_of, cal)
        if self.unit == "working":
            return cal.add_workdays(self.start, n)
        return cal.add_calendar_days(self.start, n, roll_to_working_day=self.roll_to_working_day)

    def remaining(self, today: date, calendar: Calendar | None = None) -> int:
        """Days left on ``today`` (negative when overdue); while paused, what was left when it paused."""
        cal = _cal(calendar)
        current = self.paused
        seen = current.start if current is not None else today
        due = self.deadline(seen, cal)
        return self._span(seen, due, cal)

    def used(self, today: date, calendar: Calendar | None = None) -> int:
        """Days of the period used by ``today`` (pauses excluded)."""
        cal = _cal(calendar)
        return self._span(self.start, today, cal) - self.paused_days(today, cal)

    # -- storage ----------------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat(), "days": self.days, "unit": self.unit, "basis": self.basis,
            "roll_to_working_day": self.roll_to_working_day,
            "pauses": [{"kind": p.kind, "start": p.start.isoformat(),
                        "end": p.end.isoformat() if p.end else None, "reason": p.reason}
                       for p in self.pauses],
            "extensions": [{"days": e.days, "approved_by": e.approved_by, "on": e.on.isoformat(),
                            "reason": e.reason} for e in self.extensions],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Period:
        d = date.fromisoformat
        return cls(
            start=d(data["start"]), days=int(data["days"]), unit=data.get("unit", "working"),
            basis=data.get("basis", ""), roll_to_working_day=bool(data.get("roll_to_working_day")),
            pauses=tuple(Pause(p["kind"], d(p["start"]), d(p["end"]) if p.get("end") else None,
                               p.get("reason", "")) for p in data.get("pauses", ())),
            extensions=tuple(Extension(int(e["days"]), e["approved_by"], d(e["on"]), e.get("reason", ""))
                             for e in data.get("extensions", ())),
        )


__all__ = [
    "DEFAULT_ZONE", "PAUSE_KINDS", "Calendar", "Clock", "DeadlineChange", "Extension", "Pause", "Period",
    "add_calendar_days", "add_months", "add_working_days", "calendar_for", "clock_of", "days_before",
    "is_working_day", "latest_start_over", "local_date", "now", "remaining", "tighten", "today", "utcnow",
    "within_statutory", "working_days_between", "zone",
]
