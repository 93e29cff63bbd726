"""Working days over China's statutory holidays and make-up working days (调休), for time limits.

Three sources, in this order of precedence, decide a year (``Calendar.source(year)``):

1. ``notice`` — a State Council holiday notice entered as data (``core_holiday_notices``: the console page
   or ``govhall calendar import``), holding the year's days off and make-up working days;
2. ``package`` — the ``chinesecalendar`` package (module ``chinese_calendar``), which carries the notices
   of the years it was released for;
3. ``law`` — the national holiday measures (全国年节及纪念日放假办法) alone: the statutory holidays (13 days
   since the 2024 revision, in force from 2025: New Year's Day, the Spring Festival's eve and first three
   days, Qingming, 1-2 May, the Dragon Boat and Mid-Autumn festivals, 1-3 October), the lunar ones from
   ``lunardate`` and Qingming from the solar terms, plus the weekday off the measures give for a holiday
   that falls on a weekend (补假), plus weekends. Such a year is *provisional*: the notice may add bridging
   days off and make-up working weekends, and pages say so.

A tenant may add local holidays (``Calendar.with_local``); it cannot remove national ones. New Year's Day
is never a working day, whatever the source says.

Counting convention (statutory limits run from the day after the act): ``workdays_between(a, b)`` counts
working days in the half-open interval (a, b]; ``add_workdays(a, n)`` is the day b with
``workdays_between(a, b) == n``. Each year is compiled once into a bitmap and a running count, so a
count across years is a few look-ups and adding 20 working days is a short loop over set-free bytes.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Literal

import chinese_calendar
import structlog

log = structlog.get_logger(__name__)

Source = Literal["notice", "package", "law"]
_ONE = timedelta(days=1)
_warned: set[int] = set()
_warned_lock = threading.Lock()

#: The statutory holidays by key: (Chinese name, English name).
HOLIDAY_NAMES: dict[str, tuple[str, str]] = {
    "new_year": ("元旦", "New Year's Day"),
    "spring_festival": ("春节", "Spring Festival"),
    "qingming": ("清明节", "Qingming Festival"),
    "labour_day": ("劳动节", "Labour Day"),
    "dragon_boat": ("端午节", "Dragon Boat Festival"),
    "mid_autumn": ("中秋节", "Mid-Autumn Festival"),
    "national_day": ("国庆节", "National Day"),
    "in_lieu": ("补假", "Day off in lieu"),
    "local": ("地方假日", "Local holiday"),
}
_LAW_FIRST, _LAW_LAST = 1901, 2099  # lunardate's range


def _day(value: date) -> date:
    return value.date() if isinstance(value, datetime) else value


# -- the law --------------------------------------------------------------------------------------------

def _qingming(year: int) -> date:
    for day, name in chinese_calendar.get_solar_terms(date(year, 4, 1), date(year, 4, 30)):
        if name == "清明":
            return day
    return date(year, 4, 5)  # pragma: no cover - the solar terms always have it


def statutory_holidays(year: int) -> dict[date, str]:
    """The statutory holidays of ``year`` by the holiday measures: {day: holiday key}.

    Since 2025 (the 2024 revision) 13 days; 11 before (no Spring Festival's eve, one day in May)."""
    if not _LAW_FIRST <= year <= _LAW_LAST:
        raise ValueError(f"year {year} is outside {_LAW_FIRST}-{_LAW_LAST}")
    from lunardate import LunarDate  # imported when a year needs the law (no notice covers it)

    new_year = LunarDate(year, 1, 1).to_solar_date()
    out: dict[date, str] = {date(year, 1, 1): "new_year"}
    first = 0 if year < 2025 else -1  # the 2024 revision adds the eve (除夕)
    for i in range(first, 3):
        out[new_year + timedelta(days=i)] = "spring_festival"
    out[_qingming(year)] = "qingming"
    out[date(year, 5, 1)] = "labour_day"
    if year >= 2025:
        out[date(year, 5, 2)] = "labour_day"
    out[LunarDate(year, 5, 5).to_solar_date()] = "dragon_boat"
    out[LunarDate(year, 8, 15).to_solar_date()] = "mid_autumn"
    for d in (1, 2, 3):
        out[date(year, 10, d)] = "national_day"
    return out


def law_days_off(year: int) -> dict[date, str]:
    """The days off of ``year`` by the law alone: the statutory holidays (in ``year``) plus, for each one
    that falls on a weekend, a weekday off in lieu right after its festival (the measures, art. 3)."""
    holidays = statutory_holidays(year)
    out = dict(holidays)
    by_name: dict[str, list[date]] = {}
    for day, key in sorted(holidays.items()):
        by_name.setdefault(key, []).append(day)
    for days in by_name.values():
        owed = sum(1 for d in days if d.weekday() >= 5)
        day = max(days)
        while owed:
            day += _ONE
            if day.weekday() < 5 and day not in out:
                out[day] = "in_lieu"
                owed -= 1
    return out


# -- notices --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Notice:
    """A year's arrangement: the days off (holidays and bridging days) and the make-up working days."""

    year: int
    off: Mapping[date, str]
    work: frozenset[date] = frozenset()
    title: str = ""
    sample: bool = False

    def problems(self) -> list[str]:
        """What is wrong with the notice, as sentences naming the day (empty when it is consistent)."""
        out = [f"{d.isoformat()} is not in {self.year}" for d in sorted({*self.off, *self.work})
               if d.year != self.year]
        out += [f"{d.isoformat()} is both a day off and a make-up working day" for d in sorted(self.work)
                if d in self.off]
        if _LAW_FIRST <= self.year <= _LAW_LAST:
            law = statutory_holidays(self.year)
            out += [f"{d.isoformat()} is a statutory holiday ({HOLIDAY_NAMES[k][1]}) and cannot be worked"
                    for d, k in sorted(law.items()) if d in self.work]
        return out


@functools.lru_cache(maxsize=256)
def package_notice(year: int) -> Notice | None:
    """The notice the ``chinesecalendar`` package carries for ``year`` (None when it has none)."""
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return None
    names = {h.value[0]: k for k, h in (
        ("new_year", chinese_calendar.Holiday.new_years_day),
        ("spring_festival", chinese_calendar.Holiday.spring_festival),
        ("qingming", chinese_calendar.Holiday.tomb_sweeping_day),
        ("labour_day", chinese_calendar.Holiday.labour_day),
        ("dragon_boat", chinese_calendar.Holiday.dragon_boat_festival),
        ("mid_autumn", chinese_calendar.Holiday.mid_autumn_festival),
        ("national_day", chinese_calendar.Holiday.national_day),
    )}
    off = {d: names.get(str(v), "in_lieu") for d, v in chinese_calendar.holidays.items() if d.year == year}
    work = frozenset(d for d in chinese_calendar.workdays if d.year == year)
    return Notice(year=year, off=off, work=work, title=f"chinesecalendar {chinese_calendar.__version__}")


# -- the compiled calendar ------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Year:
    first: date
    source: Source
    working: bytes  # one byte per day of the year: 1 working, 0 not
    before: tuple[int, ...]  # before[i] = working days among the first i days of the year
    off: Mapping[date, str]
    work: frozenset[date]

    @property
    def total(self) -> int:
        return self.before[-1]


@dataclass(frozen=True)
class Calendar:
    """An immutable calendar: law + package + entered notices (+ a tenant's local holidays).

    Build a new one to change it (``with_notices``, ``with_local``); the clock installs it."""

    notices: Mapping[int, Notice] = field(default_factory=dict)
    local: Mapping[date, str] = field(default_factory=dict)
    _years: dict[int, _Year] = field(default_factory=dict, compare=False, repr=False)

    # -- building ---------------------------------------------------------------------------------------

    def with_notices(self, notices: Iterable[Notice]) -> Calendar:
        merged = dict(self.notices)
        merged.update({n.year: n for n in notices})
        return Calendar(notices=merged, local=self.local)

    def with_local(self, days: Mapping[date, str]) -> Calendar:
        """This calendar plus local holidays (days off added by a tenant; national days stay off)."""
        if not days:
            return self
        return Calendar(notices=self.notices, local={**self.local, **days})

    def source(self, year: int) -> Source:
        if year in self.notices:
            return "notice"
        if package_notice(year) is not None:
            return "package"
        return "law"

    def provisional(self, year: int) -> bool:
        """True when no notice covers ``year``: only the law's holidays and weekends are counted."""
        return self.source(year) == "law"

    def days_off(self, year: int) -> dict[date, str]:
        """The days off of ``year`` other than ordinary weekends: {day: holiday key}."""
        y = self._year(year)
        return dict(sorted(y.off.items()))

    def make_up_days(self, year: int) -> list[date]:
        return sorted(self._year(year).work)

    def _year(self, year: int) -> _Year:
        y = self._years.get(year)
        if y is None:
            y = self._compile(year)
            self._years[year] = y  # a benign race: two threads compile the same immutable value
        return y

    def _compile(self, year: int) -> _Year:
        source = self.source(year)
        if source == "law":
            _warn_once(year)
        notice = self.notices.get(year) if source == "notice" else package_notice(year)
        if notice is None:
            off: dict[date, str] = law_days_off(year) if _LAW_FIRST <= year <= _LAW_LAST else {}
            work: frozenset[date] = frozenset()
        else:
            off, work = dict(notice.off), notice.work
            if _LAW_FIRST <= year <= _LAW_LAST:  # the law's holidays stay off whatever a notice says
                for d, k in statutory_holidays(year).items():
                    off.setdefault(d, k)
                work = frozenset(work - set(off))
        off[date(year, 1, 1)] = "new_year"
        for d, k in self.local.items():
            if d.year == year:
                off.setdefault(d, k)
                work = work - {d}
        first = date(year, 1, 1)
        n = (date(year + 1, 1, 1) - first).days
        flags = bytearray(n)
        before = [0] * (n + 1)
        day = first
        for i in range(n):
            flags[i] = 1 if day in work or (day.weekday() < 5 and day not in off) else 0
            before[i + 1] = before[i] + flags[i]
            day += _ONE
        return _Year(first=first, source=source, working=bytes(flags), before=tuple(before), off=off,
                     work=work)

    # -- counting ---------------------------------------------------------------------------------------

    def is_workday(self, day: date) -> bool:
        day = _day(day)
        y = self._year(day.year)
        return bool(y.working[(day - y.first).days])

    def _prefix(self, day: date, base_year: int) -> int:
        """Working days from 1 January of ``base_year`` up to and including ``day``."""
        y = self._year(day.year)
        count = y.before[(day - y.first).days + 1]
        for year in range(base_year, day.year):
            count += self._year(year).total
        return count

    def workdays_between(self, a: date, b: date) -> int:
        """Working days after ``a`` up to and including ``b``; negative when ``b`` is before ``a``."""
        a, b = _day(a), _day(b)
        if b < a:
            return -self.workdays_between(b, a)
        if a.year == b.year:
            y = self._year(a.year)
            return y.before[(b - y.first).days + 1] - y.before[(a - y.first).days + 1]
        return self._prefix(b, a.year) - self._prefix(a, a.year)

    def add_workdays(self, start: date, n: int) -> date:
        """The n-th working day after ``start`` (before it, for negative n); ``start`` itself for n == 0."""
        day = _day(start)
        step = 1 if n >= 0 else -1
        remaining = abs(n)
        y = self._year(day.year)
        i = (day - y.first).days
        while remaining:
            i += step
            if i < 0 or i >= len(y.working):
                day = y.first + timedelta(days=i)
                y = self._year(day.year)
                i = (day - y.first).days
            if y.working[i]:
                remaining -= 1
        return y.first + timedelta(days=i)

    def add_calendar_days(self, start: date, n: int, *, roll_to_working_day: bool = False) -> date:
        end = _day(start) + timedelta(days=n)
        if roll_to_working_day:
            while not self.is_workday(end):
                end += _ONE
        return end


def _warn_once(year: int) -> None:
    with _warned_lock:
        if year in _warned:
            return
        _warned.add(year)
    log.warning("calendar.no_holiday_data", year=year, provisional=True,
                todo=f"enter the State Council's {year} holiday notice (`govhall calendar import FILE` or "
                     f"the console's calendar page) once it is published; until then {year} counts the "
                     f"statutory holidays and weekends only")


# -- the installed calendar (module functions, kept for callers without a platform) ---------------------

_current = Calendar()


def current() -> Calendar:
    """The calendar in force in this process (law + package + the notices the platform loaded)."""
    return _current


def install(calendar: Calendar) -> None:
    """Put ``calendar`` in force for this process (the clock does it when notices are loaded)."""
    global _current
    _current = calendar


def has_data(year: int) -> bool:
    """Whether a notice (entered or packaged) covers ``year``."""
    return not _current.provisional(year)


def is_workday(day: date) -> bool:
    """True on a working day: Monday to Friday unless a holiday, plus make-up working days."""
    return _current.is_workday(day)


def add_workdays(start: date, n: int) -> date:
    return _current.add_workdays(start, n)


def workdays_between(a: date, b: date) -> int:
    return _current.workdays_between(a, b)


def workdays_remaining(deadline: date, today: date) -> int:
    """Working days left until ``deadline`` as seen on ``today``: 0 when due today (or on the last
    non-working days before it is due), negative when overdue (by that many working days)."""
    return _current.workdays_between(today, deadline)
