"""``govhall worker``: outbox dispatch and periodic tasks without serving HTTP.

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


def register(cli: click.Group) -> None:
    cli.add_command(worker)
