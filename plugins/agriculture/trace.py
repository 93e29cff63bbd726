"""Traceability: lots, their append-only events (with order checks), lineage by processing, compliance
certificates, and what a public code lookup shows.

An event is never edited or deleted. A correction is a new event naming the wrong one (``corrects_id``,
unique: an event is declared wrong at most once); order checks and certificates look only at the
*effective* events (neither corrections nor events declared wrong).

The chain is walked with one recursive CTE each way over ``agri_links`` (depth-limited, indexed both
ways), chosen over a closure table because lineage rows are written once per processing and read on
every public lookup: the walk costs a few index probes per hop (bench/bench_agriculture.py).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import bindparam, literal, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from core.api import Conflict, Invalid, NotFound, audit, publish, subsession, today
from plugins.agriculture import codes
from plugins.agriculture.models import Certificate, Lot, LotEvent, LotLink, Producer
from plugins.agriculture.schemas import EventIn, LotIn, ReceiveIn

MAX_HOPS = 6
MAX_EVENTS = 500  # events of one lot a lookup shows (a lot has a few dozen)


def refuse(en: str, zh: str, code: str = "out_of_order", field_name: str = "kind") -> Invalid:
    return Invalid(en, zh, code=code, fields={field_name: en}, fields_zh={field_name: zh})


def create_lot(session: Session, tenant: Any, producer: Producer, data: LotIn, *, actor: str) -> Lot:
    """A new lot of a confirmed producer, with a fresh code or a pre-printed one (refused when taken)."""
    code = codes.checked(data.code) if data.code else codes.new_code(tenant.code)
    return _insert_lot(
        session, tenant, producer.id, code, data.product, data.quantity, data.unit, data.origin, actor
    )


def _insert_lot(
    session: Session,
    tenant: Any,
    producer_id: int,
    code: str,
    product: str,
    quantity: Any,
    unit: str,
    origin: str,
    actor: str,
) -> Lot:
    lot = Lot(
        tenant_id=tenant.id,
        tenant_path=tenant.path,
        code=code,
        producer_id=producer_id,
        product=product,
        quantity=quantity,
        unit=unit,
        origin=origin,
        created_by=actor,
    )
    try:
        with session.begin_nested():
            session.add(lot)
    except IntegrityError:
        raise Conflict(
            "This trace code is already in use (codes are never reused)",
            "该追溯码已被使用（追溯码不得重复使用）",
            code="code_taken",
            fields={"code": "already used"},
        ) from None
    publish(
        session,
        tenant=tenant,
        type="agriculture.lot.created",
        payload={"lot_id": lot.id, "code": code, "product": product},
        actor=actor,
    )
    return lot


def lot_here(session: Session, tenant: Any, lot_id: int) -> Lot:
    lot = session.get(Lot, lot_id)
    if lot is None or lot.tenant_id != tenant.id:
        raise NotFound("No such lot here", "本级没有该批次", code="unknown_lot")
    return lot


def events_of(session: Session, lot_ids: list[int]) -> list[LotEvent]:
    if not lot_ids:
        return []
    return list(
        session.scalars(
            select(LotEvent).where(LotEvent.lot_id.in_(lot_ids)).order_by(LotEvent.lot_id, LotEvent.id)
        )
    )


def effective(events: list[LotEvent]) -> list[LotEvent]:
    wrong = {e.corrects_id for e in events if e.corrects_id is not None}
    return [e for e in events if e.kind != "correction" and e.id not in wrong]


def wrong_ids(events: list[LotEvent]) -> set[int]:
    return {e.corrects_id for e in events if e.corrects_id is not None}


def _is_output(session: Session, lot_id: int) -> bool:
    return session.scalar(select(LotLink.id).where(LotLink.child_lot_id == lot_id).limit(1)) is not None


def produced_on(session: Session, lot: Lot, events: list[LotEvent]) -> date | None:
    """The day the lot came to exist as produce: its harvest, or the processing that made it."""
    harvests = [e.occurred_on for e in events if e.kind == "harvest"]
    if harvests:
        return min(harvests)
    return session.scalar(
        select(LotEvent.occurred_on)
        .join(LotLink, LotLink.event_id == LotEvent.id)
        .where(LotLink.child_lot_id == lot.id)
        .limit(1)
    )


def record(session: Session, platform: Any, tenant: Any, lot: Lot, data: EventIn, *, actor: str) -> LotEvent:
    """Append one event after the order checks; refusals say why and change nothing."""
    if data.occurred_on > today(platform):
        raise refuse("An event cannot happen in the future", "事件日期不能晚于今天", "future", "occurred_on")
    events = events_of(session, [lot.id])
    live = effective(events)
    if data.kind == "correction":
        _check_correction(events, data)
    else:
        _check_order(session, lot, live, data)
    payload = data.model_dump(
        mode="json",
        exclude={"kind", "occurred_on", "place", "corrects_id", "reason", "outputs"},
        exclude_defaults=True,
    )
    if data.kind == "processing":
        payload["outputs"] = [o.model_dump(mode="json") for o in data.outputs]
    ev = LotEvent(
        tenant_id=tenant.id,
        tenant_path=tenant.path,
        lot_id=lot.id,
        kind=data.kind,
        occurred_on=data.occurred_on,
        place=data.place,
        data=payload,
        corrects_id=data.corrects_id,
        passed=data.passed if data.kind == "test" else None,
        phi_days=data.phi_days if data.kind == "input" and data.input_kind == "pesticide" else None,
        reason=data.reason,
        actor=actor,
    )
    session.add(ev)
    session.flush()
    if data.kind == "processing":
        made = [
            _insert_lot(
                session,
                tenant,
                lot.producer_id,
                codes.new_code(tenant.code),
                o.product,
                o.quantity,
                o.unit,
                lot.origin,
                actor,
            )
            for o in data.outputs
        ]
        session.add_all(
            LotLink(
                tenant_id=tenant.id,
                tenant_path=tenant.path,
                parent_lot_id=lot.id,
                child_lot_id=m.id,
                event_id=ev.id,
            )
            for m in made
        )
        ev.data = {
            **payload,
            "outputs": [{**o, "code": m.code} for o, m in zip(payload["outputs"], made, strict=True)],
        }
        session.flush()
    publish(
        session,
        tenant=tenant,
        type=f"agriculture.event.{data.kind}",
        payload={"lot_id": lot.id, "event_id": ev.id, "code": lot.code},
        actor=actor,
    )
    return ev


def receive(
    session: Session, platform: Any, tenant: Any, producer: Producer, data: ReceiveIn, *, actor: str
) -> Lot:
    """A buyer receives a lot shipped to it, from its own county or another: a new lot of the buyer's
    county (its own code) with a receipt event, linked to the source lot, so the chain runs on across
    counties. The source lot is read in the network scope and never changed: the link and the new lot
    belong to the buyer's county. Refused when the code is malformed or unknown, when the source lot
    has no shipment on or before the day of receipt, or when this producer already received it."""
    try:
        code = codes.parse(data.source_code)
    except codes.BadCode as exc:
        raise refuse(exc.message_en, exc.message_zh, "bad_code", "source_code") from None
    if data.occurred_on > today(platform):
        raise refuse("An event cannot happen in the future", "事件日期不能晚于今天", "future", "occurred_on")
    # Read in the network scope on this transaction's own connection (core.api.subsession): plain
    # values out, nothing of the source lot is written.
    with subsession(session, network_scope(platform, tenant)) as net:
        found = net.execute(select(Lot.id, Lot.product).where(Lot.code == code)).first()
        shipped = (
            []
            if found is None
            else [e.occurred_on for e in effective(events_of(net, [found.id])) if e.kind == "shipment"]
        )
    if found is None:
        raise refuse("No lot has this trace code", "没有找到这个追溯码", "unknown_code", "source_code")
    source_id, source_product = found
    if not shipped or min(shipped) > data.occurred_on:
        raise refuse(
            "This lot was not shipped on or before that day: the sender records the shipment first",
            "该批次在收货日期前没有发货记录，请发货方先登记发货",
            "out_of_order",
            "source_code",
        )
    already = session.scalar(
        select(LotLink.id)
        .join(Lot, Lot.id == LotLink.child_lot_id)
        .where(LotLink.parent_lot_id == source_id, Lot.producer_id == producer.id)
        .limit(1)
    )
    if already is not None:
        raise Conflict(
            "This producer already received this lot",
            "本生产主体已登记收到该批次",
            code="already_received",
            fields={"source_code": "already received"},
        )
    lot = _insert_lot(
        session,
        tenant,
        producer.id,
        codes.new_code(tenant.code),
        data.product or source_product,
        data.quantity,
        data.unit,
        "",  # the sender's origin (a field, a greenhouse) is the sender's to publish
        actor,
    )
    ev = LotEvent(
        tenant_id=tenant.id,
        tenant_path=tenant.path,
        lot_id=lot.id,
        kind="receipt",
        occurred_on=data.occurred_on,
        place=data.place,
        data={"buyer": producer.name, "from_code": code},
        actor=actor,
    )
    session.add(ev)
    session.flush()
    session.add(
        LotLink(
            tenant_id=tenant.id,
            tenant_path=tenant.path,
            parent_lot_id=source_id,
            child_lot_id=lot.id,
            event_id=ev.id,
        )
    )
    session.flush()
    publish(
        session,
        tenant=tenant,
        type="agriculture.event.receipt",
        payload={"lot_id": lot.id, "event_id": ev.id, "code": lot.code, "from_code": code},
        actor=actor,
    )
    return lot


def _check_correction(events: list[LotEvent], data: EventIn) -> None:
    target = next((e for e in events if e.id == data.corrects_id), None)
    if target is None:
        raise refuse(
            "The corrected event is not an event of this lot",
            "被更正的事件不属于本批次",
            "unknown_event",
            "corrects_id",
        )
    if target.kind == "correction":
        raise refuse(
            "A correction cannot itself be corrected; record the right event instead",
            "更正声明不能再被更正，请补录正确的事件",
            "bad_correction",
            "corrects_id",
        )
    if target.kind == "processing":
        raise refuse(
            "A processing cannot be declared wrong: its output lots exist and carry codes",
            "加工分装事件不能更正：其产出批次已赋码",
            "bad_correction",
            "corrects_id",
        )
    if target.id in wrong_ids(events):
        raise Conflict(
            "This event was already declared wrong",
            "该事件已被更正过",
            code="already_corrected",
            fields={"corrects_id": "already corrected"},
        )


def _check_order(session: Session, lot: Lot, live: list[LotEvent], data: EventIn) -> None:
    born = produced_on(session, lot, live)
    kind = data.kind
    if kind in ("input", "harvest") and _is_output(session, lot.id):
        raise refuse(
            "A processed lot has no inputs or harvest of its own", "加工产出批次没有自己的投入品或采收事件"
        )
    if kind == "input" and born is not None:
        raise refuse(f"Inputs are recorded before the harvest ({born})", f"投入品须在采收（{born}）之前记录")
    if kind == "harvest" and born is not None:
        raise refuse(f"This lot was already harvested on {born}", f"本批次已于 {born} 采收")
    if kind in ("test", "processing", "shipment") and born is None:
        zh = {"test": "检测", "processing": "加工", "shipment": "发货"}[kind]
        raise refuse(
            f"The lot has not been harvested: no {kind} before the harvest", f"本批次尚未采收，不能{zh}"
        )
    if kind in ("test", "processing", "shipment") and born is not None and data.occurred_on < born:
        raise refuse(
            f"The {kind} date is before the harvest ({born})",
            f"日期早于采收日期（{born}）",
            "out_of_order",
            "occurred_on",
        )
    if kind == "receipt":
        shipped = [e for e in live if e.kind == "shipment" and e.occurred_on <= data.occurred_on]
        if not shipped:
            raise refuse(
                "Nothing was shipped to receive: record the shipment first", "尚无发货记录，不能收货"
            )


def latest_test(live: list[LotEvent]) -> LotEvent | None:
    tests = sorted((e for e in live if e.kind == "test"), key=lambda e: (e.occurred_on, e.id))
    return tests[-1] if tests else None


def issue_certificate(
    session: Session, platform: Any, tenant: Any, lot: Lot, *, promise: str, actor: str
) -> Certificate:
    """A compliance certificate (承诺达标合格证), only when the lot's latest effective test passed."""
    test = latest_test(effective(events_of(session, [lot.id])))
    if test is None or not test.data.get("passed"):
        raise refuse(
            "A certificate needs a passing lab test as the lot's latest test",
            "开具合格证须有合格的检测结果（以最近一次检测为准）",
            "no_passing_test",
            "lot_id",
        )
    if session.scalar(select(Certificate.id).where(Certificate.lot_id == lot.id)):
        raise Conflict("This lot already has a certificate", "本批次已开具合格证", code="certificate_exists")
    day = today(platform)
    cert = Certificate(
        tenant_id=tenant.id,
        tenant_path=tenant.path,
        lot_id=lot.id,
        test_event_id=test.id,
        number=codes.certificate_number(tenant.code, day.isoformat()),
        issued_on=day,
        issued_by=actor,
        promise=promise
        or "我承诺对生产销售的食用农产品：不使用禁用农药兽药、"
        "停用兽药和非法添加物；常规农药兽药残留不超标；对承诺的真实性负责。",
    )
    session.add(cert)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="agriculture.certificate.issued",
        tenant=tenant,
        target=f"agri_lot:{lot.id}",
        details={"number": cert.number, "code": lot.code},
    )
    publish(
        session,
        tenant=tenant,
        type="agriculture.certificate.issued",
        payload={"lot_id": lot.id, "number": cert.number},
        actor=actor,
    )
    return cert


