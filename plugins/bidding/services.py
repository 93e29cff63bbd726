"""The open tender as a state machine, on a tenant-scoped session (no HTTP).

draft -> published -> opening -> evaluation -> publicity -> awarded -> contracted -> completed,
with ``failed`` (fewer than three bids opened, or every candidate rejected) and ``cancelled``. An open
objection pauses the procedure (``paused_since``): bids, opening and award wait, and on the answer the
bid deadline or the publicity moves by the time lost. Time-driven steps (the deadline passing, the key
window closing) happen in ``advance``, which every act and the periodic task call first.

Every act checks its period through ``periods`` (the core legal clock), writes the audit chain and an
event, and refuses with an error naming the field and the rule, changing nothing.
"""

from __future__ import annotations

import hashlib
import json
import random
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from stdnum.cn import uscc

from core.api import (
    Conflict,
    Invalid,
    NotFound,
    add_calendar_days,
    audit,
    clock,
    local_date,
    publish,
    signing,
    today,
)
from plugins.bidding import periods, sealing
from plugins.bidding.models import (
    PROCEDURES,
    Bid,
    Bidder,
    BidFile,
    Document,
    Expert,
    Objection,
    Panel,
    Score,
    Tender,
)

OCID_PREFIX = "bidding.ocid_prefix"
KEY_WINDOW = "bidding.key_window_minutes"


def invalid(code: str, zh: str, en: str, field: str) -> Invalid:
    return Invalid(en, zh, code=code, fields={field: en})


def _state_error(t: Tender, zh: str, en: str) -> Conflict:
    return Conflict(en, zh, code="wrong_state")


@dataclass(frozen=True)
class TenderIn:
    title: str
    tenderer_name: str
    tenderer_code: str
    estimated_cents: int
    documents_from: date
    documents_until: date
    deadline: datetime  # aware; the bid deadline and the opening, to the second
    description: str = ""
    department_code: str = ""
    agent_name: str = ""
    state_funded: bool = True
    bond_cents: int = 0
    publicity_days: int = 3
    procedure: str = "open"  # models.PROCEDURES
    invited: tuple[str, ...] = ()  # credit codes, for an invited tender


MIN_INVITED = 3  # Bidding Law art. 17: invitations to at least three legal persons


def now_of(platform: Any, now: datetime | None) -> datetime:
    """The instant of an act, in UTC (as every time is stored: SQLite keeps no offset)."""
    return (now if now is not None else clock.now(platform)).astimezone(UTC)


def aware(at: datetime) -> datetime:
    """Stored times come back naive from SQLite: they are UTC."""
    return at.astimezone(UTC) if at.tzinfo is not None else at.replace(tzinfo=UTC)


def deadline_day(platform: Any, t: Tender) -> date:
    return local_date(platform, t.deadline)


def check_credit_code(code: str, field: str = "credit_code") -> str:
    code = code.strip().upper()
    if not uscc.is_valid(code):
        raise invalid(
            "bad_credit_code", "统一社会信用代码无效", "not a valid unified social credit code", field
        )
    return code


# --- tenders --------------------------------------------------------------------------------------------


def _breaches_error(breaches: list[periods.Breach]) -> Invalid:
    return Invalid(
        "; ".join(b.message_en for b in breaches),
        "；".join(b.message_zh for b in breaches),
        code="period_too_short",
        fields={b.field: b.message_en for b in breaches},
    )


def _invited(data: TenderIn) -> list[str]:
    """The invited legal persons of an invited tender (checked, distinct); [] for an open tender."""
    if data.procedure not in PROCEDURES:
        raise invalid(
            "bad_procedure", "招标方式应为公开招标或邀请招标", "procedure is open or invited", "procedure"
        )
    if data.procedure == "open":
        if data.invited:
            raise invalid(
                "invited_open",
                "公开招标不指定受邀投标人",
                "an open tender invites nobody in particular",
                "invited",
            )
        return []
    codes = sorted({check_credit_code(c, "invited") for c in data.invited})
    if len(codes) < MIN_INVITED:
        raise invalid(
            "too_few_invited",
            f"邀请招标应当向三个以上特定的法人发出投标邀请书（《招标投标法》第十七条），现为 {len(codes)} 个",
            f"an invited tender invites at least three legal persons (Bidding Law, art. 17); "
            f"{len(codes)} given",
            "invited",
        )
    return codes


def create_tender(s: Session, platform: Any, tenant: Any, data: TenderIn, *, actor: str) -> Tender:
    tenderer = check_credit_code(data.tenderer_code, "tenderer_code")
    invited_codes = _invited(data)
    dday = local_date(platform, data.deadline)
    breaches = periods.schedule_breaches(
        documents_from=data.documents_from,
        documents_until=data.documents_until,
        deadline_day=dday,
        estimated_cents=data.estimated_cents,
        bond_cents=data.bond_cents,
        publicity_days=data.publicity_days,
    )
    if breaches:
        raise _breaches_error(breaches)
    year = data.documents_from.year
    seq = (s.scalar(select(func.count()).select_from(Tender).where(Tender.tenant_id == tenant.id)) or 0) + 1
    number = f"ZB{tenant.code}{year}{seq:04d}"
    prefix = platform.tenant_setting(tenant, OCID_PREFIX)
    t = Tender(
        tenant_id=tenant.id,
        tenant_path=tenant.path,
        number=number,
        ocid=f"{prefix}-{tenant.code}-{number}",
        title=data.title,
        description=data.description,
        tenderer_name=data.tenderer_name,
        tenderer_code=tenderer,
        department_code=data.department_code,
        agent_name=data.agent_name,
        estimated_cents=data.estimated_cents,
        state_funded=data.state_funded,
        bond_cents=data.bond_cents,
        documents_from=data.documents_from,
        documents_until=data.documents_until,
        deadline=aware(data.deadline),
        key_window_minutes=int(platform.tenant_setting(tenant, KEY_WINDOW)),
        publicity_days=data.publicity_days,
        procedure=data.procedure,
        invited=invited_codes,
        min_deadline_on=periods.end(data.documents_from, periods.BID_DEADLINE),
        created_by=actor,
        status="draft",
    )
    s.add(t)
    s.flush()
    audit.record(
        s,
        actor=actor,
        action="bidding.tender.create",
        tenant=tenant,
        target=f"bidding.tender:{t.id}",
        details={"number": t.number, "deadline": t.deadline.isoformat()},
    )
    return t


