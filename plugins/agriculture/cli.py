"""``govhall agriculture prices import FILE --tenant CODE``: a county's daily market prices from a CSV
(or JSON) file, every row or none.

    govhall agriculture prices import prices.csv --tenant 360102
    # day,product,market,price[,unit]   or   日期,产品,市场,价格[,单位]   (price in yuan, e.g. 4.20)

The file goes through the same reader and checks as the prices page's import (``prices.read_file``,
``prices.check_file``): each bad row is printed with its row number and column, in Chinese and English,
and nothing is written. A long file shows a progress bar while its rows are written.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from core.api import DomainError, pass_platform, progress, tenant_arg


@click.group("agriculture")
def agriculture() -> None:
    """Smart agriculture (智慧农业)."""


@agriculture.group("prices")
def prices_group() -> None:
    """Daily market prices (农产品价格)."""


@prices_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--tenant", "tenant_code", required=True, help="The county whose prices these are.")
@click.option("--actor", default="cli", show_default=True, help="Who is importing (for the audit log).")
@pass_platform
def import_prices(platform: Any, file: Path, tenant_code: str, actor: str) -> None:
    """Import daily prices from FILE (.csv with a header line, or .json array; UTF-8, GBK detected).
    Every row is checked first; if any is wrong each error is printed (row, column, zh and en) and
    nothing is written."""
    from plugins.agriculture import prices

    tenant = tenant_arg(platform, tenant_code)
    if "agriculture" not in platform.enabled(tenant):
        raise click.BadParameter(f"agriculture is off at {tenant.code}", param_hint="--tenant")
    try:
        rows = prices.read_file(file)
        if rows.note:
            click.echo(rows.note, err=True)
        with platform.db.transaction(tenant.scope) as s:
            checked = prices.check_file(s, tenant, rows)
            with progress(len(checked), f"{tenant.code} prices") as step:
                n = prices.write_checked(s, tenant, file.name, checked, actor=f"cli:{actor}", progress=step)
    except DomainError as exc:
        click.echo(f"错误：{exc.message_zh}", err=True)
        click.echo(f"error: {exc.message_en}", err=True)
        sys.exit(1)
    click.echo(f"已导入 {n} 条价格 / imported {n} price(s) at {tenant.code} {tenant.name}")
