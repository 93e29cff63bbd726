"""``govhall audit verify``."""

from __future__ import annotations

from typing import Any

import click

from core.cli.common import pass_platform, progress


@click.group()
def audit() -> None:
    """The hash-chained audit log."""


@audit.command("verify")
@pass_platform
def verify_cmd(platform: Any) -> None:
    """Check every row's hash and link in every chain (one per tenant); exit 1 naming each edited or
    deleted row, cut tail and deleted chain."""
    from sqlalchemy import func, select

    from core import audit as audit_log
    from core.db import Scope

    with platform.db.session(Scope.system()) as s:
        total = s.scalar(select(func.count()).select_from(audit_log.AuditEntry)) or 0
        with progress(total, "verifying") as step:
            result = audit_log.verify(s, progress=step)
    if result.ok:
        click.echo(f"audit log intact: {result.checked} entries verified in {result.chains} chains")
        return
    for problem in result.problems:
        click.echo(f"TAMPERED: {problem}", err=True)
    raise SystemExit(1)


def register(cli: click.Group) -> None:
    cli.add_command(audit)
