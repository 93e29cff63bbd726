"""``govhall feeds import`` (a file of one stream, streamed with a progress bar, committed chunk by chunk)
and ``govhall feeds source add`` (register a sending system; prints its secret once)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from core.api import DomainError, pass_platform, progress, tenant_arg
from plugins.feeds.streams import STREAMS


@click.group("feeds")
def feeds() -> None:
    """Supervision feeds: import files of records, register sending systems."""


@feeds.command("import")
@click.option("--tenant", "tenant_code", required=True, help="Code of the sending department's tenant.")
@click.option("--stream", required=True, type=click.Choice(sorted(STREAMS)), help="What the file holds.")
@click.option("--department", required=True, help="Code of the sending department at the tenant.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@pass_platform
def import_cmd(platform: Any, tenant_code: str, stream: str, department: str, file: Path) -> None:
    """Import FILE (.csv or .jsonl): valid records are kept, each rejected one is listed with its row."""
    from plugins.feeds import imports

    tenant = tenant_arg(platform, tenant_code)
    try:
        with progress(file.stat().st_size, f"{stream} ← {file.name}") as advance:
            feed = imports.import_file(platform, tenant, stream, file, department=department, advance=advance)
    except DomainError as exc:
        raise click.ClickException(f"{exc.message_zh} {exc.message_en}") from None
    c = feed.counts
    click.echo(
        f"batch {feed.batch_id}: {sum(c.values())} records — inserted {c['inserted']}, updated "
        f"{c['updated']}, unchanged {c['unchanged']}, stale {c['stale']}, rejected {c['rejected']}"
    )
    for e in imports.first_errors(platform, tenant, feed.batch_id):
        click.echo(f"  row {e.row} [{e.record_key}] {e.field}: {e.message}", err=True)


@feeds.group("source")
def source() -> None:
    """Sending systems and their credentials."""


@source.command("add")
@click.option("--tenant", "tenant_code", required=True)
@click.option("--department", required=True)
@click.option("--title", required=True)
@click.option("--stream", "streams", multiple=True, required=True, type=click.Choice(sorted(STREAMS)))
@pass_platform
def source_add(
    platform: Any, tenant_code: str, department: str, title: str, streams: tuple[str, ...]
) -> None:
    """Register a sending system; its secret is printed once."""
    from plugins.feeds import services

    tenant = tenant_arg(platform, tenant_code)
    try:
        with platform.db.transaction(tenant.scope) as s:
            row, secret = services.create_source(
                s, tenant, department=department, title=title, streams=list(streams), actor="cli"
            )
            client_id = row.client_id
    except DomainError as exc:
        raise click.ClickException(f"{exc.message_zh} {exc.message_en}") from None
    click.echo(f"X-Feed-Client: {client_id}\nX-Feed-Secret: {secret}")
