"""``govhall plugins new NAME``: scaffold a plugin as its own distribution, ready to install and test.

The files come from core/scaffold_template/*.tmpl with ``@@name@@``-style placeholders (not Jinja:
the generated templates are Jinja themselves). The result has the entry point, plugin.py, a
tenant-scoped model with its migration branch, a page, an API, permissions, a template, a catalogue
and a passing test — the vendor's starting point described in docs/plugins.md.
"""

from __future__ import annotations

import re
from pathlib import Path

import click

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "scaffold_template"
NAME_RE = re.compile(r"^[a-z][a-z0-9_]{1,30}$")

# target path (with placeholders) -> template file
FILES = {
    "pyproject.toml": "pyproject.toml.tmpl",
    "README.md": "README.md.tmpl",
    "@@package@@/__init__.py": None,
    "@@package@@/plugin.py": "plugin.py.tmpl",
    "@@package@@/models.py": "models.py.tmpl",
    "@@package@@/schemas.py": "schemas.py.tmpl",
    "@@package@@/services.py": "services.py.tmpl",
    "@@package@@/views.py": "views.py.tmpl",
    "@@package@@/api.py": "api.py.tmpl",
    "@@package@@/permissions.py": "permissions.py.tmpl",
    "@@package@@/migrations/__init__.py": None,
    "@@package@@/migrations/versions/@@name@@_0001.py": "migration_0001.py.tmpl",
    "@@package@@/templates/@@name@@/index.html": "index.html.tmpl",
    "@@package@@/locale/zh_CN/LC_MESSAGES/messages.po": "messages.po.tmpl",
    "tests/test_@@name@@.py": "test_plugin.py.tmpl",
    "tenants.toml": None,
}


def placeholders(name: str, title: str | None) -> dict[str, str]:
    words = name.replace("_", " ").split()
    return {
        "@@name@@": name,
        "@@package@@": f"govhall_{name}",
        "@@dist@@": f"govhall-{name.replace('_', '-')}",
        "@@Class@@": "".join(w.capitalize() for w in words),
        "@@Title@@": " ".join(w.capitalize() for w in words),
        "@@title@@": title or " ".join(w.capitalize() for w in words),
        # "停车服务 (Parking)" with a Chinese title; just "Parking" without one (never "Parking (Parking)").
        "@@heading@@": f"{title} ({' '.join(w.capitalize() for w in words)})" if title else
        " ".join(w.capitalize() for w in words),
    }


def fill(text: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        text = text.replace(key, value)
    return text


def scaffold(name: str, parent: Path, title: str | None = None) -> Path:
    """Write the distribution ``govhall-NAME`` under ``parent``; returns its directory."""
    if not NAME_RE.match(name):
        raise click.BadParameter("lower-case letters, digits and _, 2 to 31 characters, starting with a "
                                 "letter", param_hint="NAME")
    values = placeholders(name, title)
    root = parent / values["@@dist@@"]
    if root.exists():
        raise click.ClickException(f"{root} already exists; nothing written")
    for target, template in FILES.items():
        path = root / fill(target, values)
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.name == "tenants.toml":
            from core.testing import SMALL_TREE

            text = SMALL_TREE
        elif template is None:
            text = f'"""{values["@@Title@@"]}: a govhall plugin."""\n' if path.name == "__init__.py" else ""
        else:
            text = fill((TEMPLATE_DIR / template).read_text(encoding="utf-8"), values)
        path.write_text(text, encoding="utf-8")
    return root


@click.command("new")
@click.argument("name")
@click.option("--dir", "parent", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              show_default=True, help="Where to create the distribution directory.")
@click.option("--title", default=None, help="Chinese title of the plugin (default: from NAME).")
def new_cmd(name: str, parent: Path, title: str | None) -> None:
    """Scaffold a plugin NAME as its own distribution (govhall-NAME/) with a passing test."""
    root = scaffold(name, parent, title)
    click.echo(f"created {root}")
    click.echo(f"next: follow {root / 'README.md'} (install, migrate, enable at a county, serve, pytest)")


def register(cli: click.Group) -> None:
    from core.cli.plugins import plugins

    plugins.add_command(new_cmd)
