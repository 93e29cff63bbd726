"""Staff pages of public resource trading: what the tenderer's department (or the agency acting for it)
does in the browser. The project list with the dashboard figures (projects by state, bidders per tender),
registering a tender, and one project's workbench — the periods with their legal bases, publishing the
notice, clarifications and changes (a late change moves the deadline), objections (the procedure pauses
until the answer), the opening room, bid bonds, the panel draw and online scoring, the candidates'
publicity, award (or its rejection: it falls to the next candidate), contract and completion.

Every act goes through the same services as the JSON API, under the same permissions. A refused act
re-renders the workbench with the error naming the field, in Chinese with English beside it, and changes
nothing (the transaction is rolled back).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any

from pydantic import BaseModel, Field, ValidationError
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
from plugins.bidding import files, periods, present, services
from plugins.bidding import permissions as P
from plugins.bidding import schemas as S
from plugins.bidding.api import tender_here
from plugins.bidding.models import (
    BID_STATUSES,
    BOND_STATES,
    STATUSES,
    Bid,
    Bidder,
    Expert,
    Objection,
    Panel,
    Score,
    Tender,
    TenderFile,
)

# Field names of the forms in both languages (the error box names the field as people know it).
LABELS: dict[str, tuple[str, str]] = {
    "title": ("项目名称", "Title"),
    "description": ("项目概况与资格要求", "Description and qualifications"),
    "tenderer_name": ("招标人", "Tenderer"),
    "tenderer_code": ("招标人统一社会信用代码", "Tenderer's credit code"),
    "agent_name": ("招标代理机构", "Tendering agency"),
    "estimated_yuan": ("招标控制价（元）", "Estimated price (yuan)"),
    "estimated_cents": ("招标控制价（元）", "Estimated price (yuan)"),
    "bond_yuan": ("投标保证金（元）", "Bid bond (yuan)"),
    "bond_cents": ("投标保证金（元）", "Bid bond (yuan)"),
    "documents_from": ("招标文件发出日", "Documents issued from"),
    "documents_until": ("招标文件发售截止日", "Documents available until"),
    "deadline": ("投标截止（开标）时间", "Bid deadline (opening)"),
    "deadline_date": ("投标截止日期", "Deadline day"),
    "deadline_time": ("投标截止时刻", "Deadline time"),
    "publicity_days": ("中标候选人公示天数", "Candidate publicity days"),
    "documents": ("招标文件正文", "Tender documents"),
    "body": ("内容", "Text"),
    "affects_bids": ("影响投标文件编制", "Affects the bids"),
    "reason": ("理由", "Reason"),
    "answer": ("答复", "Answer"),
    "size": ("评标委员会人数", "Panel size"),
    "score": ("评分", "Score"),
    "bid_id": ("投标", "Bid"),
    "price_yuan": ("合同金额（元）", "Contract price (yuan)"),
    "price_cents": ("合同金额（元）", "Contract price (yuan)"),
    "cents": ("保证金金额（元）", "Bond (yuan)"),
    "version": ("版本", "Version"),
    "panel": ("评标委员会", "Panel"),
    "scores": ("评分", "Scores"),
    "on": ("日期", "Day"),
    "stage": ("异议阶段", "Objection stage"),
    "file": ("文件", "File"),
    "name": ("姓名", "Name"),
    "specialty": ("专业", "Specialty"),
    "employer_code": ("工作单位统一社会信用代码", "Employer's credit code"),
    "employer_name": ("工作单位", "Employer"),
    "account": ("平台账号", "Platform account"),
    "procedure": ("招标方式", "Procedure"),
    "invited": ("受邀投标人", "Invited bidders"),
    "form": ("表单", "Form"),
}


def _ctx(request: Request) -> Any:
    return request.state.ctx


def _base(request: Request) -> str:
    return f"/t/{_ctx(request).tenant.code}/bidding/manage"


def _tid(request: Request) -> int:
    return int(request.path_params["tender_id"])


def errors_of(exc: Exception) -> dict[str, tuple[str, str]]:
    """Field -> (Chinese, English) message, from a validation or a domain error."""
    return form_error_pairs(exc, whole_path=False)




# --- the project list and the dashboard figures ---------------------------------------------------------


def figures(s: Any, tenant_id: int) -> dict[str, Any]:
    """Projects by state and the average number of bidders per tender that reached its deadline, one
    grouped query each (the dashboard and the project list)."""
    by_state = dict(
        s.execute(
            select(Tender.status, func.count()).where(Tender.tenant_id == tenant_id).group_by(Tender.status)
        ).all()
    )
    past = (
        select(Tender.id)
        .where(Tender.tenant_id == tenant_id, Tender.opening_closed_at.is_not(None))
        .subquery()
    )
    tenders_past = s.scalar(select(func.count()).select_from(past)) or 0
    bids_past = (
        s.scalar(select(func.count()).select_from(Bid).where(Bid.tender_id.in_(select(past.c.id)))) or 0
    )
    return {
        "by_state": {k: int(by_state.get(k, 0)) for k in STATUSES},
        "tenders_opened": int(tenders_past),
        "average_bidders": round(bids_past / tenders_past, 1) if tenders_past else None,
    }


def state_chart(fig: dict[str, Any], lang: str) -> Any:
    zh = lang == "zh-CN"
    shown = [(k, n) for k, n in fig["by_state"].items() if n]
    if not shown:
        return None
    return charts.bar_chart(
        "项目状态分布（个）" if zh else "Projects by state",
        [STATUSES[k][0 if zh else 1] for k, _ in shown],
        {"项目数" if zh else "Projects": [n for _, n in shown]},
    )


@require(P.TENDER_VIEW)
async def projects(request: Request) -> Response:
    ctx = _ctx(request)
    status = request.query_params.get("status", "")
    status = status if status in STATUSES else ""

    def work() -> Any:
        with ctx.platform.db.session(ctx.tenant.scope) as s:
            stmt = (
                select(Tender).where(Tender.tenant_id == ctx.tenant.id).order_by(Tender.id.desc()).limit(200)
            )
            if status:
                stmt = stmt.where(Tender.status == status)
            rows = list(s.scalars(stmt))
            n = present.counts(s, [t.id for t in rows])
            return [
                present.tender_out(ctx.platform, t, ctx.lang, n.get(t.id, (0, 0))) for t in rows
            ], figures(s, ctx.tenant.id)

    rows, fig = await ctx.platform.db.run(work)
    return render(
        request,
        "bidding/manage.html",
        {
            "rows": rows,
            "status": status,
            "statuses": STATUSES,
            "fig": fig,
            "chart": state_chart(fig, ctx.lang),
        },
    )


# --- registering a tender -------------------------------------------------------------------------------


def tender_form(platform: Any, form: dict[str, Any]) -> S.TenderIn:
    """The page's fields to the API's model: yuan to cents, a local day and time to an aware deadline."""
    day, at = (
        str(form.get("deadline_date", "")).strip(),
        str(form.get("deadline_time", "")).strip() or "09:30",
    )
    try:
        deadline = datetime.combine(date.fromisoformat(day), time.fromisoformat(at), clock.zone(platform))
    except ValueError:
        raise Invalid(
            "deadline: a day (YYYY-MM-DD) and a time (HH:MM)",
            "请填写投标截止日期（年-月-日）与时刻（时:分）",
            fields={"deadline_date": "a day and a time"},
        ) from None
    data = {
        k: form.get(k, "")
        for k in ("title", "description", "tenderer_name", "tenderer_code", "agent_name", "documents_from")
    }
    data.update(
        documents_until=form.get("documents_until", ""),
        estimated_cents=yuan_cents(form.get("estimated_yuan"), "estimated_yuan"),
        bond_cents=yuan_cents(form.get("bond_yuan"), "bond_yuan", allow_zero=True),
        state_funded=bool(form.get("state_funded")),
        publicity_days=form.get("publicity_days") or 3,
        deadline=deadline,
        procedure=form.get("procedure") or "open",
        invited=[
            c.strip().upper() for c in str(form.get("invited", "")).replace(",", "\n").split() if c.strip()
        ],
    )
    return S.TenderIn.model_validate(data)


def _new_form(request: Request, form: dict[str, Any], errors: dict[str, Any], status: int = 200) -> Response:
    today = legal_today(_ctx(request).platform)
    return render(
        request,
        "bidding/manage_new.html",
        {
            "form": form,
            "errors": errors,
            "labels": LABELS,
            "rules": [periods.DOCUMENTS, periods.BID_DEADLINE, periods.PUBLICITY],
            "today": today,
        },
        status=status,
    )


@require(P.TENDER_MANAGE)
async def new_tender(request: Request) -> Response:
    ctx = _ctx(request)
    if request.method == "GET":
        return _new_form(request, {"deadline_time": "09:30", "publicity_days": 3, "state_funded": "on"}, {})
    form = await read_form(request)
    try:
        data = tender_form(ctx.platform, form)

        def work() -> int:
            with ctx.platform.db.transaction(ctx.tenant.scope) as s:
                t = services.create_tender(
                    s, ctx.platform, ctx.tenant, services.TenderIn(**data.model_dump()), actor=ctx.actor.label
                )
                return int(t.id)

        tid = await ctx.platform.db.run(work)
    except (ValidationError, DomainError) as exc:
        return _new_form(request, form, errors_of(exc), status=getattr(exc, "status", 422))
    return RedirectResponse(f"{_base(request)}/tenders/{tid}", status_code=303)


# --- one project's workbench ----------------------------------------------------------------------------


def workbench(s: Any, ctx: Any, tid: int) -> dict[str, Any]:
    """Everything the workbench shows of one tender of this tenant (the caller checked it is here)."""
    t = services.load(s, ctx.tenant, tid)
    services.advance(s, ctx.platform, ctx.tenant, t)
    detail = present.detail_out(s, ctx.platform, t, ctx.lang)
    bids = {b.bidder_id: b for b in s.scalars(select(Bid).where(Bid.tender_id == t.id))}
    bidders = [
        (b, bids.get(b.id))
        for b in s.scalars(select(Bidder).where(Bidder.tender_id == t.id).order_by(Bidder.id))
    ]
    objections = list(s.scalars(select(Objection).where(Objection.tender_id == t.id).order_by(Objection.id)))
    panel = s.scalar(select(Panel).where(Panel.tender_id == t.id))
    pool = s.scalar(
        select(func.count())
        .select_from(Expert)
        .where(Expert.tenant_id == ctx.tenant.id, Expert.active.is_(True))
    )
    scored = dict(
        s.execute(
            select(Score.bid_id, func.count()).where(Score.tender_id == t.id).group_by(Score.bid_id)
        ).all()
    )
    me = None
    if panel is not None and ctx.allowed(P.SCORE):
        me = s.scalar(
            select(Expert).where(
                Expert.tenant_id == ctx.tenant.id,
                Expert.account == ctx.actor.username,
                Expert.id.in_(panel.members),
            )
        )
    mine = {}
    if me is not None:
        mine = dict(s.execute(select(Score.bid_id, Score.score).where(Score.expert_id == me.id)).all())
    opened = [o for o in detail["opening"] if o["status"] == "opened"]
    tender_files = list(
        s.scalars(select(TenderFile).where(TenderFile.tender_id == t.id).order_by(TenderFile.id))
    )
    return {
        "files": tender_files,
        "t": detail,
        "status_reason": t.status_reason if t.status in ("failed", "cancelled") else "",
        "bidders": bidders,
        "objections": objections,
        "panel": panel,
        "pool": int(pool or 0),
        "scored": scored,
        "expert": me,
        "my_scores": mine,
        "opened": opened,
        "candidates": [o for o in opened if o["rank"] and o["rank"] <= 3],
        "sealed_count": sum(1 for _, b in bidders if b is not None and b.status == "sealed"),
        "opened_count": sum(1 for _, b in bidders if b is not None and b.status == "opened"),
        "min_panel": periods.PANEL.days,
        "clarify_earliest": periods.end(legal_today(ctx.platform), periods.CLARIFICATION),
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
    tid = _tid(request)

    def work() -> dict[str, Any]:
        with ctx.platform.db.transaction(ctx.tenant.scope) as s:
            return workbench(s, ctx, tid)

    values = await ctx.platform.db.run(work)
    opened = [o for o in values["t"]["opening"] if o["price_cents"] is not None]
    zh = ctx.lang == "zh-CN"
    chart = None
    if opened:
        chart = charts.bar_chart(
            "开标报价（万元）" if zh else "Bid prices at the opening (10,000 yuan)",
            [o["bidder_name"] for o in opened],
            {
                "报价" if zh else "Price": [round(o["price_cents"] / 1_000_000, 2) for o in opened],
                "招标控制价" if zh else "Estimate": [round(values["t"]["estimated_cents"] / 1_000_000, 2)]
                * len(opened),
            },
        )
    return render(
        request,
        "bidding/manage_tender.html",
        {
            **values,
            "errors": errors or {},
            "form": form or {},
            "act": act,
            "done": done,
            "labels": LABELS,
            "DONE": DONE,
            "chart": chart,
            "now": clock.now(ctx.platform),
            "bid_statuses": BID_STATUSES,
            "bond_states": BOND_STATES,
            "can_manage": ctx.allowed(P.TENDER_MANAGE),
            "can_draw": ctx.allowed(P.EXPERT_MANAGE),
        },
        status=status,
    )


@require(P.TENDER_VIEW, visible=tender_here)
async def tender(request: Request) -> Response:
    return await _workbench(request, done=request.query_params.get("done", "")[:20])


# --- acts -----------------------------------------------------------------------------------------------


class _AnswerForm(S.ObjectionAnswerIn):
    objection_id: int = Field(ge=1, le=2**63 - 1)


class _BondForm(S.Strict):
    bidder_id: int = Field(ge=1, le=2**63 - 1)
    cents: int = Field(ge=1, le=S.MAX_CENTS)


class _RefundForm(S.Strict):
    bidder_id: int = Field(ge=1, le=2**63 - 1)


class _ContractForm(S.VersionIn):
    price_cents: int = Field(ge=1, le=S.MAX_CENTS)


Act = Callable[[Any, Any, int, Any], None]


def _publish(s: Any, ctx: Any, tid: int, d: Any) -> None:
    services.publish_tender(
        s, ctx.platform, ctx.tenant, tid, d.version, documents=d.documents, actor=ctx.actor.label
    )


def _clarify(s: Any, ctx: Any, tid: int, d: Any) -> None:
    services.clarify(
        s,
        ctx.platform,
        ctx.tenant,
        tid,
        d.version,
        title=d.title,
        body=d.body,
        affects_bids=d.affects_bids,
        actor=ctx.actor.label,
    )


def _cancel(s: Any, ctx: Any, tid: int, d: Any) -> None:
    services.cancel(s, ctx.platform, ctx.tenant, tid, d.version, reason=d.reason, actor=ctx.actor.label)


def _answer(s: Any, ctx: Any, tid: int, d: Any) -> None:
    o = s.get(Objection, d.objection_id)
    if o is None or o.tender_id != tid or o.tenant_id != ctx.tenant.id:
        raise Invalid(
            "No such objection on this tender", "本项目没有该异议", fields={"objection_id": "unknown"}
        )
    services.answer(
        s,
        ctx.platform,
        ctx.tenant,
        d.objection_id,
        d.version,
        text=d.answer,
        upheld=d.upheld,
        actor=ctx.actor.label,
    )


def _bidder(s: Any, ctx: Any, tid: int, bidder_id: int) -> None:
    b = s.get(Bidder, bidder_id)
    if b is None or b.tender_id != tid or b.tenant_id != ctx.tenant.id:
        raise Invalid("No such bidder on this tender", "本项目没有该投标人", fields={"bidder_id": "unknown"})


def _bond(s: Any, ctx: Any, tid: int, d: Any) -> None:
    _bidder(s, ctx, tid, d.bidder_id)
    services.pay_bond(s, ctx.platform, ctx.tenant, d.bidder_id, cents=d.cents, actor=ctx.actor.label)


def _refund(s: Any, ctx: Any, tid: int, d: Any) -> None:
    _bidder(s, ctx, tid, d.bidder_id)
    services.refund_bond(s, ctx.platform, ctx.tenant, d.bidder_id, actor=ctx.actor.label)


def _draw(s: Any, ctx: Any, tid: int, d: Any) -> None:
    services.draw_panel(s, ctx.platform, ctx.tenant, tid, size=d.size, actor=ctx.actor.label)


def _score(s: Any, ctx: Any, tid: int, d: Any) -> None:
    services.score(
        s,
        ctx.platform,
        ctx.tenant,
        tid,
        account=ctx.actor.username,
        bid_id=d.bid_id,
        value=d.score,
        comment=d.comment,
        actor=ctx.actor.label,
    )


def _evaluate(s: Any, ctx: Any, tid: int, d: Any) -> None:
    services.finish_evaluation(s, ctx.platform, ctx.tenant, tid, d.version, actor=ctx.actor.label)


def _award(s: Any, ctx: Any, tid: int, d: Any) -> None:
    services.award(s, ctx.platform, ctx.tenant, tid, d.version, bid_id=d.bid_id, actor=ctx.actor.label)


def _reject(s: Any, ctx: Any, tid: int, d: Any) -> None:
    services.reject_award(s, ctx.platform, ctx.tenant, tid, d.version, reason=d.reason, actor=ctx.actor.label)


def _contract(s: Any, ctx: Any, tid: int, d: Any) -> None:
    services.sign_contract(
        s, ctx.platform, ctx.tenant, tid, d.version, price_cents=d.price_cents, actor=ctx.actor.label
    )


def _complete(s: Any, ctx: Any, tid: int, d: Any) -> None:
    services.complete(s, ctx.platform, ctx.tenant, tid, d.version, actor=ctx.actor.label)


# name -> (permission, form model, act, yuan fields converted to cents, what the page says when done)
ACTS: dict[str, tuple[Any, type[BaseModel], Act, dict[str, str], tuple[str, str]]] = {
    "publish": (P.TENDER_MANAGE, S.PublishIn, _publish, {}, ("招标公告已发布", "The notice is published")),
    "clarify": (
        P.TENDER_MANAGE,
        S.ClarifyIn,
        _clarify,
        {},
        ("澄清或修改已发出", "The clarification is issued"),
    ),
    "cancel": (P.TENDER_MANAGE, S.ReasonIn, _cancel, {}, ("招标已终止", "The tender is cancelled")),
    "answer": (P.TENDER_MANAGE, _AnswerForm, _answer, {}, ("异议已答复", "The objection is answered")),
    "bond": (P.TENDER_MANAGE, _BondForm, _bond, {"yuan": "cents"}, ("保证金已登记", "The bond is recorded")),
    "refund": (P.TENDER_MANAGE, _RefundForm, _refund, {}, ("保证金已退还", "The bond is refunded")),
    "draw": (P.EXPERT_MANAGE, S.PanelIn, _draw, {}, ("评标委员会已抽取", "The panel is drawn")),
    "score": (P.SCORE, S.ScoreIn, _score, {}, ("评分已提交", "The score is recorded")),
    "evaluate": (
        P.TENDER_MANAGE,
        S.VersionIn,
        _evaluate,
        {},
        ("中标候选人已公示", "The candidates are published"),
    ),
    "award": (P.TENDER_MANAGE, S.AwardIn, _award, {}, ("中标通知书已发出", "The award notice is issued")),
    "reject": (P.TENDER_MANAGE, S.ReasonIn, _reject, {}, ("已取消中标资格", "The award is rejected")),
    "contract": (
        P.TENDER_MANAGE,
        _ContractForm,
        _contract,
        {"price_yuan": "price_cents"},
        ("合同已登记", "The contract is recorded"),
    ),
    "complete": (P.TENDER_MANAGE, S.VersionIn, _complete, {}, ("项目已完成", "The project is completed")),
}


def _act_endpoint(name: str) -> Any:
    perm, model, fn, money, _done = ACTS[name]
    expert = name == "score"  # panel members act on their own page

    @require(perm, visible=tender_here)
    async def endpoint(request: Request) -> Response:
        ctx = _ctx(request)
        form = await read_form(request)
        tid = _tid(request)
        try:
            data = {k: v for k, v in form.items() if k not in ("csrf_token", *money) and v != ""}
            if "affects_bids" in model.model_fields:
                data["affects_bids"] = bool(form.get("affects_bids"))
            if "upheld" in model.model_fields:
                data["upheld"] = bool(form.get("upheld"))
            for src, dst in money.items():
                data[dst] = yuan_cents(form.get(src), src)
            parsed = model.model_validate(data)

            def work() -> None:
                with ctx.platform.db.transaction(ctx.tenant.scope) as s:
                    fn(s, ctx, tid, parsed)

            await ctx.platform.db.run(work)
        except (ValidationError, DomainError) as exc:
            status = getattr(exc, "status", 422)
            if expert:
                return await _scoring(request, errors=errors_of(exc), status=status)
            return await _workbench(request, errors=errors_of(exc), form=form, act=name, status=status)
        if expert:
            return RedirectResponse(f"{_base(request)}/tenders/{tid}/scoring?done=score", status_code=303)
        return RedirectResponse(f"{_base(request)}/tenders/{tid}?done={name}#{name}", status_code=303)

    endpoint.__name__ = f"bidding_manage_{name}"
    return endpoint


async def _scoring(request: Request, *, errors: dict[str, Any] | None = None, status: int = 200) -> Response:
    ctx = _ctx(request)
    tid = _tid(request)

    def work() -> dict[str, Any]:
        with ctx.platform.db.transaction(ctx.tenant.scope) as s:
            values = workbench(s, ctx, tid)
            return {k: values[k] for k in ("t", "panel", "expert", "my_scores", "opened", "scored")}

    values = await ctx.platform.db.run(work)
    return render(
        request,
        "bidding/scoring.html",
        {
            **values,
            "errors": errors or {},
            "labels": LABELS,
            "DONE": DONE,
            "done": request.query_params.get("done", "")[:20],
        },
        status=status,
    )


@require(P.SCORE, visible=tender_here)
async def scoring(request: Request) -> Response:
    """A panel member's page: the opened bids of the tender and their own scores (nothing else of it)."""
    return await _scoring(request)