# -- the chain and the public lookup -------------------------------------------------------------------


def _walk(near: Any, far: Any, start: Any, name: str, max_hops: int) -> Any:
    """A recursive CTE of (lot id, hops) reachable from the lot ``start`` through processing links."""
    walk = (
        select(far.label("lot_id"), literal(1).label("hops")).where(near == start).cte(name, recursive=True)
    )
    return walk.union_all(select(far, walk.c.hops + 1).where(near == walk.c.lot_id, walk.c.hops < max_hops))


@functools.lru_cache(maxsize=8)
def lookup_statement(max_hops: int, *, lateral: bool = True) -> Any:
    """The whole lookup as one statement: the lot with ``code``, the walks up and down from it (one
    recursive CTE each way over ``agri_links``, by ``ix_agri_links_child`` / ``uq_agri_links_pair``),
    and for every lot reached its producer, certificate and events (one row per event; a lot without
    events comes once with NULLs). One round trip instead of four (see docs/benchmarks.md). Built once
    (the code is the bound parameter ``code``): building it cost more than running it."""
    start = select(Lot.id).where(Lot.code == bindparam("code")).scalar_subquery()
    up = _walk(LotLink.child_lot_id, LotLink.parent_lot_id, start, "walk_up", max_hops)
    down = _walk(LotLink.parent_lot_id, LotLink.child_lot_id, start, "walk_down", max_hops)
    nodes = (
        select(start.label("lot_id"), literal(0).label("hops"), literal("self").label("direction"))
        .union_all(
            select(up.c.lot_id, up.c.hops, literal("upstream")),
            select(down.c.lot_id, down.c.hops, literal("downstream")),
        )
        .subquery("nodes")
    )
    # On PostgreSQL the lots and their events are joined as LATERAL subqueries with a LIMIT, so each
    # is fetched by its index per node (pk_agri_lots, ix_agri_events_lot) whatever the plan: once
    # psycopg prepares the statement (its fifth run on a connection) PostgreSQL may switch to a generic
    # plan, which cannot see that the scope's tenant-path range covers every row and, with plain joins,
    # hash-joined the walk against a scan of all the county's lots by that range (535 ms, not 0.3 ms;
    # docs/benchmarks.md).
    # SQLite has no LATERAL: plain joins (its planner probes the indexes anyway).
    if not lateral:
        return (
            select(nodes.c.hops, nodes.c.direction, Lot, Producer, Certificate, LotEvent)
            .select_from(nodes)
            .join(Lot, Lot.id == nodes.c.lot_id)
            .join(Producer, Producer.id == Lot.producer_id)
            .outerjoin(Certificate, Certificate.lot_id == Lot.id)
            .outerjoin(LotEvent, LotEvent.lot_id == Lot.id)
            .order_by(Lot.id, LotEvent.id)
        )
    lot_q = select(Lot).where(Lot.id == nodes.c.lot_id).limit(1).lateral("lot")
    ev_q = (
        select(LotEvent)
        .where(LotEvent.lot_id == lot_q.c.id)
        .order_by(LotEvent.id)
        .limit(MAX_EVENTS)
        .lateral("ev")
    )
    # The events come as the lateral's columns, not an aliased entity: the session's scope criteria on
    # an aliased entity would land in the WHERE clause and drop the lots without events (the criteria
    # are inside the lateral, on agri_events itself).
    lot = aliased(Lot, lot_q)
    return (
        select(nodes.c.hops, nodes.c.direction, lot, Producer, Certificate, *ev_q.c)
        .select_from(nodes)
        .join(lot_q, true())
        .join(Producer, Producer.id == lot.producer_id)
        .outerjoin(Certificate, Certificate.lot_id == lot.id)
        .outerjoin(ev_q, true())
        .order_by(lot.id, ev_q.c.id)
    )