def load(s: Session, tenant: Any, tender_id: int, version: int | None = None) -> Tender:
    t = s.scalar(select(Tender).where(Tender.id == tender_id, Tender.tenant_id == tenant.id))
    if t is None:
        raise NotFound("No such tender", "没有这个招标项目", code="not_found")
    if version is not None and t.version != version:
        raise Conflict(
            "The tender was changed meanwhile: reload and try again",
            "招标项目已被他人修改，请刷新后重试",
            code="stale_version",
            fields={"version": "stale"},
        )
    return t


def _emit(s: Session, tenant: Any, t: Tender, verb: str, actor: str, **details: Any) -> None:
    payload = {"tender_id": t.id, "number": t.number, "ocid": t.ocid, "status": t.status, **details}
    audit.record(
        s,
        actor=actor,
        action=f"bidding.tender.{verb}",
        tenant=tenant,
        target=f"bidding.tender:{t.id}",
        details=payload,
    )
    publish(s, tenant=tenant, type=f"bidding.tender.{verb}", payload=payload, actor=actor)


def _document(
    s: Session, tenant: Any, t: Tender, kind: str, title: str, body: str, actor: str, at: datetime, **kw: Any
) -> Document:
    d = Document(
        tenant_id=tenant.id,
        tenant_path=tenant.path,
        tender_id=t.id,
        kind=kind,
        title=title,
        body=body,
        sha256=hashlib.sha256(body.encode()).hexdigest(),
        issued_at=at,
        issued_by=actor,
        **kw,
    )
    s.add(d)
    return d


def publish_tender(
    s: Session,
    platform: Any,
    tenant: Any,
    tender_id: int,
    version: int,
    *,
    actor: str,
    documents: str = "",
    now: datetime | None = None,
) -> Tender:
    """Issue the tender notice and the documents: from now on bidders may register."""
    now = now_of(platform, now)
    t = load(s, tenant, tender_id, version)
    if t.status != "draft":
        raise _state_error(t, "只有草稿可以发布", "Only a draft can be published")
    day = local_date(platform, now)
    if t.documents_from < day:
        raise invalid(
            "documents_from_past",
            f"招标文件发出日不得早于今天（{day}）",
            f"the documents cannot be issued before today ({day})",
            "documents_from",
        )
    t.status, t.published_at = "published", now
    _document(s, tenant, t, "notice", f"{t.title} 招标公告", t.description, actor, now)
    _document(s, tenant, t, "documents", f"{t.title} 招标文件", documents or t.description, actor, now)
    s.flush()
    _emit(s, tenant, t, "published", actor, deadline=aware(t.deadline).isoformat())
    return t


def cancel(
    s: Session, platform: Any, tenant: Any, tender_id: int, version: int, *, reason: str, actor: str
) -> Tender:
    t = load(s, tenant, tender_id, version)
    if t.status in ("awarded", "contracted", "completed", "failed", "cancelled"):
        raise _state_error(t, "该阶段不能终止招标", "The tender cannot be cancelled at this stage")
    if not reason.strip():
        raise invalid("reason_required", "必须填写终止理由", "A reason is required", "reason")
    t.status, t.status_reason = "cancelled", reason
    s.flush()
    _emit(s, tenant, t, "cancelled", actor, reason=reason)
    return t


def clarify(
    s: Session,
    platform: Any,
    tenant: Any,
    tender_id: int,
    version: int,
    *,
    title: str,
    body: str,
    affects_bids: bool,
    actor: str,
    now: datetime | None = None,
) -> Document:
    """A clarification or change of the documents; one that affects bids issued fewer than 15 days before the
    deadline moves the deadline to the 15th day (same time of day)."""
    now = now_of(platform, now)
    t = load(s, tenant, tender_id, version)
    advance(s, platform, tenant, t, now=now)
    if t.status != "published":
        raise _state_error(t, "投标截止后不能再澄清或修改招标文件", "No clarification after the deadline")
    before = aware(t.deadline)
    after = before
    if affects_bids:
        earliest_day = periods.end(local_date(platform, now), periods.CLARIFICATION)
        if deadline_day(platform, t) < earliest_day:
            local = before.astimezone(clock.zone(platform))
            after = datetime.combine(earliest_day, local.timetz()).astimezone(UTC)
            t.deadline = after
    d = _document(
        s,
        tenant,
        t,
        "clarification",
        title,
        body,
        actor,
        now,
        affects_bids=affects_bids,
        deadline_before=before,
        deadline_after=after,
    )
    s.flush()
    _emit(
        s,
        tenant,
        t,
        "clarified",
        actor,
        document_id=d.id,
        deadline_before=before.isoformat(),
        deadline_after=after.isoformat(),
        moved=after != before,
    )
    return d


# --- time-driven steps ----------------------------------------------------------------------------------


def key_window_end(t: Tender) -> datetime:
    return aware(t.deadline) + timedelta(minutes=t.key_window_minutes)