DONE = {name: spec[4] for name, spec in ACTS.items()}
DONE["upload"] = ("文件已上传", "The file is uploaded")


@require(P.TENDER_MANAGE, visible=tender_here)
async def upload(request: Request) -> Response:
    """Add a file to the tender documents (multipart ``file``)."""
    ctx = _ctx(request)
    tid = _tid(request)
    limit = int(ctx.platform.tenant_setting(ctx.tenant, files.MAX_MB))
    try:
        form = await form_data(request, max_file_mb=limit)
        item = form.get("file")
        if item is None or isinstance(item, str):
            raise Invalid("Choose a file to upload", "请选择要上传的文件", fields={"file": "required"})
        data, name = await item.read(), item.filename or ""

        def work() -> None:
            with ctx.platform.db.transaction(ctx.tenant.scope) as s:
                files.add(s, ctx.platform, ctx.tenant, tid, filename=name, data=data, actor=ctx.actor.label)

        await ctx.platform.db.run(work)
    except (ValidationError, DomainError) as exc:
        return await _workbench(
            request, errors=errors_of(exc), act="upload", status=getattr(exc, "status", 422)
        )
    return RedirectResponse(f"{_base(request)}/tenders/{tid}?done=upload#files", status_code=303)


def _experts_page(request: Request, form: dict[str, Any], errors: dict[str, Any], status: int = 200) -> Any:
    ctx = _ctx(request)

    def work() -> list[Expert]:
        with ctx.platform.db.session(ctx.tenant.scope) as s:
            return list(
                s.scalars(select(Expert).where(Expert.tenant_id == ctx.tenant.id).order_by(Expert.id))
            )

    async def page() -> Response:
        rows = await ctx.platform.db.run(work)
        return render(
            request,
            "bidding/experts.html",
            {"rows": rows, "form": form, "errors": errors, "labels": LABELS},
            status=status,
        )

    return page()


