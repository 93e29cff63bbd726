"""``govhall exchange export`` (a slice of the message log, self-contained), ``govhall exchange verify
FILE`` (offline: no database), ``govhall exchange sync`` (the catalogue from the plugins' resources)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from core.api import pass_platform, tenant_arg


@click.group("exchange")
def exchange() -> None:
    """Data sharing: export and verify the message log, sync the catalogue."""


@exchange.command("export")
@click.option("--tenant", "tenant_code", required=True, help="Code of the provider tenant, e.g. 360100.")
@click.option(
    "--from", "first", type=click.IntRange(1), default=1, show_default=True, help="First sequence number."
)
@click.option(
    "--to", "last", type=click.IntRange(1), default=None, help="Last sequence number (default: all)."
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write here instead of standard output.",
)
@pass_platform
def export_cmd(platform: Any, tenant_code: str, first: int, last: int | None, output: Path | None) -> None:
    """Export a slice of a tenant's message log with the public keys that signed it."""
    from plugins.exchange import msglog

    tenant = tenant_arg(platform, tenant_code)
    with platform.db.session(tenant.scope) as s:
        doc = msglog.export(s, tenant, first=first, last=last)
    text = json.dumps(doc, ensure_ascii=False, indent=1)
    if output is None:
        click.echo(text)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"{len(doc['entries'])} entries -> {output}", err=True)


@exchange.command("verify")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--keys",
    "keys_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help='Trusted public keys (JSON list or {"items": [...]}, e.g. from `govhall licence keys`); '
    "without it the keys the export carries are used.",
)
def verify_cmd(file: Path, keys_file: Path | None) -> None:
    """Verify an exported log slice offline. Exit 0 when every entry verifies, 1 naming the first bad
    entry, 2 on a file that cannot be read."""
    from plugins.exchange import msglog

    try:
        doc = json.loads(file.read_text(encoding="utf-8"))
        keys = None
        if keys_file is not None:
            raw = json.loads(keys_file.read_text(encoding="utf-8"))
            keys = raw.get("items") if isinstance(raw, dict) else raw
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise click.BadParameter(f"cannot read {exc}") from None
    verdict = msglog.verify_export(doc, keys)
    if verdict.ok:
        click.echo(f"{file.name}: 核验通过 VERIFIED ({verdict.checked} entries)")
        sys.exit(0)
    click.echo(f"{file.name}: 核验失败 NOT VERIFIED")
    click.echo(f"  ✗ {verdict.problem_zh}\n    {verdict.problem_en}")
    if verdict.first_bad is not None:
        click.echo(f"  first bad entry: {verdict.first_bad}")
    sys.exit(1)


@exchange.command("sync")
@click.option("--tenant", "tenant_code", default=None, help="One tenant's code (default: every tenant).")
@pass_platform
def sync_cmd(platform: Any, tenant_code: str | None) -> None:
    """Bring catalogues in line with the resources the enabled plugins offer."""
    from plugins.exchange import services

    targets = (
        [tenant_arg(platform, tenant_code)]
        if tenant_code
        else [t for t in platform.directory.by_id.values() if "exchange" in platform.enabled(t)]
    )
    total = 0
    for t in targets:
        with platform.db.transaction(t.scope) as s:
            total += len(services.sync_plugin_resources(s, platform, t))
    click.echo(f"{total} plugin resources in {len(targets)} catalogues")
