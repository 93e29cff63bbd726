"""The fee of an item: one source of truth (issue #16).

Where a plugin charges the fee (payment, through ``govhall_approval_item_fees`` in
plugins/approval/hookspecs.py), its amount and legal basis are the fee — in the service guide, on a new
application and in the ``approval.fee_mismatch`` rule. Approval's own ``ServiceItem.fee_cents`` and
``fee_basis`` are the fee only where no plugin answers (payment off at the tenant)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ItemFee:
    cents: int
    basis: str
    charged: bool  # True: the value another plugin charges; False: approval's own column


def charged_fees(platform: Any, tenant: Any, codes: Iterable[str], session: Any) -> dict[str, ItemFee]:
    """What the plugins enabled at ``tenant`` charge for ``codes`` (only the codes they answer for)."""
    wanted = sorted(set(codes))
    if platform is None or not wanted:
        return {}
    out: dict[str, ItemFee] = {}
    batches = platform.hooks(tenant).govhall_approval_item_fees(
        platform=platform, tenant=tenant, item_codes=wanted, session=session
    )
    for batch in batches or []:
        for code, fee in (batch or {}).items():
            if code not in wanted or not isinstance(fee, dict):
                continue
            cents = fee.get("cents")
            if isinstance(cents, int) and not isinstance(cents, bool) and cents >= 0:
                out[code] = ItemFee(cents, str(fee.get("basis") or ""), True)
    return out


def item_fee(platform: Any, tenant: Any, item: Any, session: Any) -> ItemFee:
    """The fee of ``item`` at ``tenant``: what is charged where a plugin charges it, else approval's own."""
    charged = charged_fees(platform, tenant, [item.code], session).get(item.code)
    return charged or ItemFee(int(item.fee_cents or 0), item.fee_basis or "", False)
