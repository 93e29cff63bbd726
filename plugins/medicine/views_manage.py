"""Staff pages of sunshine medicine (``medicine:catalogue:manage``): the catalogue with the listed prices in
force here, a product's price versions with the form that lists a new one from its effective day, the
CSV import of prices as a page upload (all rows or none, each error shown with its row and column), and
volume-based procurement rounds with their winning products and hospitals' commitments.

The same services as the JSON API; every refusal re-renders the page with the message in Chinese and
English beside it and changes nothing. Forms carry the CSRF token the core middleware checks.
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from core.api import (
    DomainError,
    Invalid,
    RowsRefused,
    form_data,
    read_form,
    read_import,
    render,
    require,
    run_scoped,
    today,
    validate,
)
from plugins.medicine import catalogue, present, vbp
from plugins.medicine import permissions as P
from plugins.medicine import schemas as S
from plugins.medicine.api import product_known, round_visible
from plugins.medicine.models import Company, Hospital, Product, Round, RoundProduct
from plugins.medicine.views import page_cents

MAX_IMPORT_ROWS = 5000

# The names people read for each field a form may name in an error.
LABELS: dict[str, tuple[str, str]] = {
    "code": ("产品编码", "Product code"),
    "generic_name": ("通用名", "Generic name"),
    "dosage_form": ("剂型", "Dosage form"),
    "strength": ("规格", "Strength"),
    "package": ("包装", "Package"),
    "manufacturer_code": ("生产企业", "Manufacturer"),
    "approval_number": ("批准文号", "Approval number"),
    "atc_code": ("ATC 编码", "ATC code"),
    "price_cents": ("挂网价（元）", "Listed price (yuan)"),
    "effective_from": ("生效日期", "Effective from"),
    "note": ("调价说明", "Note"),
    "file": ("价格文件", "Price file"),
    "product_code": ("产品编码", "Product code"),
    "name": ("批次名称", "Round name"),
    "starts_on": ("开始日期", "Starts on"),
    "ends_on": ("结束日期", "Ends on"),
    "prepay_percent": ("医保预付比例（%）", "Insurance prepayment (%)"),
    "products": ("中选产品", "Winning products"),
    "hospital_id": ("医疗机构", "Hospital"),
    "product_id": ("产品", "Product"),
    "annual_qty": ("约定年采购量", "Committed a year"),
}


def _ctx(request: Request) -> Any:
    return request.state.ctx


def _base(request: Request) -> str:
    return f"/t/{_ctx(request).tenant.code}/medicine"


def _label(field: str) -> tuple[str, str]:
    """A field path as people read it: ``products.0.price_cents`` → 挂网价（元）."""
    for part in reversed(field.split(".")):
        if part in LABELS:
            return LABELS[part]
    return ("", "")


def _errors(exc: DomainError) -> dict[str, Any]:
    """What a page shows above its form: the message in both languages, each field's problem named by its
    label (never the field's key), and for a refused import each row's error."""
    rows = []
    if isinstance(exc, RowsRefused):
        rows = [{"row": e.row, "label": _label(e.field), "message": e.message} for e in exc.errors]
    zh_fields = exc.field_messages("zh-CN") if not rows else {}
    en_fields = exc.field_messages("en") if not rows else {}
    return {
        "code": exc.code,
        "message_zh": exc.message_zh.split("\n", 1)[0],
        "message_en": exc.message_en.split("\n", 1)[0],
        "fields": [
            {
                "label": _label(f),
                # the services name one field in English only; its Chinese is the message itself
                "zh": zh_fields.get(f) or (exc.message_zh if len(en_fields) == 1 else m),
                "en": m,
            }
            for f, m in en_fields.items()
        ],
        "rows": rows,
    }




# --- the catalogue -----------------------------------------------------------------------------------------


async def _catalogue(request: Request, errors: Any = None, status: int = 200, form: Any = None) -> Response:
    ctx = _ctx(request)
    q = validate(S.MedPriceQuery, {k: v for k, v in request.query_params.items() if k == "q"}).q

    def work(s: Any) -> Any:
        rows = catalogue.search(s, ctx.tenant.path, today(ctx.platform), q, limit=200)
        makers = list(
            s.execute(
                select(Company.credit_code, Company.name)
                .where(Company.kind == "manufacturer")
                .order_by(Company.name)
            ).all()
        )
        return [
            present.product_out(ctx.platform, r["product"], r["manufacturer"], r["price"], ctx.lang)
            for r in rows
        ], makers

    rows, makers = await run_scoped(request, work)
    return render(
        request,
        "medicine/manage.html",
        {"rows": rows, "q": q, "makers": makers, "errors": errors, "form": form or {}},
        status=status,
    )


@require(P.CATALOGUE)
async def manage(request: Request) -> Response:
    return await _catalogue(request)


@require(P.CATALOGUE)
async def manage_post(request: Request) -> Response:
    """Add a product, or import a price file (a CSV upload: every row checked, all or none)."""
    ctx = _ctx(request)
    form = await form_data(request, max_file_mb=5)
    action = str(form.get("action", ""))
    fields = {k: v for k, v in form.items() if k not in ("csrf_token", "action", "file")}
    try:
        if action == "import":
            n = await _import(request, form.get("file"))
            return RedirectResponse(f"{_base(request)}/manage?imported={n}", status_code=303)
        data = validate(S.MedProductIn, {k: str(v).strip() for k, v in fields.items()})

        def work(s: Any) -> int:
            p = catalogue.add_product(
                s, catalogue.ProductIn(**data.model_dump()), actor=ctx.actor.label, tenant=ctx.tenant
            )
            return p.id

        pid = await run_scoped(request, work, write=True)
    except DomainError as exc:
        return await _catalogue(request, _errors(exc), exc.status, fields)
    return RedirectResponse(f"{_base(request)}/manage/products/{pid}", status_code=303)


async def _import(request: Request, upload: Any) -> int:
    ctx = _ctx(request)
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise Invalid(
            "Choose a CSV file", "请选择 CSV 文件", fields={"file": "required"}, fields_zh={"file": "必填"}
        )
    suffix = ".json" if upload.filename.lower().endswith(".json") else ".csv"
    blob = await upload.read()
    name = Path(upload.filename).name[:80]
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / (Path(name).stem[:60] + suffix)
        path.write_bytes(blob)
        file = read_import(path, max_rows=MAX_IMPORT_ROWS)
    if file.errors:
        raise RowsRefused(name, file.errors, len(file.rows) + len(file.errors))
    return int(
        await run_scoped(
            request,
            lambda s: catalogue.import_prices(
                s, ctx.platform, ctx.tenant, name, file.rows, actor=ctx.actor.label
            ),
            write=True,
        )
    )


# --- one product's prices ----------------------------------------------------------------------------------


async def _product(request: Request, errors: Any = None, status: int = 200, form: Any = None) -> Response:
    ctx = _ctx(request)
    pid = int(request.path_params["product_id"])

    def work(s: Any) -> Any:
        p = catalogue.product(s, pid)
        maker = s.get(Company, p.manufacturer_id)
        on = today(ctx.platform)
        lp = catalogue.listed_prices(s, [pid], ctx.tenant.path, on).get(pid)
        history = [
            {
                "price_cents": r.price_cents,
                "effective_from": r.effective_from,
                "tier_name": present.tier_name(ctx.platform, r.tier_path, ctx.lang),
                "here": r.tier_path == ctx.tenant.path,
                "note": r.note,
                "set_by": r.set_by,
                "in_force": lp is not None and r.id == lp.id,
                "future": r.effective_from > on,
            }
            for r in catalogue.price_history(s, pid, ctx.tenant.path)
        ]
        return present.product_out(ctx.platform, p, maker.name if maker else "", lp, ctx.lang), history, on

    product, history, on = await run_scoped(request, work)
    return render(
        request,
        "medicine/manage_product.html",
        {
            "p": product,
            "history": history,
            "today": on,
            "errors": errors,
            "form": form or {},
            "chart": _price_chart(ctx, history),
        },
        status=status,
    )


def _price_chart(ctx: Any, history: list[dict[str, Any]]) -> Any:
    """Listed prices compared over their versions: a line per tier, oldest first."""
    from core.api import charts

    if len(history) < 2:
        return None
    zh = ctx.lang == "zh-CN"
    days = sorted({h["effective_from"] for h in history})
    tiers: dict[str, dict[date, float]] = {}
    for h in history:
        tiers.setdefault(h["tier_name"], {})[h["effective_from"]] = h["price_cents"] / 100
    return charts.line_chart(
        "挂网价格变化（元）" if zh else "Listed price over time (yuan)",
        [d.isoformat() for d in days],
        {name: [per.get(d) for d in days] for name, per in tiers.items()},
    )


@require(P.CATALOGUE, visible=product_known)
async def product_page(request: Request) -> Response:
    return await _product(request)


@require(P.CATALOGUE, visible=product_known)
async def product_price_post(request: Request) -> Response:
    """List a new price version at this tier from its effective day (a past day is refused)."""
    ctx = _ctx(request)
    pid = int(request.path_params["product_id"])
    form = await read_form(request)
    try:
        data = validate(
            S.MedPriceIn,
            {
                "price_cents": page_cents(form.get("price", "")),
                "effective_from": str(form.get("effective_from", "")).strip(),
                "note": str(form.get("note", "")).strip(),
            },
        )
        await run_scoped(
            request,
            lambda s: catalogue.set_price(
                s,
                ctx.platform,
                ctx.tenant,
                pid,
                price_cents=data.price_cents,
                effective_from=data.effective_from,
                actor=ctx.actor.label,
                note=data.note,
            ),
            write=True,
        )
    except DomainError as exc:
        return await _product(request, _errors(exc), exc.status, form)
    return RedirectResponse(f"{_base(request)}/manage/products/{pid}?listed=1", status_code=303)


# --- volume-based procurement rounds -----------------------------------------------------------------------


async def _rounds(request: Request, errors: Any = None, status: int = 200, form: Any = None) -> Response:
    ctx = _ctx(request)

    def work(s: Any) -> Any:
        rounds = list(
            s.scalars(
                select(Round)
                .where(Round.tier_path.in_(catalogue.ancestor_paths(ctx.tenant.path)))
                .order_by(Round.starts_on.desc(), Round.id.desc())
            )
        )
        winners: dict[int, list[str]] = {}
        for rid, name in s.execute(
            select(RoundProduct.round_id, Product.generic_name)
            .join(Product, Product.id == RoundProduct.product_id)
            .where(RoundProduct.round_id.in_([r.id for r in rounds]))
            .order_by(Product.generic_name)
        ):
            winners.setdefault(rid, []).append(name)
        products = catalogue.search(s, ctx.tenant.path, today(ctx.platform), "", limit=200)
        return [
            {
                "id": r.id,
                "name": r.name,
                "tier_name": present.tier_name(ctx.platform, r.tier_path, ctx.lang),
                "starts_on": r.starts_on,
                "ends_on": r.ends_on,
                "prepay_percent": r.prepay_percent,
                "winners": winners.get(r.id, []),
            }
            for r in rounds
        ], [
            {"id": x["product"].id, "name": x["product"].generic_name, "strength": x["product"].strength}
            for x in products
        ]

    rounds, products = await run_scoped(request, work)
    return render(
        request,
        "medicine/manage_rounds.html",
        {"rounds": rounds, "products": products, "errors": errors, "form": form or {}},
        status=status,
    )


@require(P.CATALOGUE)
async def rounds_page(request: Request) -> Response:
    return await _rounds(request)


@require(P.CATALOGUE)
async def rounds_post(request: Request) -> Response:
    """Create a round at this tier: its period, the fund's prepayment share and the winning products, each
    with its winning price (a product is picked by giving it a price)."""
    ctx = _ctx(request)
    form = await read_form(request)
    winners = [
        {"product_id": key.removeprefix("win_"), "price_cents": page_cents(value)}
        for key, value in form.items()
        if key.startswith("win_") and str(value).strip()
    ]
    try:
        d = validate(
            S.MedRoundIn,
            {
                "name": str(form.get("name", "")).strip(),
                "starts_on": str(form.get("starts_on", "")).strip(),
                "ends_on": str(form.get("ends_on", "")).strip(),
                "prepay_percent": str(form.get("prepay_percent", "")).strip() or 30,
                "products": winners,
            },
        )

        def work(s: Any) -> int:
            r = vbp.create_round(
                s,
                ctx.tenant,
                name=d.name,
                starts_on=d.starts_on,
                ends_on=d.ends_on,
                prepay_percent=d.prepay_percent,
                products=[(x.product_id, x.price_cents) for x in d.products],
                actor=ctx.actor.label,
            )
            return r.id

        rid = await run_scoped(request, work, write=True)
    except DomainError as exc:
        return await _rounds(request, _errors(exc), exc.status, form)
    return RedirectResponse(f"{_base(request)}/rounds/{rid}", status_code=303)


@require(P.CATALOGUE, visible=round_visible)
async def commitment_post(request: Request) -> Response:
    """A hospital's committed annual quantity of a winning product, from the round's page."""
    ctx = _ctx(request)
    rid = int(request.path_params["round_id"])
    form = await read_form(request)
    try:
        d = validate(
            S.MedCommitmentIn,
            {k: str(form.get(k, "")).strip() for k in ("hospital_id", "product_id", "annual_qty")},
        )
        await run_scoped(
            request,
            lambda s: vbp.commit(
                s,
                ctx.tenant,
                rid,
                hospital_id=d.hospital_id,
                product_id=d.product_id,
                annual_qty=d.annual_qty,
                actor=ctx.actor.label,
            ),
            write=True,
        )
    except DomainError as exc:
        from plugins.medicine.views import round_view

        return await round_view(request, _errors(exc), exc.status)
    return RedirectResponse(f"{_base(request)}/rounds/{rid}", status_code=303)


def commitment_choices(s: Any, tenant: Any, round_id: int) -> tuple[list[Any], list[Any]]:
    """The hospitals of this tenant and the round's winning products, for the commitment form."""
    hospitals = list(
        s.execute(
            select(Hospital.id, Hospital.name).where(Hospital.tenant_id == tenant.id).order_by(Hospital.name)
        ).all()
    )
    products = list(
        s.execute(
            select(Product.id, Product.generic_name, Product.strength)
            .join(RoundProduct, RoundProduct.product_id == Product.id)
            .where(RoundProduct.round_id == round_id)
            .order_by(Product.generic_name)
        ).all()
    )
    return hospitals, products


def routes() -> list[BaseRoute]:
    return [
        Route("/manage", manage, methods=["GET"]),
        Route("/manage", manage_post, methods=["POST"]),
        Route("/manage/products/{product_id:int}", product_page, methods=["GET"]),
        Route("/manage/products/{product_id:int}", product_price_post, methods=["POST"]),
        Route("/manage/rounds", rounds_page, methods=["GET"]),
        Route("/manage/rounds", rounds_post, methods=["POST"]),
        Route("/rounds/{round_id:int}/commitments", commitment_post, methods=["POST"]),
    ]
