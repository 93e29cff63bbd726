"""The deal: the transaction contract with its payment plan, payments, the result notice and the trade
certificate (交易凭证) — a signed document (Ed25519, the tenant's key, as licences are signed) that anyone
verifies on a public page by its number.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.api import Conflict, NotFound, signing, today
from plugins.equity import bidding, buyers, law, settlement
from plugins.equity.models import Buyer, Deal, Project
from plugins.equity.services import emit, invalid, load, stale, wrong_state


def load_deal(s: Session, tenant: Any, project_id: int, version: int | None = None) -> Deal:
    d = s.scalar(select(Deal).where(Deal.project_id == project_id, Deal.void.is_(False)))
    if d is None or d.tenant_id != tenant.id:
        raise NotFound("This project has no deal yet", "该项目尚未成交", code="unknown_deal")
    if version is not None and d.version != version:
        raise stale("deal")
    return d


@dataclass(frozen=True)
class ContractIn:
    contract_no: str
    signed_on: date
    mode: str = "full"  # full | instalment
    down_cents: int = 0
    rest_due: date | None = None
    price_cents: int | None = None  # agreement only: at least the listing price


def _buyer_and_price(
    s: Session, platform: Any, tenant: Any, p: Project, data: ContractIn
) -> tuple[Buyer, int, str]:
    price = data.price_cents
    if p.status == "auction":
        bidding.winner(s, tenant, p)  # closed, with a winner
        award = settlement.award_for_contract(s, platform, tenant, p, data.signed_on)
        buyer = s.get(Buyer, award.buyer_id)
        assert buyer is not None
        return buyer, award.price_cents, "auction"
    if p.status == "agreement":
        only = buyers.qualified(s, p.id)[0]
        price = p.listing_cents if price is None else price
        if price < p.listing_cents:
            raise invalid(
                "below_listing",
                "协议转让价格不得低于挂牌价",
                "an agreement may not be below the listing price",
                "price_cents",
            )
        return only, price, "agreement"
    raise wrong_state(
        p, "竞价结束或协议转让后方可签订交易合同", "A contract follows the auction or the agreement"
    )


def _check_plan(
    platform: Any, tenant: Any, data: ContractIn, price: int
) -> tuple[int, date | None, date | None]:
    if data.mode == "full":
        return price, None, None
    if data.mode != "instalment":
        raise invalid("bad_mode", "付款方式只能是一次性付款或分期付款", "mode is full or instalment", "mode")
    if data.down_cents * 100 < price * law.DOWN_PERCENT:
        raise invalid(
            "down_too_low", law.PAYMENT.zh, "the down payment must be at least 30% of the price", "down_cents"
        )
    if data.down_cents >= price:
        raise invalid(
            "not_instalment",
            "首期已付清全部价款，请选择一次性付款",
            "the down payment is the whole price: choose full payment",
            "down_cents",
        )
    limit = law.one_year_after(data.signed_on)
    if data.rest_due is None or data.rest_due > limit or data.rest_due <= data.signed_on:
        raise invalid(
            "term_too_long",
            f"{law.PAYMENT.zh}（最迟 {limit}）",
            f"the rest is due within one year (by {limit})",
            "rest_due",
        )
    return data.down_cents, data.rest_due, limit


def sign(
    s: Session, platform: Any, tenant: Any, project_id: int, version: int, data: ContractIn, *, actor: str
) -> Deal:
    p = load(s, tenant, project_id, version)
    buyer, price, via = _buyer_and_price(s, platform, tenant, p, data)
    if not data.contract_no.strip():
        raise invalid(
            "contract_no_required", "请填写合同编号", "the contract number is required", "contract_no"
        )
    if data.signed_on > today(platform):
        raise invalid("future_date", "签订日期不能晚于今天", "the signing date is in the future", "signed_on")
    down, rest_due, limit = _check_plan(platform, tenant, data, price)
    d = Deal(
        tenant_id=tenant.id,
        tenant_path=tenant.path,
        project_id=p.id,
        buyer_id=buyer.id,
        buyer_name=buyer.name,
        buyer_code=buyer.credit_code,
        price_cents=price,
        via=via,
        contract_no=data.contract_no.strip(),
        signed_on=data.signed_on,
        mode=data.mode,
        down_cents=down,
        down_due=law.payment_due(platform, tenant, data.signed_on),
        rest_due=rest_due,
        rest_limit=limit,
    )
    s.add(d)
    if via == "auction":  # checked above: the open award of this buyer
        award = settlement.current_award(s, p)
        assert award is not None
        award.status = "signed"
    p.status = "deal"
    s.flush()
    emit(s, tenant, p, "contract_signed", actor, buyer=buyer.name, price_cents=price, via=via)
    return d


def pay(s: Session, platform: Any, tenant: Any, project_id: int, *, cents: int, on: date, actor: str) -> Deal:
    d = load_deal(s, tenant, project_id)
    if cents <= 0 or d.paid_cents + cents > d.price_cents:
        raise invalid(
            "bad_amount",
            f"付款金额须大于 0 且不超过未付金额 {(d.price_cents - d.paid_cents) / 100:.2f} 元",
            "the amount must be positive and at most what is unpaid",
            "cents",
        )
    if on > today(platform) or on < d.signed_on:
        raise invalid(
            "bad_date",
            "付款日期须在合同签订日与今天之间",
            "the payment date is between signing and today",
            "on",
        )
    d.paid_cents += cents
    if d.down_paid_on is None and d.paid_cents >= d.down_cents:
        d.down_paid_on = on
    if d.paid_cents == d.price_cents:
        d.paid_in_full_on = on
    s.flush()
    emit(s, tenant, load(s, tenant, project_id), "paid", actor, cents=cents, paid_cents=d.paid_cents)
    return d


def publish_notice(
    s: Session,
    platform: Any,
    tenant: Any,
    project_id: int,
    *,
    start: date,
    end: date | None = None,
    actor: str,
) -> Deal:
    d = load_deal(s, tenant, project_id)
    if d.notice_start is not None:
        raise Conflict("The result notice was published already", "交易结果已公告", code="duplicate")
    if start < d.signed_on:
        raise invalid(
            "bad_date", "结果公告不能早于合同签订", "the notice cannot precede the contract", "start"
        )
    earliest = law.earliest_end(platform, tenant, start, law.NOTICE)
    end = end or earliest
    if end < earliest:
        raise invalid(
            "notice_too_short",
            f"{law.NOTICE.zh}（最早截止 {earliest}）",
            f"{law.NOTICE.en} (earliest last day {earliest})",
            "end",
        )
    d.notice_start, d.notice_end, d.notice_earliest_end = start, end, earliest
    s.flush()
    emit(s, tenant, load(s, tenant, project_id), "result_published", actor)
    return d


def canonical(p: Project, d: Deal, tenant: Any, number: str, on: date) -> str:
    body = {
        "type": "govhall.equity.certificate/1",
        "number": number,
        "issued_on": on.isoformat(),
        "exchange": {"tenant": tenant.path, "name": tenant.name},
        "project": {"number": p.number, "title": p.title, "target": p.target},
        "seller": {"name": p.seller_name, "credit_code": p.seller_code},
        "buyer": {"name": d.buyer_name, "credit_code": d.buyer_code},
        "price_cents": d.price_cents,
        "via": d.via,
        "contract_no": d.contract_no,
        "paid_in_full_on": d.paid_in_full_on.isoformat() if d.paid_in_full_on else None,
    }
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def issue_certificate(s: Session, platform: Any, tenant: Any, project_id: int, *, actor: str) -> Deal:
    """The trade certificate, only once the price is paid in full and the result notice is out."""
    d = load_deal(s, tenant, project_id)
    p = load(s, tenant, project_id)
    if d.certificate_no:
        raise Conflict("The certificate was issued already", "交易凭证已出具", code="duplicate")
    if d.paid_in_full_on is None:
        raise invalid(
            "unpaid",
            "交易价款未全部付清，不能出具交易凭证",
            "the price is not paid in full: no certificate",
            "paid_cents",
        )
    if d.notice_start is None:
        raise invalid("no_notice", "交易结果尚未公告", "the result notice is not published", "notice_start")
    on = today(platform)
    number = f"JY{tenant.code}{on:%Y%m%d}{d.id:06d}"
    text = canonical(p, d, tenant, number, on)
    signer = signing.signer_for(s, platform.settings["secret_key"], tenant.path)
    d.certificate_no, d.certificate_on, d.canonical = number, on, text
    d.signature, d.key_id = signer.sign_b64(text.encode()), signer.key_id
    p.status = "concluded"
    s.flush()
    emit(s, tenant, p, "certificate_issued", actor, certificate_no=number)
    return d


@dataclass
class Verified:
    number: str
    found: bool
    signature_ok: bool = False
    body: dict[str, Any] | None = None


def verify(s: Session, tenant: Any, number: str) -> Verified:
    number = number.strip().upper()[:40]
    d = s.scalar(select(Deal).where(Deal.certificate_no == number, Deal.tenant_id == tenant.id))
    if d is None:
        return Verified(number, False)
    ok = False
    key = signing.public_key(s, d.key_id)
    if key is not None and key.tenant_path == d.tenant_path:
        try:
            signing.verify(key.public_key, d.canonical.encode(), d.signature)
            ok = True
        except signing.SignatureError:
            ok = False
    return Verified(number, True, ok, json.loads(d.canonical))
