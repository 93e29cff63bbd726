"""What the API and the pages show of products, prices and orders: names, never internal keys alone."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from plugins.medicine import orders
from plugins.medicine.models import ORDER_STATUSES, Company, Hospital, Invoice, ListedPrice, Order, Product


def pick(pair: tuple[str, str], lang: str) -> str:
    return pair[0] if lang.startswith("zh") else pair[1]


def tier_name(platform: Any, path: str, lang: str) -> str:
    t = platform.directory.get(path.rsplit("/", 1)[-1])
    if t is None:
        return path
    return t.name if lang.startswith("zh") else (t.name_en or t.name)


def listed_out(platform: Any, lp: ListedPrice | None, lang: str) -> dict[str, Any] | None:
    if lp is None:
        return None
    return {
        "price_cents": lp.price_cents,
        "effective_from": lp.effective_from,
        "tier_path": lp.tier_path,
        "tier_name": tier_name(platform, lp.tier_path, lang),
    }


def product_out(platform: Any, p: Product, maker: str, lp: ListedPrice | None, lang: str) -> dict[str, Any]:
    return {
        "id": p.id,
        "code": p.code,
        "generic_name": p.generic_name,
        "dosage_form": p.dosage_form,
        "strength": p.strength,
        "package": p.package,
        "manufacturer": maker,
        "approval_number": p.approval_number,
        "atc_code": p.atc_code,
        "listed": listed_out(platform, lp, lang),
    }


def names(s: Session, model: Any, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(s.execute(select(model.id, model.name).where(model.id.in_(ids))).all())


def orders_out(s: Session, rows: list[Order], lang: str) -> list[dict[str, Any]]:
    hospitals = names(s, Hospital, {o.hospital_id for o in rows})
    companies = names(s, Company, {o.distributor_id for o in rows})
    return [
        order_out(o, hospitals.get(o.hospital_id, ""), companies.get(o.distributor_id, ""), lang)
        for o in rows
    ]


def order_out(o: Order, hospital: str, distributor: str, lang: str) -> dict[str, Any]:
    return {
        "id": o.id,
        "number": o.number,
        "hospital": hospital,
        "distributor": distributor,
        "status": o.status,
        "status_title": pick(ORDER_STATUSES.get(o.status, (o.status, o.status)), lang),
        "ordered_on": o.ordered_on,
        "total_cents": o.total_cents,
        "accepted_cents": o.accepted_cents,
        "delivery_note": o.delivery_note,
        "shipped_on": o.shipped_on,
        "accepted_on": o.accepted_on,
        "due_on": o.due_on,
        "paid_on": o.paid_on,
        "version": o.version,
    }


def order_detail(s: Session, o: Order, lang: str) -> dict[str, Any]:
    out = orders_out(s, [o], lang)[0]
    lines = orders.lines_of(s, o.id)
    pnames = dict(
        s.execute(
            select(Product.id, Product.generic_name).where(Product.id.in_({ln.product_id for ln in lines}))
        ).all()
    )
    out["lines"] = [
        {
            "id": ln.id,
            "product_id": ln.product_id,
            "product_name": pnames.get(ln.product_id, ""),
            "quantity": ln.quantity,
            "price_cents": ln.price_cents,
            "listed_cents": ln.listed_cents,
            "status": ln.status,
            "decline_reason": ln.decline_reason,
            "shipped_qty": ln.shipped_qty,
            "accepted_qty": ln.accepted_qty,
            "batch": ln.batch,
        }
        for ln in lines
    ]
    out["invoices"] = list(s.scalars(select(Invoice).where(Invoice.order_id == o.id).order_by(Invoice.seq)))
    return out
