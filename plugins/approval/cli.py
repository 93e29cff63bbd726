"""``govhall approval ...``: catalogue import (CSV or JSON, all rows or none)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from core.api import pass_platform, progress, tenant_arg


@click.group("approval")
def approval() -> None:
    """Online approval: the service-item catalogue."""


@approval.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--tenant",
    "tenant_code",
    default="360000",
    show_default=True,
    help="Tenant whose catalogue receives the items; at the root they also form the basic catalogue.",
)
@click.option("--actor", default="cli", show_default=True, help="Who is importing (for the audit log).")
@pass_platform
def import_cmd(platform: Any, file: Path, tenant_code: str, actor: str) -> None:
    """Import service items from FILE (.csv with a header line, or .json array; UTF-8, GBK detected).
    Every row is checked first; if any row is wrong, each error is printed with its row number (CSV: the
    line, header = 1; JSON: the position from 1) and nothing is written."""
    from core.api import RowsRefused
    from plugins.approval.importer import import_items, read_rows

    tenant = tenant_arg(platform, tenant_code)
    rows = read_rows(file)
    if rows.note:
        click.echo(rows.note, err=True)
    try:
        with progress(len(rows.rows), "importing") as step:
            written = import_items(platform, tenant, rows, actor=f"cli:{actor}", progress=step)
    except RowsRefused as exc:
        click.echo(f"error: {exc.message_en}", err=True)
        sys.exit(1)
    click.echo(f"imported {written} item(s) into {tenant.code} {tenant.name}")
