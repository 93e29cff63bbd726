"""``govhall bidding seal``: seal a bid offline for bidders that submit through the API (no database).

    govhall bidding seal OCID CREDIT_CODE PRICE_YUAN [--file F ...] [--key-out bid.key] > bid.json
    curl -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" \
         --data @bid.json https://HALL/api/t/CODE/bidding/tenders/ID/bids          # -> a signed receipt
    # at the opening:
    curl ... --data "{\"key\": \"$(cat bid.key)\"}" https://HALL/api/t/CODE/bidding/tenders/ID/key

The key is written only to ``--key-out`` (mode 0600) and never sent until the opening.
"""

from __future__ import annotations

import json
import os
from decimal import Decimal, InvalidOperation
from pathlib import Path

import click

from plugins.bidding import sealing


@click.group("bidding")
def bidding() -> None:
    """Public resource trading (sealed bids)."""


@bidding.command("seal")
@click.argument("ocid")
@click.argument("credit_code")
@click.argument("price")
@click.option(
    "--file",
    "files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A bid file to seal with the price (repeatable).",
)
@click.option(
    "--key-out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("bid.key"),
    show_default=True,
    help="Where to keep the key (give it at the opening).",
)
def seal(ocid: str, credit_code: str, price: str, files: tuple[Path, ...], key_out: Path) -> None:
    """Encrypt a bid of PRICE yuan for tender OCID as CREDIT_CODE; print the JSON body for POST .../bids."""
    try:
        cents = int((Decimal(price) * 100).to_integral_exact())
    except (InvalidOperation, ValueError):
        raise click.BadParameter("a price in yuan, e.g. 1234567.89", param_hint="PRICE") from None
    if cents <= 0:
        raise click.BadParameter("the price must be positive", param_hint="PRICE")
    sealed = sealing.seal(
        ocid, credit_code.strip().upper(), cents, [sealing.BidFileIn(f.name, f.read_bytes()) for f in files]
    )
    fd = os.open(key_out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(sealing.b64(sealed.key) + "\n")
    click.echo(json.dumps(sealed.request()))
    click.echo(f"key kept in {key_out}; give it at the opening", err=True)