def advance(
    s: Session,
    platform: Any,
    tenant: Any,
    t: Tender,
    *,
    now: datetime | None = None,
    actor: str = "system:bidding",
) -> Tender:
    """Apply what the clock has made due: the deadline starts the opening; the end of the key window
    closes it (bids without a key count as withdrawn)."""
    now = now_of(platform, now)
    if t.paused_since is not None:
        return t
    if t.status == "published" and now >= aware(t.deadline):
        t.status = "opening"
        s.flush()
        _emit(s, tenant, t, "opening", actor)
    if t.status == "opening" and now >= key_window_end(t):
        close_opening(s, platform, tenant, t, actor=actor, now=now)
    return t


def close_opening(
    s: Session, platform: Any, tenant: Any, t: Tender, *, actor: str, now: datetime | None = None
) -> Tender:
    now = now_of(platform, now)
    sealed = s.scalars(select(Bid).where(Bid.tender_id == t.id, Bid.status == "sealed")).all()
    if sealed and now < key_window_end(t):
        raise _state_error(t, "开标密钥提交时间尚未结束", "The key window is still open")
    for b in sealed:
        b.status, b.status_reason = "withdrawn", "开标时未提交密钥 / no key given at opening"
    opened = s.scalar(
        select(func.count()).select_from(Bid).where(Bid.tender_id == t.id, Bid.status == "opened")
    )
    t.opening_closed_at = now
    if (opened or 0) < periods.MIN_BIDS.days:
        t.status, t.status_reason = "failed", periods.MIN_BIDS.zh
    else:
        t.status = "evaluation"
    s.flush()
    _emit(s, tenant, t, "opened", actor, bids_opened=int(opened or 0), withdrawn=len(sealed))
    return t


# --- bidders --------------------------------------------------------------------------------------------


def _credit(s: Session, platform: Any, tenant: Any, code: str, name: str) -> tuple[str, list[str], list[Any]]:
    """Ask whoever answers ``credit.subject`` (the credit plugin, when it is on here): level, lists and the
    findings. ("", [], []) when nobody answers."""
    batches = platform.hooks(tenant).govhall_checks(
        check="credit.subject",
        subject={"kind": "legal", "id_number": code, "name": name, "purpose": "bidding.registration"},
        tenant=tenant,
        session=s,
    )
    found = [f for batch in batches for f in (batch or [])]
    level, lists = "", []
    for f in found:
        if f.source == "credit" and "level" in f.facts:
            level = str(f.facts.get("level") or "")
            lists = [str(x) for x in f.facts.get("lists") or []]
    return level, lists, found


def register(
    s: Session,
    platform: Any,
    tenant: Any,
    tender_id: int,
    *,
    credit_code: str,
    name: str,
    account: str = "",
    actor: str,
    now: datetime | None = None,
) -> Bidder:
    """A legal person registers interest. A subject under a court-confirmed bid-rigging exclusion (reported
    by whoever answers ``credit.subject``) is refused; one on the black list or at the serious credit level
    is registered and flagged for the tenderer and supervision."""
    now = now_of(platform, now)
    t = load(s, tenant, tender_id)
    advance(s, platform, tenant, t, now=now)
    if t.status != "published":
        raise _state_error(t, "该项目不在投标报名阶段", "The tender is not open for registration")
    code = check_credit_code(credit_code)
    if t.procedure == "invited" and code not in (t.invited or []):
        raise invalid(
            "not_invited",
            "本项目为邀请招标，该单位未受邀请，不能报名",
            "this is an invited tender and the legal person was not invited",
            "credit_code",
        )
    if s.scalar(select(Bidder.id).where(Bidder.tender_id == t.id, Bidder.credit_code == code)) is not None:
        raise Conflict(
            "This legal person has registered already",
            "该单位已报名",
            code="duplicate",
            fields={"credit_code": "duplicate"},
        )
    level, lists, found = _credit(s, platform, tenant, code, name)
    rigging = [x for f in found if f.source == "credit" for x in (f.facts.get("bid_rigging") or [])]
    if rigging:
        first = rigging[0]
        until, number = str(first.get("debarred_until", "")), str(first.get("decision_number", ""))
        raise invalid(
            "excluded_bid_rigging",
            f"该单位因串通投标受到行政处罚（{number}，经法院确认），{until} 前不得参加投标",
            f"excluded from bidding until {until}: a court-confirmed bid-rigging penalty ({number})",
            "credit_code",
        )
    reasons = []
    if "black" in lists:
        reasons.append("列入严重失信主体名单（黑名单） / on the black list")
    if level == "serious":
        reasons.append("信用预警等级为“严重” / credit warning level serious")
    flagged = bool(reasons)
    b = Bidder(
        tenant_id=tenant.id,
        tenant_path=tenant.path,
        tender_id=t.id,
        credit_code=code,
        name=name,
        account=account,
        registered_at=now,
        credit_level=level,
        credit_lists=lists,
        flagged=flagged,
        flag_reason="；".join(reasons),
        bond_cents=0,
        bond_state="none",
    )
    s.add(b)
    s.flush()
    audit.record(
        s,
        actor=actor,
        action="bidding.bidder.register",
        tenant=tenant,
        target=f"bidding.bidder:{b.id}",
        details={"tender_id": t.id, "credit_code": code, "credit_level": level, "flagged": flagged},
    )
    publish(
        s,
        tenant=tenant,
        type="bidding.bidder.registered",
        payload={
            "tender_id": t.id,
            "bidder_id": b.id,
            "credit_code": code,
            "credit_level": level,
            "flagged": flagged,
        },
        actor=actor,
    )
    return b


def bidder_of(s: Session, tenant: Any, tender_id: int, credit_code: str) -> Bidder:
    b = s.scalar(
        select(Bidder).where(
            Bidder.tender_id == tender_id,
            Bidder.credit_code == credit_code.upper(),
            Bidder.tenant_id == tenant.id,
        )
    )
    if b is None:
        raise NotFound("Not registered for this tender", "该单位未报名本项目", code="not_registered")
    return b


