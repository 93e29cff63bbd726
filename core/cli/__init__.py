"""``govhall``: the command line. One module per command group; each exposes ``register(cli)``.

Plugins add commands through ``govhall_cli_commands``. Errors a user can fix print one line naming
what is wrong and exit 1 (refused) or 2 (bad arguments), changing nothing.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from typing import Any

import click

from core.settings import SettingsError


class AppState:
    """Lazily started platform: commands that need no database (``plugins new``) never open one."""

    def __init__(self) -> None:
        self._platform: Any = None

    @property
    def platform(self) -> Any:
        if self._platform is None:
            from core.platform import Platform

            try:
                self._platform = Platform.start()
            except SettingsError as exc:
                raise click.ClickException(str(exc)) from None
            from core.logging import configure_logging

            configure_logging(self._platform.settings)
        return self._platform


class GovhallGroup(click.Group):
    """Adds plugin commands on first use, and turns known errors into one-line messages."""

    _plugins_added = False

    def _add_plugin_commands(self) -> None:
        if self._plugins_added:
            return
        self._plugins_added = True
        try:
            from core.registry import Registry

            registry = Registry.load()
        except Exception as exc:  # a broken plugin must not hide the core commands
            click.echo(f"warning: plugin commands unavailable: {exc}", err=True)
            return
        for plugin, commands in registry.declared("govhall_cli_commands").items():
            for command in commands:
                if command.name in self.commands:
                    click.echo(f"warning: plugin {plugin} command {command.name!r} clashes; skipped",
                               err=True)
                    continue
                self.add_command(command)

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._add_plugin_commands()
        return super().list_commands(ctx)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        found = super().get_command(ctx, cmd_name)
        if found is None:
            self._add_plugin_commands()
            found = super().get_command(ctx, cmd_name)
        return found

    def invoke(self, ctx: click.Context) -> Any:
        from core.db.outage import first_line, is_unavailable
        from core.errors import DomainError
        from core.registry import PluginError
        from core.tenancy.loader import TreeFileError
        from core.tenancy.service import TenancyError

        try:
            return super().invoke(ctx)
        except (SettingsError, TreeFileError, TenancyError, PluginError, DomainError) as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)
        except Exception as exc:
            if not is_unavailable(exc):
                raise
            click.echo(f"error: the database cannot be reached ({first_line(exc)}); nothing was changed",
                       err=True)
            sys.exit(1)


@click.group(cls=GovhallGroup)
@click.version_option(package_name="govhall")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """govhall: the online service hall of every province, city, county, township and village."""
    ctx.obj = AppState()


def _register_groups() -> None:
    for mod in pkgutil.iter_modules(__path__):
        if mod.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{mod.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(cli)


_register_groups()


def main() -> None:
    cli(prog_name="govhall")
