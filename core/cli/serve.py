"""``govhall serve`` and ``govhall migrate``."""

from __future__ import annotations

from typing import Any

import click

from core.cli.common import pass_platform, progress


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="TCP port.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Worker processes (PostgreSQL only; SQLite runs one).")
@click.option("--demo", is_flag=True, help="Migrate, apply tenants/jiangxi.toml and load demo data first.")
@click.option("--jobs/--no-jobs", default=True, show_default=True,
              help="Deliver events and run periodic tasks here (--no-jobs when `govhall worker` runs).")
@pass_platform
def serve(platform: Any, host: str, port: int, workers: int, demo: bool, jobs: bool) -> None:
    """Serve the halls over HTTP."""
    import uvicorn


    if demo:
        from core.demo import load_demo

        load_demo(platform, echo=lambda m: click.echo(m, err=True))
    elif missing := _pending(platform):
        raise click.ClickException(f"the database is not migrated ({', '.join(missing)}): "
                                   "run `govhall migrate`")
    if workers > 1 and platform.db.is_sqlite:
        raise click.BadParameter("SQLite serves from one process; use PostgreSQL for --workers > 1",
                                 param_hint="--workers")
    backend = platform.db.engine.url.get_backend_name()
    click.echo(f"govhall serving on http://{host}:{port}/ ({backend})", err=True)
    if demo:  # the accounts exist only in demo data: never print them otherwise
        from core.identity.demo import demo_account_lines

        for line in demo_account_lines():
            click.echo(line, err=True)
    from core import jobs as job_runner

    if workers > 1:
        # One runner in the supervising process, none in the workers: it lives as long as the server.
        runner = job_runner.JobRunner(platform) if jobs else None
        if runner is not None:
            runner.start()
        try:
            uvicorn.run("core.asgi:app", host=host, port=port, workers=workers, log_level="warning",
                        access_log=False, proxy_headers=False)
        finally:
            if runner is not None:
                runner.stop()
    else:
        from core.app import create_app

        if jobs:
            job_runner.install(platform)  # started and stopped by the app's lifespan
        uvicorn.run(create_app(platform=platform), host=host, port=port, log_level="warning",
                    access_log=False, proxy_headers=False)  # X-Forwarded-For: the trusted_proxies setting


def _pending(platform: Any) -> list[str]:
    """Migrations not applied yet; none when the database cannot be reached: the server starts anyway
    and answers 503 (with Retry-After) until it can (core.db.outage)."""
    from core.db import migrate
    from core.db.outage import OUTAGE, is_unavailable

    try:
        return migrate.pending(platform.db, platform.registry.migration_dirs())
    except Exception as exc:
        if not is_unavailable(exc):
            raise
        OUTAGE.failed(exc, "start-up")
        return []


@click.command()
@pass_platform
def migrate(platform: Any) -> None:
    """Upgrade the database: the core branch and every installed plugin's branch."""
    from core.db import migrate as m

    dirs = platform.registry.migration_dirs()
    with progress(len(m.to_apply(platform.db, dirs)), "migrating") as step:
        applied = m.upgrade(platform.db, dirs, progress=step)
    click.echo(f"migrated: now at {', '.join(m.current_heads(platform.db))}"
               + (f" (applied heads {', '.join(applied)})" if applied else " (nothing to do)"))


def register(cli: click.Group) -> None:
    cli.add_command(serve)
    cli.add_command(migrate)
