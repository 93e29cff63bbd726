"""``govhall tenants apply|tree|move``."""

from __future__ import annotations

from typing import Any

import click

from core.cli.common import pass_platform, progress


@click.group()
def tenants() -> None:
    """The tenant tree: apply tree files, draw the tree, move subtrees."""


@tenants.command("apply")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--quiet", "-q", is_flag=True, help="Print only the summary.")
@pass_platform
def apply_cmd(platform: Any, file: str, quiet: bool) -> None:
    """Apply a tenant tree file (TOML) idempotently; print what was created, changed or left."""
    from core.db import Scope
    from core.tenancy import loader

    click.echo(f"reading {file} ...", err=True)  # a 21,600-node file takes seconds to parse
    tree, lines, path = loader.load_file(file)
    click.echo(f"validating {len(tree.tenants)} tenants ...", err=True)
    platform.refresh(force=True)
    loader.validate(tree, lines, path, platform.directory, platform.settings)
    try:
        with platform.db.transaction(Scope.system()) as s, progress(len(tree.tenants), "applying") as step:
            report = loader.apply(s, tree, platform.directory, actor="cli", progress=step, lines=lines,
                                  hooks_for=lambda p: platform.registry.hook_for(frozenset({p})))
    except loader.TreeFileError as exc:  # refused while writing (a switch, a move): nothing was changed
        raise loader.TreeFileError(f"{path}: {exc}") from None
    if not quiet:
        for line in report.created:
            click.echo(f"created  {line}")
        for line in report.changed:
            click.echo(f"changed  {line}")
    click.echo(f"{path}: {report.summary()}")


@tenants.command("tree")
@click.argument("code", required=False)
@click.option("--depth", type=click.IntRange(0, 10), default=None, help="Levels below CODE to draw.")
@pass_platform
def tree_cmd(platform: Any, code: str | None, depth: int | None) -> None:
    """Draw the tree from CODE (default: the root)."""
    from core.cli.common import tenant_arg

    directory = platform.directory
    starts = [tenant_arg(platform, code, "CODE")] if code else directory.roots()
    if not starts:
        raise click.ClickException("the tree is empty: run `govhall tenants apply FILE`")

    def draw(t: Any, prefix: str, last: bool, level: int, top: bool) -> None:
        branch = "" if top else ("└── " if last else "├── ")
        kind = "" if t.kind == "government" else f", {t.kind}"
        click.echo(f"{prefix}{branch}{t.code} {t.name}  [{t.level}{kind}]")
        if depth is not None and level >= depth:
            return
        kids = directory.kids(t)
        child_prefix = prefix if top else prefix + ("    " if last else "│   ")
        for i, k in enumerate(kids):
            draw(k, child_prefix, i == len(kids) - 1, level + 1, False)

    for t in starts:
        draw(t, "", True, 0, True)


@tenants.command("move")
@click.argument("code")
@click.option("--to", "parent", required=True, help="Code of the new parent.")
@pass_platform
def move_cmd(platform: Any, code: str, parent: str) -> None:
    """Re-parent CODE and its whole subtree (with its data and grants) under PARENT."""
    from core.db import Scope
    from core.tenancy.service import move_subtree

    platform.refresh(force=True)
    with platform.db.transaction(Scope.system()) as s:
        moved = move_subtree(s, platform.directory, code, parent, actor="cli")
    click.echo(f"moved {code} under {parent}: {moved} tenants re-pathed" if moved
               else f"{code} is already under {parent}")


def register(cli: click.Group) -> None:
    cli.add_command(tenants)