@functools.lru_cache(maxsize=8)
def _lookup(max_hops: int, lateral: bool) -> tuple[Any, list[str]]:
    stmt = lookup_statement(max_hops, lateral=lateral)
    return stmt, [c.key for c in stmt.selected_columns][-len(LotEvent.__table__.c) :]


def _event_of(names: list[str], values: Any) -> LotEvent | None:
    """A (detached) event from the lateral's columns; None for a lot without events."""
    row = dict(zip(names, values, strict=True))
    return None if row["id"] is None else LotEvent(**row)


@dataclass(frozen=True)
class PublicEvent:
    """What the public page shows of an event of another county's lot: its kind and date, nothing of
    its details (places, buyers, labs, materials stay with the county that recorded them)."""

    id: int
    kind: str
    occurred_on: date
    place: str = ""
    data: Any = None
    corrects_id: int | None = None
    reason: str = ""

    @classmethod
    def of(cls, e: LotEvent) -> PublicEvent:
        return cls(e.id, e.kind, e.occurred_on, data={})


@dataclass
class ChainLot:
    lot: Lot
    hops: int
    direction: str
    events: list[Any] = field(default_factory=list)
    producer_name: str = ""
    tenant_id: int = 0
    foreign: bool = False  # another county's lot: public fields only (product, producer, certificate,
    # event kinds and dates)


