"""``govhall licence verify FILE`` (offline: no database) and ``govhall licence keys`` (export keys)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from core.api import pass_platform, tenant_arg


@click.group("licence")
def licence() -> None:
    """Electronic licences: verify a licence file offline, export the issuers' public keys."""


def _load_keys(path: Path | None) -> list[dict[str, Any]] | None:
    if path is None:
        return None
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise click.BadParameter(f"{path.name} is not a JSON key file: {exc}", param_hint="--keys") from None
    items = raw.get("items") if isinstance(raw, dict) else raw
    if not isinstance(items, list) or not all(isinstance(k, dict) for k in items):
        raise click.BadParameter(
            f'{path.name} must hold a list of keys (or {{"items": [...]}})', param_hint="--keys"
        )
    return items


@licence.command("verify")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--keys",
    "keys_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The issuers' published public keys (JSON from /api/t/<code>/licence/keys or "
    "`govhall licence keys`); without it the key the file carries is used and reported.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def verify_cmd(file: Path, keys_file: Path | None, as_json: bool) -> None:
    """Verify the licence PDF FILE offline: signature, page, number and (with --keys) the signing key.
    Exit 0 when it verifies, 1 when it does not (each reason printed), 2 on bad arguments."""
    from plugins.licence import dates
    from plugins.licence.offline import verify_pdf

    keys = _load_keys(keys_file)
    outcome = verify_pdf(file.read_bytes(), trusted_keys=keys, today=dates.today(None))
    if as_json:
        click.echo(
            json.dumps(
                {
                    "ok": outcome.ok,
                    "identifier": outcome.identifier,
                    "key_id": outcome.key_id,
                    "problems": [{"zh": z, "en": e} for z, e in outcome.problems],
                    "notes": [{"zh": z, "en": e} for z, e in outcome.notes],
                },
                ensure_ascii=False,
            )
        )
    else:
        _print(file, outcome)
    sys.exit(0 if outcome.ok else 1)


def _print(file: Path, outcome: Any) -> None:
    data = outcome.data or {}
    if outcome.ok:
        click.echo(f"{file.name}: 核验通过 VERIFIED")
    else:
        click.echo(f"{file.name}: 核验失败 NOT VERIFIED")
    if data:
        click.echo(f"  证照 licence: {data.get('type', {}).get('name', '')} {data.get('identifier', '')}")
        click.echo(f"  持证主体 holder: {data.get('holder', {}).get('name', '')}")
        click.echo(f"  发证机关 issuer: {data.get('issuer', {}).get('name', '')} ({outcome.key_id})")
    for zh, en in outcome.problems:
        click.echo(f"  ✗ {zh}\n    {en}")
    for zh, en in outcome.notes:
        click.echo(f"  · {zh}\n    {en}")


@licence.command("keys")
@click.option("--tenant", "tenant_code", required=True, help="Code of the issuing tenant, e.g. 360102.")
@pass_platform
def keys_cmd(platform: Any, tenant_code: str) -> None:
    """Print the tenant's public signing keys (current and retired) as JSON, for `verify --keys`."""
    from core.api import Scope, signing

    tenant = tenant_arg(platform, tenant_code)
    with platform.db.session(Scope.system()) as s:
        keys = [k.as_dict() for k in signing.public_keys(s, tenant.path)]
    click.echo(json.dumps({"items": keys}, ensure_ascii=False, indent=1))
