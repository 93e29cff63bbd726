"""``govhall medicine import-prices``: listed prices from a CSV or JSON file, all rows or none.

govhall medicine import-prices prices.csv --tenant 360000   # product_code,price_cents,effective_from
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from core.api import RowsRefused, pass_platform, read_import, tenant_arg


@click.group("medicine")
def medicine() -> None:
    """Sunshine medicine (listed prices)."""


@medicine.command("import-prices")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--tenant",
    "tenant_code",
    default="360000",
    show_default=True,
    help="The tier that lists the prices (lower tiers inherit them).",
)
@click.option("--actor", default="cli", show_default=True, help="Who is importing (for the audit log).")
@pass_platform
def import_prices(platform: Any, file: Path, tenant_code: str, actor: str) -> None:
    """Import listed prices from FILE (.csv with a header line, or .json array; UTF-8, GBK detected).
    Every row is checked first; if any is wrong each error is printed with its row number and column and
    nothing is written."""
    from plugins.medicine import catalogue

    tenant = tenant_arg(platform, tenant_code)
    rows = read_import(file)
    if rows.note:
        click.echo(rows.note, err=True)
    try:
        if rows.errors:
            raise RowsRefused(file.name, rows.errors, len(rows.rows) + len(rows.errors))
        with platform.db.transaction(tenant.subtree_scope) as s:
            n = catalogue.import_prices(s, platform, tenant, file.name, rows.rows, actor=f"cli:{actor}")
    except RowsRefused as exc:
        click.echo(f"error: {exc.message_en}", err=True)
        sys.exit(1)
    click.echo(f"imported {n} listed price(s) at {tenant.code} {tenant.name}")