@dataclass
class TraceAnswer:
    code: str
    status: str  # found | malformed | unknown
    problem: tuple[str, str] | None = None
    lot: Lot | None = None
    producer: Producer | None = None
    certificate: Certificate | None = None
    events: list[LotEvent] = field(default_factory=list)
    wrong: set[int] = field(default_factory=set)
    chain: list[ChainLot] = field(default_factory=list)
    certificates: dict[int, Certificate] = field(default_factory=dict)


def network_scope(platform: Any, tenant: Any) -> Any:
    """The scope a public lookup reads the chain in: the whole tree the hall belongs to (the province),
    since a lot shipped to another county is processed there into that county's lots. What reaches
    the page of another county's lots is only their public fields (``lookup``)."""
    return platform.directory.ancestors(tenant)[0].subtree_scope


UNKNOWN = (
    "没有找到这个追溯码。请核对包装上的数字，或到产地县的网上办事大厅查询。",
    "No lot has this code here. Check the digits on the label, or look it up at the hall of the "
    "county it comes from.",
)


def lookup(session: Session, raw: str, max_hops: int = MAX_HOPS, *, home: Any = None) -> TraceAnswer:
    """What a code resolves to; a malformed or unknown code is an answer too.

    ``session`` may reach wider than the hall (the network scope, for lineage across counties); the code
    itself must then lie under the ``home`` scope (the hall's subtree). Lots of a county other than the
    code's own are *foreign*: only their public fields reach the answer."""
    try:
        code = codes.parse(raw)
    except codes.BadCode as exc:
        return TraceAnswer(codes.clean(raw), "malformed", (exc.message_zh, exc.message_en))
    lots: dict[int, Lot] = {}
    place: dict[int, tuple[str, int]] = {}
    makers: dict[int, Producer] = {}
    certs: dict[int, Certificate] = {}
    by_lot: dict[int, list[LotEvent]] = {}
    lateral = session.get_bind().dialect.name == "postgresql"
    stmt, names = _lookup(max_hops, lateral)
    for row in session.execute(stmt, {"code": code}):
        hops, direction, lot_row, producer_row, cert = row[:5]
        ev = _event_of(names, row[5:]) if lateral else row[5]
        lid = lot_row.id
        lots[lid] = lot_row
        makers[lid] = producer_row
        if cert is not None:
            certs[lid] = cert
        if lid not in place or hops < place[lid][1]:
            place[lid] = (direction, hops)
        if ev is not None:
            seen = by_lot.setdefault(lid, [])
            if not seen or seen[-1].id != ev.id:  # a lot reached both ways repeats its events
                seen.append(ev)
    lot = next((x for x in lots.values() if x.code == code), None)
    if lot is None or (home is not None and not home.covers(lot.tenant_path)):
        return TraceAnswer(code, "unknown", UNKNOWN)
    own = by_lot.get(lot.id, [])
    chain: list[ChainLot] = []
    wrong = wrong_ids(own)
    for lid, (direction, hops) in place.items():
        if lid == lot.id:
            continue
        other = lots[lid]
        foreign = other.tenant_id != lot.tenant_id
        events: list[Any] = by_lot.get(lid, [])
        if foreign:
            hidden = wrong_ids(events)
            events = sorted(
                (PublicEvent.of(e) for e in events if e.kind != "correction" and e.id not in hidden),
                key=lambda e: (e.occurred_on, e.id),
            )
        else:
            wrong |= wrong_ids(events)
        chain.append(ChainLot(other, hops, direction, events, makers[lid].name, other.tenant_id, foreign))
    chain.sort(key=lambda c: (c.direction != "upstream", c.hops, c.lot.id))
    return TraceAnswer(
        code,
        "found",
        lot=lot,
        producer=makers[lot.id],
        certificate=certs.get(lot.id),
        events=own,
        wrong=wrong,
        chain=chain,
        certificates=certs,
    )


def lots_of(
    session: Session, tenant: Any, producer_ids: list[int] | None = None, limit: int = 200
) -> list[Lot]:
    q = select(Lot).where(Lot.tenant_id == tenant.id)
    if producer_ids is not None:
        q = q.where(Lot.producer_id.in_(producer_ids or [-1]))
    return list(session.scalars(q.order_by(Lot.id.desc()).limit(limit)))