def pay_bond(
    s: Session, platform: Any, tenant: Any, bidder_id: int, *, cents: int, actor: str, on: date | None = None
) -> Bidder:
    b = s.scalar(select(Bidder).where(Bidder.id == bidder_id, Bidder.tenant_id == tenant.id))
    if b is None:
        raise NotFound("No such bidder", "没有这个投标人", code="not_found")
    t = load(s, tenant, b.tender_id)
    if b.bond_state != "none":
        raise Conflict("The bond is paid already", "保证金已缴纳", code="duplicate")
    if cents != t.bond_cents or cents <= 0:
        raise invalid(
            "bond_amount",
            f"保证金应为 {t.bond_cents / 100:.2f} 元",
            f"the bond is {t.bond_cents / 100:.2f} yuan",
            "cents",
        )
    b.bond_cents, b.bond_state, b.bond_paid_on = cents, "paid", on or today(platform)
    s.flush()
    audit.record(
        s,
        actor=actor,
        action="bidding.bond.paid",
        tenant=tenant,
        target=f"bidding.bidder:{b.id}",
        details={"cents": cents},
    )
    return b


def refund_bond(
    s: Session, platform: Any, tenant: Any, bidder_id: int, *, actor: str, on: date | None = None
) -> Bidder:
    b = s.scalar(select(Bidder).where(Bidder.id == bidder_id, Bidder.tenant_id == tenant.id))
    if b is None:
        raise NotFound("No such bidder", "没有这个投标人", code="not_found")
    if b.bond_state != "paid":
        raise Conflict("No bond to refund", "没有待退还的保证金", code="wrong_state")
    b.bond_state, b.bond_refunded_on = "refunded", on or today(platform)
    s.flush()
    audit.record(
        s,
        actor=actor,
        action="bidding.bond.refunded",
        tenant=tenant,
        target=f"bidding.bidder:{b.id}",
        details={"cents": b.bond_cents},
    )
    return b


# --- sealed bids ----------------------------------------------------------------------------------------


def _receipt(t: Tender, b: Bidder, digest: str, commitment: str, size: int, at: datetime, key_id: str) -> str:
    return json.dumps(
        {
            "tender": t.ocid,
            "bidder": b.credit_code,
            "ciphertext_sha256": digest,
            "commitment": commitment,
            "size": size,
            "submitted_at": at.isoformat(),
            "key_id": key_id,
        },
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )


def submit_bid(
    s: Session,
    platform: Any,
    tenant: Any,
    tender_id: int,
    *,
    credit_code: str,
    nonce: str,
    ciphertext: str,
    commitment: str,
    ip: str = "",
    device: str = "",
    actor: str,
    now: datetime | None = None,
) -> Bid:
    """Store a sealed bid and sign its receipt with the server time. Refused from the deadline on (to the
    microsecond: a bid at 09:29:59.999 is in, one at 09:30:00 is out), while paused, twice, or from a
    bidder that did not register or pay the bond."""
    try:
        n, ct, c = sealing.check_envelope(nonce, ciphertext, commitment)
    except sealing.SealError as e:
        raise invalid(e.code, e.zh, e.en, e.field) from None
    t = load(s, tenant, tender_id)
    now = now_of(platform, now)
    if now >= aware(t.deadline):
        late = int((now - aware(t.deadline)).total_seconds())
        raise Invalid(
            f"The bid deadline {aware(t.deadline).isoformat()} has passed ({late} s late)",
            f"已过投标截止时间（{aware(t.deadline).astimezone(clock.zone(platform)):%Y-%m-%d %H:%M:%S}），"
            f"迟到 {late} 秒，投标被拒收",
            code="late",
            fields={"submitted_at": "after the deadline"},
        )
    if t.paused_since is not None:
        raise _state_error(t, "异议处理期间暂停投标", "Bidding is paused while an objection is answered")
    if t.status != "published":
        raise _state_error(t, "该项目不在投标阶段", "The tender is not open for bids")
    b = bidder_of(s, tenant, t.id, credit_code)
    if t.bond_cents and b.bond_state != "paid":
        raise invalid("bond_unpaid", "未缴纳投标保证金", "the bid bond is not paid", "bond")
    earlier = s.scalar(select(Bid).where(Bid.tender_id == t.id, Bid.bidder_id == b.id))
    if earlier is not None and earlier.status == "retracted":
        s.delete(earlier)  # withdrawn before: a new bid takes its place (the withdrawal stays in the audit)
        s.flush()
    elif earlier is not None:
        raise Conflict(
            "A bid from this bidder is in already",
            "该投标人已递交投标文件，不能重复递交",
            code="duplicate",
            fields={"credit_code": "duplicate"},
        )
    digest = sealing.sha256(ct)
    signer = signing.signer_for(s, platform.settings["secret_key"], tenant.path)
    receipt = _receipt(t, b, digest, c, len(ct), now, signer.key_id)
    bid = Bid(
        tenant_id=tenant.id,
        tenant_path=tenant.path,
        tender_id=t.id,
        bidder_id=b.id,
        nonce=sealing.b64(n),
        ciphertext=ct,
        size=len(ct),
        ciphertext_sha256=digest,
        commitment=c,
        submitted_at=now,
        receipt=receipt,
        signature=signer.sign_b64(receipt.encode()),
        key_id=signer.key_id,
        submit_ip=ip[:45],
        device=device[:64],
        status="sealed",
    )
    s.add(bid)
    s.flush()
    audit.record(
        s,
        actor=actor,
        action="bidding.bid.submit",
        tenant=tenant,
        target=f"bidding.bid:{bid.id}",
        details={"tender_id": t.id, "bidder": b.credit_code, "ciphertext_sha256": digest},
    )
    return bid


