"""``govhall plugins list|enable|disable|inherit|status|new``."""

from __future__ import annotations

import json
from typing import Any

import click

from core.cli.common import pass_platform, tenant_arg


@click.group()
def plugins() -> None:
    """Installed plugins and where they are switched on."""


@plugins.command("list")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_platform
def list_cmd(platform: Any, as_json: bool) -> None:
    """Installed plugins with version, distribution and dependencies."""
    rows = [{"plugin": n, "title_zh": p.info.title_zh, "title_en": p.info.title_en, "version": p.info.version,
             "distribution": p.distribution, "depends": list(p.info.depends),
             "default_enabled": p.info.default_enabled, "required": p.info.required}
            for n, p in sorted(platform.registry.plugins.items())]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for r in rows:
        deps = ", ".join(r["depends"]) or "-"
        flags = " (required)" if r["required"] else (" (on by default)" if r["default_enabled"] else "")
        click.echo(f"{r['plugin']:<14} {r['version']:<8} {r['title_zh']} / {r['title_en']}  "
                   f"[{r['distribution']}] depends: {deps}{flags}")


def _switch(platform: Any, name: str, code: str, state: str, lock: bool) -> None:
    from core.db import Scope
    from core.tenancy.service import set_plugin_state

    platform.refresh(force=True)
    tenant = tenant_arg(platform, code)
    hooks = platform.registry.hook_for(frozenset({name})) if name in platform.registry.plugins else None
    with platform.db.transaction(Scope.system()) as s:
        message = set_plugin_state(s, platform.directory, tenant, name, state, lock=lock,  # type: ignore[arg-type]
                                   actor="cli", hooks=hooks)
    click.echo(message)


@plugins.command("enable")
@click.argument("name")
@click.option("--tenant", "code", required=True, help="Tenant code.")
@click.option("--lock", is_flag=True, help="Lock the value for the whole subtree.")
@pass_platform
def enable_cmd(platform: Any, name: str, code: str, lock: bool) -> None:
    """Switch NAME on at a tenant (and, inherited, below it)."""
    _switch(platform, name, code, "on", lock)


@plugins.command("disable")
@click.argument("name")
@click.option("--tenant", "code", required=True, help="Tenant code.")
@click.option("--lock", is_flag=True, help="Lock the value for the whole subtree.")
@pass_platform
def disable_cmd(platform: Any, name: str, code: str, lock: bool) -> None:
    """Switch NAME off at a tenant; its data is kept."""
    _switch(platform, name, code, "off", lock)


@plugins.command("inherit")
@click.argument("name")
@click.option("--tenant", "code", required=True, help="Tenant code.")
@pass_platform
def inherit_cmd(platform: Any, name: str, code: str) -> None:
    """Remove the tenant's own setting for NAME so it inherits from above."""
    _switch(platform, name, code, "inherit", False)


@plugins.command("status")
@click.option("--tenant", "code", required=True, help="Tenant code.")
@click.option("--json", "as_json", is_flag=True, help="A list of {plugin, enabled, origin, locked}.")
@pass_platform
def status_cmd(platform: Any, code: str, as_json: bool) -> None:
    """Effective state of every plugin at a tenant, and where it comes from."""
    tenant = tenant_arg(platform, code)
    effective = platform.directory.effective(tenant)
    rows = [effective[n] for n in sorted(effective)]
    if as_json:
        click.echo(json.dumps([{"plugin": e.plugin, "enabled": e.enabled, "origin": e.origin,
                                "locked": e.locked} for e in rows], ensure_ascii=False))
        return
    click.echo(f"{tenant.code} {tenant.name}")
    for e in rows:
        where = "default" if e.origin == "default" else (
            "set here" if e.origin == tenant.code else f"from {e.origin}")
        extra = (" locked" if e.locked else "") + (f" ({e.reason})" if e.reason else "")
        click.echo(f"  {e.plugin:<14} {'on ' if e.enabled else 'off'}  {where}{extra}")


def register(cli: click.Group) -> None:
    cli.add_command(plugins)
