"""``govhall calendar show YEAR`` and ``govhall calendar import FILE``: the legal calendar and its notices."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import click

from core.calendar import HOLIDAY_NAMES
from core.cli.common import pass_platform

_WEEKDAYS = "一二三四五六日"


@click.group("calendar")
def calendar_group() -> None:
    """Working-day calendar: statutory holidays, State Council notices, make-up working days."""


@calendar_group.command("show")
@click.argument("year", type=click.IntRange(1901, 2099))
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_platform
def show(platform: Any, year: int, as_json: bool) -> None:
    """Print YEAR's days off and make-up working days, and where they come from."""
    cal = platform.clock.calendar
    source = cal.source(year)
    off, work = cal.days_off(year), cal.make_up_days(year)
    notice = cal.notices.get(year)
    if as_json:
        click.echo(json.dumps({
            "year": year, "source": source, "provisional": cal.provisional(year),
            "sample": bool(notice and notice.sample), "title": notice.title if notice else "",
            "days_off": {d.isoformat(): k for d, k in off.items()},
            "make_up_days": [d.isoformat() for d in work],
            "working_days": cal.workdays_between(date(year - 1, 12, 31), date(year, 12, 31)),
        }, ensure_ascii=False, indent=2))
        return
    label = {"notice": "entered notice / 已录入的通知", "package": "chinesecalendar package / 内置节假日数据",
             "law": "law only / 仅按法定节假日"}[source]
    click.echo(f"{year}: {label}" + (f" — {notice.title}" if notice else ""))
    if notice is not None and notice.sample:
        click.echo("  SAMPLE / 示例：this is a sample, not the official notice; replace it when the notice "
                   "is published.")
    if cal.provisional(year):
        click.echo(f"  PROVISIONAL / 临时：no State Council notice for {year} yet. Counted instead: the "
                   f"statutory holidays of the holiday measures, a weekday off in lieu for one that falls on "
                   f"a weekend, and weekends. Enter the notice with `govhall calendar import FILE`.")
    click.echo(f"  working days / 工作日: {cal.workdays_between(date(year - 1, 12, 31), date(year, 12, 31))}")
    click.echo("  days off / 放假:")
    for d, key in off.items():
        zh, en = HOLIDAY_NAMES.get(key, (key, key))
        click.echo(f"    {d.isoformat()} 周{_WEEKDAYS[d.weekday()]}  {zh} / {en}")
    click.echo("  make-up working days / 调休上班:" + ("" if work else " none / 无"))
    for d in work:
        click.echo(f"    {d.isoformat()} 周{_WEEKDAYS[d.weekday()]}")


@calendar_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Only list the open deadlines the notice would move.")
@click.option("--yes", is_flag=True, help="Do not ask before recomputing the deadlines.")
@click.option("--actor", default="cli", show_default=True, help="Who enters the notice (for the audit log).")
@pass_platform
def import_(platform: Any, file: Path, dry_run: bool, yes: bool, actor: str) -> None:
    """Enter a year's holiday notice from FILE (format: docs/operations.md), listing the open deadlines it
    moves and recomputing them in one audited step."""
    from core import holidays

    try:
        notice = holidays.parse_notice(file.read_text(encoding="utf-8"))
        changes = holidays.preview(platform, notice)
    except holidays.NoticeError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{notice.year}: {notice.title}{' (SAMPLE / 示例)' if notice.sample else ''} — "
               f"{len(notice.off)} days off, {len(notice.work)} make-up working days")
    click.echo(f"open deadlines moved / 受影响的未办结期限: {len(changes)}")
    for c in changes[:50]:
        click.echo(f"  {c.tenant_path}  {c.plugin}.{c.kind} {c.label or c.ref}: {c.old} -> {c.new}")
    if len(changes) > 50:
        click.echo(f"  ... and {len(changes) - 50} more")
    if dry_run:
        click.echo("dry run: nothing written")
        return
    if changes and not yes and not click.confirm("enter the notice and recompute these deadlines?"):
        raise click.ClickException("cancelled: nothing written")
    outcome = holidays.enter(platform, notice, actor=actor)
    click.echo(f"entered; {len(outcome.changes)} deadlines recomputed (audited; holders notified by event)")


def register(cli: click.Group) -> None:
    cli.add_command(calendar_group)
