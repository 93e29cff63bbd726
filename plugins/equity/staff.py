"""Staff pages of the equity exchange: what the exchange's officers do in the browser. The project list
(every stage, drafts too, with the figures by stage), filing a project, and one project's workbench —
reviewing the buyer conditions, pre-disclosure and formal disclosure, a supplement with a new period or a
relisting (below 90% of the appraisal with the approving body's written consent uploaded), deposits,
confirming qualified buyers, starting the online auction, the contract and payments, the result notice,
the trade certificate; after the deal, deposit refunds and the award passing to the second bidder.

Every act goes through the same services as the JSON API (``api.py``), under the same permissions. A refused
act re-renders the workbench with the error naming the field, in Chinese with English beside it, and
changes nothing (the transaction is rolled back).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any

from pydantic import BaseModel, Field, ValidationError, field_validator
from sqlalchemy import func, select
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from core.api import (
    DomainError,
    Invalid,
    charts,
    clock,
    form_data,
    form_error_pairs,
    read_form,
    render,
    require,
    yuan_cents,
)
from core.api import today as legal_today
from plugins.equity import api, bidding, buyers, law, services, settlement
from plugins.equity import permissions as P
from plugins.equity import schemas as S
from plugins.equity.models import (
    AUCTION_STATES,
    BUYER_STATES,
    CREDIT_LEVELS,
    METHODS,
    PAYMENT_MODES,
    STATUSES,
    Auction,
    Buyer,
    Deal,
    Project,
    Shareholder,
)
from plugins.equity.views import periods_of

# Field names in both languages: the error box names the field as people know it.
LABELS: dict[str, tuple[str, str]] = {
    "title": ("项目名称", "Title"),
    "target": ("转让标的", "Target"),
    "seller_name": ("转让方", "Seller"),
    "seller_code": ("转让方统一社会信用代码", "Seller's credit code"),
    "seller_representative": ("转让方法定代表人", "Seller's legal representative"),
    "supervisor_name": ("国家出资企业或国资监管机构", "Supervising body"),
    "appraisal_yuan": ("评估值（元）", "Appraisal (yuan)"),
    "appraisal_cents": ("评估值（元）", "Appraisal (yuan)"),
    "appraisal_approved_by": ("评估核准（备案）单位", "Appraisal approved by"),
    "appraisal_approved_on": ("评估核准（备案）日期", "Appraisal approved on"),
    "listing_yuan": ("挂牌价（元）", "Listing price (yuan)"),
    "listing_cents": ("挂牌价（元）", "Listing price (yuan)"),
    "increment_yuan": ("加价幅度（元）", "Bid increment (yuan)"),
    "increment_cents": ("加价幅度（元）", "Bid increment (yuan)"),
    "deposit_yuan": ("保证金（元）", "Deposit (yuan)"),
    "deposit_cents": ("保证金（元）", "Deposit (yuan)"),
    "conditions": ("受让方资格条件", "Buyer conditions"),
    "control_change": ("涉及控制权转移", "Control changes"),
    "fair": ("审核结论", "Finding"),
    "reason": ("理由", "Reason"),
    "kind": ("披露类型", "Disclosure"),
    "start": ("开始日期", "Start"),
    "end": ("截止日期", "Last day"),
    "changes": ("变更内容", "Changes"),
    "consent": ("批准单位书面同意文件", "Approving body's written consent"),
    "file": ("文件", "File"),
    "buyer_id": ("意向受让方", "Buyer"),
    "cents": ("金额（元）", "Amount (yuan)"),
    "yuan": ("金额（元）", "Amount (yuan)"),
    "on": ("日期", "Day"),
    "qualified": ("资格确认结论", "Finding"),
    "buyers": ("意向受让方", "Buyers"),
    "starts_date": ("竞价开始日期", "Auction day"),
    "starts_time": ("竞价开始时刻", "Auction time"),
    "starts_at": ("竞价开始时间", "Auction start"),
    "free_minutes": ("自由报价期（分钟）", "Free bidding (minutes)"),
    "countdown_seconds": ("限时报价倒计时（秒）", "Countdown (seconds)"),
    "contract_no": ("合同编号", "Contract number"),
    "signed_on": ("签订日期", "Signed on"),
    "mode": ("付款方式", "Payment"),
    "down_yuan": ("首期付款（元）", "Down payment (yuan)"),
    "down_cents": ("首期付款（元）", "Down payment (yuan)"),
    "rest_due": ("余款付清日期", "Rest due"),
    "price_yuan": ("协议价格（元）", "Agreed price (yuan)"),
    "price_cents": ("成交价（元）", "Price (yuan)"),
    "paid_cents": ("已付金额", "Paid"),
    "notice_start": ("结果公告", "Result notice"),
    "version": ("版本", "Version"),
    "shareholders": ("股东", "Shareholders"),
    "holder": ("股东信息", "Shareholder"),
    "form": ("表单", "Form"),
    "amount_yuan": ("金额（元）", "Amount (yuan)"),
    "deal": ("成交", "Deal"),
}


def _ctx(request: Request) -> Any:
    return request.state.ctx


def _base(request: Request) -> str:
    return f"/t/{_ctx(request).tenant.code}/equity/manage"


def _pid(request: Request) -> int:
    return int(request.path_params["project_id"])


def errors_of(exc: Exception) -> dict[str, tuple[str, str]]:
    """Field -> (Chinese, English) message, from a validation or a domain error."""
    return form_error_pairs(exc, whole_path=False)




def _yuan_fields(form: dict[str, Any], money: dict[str, str], optional: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for src, dst in money.items():
        raw = str(form.get(src, "") or "").strip()
        if optional and not raw:
            continue
        out[dst] = yuan_cents(raw, src, allow_zero=dst in ("deposit_cents", "down_cents"))
    return out


# --- the project list -----------------------------------------------------------------------------------


@require(P.PROJECT_VIEW)
async def projects(request: Request) -> Response:
    ctx = _ctx(request)
    status = request.query_params.get("status", "")
    status = status if status in STATUSES else ""

    def work() -> Any:
        with ctx.platform.db.session(ctx.tenant.scope) as s:
            stmt = select(Project).where(Project.tenant_id == ctx.tenant.id).order_by(Project.id.desc())
            if status:
                stmt = stmt.where(Project.status == status)
            rows = list(s.scalars(stmt.limit(200)))
            n = dict(
                s.execute(
                    select(Buyer.project_id, func.count())
                    .where(Buyer.project_id.in_([p.id for p in rows]))
                    .group_by(Buyer.project_id)
                ).all()
            )
            by_state = dict(
                s.execute(
                    select(Project.status, func.count())
                    .where(Project.tenant_id == ctx.tenant.id)
                    .group_by(Project.status)
                ).all()
            )
            s.expunge_all()
            return rows, n, by_state

    rows, n, by_state = await ctx.platform.db.run(work)
    zh = ctx.lang == "zh-CN"
    shown = [(k, by_state[k]) for k in STATUSES if by_state.get(k)]
    chart = (
        charts.bar_chart(
            "各阶段项目数" if zh else "Projects by stage",
            [STATUSES[k][0 if zh else 1] for k, _ in shown],
            {"项目数" if zh else "Projects": [float(v) for _, v in shown]},
        )
        if shown
        else None
    )
    return render(
        request,
        "equity/manage.html",
        {
            "rows": rows,
            "buyers": n,
            "status": status,
            "statuses": STATUSES,
            "total": sum(by_state.values()),
            "chart": chart,
            "can_manage": ctx.allowed(P.PROJECT_MANAGE),
        },
    )


# --- filing a project -----------------------------------------------------------------------------------


def project_form(form: dict[str, Any]) -> S.EquityProjectIn:
    data = {
        k: form.get(k, "")
        for k in (
            "title",
            "target",
            "seller_name",
            "seller_code",
            "seller_representative",
            "supervisor_name",
            "appraisal_approved_by",
            "appraisal_approved_on",
            "conditions",
        )
    }
    data["seller_code"] = str(data["seller_code"]).strip().upper()
    data.update(
        _yuan_fields(
            form,
            {
                "appraisal_yuan": "appraisal_cents",
                "listing_yuan": "listing_cents",
                "increment_yuan": "increment_cents",
                "deposit_yuan": "deposit_cents",
            },
        )
    )
    data["control_change"] = bool(form.get("control_change"))
    return S.EquityProjectIn.model_validate(data)


def _new_form(request: Request, form: dict[str, Any], errors: dict[str, Any], status: int = 200) -> Response:
    return render(
        request,
        "equity/manage_new.html",
        {
            "form": form,
            "errors": errors,
            "labels": LABELS,
            "rules": [law.DISCLOSURE, law.RELIST],
            "today": legal_today(_ctx(request).platform),
        },
        status=status,
    )


@require(P.PROJECT_MANAGE)
async def new_project(request: Request) -> Response:
    ctx = _ctx(request)
    if request.method == "GET":
        return _new_form(request, {"deposit_yuan": "0"}, {})
    form = await read_form(request)
    try:
        data = project_form(form)

        def work() -> int:
            with ctx.platform.db.transaction(ctx.tenant.scope) as s:
                p = services.create(
                    s,
                    ctx.platform,
                    ctx.tenant,
                    services.ProjectIn(**data.model_dump()),
                    actor=ctx.actor.label,
                )
                return int(p.id)

        pid = await ctx.platform.db.run(work)
    except (ValidationError, DomainError) as exc:
        return _new_form(request, form, errors_of(exc), status=getattr(exc, "status", 422))
    return RedirectResponse(f"{_base(request)}/projects/{pid}?done=filed", status_code=303)


# --- one project's workbench ----------------------------------------------------------------------------


def workbench(s: Any, ctx: Any, pid: int) -> dict[str, Any]:
    """Everything the workbench shows of one project of this tenant (the caller checked it is here)."""
    p = services.advance(s, ctx.platform, ctx.tenant, services.load(s, ctx.tenant, pid))
    a = s.scalar(select(Auction).where(Auction.project_id == p.id))
    if a is not None and not a.closed:
        bidding.close_if_due(s, ctx.platform, ctx.tenant, p.id)
    settlement.fall_through(s, ctx.platform, ctx.tenant, p)
    d = s.scalar(select(Deal).where(Deal.project_id == p.id))
    rows = list(s.scalars(select(Buyer).where(Buyer.project_id == p.id).order_by(Buyer.id)))
    holders = list(
        s.scalars(select(Shareholder).where(Shareholder.project_id == p.id).order_by(Shareholder.id))
    )
    today = legal_today(ctx.platform)
    award = settlement.current_award(s, p)
    refundable = settlement.refundable(s, p, rows)
    changes = services.changes_of(s, p.id)
    s.expunge_all()
    return {
        "p": p,
        "auction": a,
        "deal": d,
        "buyer_rows": rows,
        "holders": holders,
        "changes": changes,
        "periods": periods_of(p, d, award),
        "award": award,
        "today": today,
        "formal_earliest": law.earliest_end(ctx.platform, ctx.tenant, today, law.DISCLOSURE),
        "below_line": law.RELIST.value * p.appraisal_cents // 100,
        "registered": sum(1 for b in rows if b.status == "registered"),
        "qualified_n": sum(1 for b in rows if b.status == "qualified"),
        "refundable": refundable,
        "award_buyer": next((b for b in rows if award is not None and b.id == award.buyer_id), None),
    }


async def _workbench(
    request: Request,
    *,
    errors: dict[str, Any] | None = None,
    form: dict[str, Any] | None = None,
    act: str = "",
    status: int = 200,
    done: str = "",
) -> Response:
    ctx = _ctx(request)
    pid = _pid(request)

    def work() -> dict[str, Any]:
        with ctx.platform.db.transaction(ctx.tenant.scope) as s:
            return workbench(s, ctx, pid)

    values = await ctx.platform.db.run(work)
    return render(
        request,
        "equity/manage_project.html",
        {
            **values,
            "errors": errors or {},
            "form": form or {},
            "act": act,
            "done": done,
            "labels": LABELS,
            "DONE": DONE,
            "statuses": STATUSES,
            "buyer_states": BUYER_STATES,
            "credit_levels": CREDIT_LEVELS,
            "auction_states": AUCTION_STATES,
            "methods": METHODS,
            "modes": PAYMENT_MODES,
            "status_title": api.title(STATUSES, values["p"].status, ctx.lang),
            "can_manage": ctx.allowed(P.PROJECT_MANAGE),
            "now": clock.now(ctx.platform),
        },
        status=status,
    )


@require(P.PROJECT_VIEW, visible=api.visible_project)
async def project(request: Request) -> Response:
    return await _workbench(request, done=request.query_params.get("done", "")[:20])


# --- acts -----------------------------------------------------------------------------------------------


class _BuyerForm(S.Strict):
    buyer_id: int = Field(ge=1, le=2**63 - 1)


class _DepositForm(S.EquityDepositIn):
    buyer_id: int = Field(ge=1, le=2**63 - 1)


class _ConfirmForm(S.EquityConfirmIn):
    buyer_id: int = Field(ge=1, le=2**63 - 1)


class _RefundForm(_BuyerForm):
    on: date

    _d = field_validator("on")(S._day)


class _HolderForm(S.Strict):
    owner: str = Field(pattern="^(seller|[0-9]{1,19})$")
    name: str = Field(min_length=1, max_length=200)
    credit_code: str = Field(default="", max_length=18)


def _buyer_of(s: Any, ctx: Any, pid: int, buyer_id: int) -> Buyer:
    b = s.get(Buyer, buyer_id)
    if b is None or b.project_id != pid or b.tenant_id != ctx.tenant.id:
        raise Invalid(
            "No such buyer on this project", "本项目没有该意向受让方", fields={"buyer_id": "unknown"}
        )
    return b  # type: ignore[no-any-return]


def _proceed(s: Any, ctx: Any, pid: int, d: Any) -> None:
    api.proceed_act(s, ctx, pid, d)


def _deposit(s: Any, ctx: Any, pid: int, d: Any) -> None:
    _buyer_of(s, ctx, pid, d.buyer_id)
    buyers.pay_deposit(s, ctx.platform, ctx.tenant, d.buyer_id, cents=d.cents, on=d.on, actor=ctx.actor.label)


def _confirm(s: Any, ctx: Any, pid: int, d: Any) -> None:
    _buyer_of(s, ctx, pid, d.buyer_id)
    services.advance(s, ctx.platform, ctx.tenant, services.load(s, ctx.tenant, pid))
    buyers.confirm(
        s,
        ctx.platform,
        ctx.tenant,
        d.buyer_id,
        d.version,
        qualified=d.qualified,
        reason=d.reason,
        actor=ctx.actor.label,
    )


def _refund(s: Any, ctx: Any, pid: int, d: Any) -> None:
    _buyer_of(s, ctx, pid, d.buyer_id)
    settlement.refund_deposit(s, ctx.platform, ctx.tenant, d.buyer_id, on=d.on, actor=ctx.actor.label)


def _default(s: Any, ctx: Any, pid: int, d: Any) -> None:
    settlement.record_default(
        s, ctx.platform, ctx.tenant, pid, d.version, reason=d.reason, actor=ctx.actor.label
    )


def _holder(s: Any, ctx: Any, pid: int, d: Any) -> None:
    buyer_id = None if d.owner == "seller" else int(d.owner)
    if buyer_id is not None:
        _buyer_of(s, ctx, pid, buyer_id)
    settlement.add_shareholder(
        s,
        ctx.platform,
        ctx.tenant,
        pid,
        buyer_id=buyer_id,
        name=d.name,
        credit_code=d.credit_code,
        source="entered",
        actor=ctx.actor.label,
    )


class _DefaultForm(S.EquityVersionIn):
    reason: str = Field(min_length=1, max_length=2000)


Act = Callable[[Any, Any, int, Any], Any]

# name -> (form model, act, yuan fields converted to cents, what the page says when done)
ACTS: dict[str, tuple[type[BaseModel], Act, dict[str, str], tuple[str, str]]] = {
    "review": (S.EquityReviewIn, api.review_act, {}, ("受让条件审核结论已记录", "The review is recorded")),
    "disclose": (S.EquityDiscloseIn, api.disclose_act, {}, ("信息披露已开始", "The disclosure has started")),
    "deposit": (
        _DepositForm,
        _deposit,
        {"yuan": "cents"},
        ("保证金已登记", "The deposit is recorded"),
    ),
    "confirm": (_ConfirmForm, _confirm, {}, ("资格确认结论已记录", "The buyer's finding is recorded")),
    "proceed": (S.EquityProceedIn, _proceed, {}, ("已组织交易", "The transaction is arranged")),
    "contract": (
        S.EquityContractIn,
        api.contract_act,
        {"down_yuan": "down_cents", "price_yuan": "price_cents"},
        ("交易合同已登记", "The contract is recorded"),
    ),
    "payments": (S.EquityPayIn, api.pay_act, {"yuan": "cents"}, ("付款已登记", "The payment is recorded")),
    "notice": (S.EquityNoticeIn, api.notice_act, {}, ("交易结果已公告", "The result notice is published")),
    "certificate": (
        api.EquityEmptyIn,
        api.certificate_act,
        {},
        ("交易凭证已出具", "The trade certificate is issued"),
    ),
    "refund": (_RefundForm, _refund, {}, ("保证金已退还", "The deposit is refunded")),
    "default": (
        _DefaultForm,
        _default,
        {},
        ("已记录竞得人违约，保证金不予退还", "The winner's default is recorded; the deposit is forfeited"),
    ),
    "shareholders": (_HolderForm, _holder, {}, ("股东信息已登记", "The shareholder is recorded")),
}
OPTIONAL_MONEY = {"contract"}
CONSENT_MAX_MB = 20  # a scanned letter of consent
BOOLS = {"fair", "qualified"}


def parse_act(name: str, form: dict[str, Any], zone: Any) -> BaseModel:
    """The page's fields to the act's model: yuan to cents, a local day and time to an aware start."""
    model, _fn, money, _done = ACTS[name]
    data = {
        k: v
        for k, v in form.items()
        if k not in money and v != "" and k not in ("starts_date", "starts_time")
    }
    for k in BOOLS & set(model.model_fields):
        data[k] = form.get(k) == "1"
    data.update(_yuan_fields(form, money, optional=name in OPTIONAL_MONEY))
    if name == "proceed":
        try:
            day = date.fromisoformat(str(form.get("starts_date", "")).strip())
            at = time.fromisoformat(str(form.get("starts_time", "")).strip() or "10:00")
        except ValueError:
            raise Invalid(
                "starts_date: a day (YYYY-MM-DD) and a time (HH:MM)",
                "请填写竞价开始日期（年-月-日）与时刻（时:分）",
                fields={"starts_date": "a day and a time"},
            ) from None
        data["starts_at"] = datetime.combine(day, at, zone)
    return model.model_validate(data)


def _act_endpoint(name: str) -> Any:
    _model, fn, _money, _done = ACTS[name]

    @require(P.PROJECT_MANAGE, visible=api.visible_project)
    async def endpoint(request: Request) -> Response:
        ctx = _ctx(request)
        form = await read_form(request)
        pid = _pid(request)
        try:
            parsed = parse_act(name, form, clock.zone(ctx.platform))

            def work() -> None:
                with ctx.platform.db.transaction(ctx.tenant.scope) as s:
                    fn(s, ctx, pid, parsed)

            await ctx.platform.db.run(work)
        except (ValidationError, DomainError) as exc:
            status = getattr(exc, "status", 422)
            return await _workbench(request, errors=errors_of(exc), form=form, act=name, status=status)
        return RedirectResponse(f"{_base(request)}/projects/{pid}?done={name}#{name}", status_code=303)

    endpoint.__name__ = f"equity_manage_{name}"
    return endpoint


DONE = {name: spec[3] for name, spec in ACTS.items()}
DONE["filed"] = ("转让项目已登记，待审核受让条件", "The project is filed; review its conditions next")
DONE["change"] = ("变更已记录，重新计算披露期", "The change is recorded; a new disclosure period starts")


@require(P.PROJECT_MANAGE, visible=api.visible_project)
async def change(request: Request) -> Response:
    """A supplement or a relisting (multipart: the approving body's written consent as a file)."""
    ctx = _ctx(request)
    pid = _pid(request)
    limit = CONSENT_MAX_MB
    form: dict[str, Any] = {}
    try:
        raw = await form_data(request, max_file_mb=limit)
        form = {k: v for k, v in raw.items() if k != "csrf_token" and isinstance(v, str)}
        item = raw.get("consent")
        consent = None
        if item is not None and not isinstance(item, str) and item.filename:
            body = await item.read()
            if not body:
                raise Invalid("The consent file is empty", "书面同意文件为空", fields={"consent": "empty"})
            consent = (item.filename, body)
        data = {
            k: v for k, v in form.items() if k in ("version", "conditions", "target", "reason") and v != ""
        }
        data.update(
            _yuan_fields(
                form,
                {
                    "listing_yuan": "listing_cents",
                    "increment_yuan": "increment_cents",
                    "deposit_yuan": "deposit_cents",
                },
                optional=True,
            )
        )
        parsed = S.EquityChangeIn.model_validate(data)

        def work() -> None:
            with ctx.platform.db.transaction(ctx.tenant.scope) as s:
                services.change_terms(
                    s,
                    ctx.platform,
                    ctx.tenant,
                    pid,
                    parsed.version,
                    changes=parsed.changes(),
                    reason=parsed.reason,
                    consent=consent,
                    actor=ctx.actor.label,
                )

        await ctx.platform.db.run(work)
    except (ValidationError, DomainError) as exc:
        return await _workbench(
            request, errors=errors_of(exc), form=form, act="change", status=getattr(exc, "status", 422)
        )
    return RedirectResponse(f"{_base(request)}/projects/{pid}?done=change#change", status_code=303)


def routes() -> list[BaseRoute]:
    T = "/manage/projects/{project_id:int}"  # noqa: N806
    return [
        Route("/manage", projects, methods=["GET"]),
        Route("/manage/new", new_project, methods=["GET", "POST"]),
        Route(T, project, methods=["GET"]),
        Route(f"{T}/change", change, methods=["POST"]),
        *(Route(f"{T}/{name}", _act_endpoint(name), methods=["POST"]) for name in ACTS),
    ]
