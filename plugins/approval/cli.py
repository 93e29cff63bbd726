"""``govhall approval ...``: catalogue import (CSV or JSON, all rows or none)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from core.cli.common import pass_platform, tenant_arg


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
@pass_platform
def import_cmd(platform: Any, file: Path, tenant_code: str) -> None:
    """Import service items from FILE (.csv with a header line, or .json array). Every row is checked
    first; if any row is wrong, each error is printed with its row number and nothing is written."""
    from plugins.approval.catalogue import import_items, read_rows

    tenant = tenant_arg(platform, tenant_code)
    try:
        rows = read_rows(file)
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError) as exc:
        click.echo(f"error: {file.name} cannot be read: {exc}", err=True)
        sys.exit(1)
    written, errors = import_items(platform, tenant, rows)
    if errors:
        for line in errors:
            click.echo(f"error: {file.name}: {line}", err=True)
        click.echo(f"error: nothing imported ({len(errors)} problem(s) in {len(rows)} row(s))", err=True)
        sys.exit(1)
    click.echo(f"imported {written} item(s) into {tenant.code} {tenant.name}")
