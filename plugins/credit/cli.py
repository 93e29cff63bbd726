"""``govhall credit import FILE --tenant CODE``: publish penalties from a CSV or JSON file."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from core.api import pass_platform, progress, tenant_arg


@click.group("credit")
def credit() -> None:
    """Public credit: import administrative penalties."""


@credit.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--tenant", "tenant_code", required=True, help="Code of the publishing tenant, e.g. 360102.")
@click.option("--actor", default="cli", show_default=True, help="Who is importing (for the audit log).")
@pass_platform
def import_cmd(platform: Any, file: Path, tenant_code: str, actor: str) -> None:
    """Import penalties from FILE (.csv with a header row, or .json array; UTF-8, GBK detected). Every
    row is checked first; if any row is bad, each bad row is listed with its row number (CSV: the line,
    header = 1; JSON: the position from 1) and nothing is imported.

    Columns: subject_kind (legal|person), subject_code, subject_name, title, decision_number,
    severity (minor|general|serious), source_department, decision_date (YYYY-MM-DD), content.
    """
    from core.api import RowsRefused
    from plugins.credit.importer import import_file, read_rows
    from plugins.credit.rules import rules_from_platform

    tenant = tenant_arg(platform, tenant_code)
    if "credit" not in platform.enabled(tenant):
        raise click.ClickException(f"the credit plugin is not enabled at {tenant.code}")
    rows = read_rows(file)
    if rows.note:
        click.echo(rows.note, err=True)
    try:
        with platform.db.transaction(tenant.scope) as s, progress(len(rows.rows), "importing") as step:
            n = import_file(s, tenant, rules_from_platform(platform, tenant), rows, actor=f"cli:{actor}",
                            progress=step)
    except RowsRefused as exc:
        click.echo(f"error: {exc.message_en}", err=True)
        sys.exit(1)
    click.echo(f"{file.name}: imported {n} penalt{'y' if n == 1 else 'ies'} at {tenant.code}")
