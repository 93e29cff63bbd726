"""``govhall settings show``."""

from __future__ import annotations

import json
from typing import Any

import click

from core.cli.common import pass_platform, tenant_arg


@click.group()
def settings() -> None:
    """Effective settings and where each came from."""


@settings.command("show")
@click.option("--tenant", "code", default=None, help="Show per-tenant values as seen at this tenant.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_platform
def show(platform: Any, code: str | None, as_json: bool) -> None:
    """Print every setting: value, origin (default, file, env, tenant:CODE) and help."""
    tenant = tenant_arg(platform, code) if code else None
    rows = []
    for key, spec in sorted(platform.settings.specs.items()):
        if tenant is not None and spec.per_tenant:
            value, origin = platform.tenant_setting_origin(tenant, key)
        else:
            value, origin = platform.settings[key], platform.settings.origins.get(key, "default")
        if key == "secret_key" and origin != "default":
            value = "********"
        rows.append({"key": key, "value": value, "origin": origin, "per_tenant": spec.per_tenant,
                     "help": spec.help})
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2, default=str))
        return
    for r in rows:
        click.echo(f"{r['key']} = {json.dumps(r['value'], ensure_ascii=False, default=str)}   "
                   f"[{r['origin']}]{' (per tenant)' if r['per_tenant'] else ''}")
        click.echo(f"    {r['help']}")


def register(cli: click.Group) -> None:
    cli.add_command(settings)
