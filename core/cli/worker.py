"""``govhall worker``: outbox dispatch and periodic tasks without serving HTTP; ``govhall events``.

Run one or more beside the web processes (``govhall serve --no-jobs``) in production on PostgreSQL;
claims make every delivery and every task slot happen once however many run (docs/operations.md).
"""

from __future__ import annotations

import signal
import threading
from typing import Any

import click

from core.cli.common import pass_platform


@click.command()
@click.option("--interval", default=1.0, show_default=True, type=click.FloatRange(0.05, 3600),
              help="Seconds between rounds.")
@click.option("--once", is_flag=True, help="Run one round (deliver pending events, run due tasks) and exit.")
@pass_platform
def worker(platform: Any, interval: float, once: bool) -> None:
    """Deliver domain events to plugins and run periodic tasks."""
    from core.db import migrate
    from core.jobs import JobRunner

    if missing := migrate.pending(platform.db, platform.registry.migration_dirs()):
        raise click.ClickException(f"the database is not migrated ({', '.join(missing)}): "
                                   "run `govhall migrate`")
    runner = JobRunner(platform, interval)
    if once:
        delivered, ran = runner.tick()
        click.echo(f"delivered {delivered} event(s); ran {len(ran)} task run(s)")
        for name in ran:
            click.echo(f"  {name}")
        return
    done = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: done.set())
    click.echo(f"govhall worker: every {interval:g}s on {platform.db.engine.url.get_backend_name()}; "
               "Ctrl-C to stop", err=True)
    runner.start()
    try:
        done.wait()
    finally:
        runner.stop()
        platform.close()


@click.group()
def events() -> None:
    """Inspect the event outbox."""


@events.command("pending")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 10_000))
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@pass_platform
def events_pending(platform: Any, limit: int, as_json: bool) -> None:
    """Events not yet delivered to every plugin, oldest first, with their last error."""
    import json

    from sqlalchemy import select

    from core.db import Scope
    from core.events import OutboxEvent

    with platform.db.session(Scope.system()) as s:
        rows = s.scalars(select(OutboxEvent).where(OutboxEvent.dispatched_at.is_(None))
                         .order_by(OutboxEvent.id).limit(limit)).all()
    for r in rows:
        item = {"id": r.id, "type": r.type, "tenant_path": r.tenant_path, "attempts": r.attempts,
                "retry_at": r.retry_at.isoformat() if r.retry_at else None, "last_error": r.last_error}
        if as_json:
            click.echo(json.dumps(item, ensure_ascii=False))
        else:
            error = (r.last_error or "").splitlines()[0] if r.last_error else ""
            click.echo(f"{r.id}\t{r.type}\t{r.tenant_path}\tattempts={r.attempts}\t{error}")
    if not as_json:
        click.echo(f"{len(rows)} pending event(s) shown", err=True)


@events.command("retry")
@click.argument("event_ids", nargs=-1, type=int, required=True)
@pass_platform
def events_retry(platform: Any, event_ids: tuple[int, ...]) -> None:
    """Make pending events due now (after fixing the failing handler), skipping their back-off."""
    from sqlalchemy import update

    from core.db import Scope
    from core.events import OutboxEvent

    with platform.db.transaction(Scope.system()) as s:
        n = s.execute(update(OutboxEvent).where(OutboxEvent.id.in_(event_ids),
                                                OutboxEvent.dispatched_at.is_(None))
                      .values(retry_at=None)).rowcount  # type: ignore[attr-defined]
    click.echo(f"{n} event(s) due again")
    if n != len(set(event_ids)):
        raise click.ClickException("some ids are unknown or already delivered")


def register(cli: click.Group) -> None:
    cli.add_command(worker)
    cli.add_command(events)