@require(P.EXPERT_MANAGE)
async def experts(request: Request) -> Response:
    """The tenant's expert pool: who may be drawn, and adding a member (employer code: for conflicts)."""
    ctx = _ctx(request)
    if request.method == "GET":
        return await _experts_page(request, {}, {})
    form = await read_form(request)
    try:
        data = S.ExpertIn.model_validate({k: v for k, v in form.items() if k != "csrf_token"})
        if data.employer_code:
            services.check_credit_code(data.employer_code, "employer_code")

        def work() -> None:
            with ctx.platform.db.transaction(ctx.tenant.scope) as s:
                services.add_expert(s, ctx.tenant, actor=ctx.actor.label, **data.model_dump())

        await ctx.platform.db.run(work)
    except (ValidationError, DomainError) as exc:
        return await _experts_page(request, form, errors_of(exc), status=getattr(exc, "status", 422))
    return RedirectResponse(f"{_base(request)}/experts", status_code=303)


def routes() -> list[BaseRoute]:
    T = "/manage/tenders/{tender_id:int}"  # noqa: N806
    return [
        Route("/manage", projects, methods=["GET"]),
        Route("/manage/new", new_tender, methods=["GET", "POST"]),
        Route("/manage/experts", experts, methods=["GET", "POST"]),
        Route(T, tender, methods=["GET"]),
        Route(f"{T}/scoring", scoring, methods=["GET"]),
        Route(f"{T}/upload", upload, methods=["POST"]),
        *(Route(f"{T}/{name}", _act_endpoint(name), methods=["POST"]) for name in ACTS),
    ]