def withdraw_bid(
    s: Session,
    platform: Any,
    tenant: Any,
    tender_id: int,
    *,
    credit_code: str,
    actor: str,
    now: datetime | None = None,
) -> Bid:
    """Withdraw a sealed bid before the deadline (Bidding Law art. 29): the ciphertext is wiped and the
    bidder gets a receipt signed with the server time; the bidder may submit a new bid until the deadline.
    Refused from the deadline on, to the second, like a bid."""
    t = load(s, tenant, tender_id)
    now = now_of(platform, now)
    if now >= aware(t.deadline) or t.status != "published":
        raise invalid(
            "late",
            "投标截止后不能撤回投标文件",
            "a bid cannot be withdrawn after the deadline",
            "withdrawn_at",
        )
    b = bidder_of(s, tenant, t.id, credit_code)
    bid = s.scalar(select(Bid).where(Bid.tender_id == t.id, Bid.bidder_id == b.id))
    if bid is None or bid.status != "sealed":
        raise NotFound("No sealed bid of yours to withdraw", "没有可撤回的密封投标", code="not_found")
    signer = signing.signer_for(s, platform.settings["secret_key"], tenant.path)
    receipt = json.dumps(
        {
            "tender": t.ocid,
            "bidder": b.credit_code,
            "withdrawn": bid.ciphertext_sha256,
            "withdrawn_at": now.isoformat(),
            "key_id": signer.key_id,
        },
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    bid.status, bid.ciphertext, bid.withdrawn_at = "retracted", b"", now
    bid.withdrawal_receipt, bid.withdrawal_signature = receipt, signer.sign_b64(receipt.encode())
    s.flush()
    audit.record(
        s,
        actor=actor,
        action="bidding.bid.withdraw",
        tenant=tenant,
        target=f"bidding.bid:{bid.id}",
        details={"tender_id": t.id, "bidder": b.credit_code, "receipt": receipt},
    )
    return bid


def verify_receipt(s: Session, bid: Bid) -> bool:
    key = signing.public_key(s, bid.key_id)
    if key is None:
        return False
    try:
        signing.verify(key.public_key, bid.receipt.encode(), bid.signature)
    except Exception:
        return False
    return json.loads(bid.receipt).get("ciphertext_sha256") == bid.ciphertext_sha256


def open_with_key(
    s: Session,
    platform: Any,
    tenant: Any,
    tender_id: int,
    *,
    credit_code: str,
    key: str,
    actor: str,
    now: datetime | None = None,
) -> Bid:
    """At the opening the bidder gives its key; a wrong key or tampered ciphertext changes nothing (the
    bidder may try again until the window closes)."""
    now = now_of(platform, now)
    t = load(s, tenant, tender_id)
    advance(s, platform, tenant, t, now=now)
    if t.status == "published":
        raise _state_error(t, "尚未到开标时间", "The opening has not begun")
    if t.status != "opening":
        raise _state_error(t, "开标密钥提交时间已结束", "The key window is closed")
    b = bidder_of(s, tenant, t.id, credit_code)
    bid = s.scalar(select(Bid).where(Bid.tender_id == t.id, Bid.bidder_id == b.id))
    if bid is None:
        raise NotFound("This bidder submitted no bid", "该投标人未递交投标文件", code="no_bid")
    if bid.status != "sealed":
        raise Conflict("This bid is opened already", "该投标文件已开启", code="duplicate")
    if not verify_receipt(s, bid):
        raise invalid(
            "tampered",
            "投标文件记录与签名回执不符，已被篡改",
            "the stored bid does not match its signed receipt: it was tampered with",
            "ciphertext",
        )
    try:
        opened = sealing.open_bid(
            key_b64=key,
            nonce=sealing.unb64(bid.nonce, "nonce"),
            ciphertext=bid.ciphertext,
            ciphertext_sha256=bid.ciphertext_sha256,
            commitment=bid.commitment,
            ocid=t.ocid,
            credit_code=b.credit_code,
        )
    except sealing.SealError as e:
        raise invalid(e.code, e.zh, e.en, e.field) from None
    bid.status, bid.opened_at, bid.price_cents = "opened", now, opened.price_cents
    for f in opened.files:
        s.add(BidFile(tenant_id=tenant.id, tenant_path=tenant.path, tender_id=t.id, bid_id=bid.id, **f))
    s.flush()
    audit.record(
        s,
        actor=actor,
        action="bidding.bid.open",
        tenant=tenant,
        target=f"bidding.bid:{bid.id}",
        details={"tender_id": t.id, "bidder": b.credit_code, "price_cents": opened.price_cents},
    )
    if (
        s.scalar(select(func.count()).select_from(Bid).where(Bid.tender_id == t.id, Bid.status == "sealed"))
        == 0
    ):
        close_opening(s, platform, tenant, t, actor=actor, now=now)
    return bid


# --- objections -----------------------------------------------------------------------------------------


def object_to(
    s: Session,
    platform: Any,
    tenant: Any,
    tender_id: int,
    *,
    stage: str,
    objector_code: str,
    objector_name: str,
    content: str,
    actor: str,
    now: datetime | None = None,
) -> Objection:
    """An objection to the documents (until 10 days before the deadline) or to the candidates (during the
    publicity). The procedure pauses until the answer, which is due within 3 days."""
    now = now_of(platform, now)
    t = load(s, tenant, tender_id)
    advance(s, platform, tenant, t, now=now)
    day = local_date(platform, now)
    code = check_credit_code(objector_code, "objector_code")
    if not content.strip():
        raise invalid("content_required", "必须填写异议内容", "The objection needs a content", "content")
    if stage == "documents":
        last = periods.latest_before(deadline_day(platform, t), periods.DOCUMENT_OBJECTION)
        if t.status != "published" or day > last:
            raise invalid(
                "objection_late",
                f"对招标文件的异议须在 {last} 前提出（{periods.DOCUMENT_OBJECTION.basis_zh}）",
                f"objections to the documents were due by {last} ({periods.DOCUMENT_OBJECTION.basis_en})",
                "stage",
            )
    elif stage == "candidates":
        if t.status != "publicity" or t.publicity_until is None or day > t.publicity_until:
            raise invalid(
                "objection_late",
                "对中标候选人的异议须在公示期内提出",
                "objections to the candidates are made during the publicity",
                "stage",
            )
    else:
        raise invalid(
            "bad_stage", "异议阶段只能是招标文件或中标候选人", "stage is documents or candidates", "stage"
        )
    o = Objection(
        tenant_id=tenant.id,
        tenant_path=tenant.path,
        tender_id=t.id,
        stage=stage,
        objector_code=code,
        objector_name=objector_name,
        content=content,
        filed_at=now,
        answer_due=periods.end(day, periods.ANSWER),
    )
    s.add(o)
    if t.paused_since is None:
        t.paused_since = now
    s.flush()
    _emit(s, tenant, t, "paused", actor, objection_id=o.id, stage=stage, answer_due=o.answer_due.isoformat())
    return o


def answer(
    s: Session,
    platform: Any,
    tenant: Any,
    objection_id: int,
    version: int,
    *,
    text: str,
    upheld: bool,
    actor: str,
    now: datetime | None = None,
) -> Objection:
    """Answer an objection; when none is left open the procedure resumes and the bid deadline (documents) or
    the end of the publicity (candidates) moves by the time lost."""
    now = now_of(platform, now)
    o = s.scalar(select(Objection).where(Objection.id == objection_id, Objection.tenant_id == tenant.id))
    if o is None:
        raise NotFound("No such objection", "没有这个异议", code="not_found")
    if o.version != version:
        raise Conflict(
            "The objection was changed meanwhile",
            "异议已被他人处理，请刷新",
            code="stale_version",
            fields={"version": "stale"},
        )
    if o.answered_at is not None:
        raise Conflict("Answered already", "该异议已答复", code="duplicate")
    if not text.strip():
        raise invalid("answer_required", "必须填写答复内容", "The answer needs a text", "answer")
    o.answer, o.upheld, o.answered_at = text, upheld, now
    t = load(s, tenant, o.tender_id)
    s.flush()
    still_open = s.scalar(
        select(func.count())
        .select_from(Objection)
        .where(Objection.tender_id == t.id, Objection.answered_at.is_(None))
    )
    if not still_open and t.paused_since is not None:
        lost = now - aware(t.paused_since)
        t.paused_since = None
        if t.status == "published":
            t.deadline = aware(t.deadline) + lost
        elif t.status == "publicity" and t.publicity_until is not None:
            days = lost.days + (1 if lost.seconds or lost.microseconds else 0)
            t.publicity_until = add_calendar_days(t.publicity_until, days)
        s.flush()
        _emit(
            s,
            tenant,
            t,
            "resumed",
            actor,
            objection_id=o.id,
            deadline=aware(t.deadline).isoformat(),
            publicity_until=t.publicity_until.isoformat() if t.publicity_until else None,
        )
    audit.record(
        s,
        actor=actor,
        action="bidding.objection.answer",
        tenant=tenant,
        target=f"bidding.objection:{o.id}",
        details={"upheld": upheld},
    )
    return o


# --- experts, panel, evaluation -------------------------------------------------------------------------


def add_expert(
    s: Session,
    tenant: Any,
    *,
    name: str,
    specialty: str = "",
    employer_code: str = "",
    employer_name: str = "",
    account: str = "",
    actor: str,
) -> Expert:
    e = Expert(
        tenant_id=tenant.id,
        tenant_path=tenant.path,
        name=name,
        specialty=specialty,
        employer_code=employer_code.upper(),
        employer_name=employer_name,
        account=account,
        active=True,
    )
    s.add(e)
    s.flush()
    audit.record(s, actor=actor, action="bidding.expert.add", tenant=tenant, target=f"bidding.expert:{e.id}")
    return e


def draw_members(seed: str, pool: list[int], size: int) -> list[int]:
    """The draw: anyone with the seed and the pool repeats it."""
    return sorted(random.Random(seed).sample(sorted(pool), size))


def draw_panel(
    s: Session,
    platform: Any,
    tenant: Any,
    tender_id: int,
    *,
    size: int,
    actor: str,
    seed: str | None = None,
    now: datetime | None = None,
) -> Panel:
    now = now_of(platform, now)
    t = load(s, tenant, tender_id)
    advance(s, platform, tenant, t, now=now)
    if t.status != "evaluation":
        raise _state_error(t, "开标结束后方可抽取评标专家", "The panel is drawn after the opening")
    if s.scalar(select(Panel.id).where(Panel.tender_id == t.id)) is not None:
        raise Conflict("The panel is drawn already", "评标委员会已抽取", code="duplicate")
    if size < periods.PANEL.days or size % 2 == 0:
        raise invalid(
            "panel_size",
            f"{periods.PANEL.zh}（{periods.PANEL.basis_zh}）",
            f"{periods.PANEL.en} ({periods.PANEL.basis_en})",
            "size",
        )
    conflicted = {t.tenderer_code, *s.scalars(select(Bidder.credit_code).where(Bidder.tender_id == t.id))}
    experts = s.scalars(select(Expert).where(Expert.tenant_id == tenant.id, Expert.active.is_(True))).all()
    excluded = [
        {"id": e.id, "reason": "与招标人或投标人存在利害关系 / conflict of interest"}
        for e in experts
        if e.employer_code and e.employer_code in conflicted
    ]
    pool = sorted(e.id for e in experts if not (e.employer_code and e.employer_code in conflicted))
    if len(pool) < size:
        raise invalid(
            "pool_too_small",
            f"回避后专家库仅有 {len(pool)} 名可抽取专家，不足 {size} 名",
            f"only {len(pool)} experts are eligible after conflicts, {size} needed",
            "size",
        )
    seed = seed or secrets.token_hex(16)
    p = Panel(
        tenant_id=tenant.id,
        tenant_path=tenant.path,
        tender_id=t.id,
        seed=seed,
        size=size,
        pool=pool,
        excluded=excluded,
        members=draw_members(seed, pool, size),
        drawn_at=now,
        drawn_by=actor,
    )
    s.add(p)
    s.flush()
    audit.record(
        s,
        actor=actor,
        action="bidding.panel.draw",
        tenant=tenant,
        target=f"bidding.tender:{t.id}",
        details={"seed": seed, "pool": pool, "excluded": [x["id"] for x in excluded], "size": size},
    )
    return p


def score(
    s: Session,
    platform: Any,
    tenant: Any,
    tender_id: int,
    *,
    account: str,
    bid_id: int,
    value: int,
    comment: str = "",
    actor: str,
) -> Score:
    t = load(s, tenant, tender_id)
    if t.status != "evaluation":
        raise _state_error(t, "不在评标阶段", "The tender is not in evaluation")
    panel = s.scalar(select(Panel).where(Panel.tender_id == t.id))
    expert = s.scalar(
        select(Expert).where(
            Expert.tenant_id == tenant.id,
            Expert.account == account,
            Expert.id.in_(panel.members if panel else []),
        )
    )
    if panel is None or expert is None:
        raise NotFound("You are not on this tender's panel", "您不是本项目评标委员会成员", code="not_member")
    bid = s.scalar(select(Bid).where(Bid.id == bid_id, Bid.tender_id == t.id, Bid.status == "opened"))
    if bid is None:
        raise invalid("bad_bid", "只能对已开启的有效投标评分", "only opened bids are scored", "bid_id")
    if not 0 <= value <= 100:
        raise invalid("bad_score", "评分须在 0 到 100 之间", "a score is 0 to 100", "score")
    if s.scalar(select(Score.id).where(Score.expert_id == expert.id, Score.bid_id == bid.id)) is not None:
        raise Conflict("Scored already", "已评分", code="duplicate")
    sc = Score(
        tenant_id=tenant.id,
        tenant_path=tenant.path,
        tender_id=t.id,
        expert_id=expert.id,
        bid_id=bid.id,
        score=value,
        comment=comment,
    )
    s.add(sc)
    s.flush()
    audit.record(
        s,
        actor=actor,
        action="bidding.bid.score",
        tenant=tenant,
        target=f"bidding.bid:{bid.id}",
        details={"expert_id": expert.id, "score": value},
    )
    return sc


def finish_evaluation(
    s: Session,
    platform: Any,
    tenant: Any,
    tender_id: int,
    version: int,
    *,
    actor: str,
    on: date | None = None,
) -> Tender:
    """The panel's report: rank by average score (then lower price), reveal the panel, and publish the
    first three as candidates for at least the publicity period."""
    t = load(s, tenant, tender_id, version)
    if t.status != "evaluation":
        raise _state_error(t, "不在评标阶段", "The tender is not in evaluation")
    panel = s.scalar(select(Panel).where(Panel.tender_id == t.id))
    if panel is None:
        raise invalid("no_panel", "尚未抽取评标委员会", "no panel has been drawn", "panel")
    bids = s.scalars(select(Bid).where(Bid.tender_id == t.id, Bid.status == "opened")).all()
    scores = s.scalars(select(Score).where(Score.tender_id == t.id)).all()
    by_bid: dict[int, list[int]] = {}
    for sc in scores:
        by_bid.setdefault(sc.bid_id, []).append(sc.score)
    missing = [b.id for b in bids if len(by_bid.get(b.id, [])) < panel.size]
    if missing:
        raise invalid(
            "scores_missing",
            f"尚有 {len(missing)} 份投标未由全部评委评分",
            f"{len(missing)} bids are not scored by every member",
            "scores",
        )
    for b in bids:
        b.score_x100 = round(100 * sum(by_bid[b.id]) / len(by_bid[b.id]))
    ranked = sorted(bids, key=lambda b: (-(b.score_x100 or 0), b.price_cents or 0, b.id))
    for i, b in enumerate(ranked, 1):
        b.rank = i
    day = on or today(platform)
    t.publicity_from = day
    t.publicity_until = periods.end(day, periods.PUBLICITY, t.publicity_days)
    t.min_publicity_until = periods.end(day, periods.PUBLICITY)
    t.status = "publicity"
    panel.revealed = True
    s.flush()
    _emit(
        s,
        tenant,
        t,
        "candidates",
        actor,
        candidates=[b.id for b in ranked[:3]],
        publicity_until=t.publicity_until.isoformat(),
    )
    return t


def candidates(s: Session, t: Tender) -> list[Bid]:
    return list(
        s.scalars(
            select(Bid).where(Bid.tender_id == t.id, Bid.rank.is_not(None), Bid.rank <= 3).order_by(Bid.rank)
        ).all()
    )


def award(
    s: Session,
    platform: Any,
    tenant: Any,
    tender_id: int,
    version: int,
    *,
    actor: str,
    bid_id: int | None = None,
    on: date | None = None,
) -> Tender:
    """The award notice, after the publicity and with no objection open: to the first candidate still
    standing unless the tenderer names another (supervision flags that on a state-funded project)."""
    t = load(s, tenant, tender_id, version)
    day = on or today(platform)
    if t.status != "publicity":
        raise _state_error(t, "不在中标候选人公示阶段", "The tender is not in candidate publicity")
    if t.paused_since is not None:
        raise _state_error(
            t, "异议答复前不得发出中标通知书", "An objection is open: no award before its answer"
        )
    assert t.publicity_until is not None
    if day <= t.publicity_until:
        raise invalid(
            "publicity_running",
            f"公示期至 {t.publicity_until} 结束（{periods.PUBLICITY.basis_zh}）",
            f"the publicity runs until {t.publicity_until} ({periods.PUBLICITY.basis_en})",
            "on",
        )
    standing = [b for b in candidates(s, t) if b.status == "opened"]
    if not standing:
        raise _state_error(t, "没有可中标的候选人", "No candidate is left")
    chosen = standing[0] if bid_id is None else next((b for b in standing if b.id == bid_id), None)
    if chosen is None:
        raise invalid(
            "not_candidate", "只能确定公示的中标候选人中标", "only a published candidate can win", "bid_id"
        )
    _award_to(s, tenant, t, chosen, day, actor)
    return t


def _award_to(s: Session, tenant: Any, t: Tender, bid: Bid, day: date, actor: str) -> None:
    t.award_bid_id, t.awarded_on, t.status = bid.id, day, "awarded"
    t.contract_due = periods.end(day, periods.CONTRACT)
    s.flush()
    _emit(
        s,
        tenant,
        t,
        "awarded",
        actor,
        bid_id=bid.id,
        rank=bid.rank,
        price_cents=bid.price_cents,
        contract_due=t.contract_due.isoformat(),
    )


def reject_award(
    s: Session,
    platform: Any,
    tenant: Any,
    tender_id: int,
    version: int,
    *,
    reason: str,
    actor: str,
    on: date | None = None,
) -> Tender:
    """The winner gives up, fails to sign, or is found ineligible: the award falls to the next candidate
    (Implementing Regulation art. 55); with none left the tender fails."""
    t = load(s, tenant, tender_id, version)
    if t.status != "awarded" or t.award_bid_id is None:
        raise _state_error(t, "尚未确定中标人", "There is no award to reject")
    if not reason.strip():
        raise invalid("reason_required", "必须填写理由", "A reason is required", "reason")
    winner = s.get(Bid, t.award_bid_id)
    assert winner is not None
    winner.status, winner.status_reason = "rejected", reason
    s.flush()
    _emit(s, tenant, t, "award_rejected", actor, bid_id=winner.id, reason=reason)
    nxt = [b for b in candidates(s, t) if b.status == "opened"]
    if nxt:
        _award_to(s, tenant, t, nxt[0], on or today(platform), actor)
    else:
        t.status, t.status_reason, t.award_bid_id = (
            "failed",
            "候选人均被取消 / every candidate rejected",
            None,
        )
        s.flush()
        _emit(s, tenant, t, "failed", actor)
    return t


def sign_contract(
    s: Session,
    platform: Any,
    tenant: Any,
    tender_id: int,
    version: int,
    *,
    price_cents: int,
    actor: str,
    on: date | None = None,
) -> Tender:
    t = load(s, tenant, tender_id, version)
    if t.status != "awarded":
        raise _state_error(t, "尚未发出中标通知书", "No award yet")
    if price_cents <= 0:
        raise invalid("bad_price", "合同金额必须大于 0", "the contract price must be positive", "price_cents")
    t.contract_signed_on, t.contract_cents, t.status = on or today(platform), price_cents, "contracted"
    s.flush()
    _emit(
        s, tenant, t, "contracted", actor, price_cents=price_cents, signed_on=t.contract_signed_on.isoformat()
    )
    return t


def complete(
    s: Session,
    platform: Any,
    tenant: Any,
    tender_id: int,
    version: int,
    *,
    actor: str,
    on: date | None = None,
) -> Tender:
    t = load(s, tenant, tender_id, version)
    if t.status != "contracted":
        raise _state_error(t, "合同签订后方可完成", "Complete after the contract")
    t.completed_on, t.status = on or today(platform), "completed"
    s.flush()
    _emit(s, tenant, t, "completed", actor)
    return t


def due_dates(platform: Any, t: Tender) -> dict[str, Any]:
    """Every period of the tender with its basis, for the pages and the API."""
    dday = deadline_day(platform, t)
    out: dict[str, tuple[date | None, date | None, periods.Period]] = {
        "documents": (t.documents_from, t.documents_until, periods.DOCUMENTS),
        "bid_deadline": (t.documents_from, dday, periods.BID_DEADLINE),
        "document_objection": (
            None,
            periods.latest_before(dday, periods.DOCUMENT_OBJECTION),
            periods.DOCUMENT_OBJECTION,
        ),
        "clarification": (None, periods.latest_before(dday, periods.CLARIFICATION), periods.CLARIFICATION),
    }
    if t.publicity_from:
        out["publicity"] = (t.publicity_from, t.publicity_until, periods.PUBLICITY)
    if t.awarded_on:
        out["contract"] = (t.awarded_on, t.contract_due, periods.CONTRACT)
    if t.contract_signed_on:
        out["bond_refund"] = (
            t.contract_signed_on,
            periods.end(t.contract_signed_on, periods.BOND_REFUND),
            periods.BOND_REFUND,
        )
    return out


def local_deadline(platform: Any, t: Tender) -> datetime:
    return aware(t.deadline).astimezone(clock.zone(platform))


def at_local(platform: Any, day: date, hh: int, mm: int = 0) -> datetime:
    """A local wall-clock time as an aware datetime (for schedules given as a day and a time)."""
    return datetime.combine(day, time(hh, mm), tzinfo=clock.zone(platform))
