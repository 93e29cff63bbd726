"""The legal clock's cost (issue #12): adding 20 working days and counting working days between two
dates across a year boundary, against the previous implementation (a day-by-day walk asking
``chinese_calendar.is_workday``, Monday-Friday past the package's data) in the same run. These run once
per transition and once per scanned row, so they must stay in microseconds.

    python bench/bench_clock.py            # ~20 s on an idle machine; prints a Markdown table

Timings per call use perf_counter_ns around batches of 100 calls over 2,000 start dates spread over
2026-2027 (both a packaged year and a law-only year), medians and p99 of the per-call batch means (the
previous implementation: the first 200 dates, batches of 10).
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import chinese_calendar  # noqa: E402

from core.calendar import Calendar  # noqa: E402
from core.clock import Period  # noqa: E402

_ONE = timedelta(days=1)
OLD_SAMPLE = 200  # the previous implementation is ~1000x slower: a tenth of the dates keeps the run short


def _old_is_workday(day: date) -> bool:  # core.calendar before issue #12
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5


def _old_add(start: date, n: int) -> date:
    day = start
    while n:
        day += _ONE
        if _old_is_workday(day):
            n -= 1
    return day


def _old_between(a: date, b: date) -> int:
    count, day = 0, a
    while day < b:
        day += _ONE
        count += _old_is_workday(day)
    return count


def _per_call(fn: Callable[[Any], Any], args: list[Any], batch: int = 100) -> tuple[float, float]:
    means = []
    for i in range(0, len(args), batch):
        chunk = args[i:i + batch]
        t0 = time.perf_counter_ns()
        for a in chunk:
            fn(a)
        means.append((time.perf_counter_ns() - t0) / len(chunk) / 1000)
    means.sort()
    return statistics.median(means), means[min(len(means) - 1, int(len(means) * 0.99))]


def main() -> None:
    cal = Calendar()
    starts = [date(2026, 1, 1) + timedelta(days=(i * 7919) % 700) for i in range(2000)]
    pairs = [(d, d + timedelta(days=120 + i % 240)) for i, d in enumerate(starts)]  # most cross a year
    period = Period(start=date(2026, 12, 1), days=20).pause("correction", date(2026, 12, 8)) \
        .resume(date(2026, 12, 21)).extend(10, "局长", date(2027, 1, 4))
    for d in starts:  # warm: compile every year once (the clock keeps them)
        cal.add_workdays(d, 20)
        cal.workdays_between(d, d + timedelta(days=400))
    t0 = time.perf_counter_ns()
    Calendar().add_workdays(date(2027, 6, 1), 1)
    cold = (time.perf_counter_ns() - t0) / 1000
    rows = [
        ("add 20 working days", lambda d: cal.add_workdays(d, 20), lambda d: _old_add(d, 20), starts),
        ("working days between two dates 120-360 days apart (most across a year boundary)",
         lambda p: cal.workdays_between(*p), lambda p: _old_between(*p), pairs),
    ]
    print("| measure | clock median | clock p99 | previous median | previous p99 | previous / clock |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name, new, old, args in rows:
        for _ in range(2):  # interleaved: new, old, new, old
            nm, np99 = _per_call(new, args)
            om, op99 = _per_call(old, args[:OLD_SAMPLE], batch=10)
        print(f"| {name} | {nm:.2f} µs | {np99:.2f} µs | {om:.1f} µs | {op99:.1f} µs | {om / nm:.0f}x |")
    pm, pp = _per_call(lambda _: period.deadline(calendar=cal), list(range(2000)))
    print(f"| `Period.deadline` (20 working days, one pause, one extension) | {pm:.2f} µs | {pp:.2f} µs "
          f"| - | - | - |")
    print(f"\nCompiling one year (first use in a process, or after a notice is entered): {cold:.0f} µs")


if __name__ == "__main__":
    main()
