"""Cards: issuing them from findings (set-based insert-or-ignore), the card state machine, escalation.

Issuing is one multi-row ``INSERT ... ON CONFLICT DO NOTHING RETURNING id`` per batch of findings, keyed
on (tenant, rule, object, occurrence), so a rerun scan or a redelivered event adds nothing. Transitions
are guarded by the card's version (409 when someone else changed it first) and by its state (409 with
the state named). Every change is written to the card history, the audit log and the event outbox in the
caller's transaction.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import structlog
from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from core.api import Conflict, Finding, Invalid, NotFound, audit, events, table_of, upsert, utcnow
from core.api import add_working_days as add_workdays
from core.api import today as clock_today
from plugins.supervision.contracts import SupervisionRule
from plugins.supervision.models import STATE_TITLES, Card, CardAction
from plugins.supervision.outbox import PAYLOAD_COLUMNS, events_from_cards, history_from_cards

if TYPE_CHECKING:
    from core.api import Platform, TenantRef

log = structlog.get_logger(__name__)

FEEDBACK_DAYS = "supervision.feedback_days"
ESCALATE_AFTER_DAYS = "supervision.escalate_after_days"
SYSTEM_ACTOR = "system:supervision"
BATCH = 2000  # rows per multi-row INSERT: large enough to amortise round trips, small enough for SQLite


@dataclass(frozen=True)
class Transition:
    """One act on a card: from which states, to which state, by whom (respond = department, act =
    supervisor), and whether a note is required."""

    name: str
    sources: frozenset[str]
    target: str
    by: str
    note_required: bool = False
    title_zh: str = ""
    title_en: str = ""


TRANSITIONS: dict[str, Transition] = {t.name: t for t in (
    Transition("acknowledge", frozenset({"issued", "sent_back", "escalated"}), "acknowledged", "respond",
               title_zh="签收", title_en="Acknowledge"),
    Transition("appeal", frozenset({"issued", "acknowledged", "escalated"}), "appealed", "respond",
               note_required=True, title_zh="申诉", title_en="Appeal"),
    Transition("revoke", frozenset({"appealed"}), "revoked", "act", note_required=True,
               title_zh="撤销（申诉成立）", title_en="Revoke (appeal upheld)"),
    Transition("send_back", frozenset({"appealed"}), "sent_back", "act", note_required=True,
               title_zh="驳回申诉", title_en="Send back (appeal rejected)"),
    Transition("escalate", frozenset({"appealed"}), "escalated", "act",
               title_zh="上报上级", title_en="Escalate to the parent tier"),
    Transition("resolve", frozenset({"acknowledged"}), "resolved", "act",
               title_zh="办结", title_en="Resolve"),
)}
RESPOND_ACTIONS = tuple(n for n, t in TRANSITIONS.items() if t.by == "respond")
ACT_ACTIONS = tuple(n for n, t in TRANSITIONS.items() if t.by == "act")
# States the automatic escalation moves up: an appealed card waits on the supervisors, not the department.
AUTO_ESCALATE_FROM = ("issued", "acknowledged", "sent_back", "escalated")


# -- issuing -----------------------------------------------------------------------------------------

class _Deadlines:
    """Feedback deadline per tenant for one run: the setting is per tenant, the date computed once."""

    def __init__(self, platform: Platform, today: date, key: str = FEEDBACK_DAYS) -> None:
        self.platform, self.today, self.key = platform, today, key
        self._by_days: dict[int, date] = {}
        self._days: dict[int, int] = {}

    def due(self, tenant: TenantRef) -> date:
        days = self._days.get(tenant.id)
        if days is None:
            days = self._days[tenant.id] = int(self.platform.tenant_setting(tenant, self.key))
        got = self._by_days.get(days)
        if got is None:
            got = self._by_days[days] = add_workdays(self.today, days)
        return got


# Card columns that are the same for every card of one ``issue`` call (one rule, one run): bound once per
# statement on PostgreSQL instead of repeated in every row of the JSON recordset.
_CONSTANT = ("rule_id", "rule_version", "kind_of_power", "severity", "title_zh", "title_en", "state",
             "issued_at", "issued_on", "escalation_level", "source_event_id", "version", "updated_at")


def card_parts(platform: Platform, rule: SupervisionRule, findings: Iterable[Finding], *,
               default_tenant: TenantRef | None, allowed: set[int] | None, today: date,
               event_id: int | None = None) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Findings as (columns common to every card, one row of the varying columns per card); findings for
    tenants where the rule does not apply are dropped. The owner is the object's tenant at issue."""
    directory = platform.directory
    deadlines = _Deadlines(platform, today)
    now = utcnow()
    const = {"rule_id": rule.id, "rule_version": rule.version, "kind_of_power": rule.kind_of_power,
             "severity": rule.severity, "title_zh": rule.title_zh[:200], "title_en": rule.title_en[:200],
             "state": "issued", "issued_at": now, "issued_on": today, "escalation_level": 0,
             "source_event_id": event_id, "version": 1, "updated_at": now}
    rows: list[dict[str, Any]] = []
    for f in findings:
        tenant = directory.by_id.get(f.tenant_id) if f.tenant_id is not None else default_tenant
        if tenant is None or (allowed is not None and tenant.id not in allowed):
            continue
        facts = f.facts or {}
        rows.append({
            "tenant_id": tenant.id, "tenant_path": tenant.path,
            "message_zh": f.message_zh, "message_en": f.message_en,
            "object_type": f.object_type[:60], "object_id": str(f.object_id)[:100],
            "occurrence": str(facts.get("occurrence", ""))[:100],
            "department_code": str(facts.get("department_code") or "")[:32],
            "step": str(facts.get("step") or "")[:60], "facts": dict(facts),
            "feedback_due": deadlines.due(tenant),
        })
    return const, rows


def card_rows(platform: Platform, rule: SupervisionRule, findings: Iterable[Finding], *,
              default_tenant: TenantRef | None, allowed: set[int] | None, today: date,
              event_id: int | None = None) -> list[dict[str, Any]]:
    """Complete card rows (every column) for findings of one rule."""
    const, rows = card_parts(platform, rule, findings, default_tenant=default_tenant, allowed=allowed,
                             today=today, event_id=event_id)
    return [_full(const, r) for r in rows]


def _full(const: dict[str, Any], row: dict[str, Any]) -> dict[str, Any]:
    return {**const, **row, "owner_tenant_id": row["tenant_id"], "owner_path": row["tenant_path"]}


# Column types for the PostgreSQL bulk insert (other columns are text).
_PG_TYPES = {"tenant_id": "integer", "owner_tenant_id": "integer", "rule_version": "integer",
             "escalation_level": "integer", "version": "integer", "source_event_id": "bigint",
             "issued_on": "date", "feedback_due": "date", "issued_at": "timestamptz",
             "updated_at": "timestamptz", "facts": "json"}
_CONFLICT_KEY = "tenant_id, rule_id, object_type, object_id, occurrence"
PG_BATCH = 50_000
# What a supervision.card.issued / escalated event carries, read from the card (outbox.PAYLOAD_COLUMNS).
_PAYLOAD = "json_build_object('card_id', id, " + ", ".join(f"'{c}', {c}" for c in PAYLOAD_COLUMNS) + ")"


def _issue_sql(varying: list[str]) -> str:
    """One statement per batch: the cards from a JSON recordset (insert-or-ignore), and for the cards
    actually created their history rows and ``supervision.card.issued`` events, by data-modifying CTEs
    reading the ``RETURNING`` rows — no second look-up of the new cards by id."""
    cols = [*varying, "owner_tenant_id", "owner_path", *_CONSTANT]
    picks = [*(f"u.{c}" for c in varying), "u.tenant_id", "u.tenant_path",
             *(f"CAST(:c_{c} AS {_PG_TYPES.get(c, 'text')})" for c in _CONSTANT)]
    record = ", ".join(f"{c} {_PG_TYPES.get(c, 'text')}" for c in varying)
    returned = ", ".join(dict.fromkeys(["id", "tenant_id", "tenant_path", "owner_path", "state",
                                        *PAYLOAD_COLUMNS]))
    return (
        f"WITH new AS (INSERT INTO supervision_cards ({', '.join(cols)}) SELECT {', '.join(picks)} "
        f"FROM json_to_recordset(CAST(:rows AS json)) AS u({record}) "
        f"ON CONFLICT ({_CONFLICT_KEY}) DO NOTHING RETURNING {returned}), "
        "h AS (INSERT INTO supervision_card_actions (card_id, tenant_id, tenant_path, at, actor, action, "
        "from_state, to_state, owner_path, note) SELECT id, tenant_id, tenant_path, "
        "CAST(:at AS timestamptz), CAST(:actor AS text), 'issue', '', state, owner_path, '' FROM new), "
        "e AS (INSERT INTO outbox_events (type, tenant_id, tenant_path, payload, actor, occurred_at, "
        "attempts) "
        f"SELECT 'supervision.card.issued', tenant_id, tenant_path, {_PAYLOAD}, CAST(:actor AS text), "
        "CAST(:at AS timestamptz), 0 FROM new) "
        "SELECT id FROM new"
    )


def _issue_pg(session: Session, const: dict[str, Any], rows: Sequence[dict[str, Any]], *,
              actor: str) -> list[int]:
    """Cards, their history and their events on PostgreSQL, ``PG_BATCH`` cards per statement. The rows
    travel as one JSON document (serialised in C, parsed by the server); each distinct deadline is turned
    into text once so the encoder never calls back into Python per row."""
    stmt = text(_issue_sql(list(rows[0])))
    params = {f"c_{c}": const[c] for c in _CONSTANT}
    params.update(at=const["issued_at"], actor=actor[:100])
    iso: dict[Any, str] = {}
    ids: list[int] = []
    for start in range(0, len(rows), PG_BATCH):
        batch = [{**r, "feedback_due": iso.get(r["feedback_due"])
                  or iso.setdefault(r["feedback_due"], r["feedback_due"].isoformat())}
                 for r in rows[start:start + PG_BATCH]]
        doc = json.dumps(batch, ensure_ascii=False, default=str)
        ids.extend(r[0] for r in session.execute(stmt, {**params, "rows": doc}))
    return ids


KNOWN_LOOKUP_FROM = 200  # findings per call above which a rescan first drops the occurrences already carded


def _not_yet_carded(session: Session, rule: SupervisionRule,
                    rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Drop rows whose card exists, by one indexed read of the rule's keys in the session's scope: a
    rescan then sends only what is new. The unique key still decides (a concurrent event may race)."""
    c = Card.__table__.c
    scope = session.info["scope"]
    known = {tuple(r) for r in session.execute(select(c.tenant_id, c.object_type, c.object_id, c.occurrence)
                                               .where(c.rule_id == rule.id, scope.predicate(c.tenant_path)))}
    if not known:
        return rows
    return [r for r in rows
            if (r["tenant_id"], r["object_type"], r["object_id"], r["occurrence"]) not in known]


def insert_cards(session: Session, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert-or-ignore complete card rows on the occurrence key (SQLite, and callers with whole rows);
    returns the ids of the cards actually created."""
    if not rows:
        return []
    table = table_of(Card)
    stmt = upsert(session, table).on_conflict_do_nothing(
        index_elements=["tenant_id", "rule_id", "object_type", "object_id", "occurrence"]
    ).returning(table.c.id)
    ids: list[int] = []
    for start in range(0, len(rows), BATCH):
        chunk = rows[start:start + BATCH]
        ids.extend(r[0] for r in session.execute(stmt, list(chunk)))
    return ids


def issue(platform: Platform, session: Session, rule: SupervisionRule, findings: Iterable[Finding], *,
          default_tenant: TenantRef | None, allowed: set[int] | None = None, today: date | None = None,
          event_id: int | None = None, actor: str = SYSTEM_ACTOR, audit_tenant: TenantRef | None = None
          ) -> list[int]:
    """Issue cards for findings of one rule; history, audit and events for the new ones only."""
    today = today or clock_today(platform)
    const, rows = card_parts(platform, rule, findings, default_tenant=default_tenant, allowed=allowed,
                             today=today, event_id=event_id)
    if len(rows) > KNOWN_LOOKUP_FROM:
        rows = _not_yet_carded(session, rule, rows)
    if not rows:
        return []
    if session.get_bind().dialect.name == "postgresql":
        ids = _issue_pg(session, const, rows, actor=actor)
    else:
        ids = insert_cards(session, [_full(const, r) for r in rows])
        if ids:
            now = const["issued_at"]
            history_from_cards(session, ids, action="issue", from_state="", actor=actor, note="", at=now)
            events_from_cards(session, ids, type_="supervision.card.issued", actor=actor, at=now)
    if ids:
        # One audit entry per rule and run lists every card it issued: each card is accounted for
        # without serialising a scan of a province on one chained append per card.
        audit.record(session, actor=actor, action="supervision.cards.issue",
                     tenant=audit_tenant or default_tenant, target=f"rule:{rule.id}@{rule.version}",
                     details={"rule_id": rule.id, "rule_version": rule.version, "count": len(ids),
                              "card_ids": ids, "event_id": event_id})
    return ids


# -- transitions -------------------------------------------------------------------------------------

def get_card(session: Session, card_id: int) -> Card:
    """A card in the session's scope, or NotFound (also when it exists outside the scope)."""
    card = session.get(Card, card_id)
    if card is None or not session.info["scope"].covers(card.tenant_path):
        raise NotFound(f"There is no card {card_id} here", f"此处没有编号为 {card_id} 的监察卡片")
    return card


def check_transition(card: Card, action: str, version: int, note: str) -> Transition:
    t = TRANSITIONS.get(action)
    if t is None:
        raise Invalid(f"Unknown action {action!r}", f"未知的操作“{action}”", fields={"action": "unknown"})
    if t.note_required and not note.strip():
        raise Invalid(f"A reason is required to {action} a card", f"{t.title_zh}须填写理由",
                      fields={"note": "required"})
    if card.version != version:
        raise Conflict(f"Card {card.id} was changed by someone else (your version {version}, now "
                       f"{card.version}); reload and try again",
                       f"监察卡片 {card.id} 已被他人修改（您的版本 {version}，"
                       f"当前 {card.version}），请刷新后重试",
                       code="version_conflict")
    if card.state not in t.sources:
        zh_state = STATE_TITLES.get(card.state, (card.state, card.state))[0]
        raise Conflict(f"Cannot {action} card {card.id}: it is {card.state}",
                       f"监察卡片 {card.id} 当前状态为“{zh_state}”，不能{t.title_zh}", code="bad_transition")
    return t


def apply(platform: Platform, session: Session, card: Card, action: str, *, version: int, note: str,
          actor: str, today: date | None = None) -> Card:
    """Move a card along the state machine (authorisation is the caller's: see access.py)."""
    t = check_transition(card, action, version, note)
    today = today or clock_today(platform)
    values: dict[str, Any] = {"state": t.target, "version": card.version + 1, "updated_at": utcnow()}
    directory = platform.directory
    if t.target in ("resolved", "revoked"):
        values["closed_on"] = today
    elif t.target == "sent_back":
        values["feedback_due"] = add_workdays(today, int(platform.tenant_setting(
            directory.by_id[card.tenant_id], FEEDBACK_DAYS)))
    elif t.target == "escalated":
        owner = directory.by_id[card.owner_tenant_id]
        parent = directory.by_id.get(owner.parent_id) if owner.parent_id else None
        if parent is None:
            raise Conflict(f"Card {card.id} is already at the top tier", "卡片已在最高一级，无法继续上报",
                           code="bad_transition")
        values.update(owner_tenant_id=parent.id, owner_path=parent.path,
                      escalation_level=card.escalation_level + 1,
                      feedback_due=add_workdays(today, int(platform.tenant_setting(parent,
                                                                                   ESCALATE_AFTER_DAYS))))
    c = table_of(Card)
    done = session.execute(update(c).where(c.c.id == card.id, c.c.version == version).values(**values))
    if done.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(f"Card {card.id} was changed by someone else; reload and try again",
                       f"监察卡片 {card.id} 已被他人修改，请刷新后重试", code="version_conflict")
    from_state = card.state
    session.refresh(card)
    _record_change(platform, session, card, action, from_state, note=note, actor=actor)
    return card


def _record_change(platform: Platform, session: Session, card: Card, action: str, from_state: str, *,
                   note: str, actor: str) -> None:
    session.add(CardAction(card_id=card.id, tenant_id=card.tenant_id, tenant_path=card.tenant_path,
                           at=utcnow(), actor=actor, action=action, from_state=from_state,
                           to_state=card.state, owner_path=card.owner_path, note=note))
    tenant = platform.directory.by_id[card.tenant_id]
    details = {"card_id": card.id, "from": from_state, "to": card.state, "note": note,
               "owner_path": card.owner_path, "escalation_level": card.escalation_level,
               "version": card.version}
    audit.record(session, actor=actor, action=f"supervision.card.{action}", tenant=tenant,
                 target=f"card:{card.id}", details=details)
    events.publish(session, tenant=tenant, type=f"supervision.card.{_verb(action)}", actor=actor,
                   payload={**details, "rule_id": card.rule_id, "object_type": card.object_type,
                            "object_id": card.object_id, "severity": card.severity})
    session.flush()


def _verb(action: str) -> str:
    return {"acknowledge": "acknowledged", "appeal": "appealed", "revoke": "revoked",
            "send_back": "sent_back", "escalate": "escalated", "resolve": "resolved"}[action]


# -- automatic escalation ----------------------------------------------------------------------------

def escalate_overdue(platform: Platform, session: Session, *, today: date | None = None) -> list[int]:
    """Move every open card past its feedback deadline up one tier in one ``UPDATE ... FROM (VALUES
    owner -> parent)``; history and events follow (on PostgreSQL in the same statement, by CTEs over the
    updated rows), and one audit entry per receiving tier. Returns the ids escalated. ``session`` must
    have system or subtree scope."""
    today = today or clock_today(platform)
    c = table_of(Card)
    owners = session.execute(
        select(c.c.owner_tenant_id).where(c.c.state.in_(AUTO_ESCALATE_FROM), c.c.feedback_due < today)
        .group_by(c.c.owner_tenant_id)).scalars().all()
    moves = _moves(platform, owners, today)
    if not moves:
        return []
    note = f"feedback deadline passed on {today.isoformat()}"
    if session.get_bind().dialect.name == "postgresql":
        rows = _escalate_pg(session, moves, today, note)
    else:
        rows = _apply_moves(session, moves, today)
        ids = [r[0] for r in rows]
        if ids:
            now = utcnow()
            history_from_cards(session, ids, action="escalate", from_state="", actor=SYSTEM_ACTOR,
                               note=note, at=now)
            events_from_cards(session, ids, type_="supervision.card.escalated", actor=SYSTEM_ACTOR, at=now)
    if rows:
        _audit_escalations(platform, session, rows, note)
    return [r[0] for r in rows]


def _escalate_pg(session: Session, moves: list[tuple[int, int, str, date]], today: date,
                 note: str) -> list[Any]:
    """The escalation as one statement: UPDATE joined to the moves, then history rows and
    ``supervision.card.escalated`` events from its ``RETURNING`` rows (no second look-up by id)."""
    values_sql = ", ".join(f"(CAST(:o{i} AS integer), CAST(:p{i} AS integer), CAST(:pp{i} AS text), "
                           f"CAST(:d{i} AS date))" for i in range(len(moves)))
    params: dict[str, Any] = {"today": today, "at": utcnow(), "actor": SYSTEM_ACTOR, "note": note,
                              "states": list(AUTO_ESCALATE_FROM)}
    for i, (owner_id, parent_id, parent_path, due) in enumerate(moves):
        params.update({f"o{i}": owner_id, f"p{i}": parent_id, f"pp{i}": parent_path, f"d{i}": due})
    returned = ", ".join(f"c.{n}" for n in dict.fromkeys(["id", "tenant_id", "tenant_path", "owner_path",
                                                          "owner_tenant_id", "state", *PAYLOAD_COLUMNS]))
    stmt = text(
        "WITH moved AS (UPDATE supervision_cards AS c SET state = 'escalated', "
        "escalation_level = c.escalation_level + 1, version = c.version + 1, updated_at = CAST(:at AS "
        "timestamptz), owner_tenant_id = m.parent_id, owner_path = m.parent_path, feedback_due = m.due "
        f"FROM (VALUES {values_sql}) AS m(owner_id, parent_id, parent_path, due) "
        "WHERE c.owner_tenant_id = m.owner_id AND c.state = ANY(CAST(:states AS text[])) "
        f"AND c.feedback_due < CAST(:today AS date) RETURNING {returned}), "
        "h AS (INSERT INTO supervision_card_actions (card_id, tenant_id, tenant_path, at, actor, action, "
        "from_state, to_state, owner_path, note) SELECT id, tenant_id, tenant_path, "
        "CAST(:at AS timestamptz), CAST(:actor AS text), 'escalate', '', state, owner_path, "
        "CAST(:note AS text) FROM moved), "
        "e AS (INSERT INTO outbox_events (type, tenant_id, tenant_path, payload, actor, occurred_at, "
        f"attempts) SELECT 'supervision.card.escalated', tenant_id, tenant_path, {_PAYLOAD}, "
        "CAST(:actor AS text), CAST(:at AS timestamptz), 0 FROM moved) "
        "SELECT id, owner_tenant_id FROM moved")
    return list(session.execute(stmt, params).all())


def _apply_moves(session: Session, moves: list[tuple[int, int, str, date]], today: date) -> list[Any]:
    """The UPDATE on SQLite: one per owning tier (SQLite cannot name the columns of a VALUES list, and
    serves one process, not a province)."""
    c = table_of(Card)
    open_and_due = (c.c.state.in_(AUTO_ESCALATE_FROM), c.c.feedback_due < today)
    common = {"state": "escalated", "escalation_level": c.c.escalation_level + 1, "version": c.c.version + 1,
              "updated_at": utcnow()}
    rows: list[Any] = []
    for owner_id, parent_id, parent_path, due in moves:
        rows += session.execute(
            update(c).where(c.c.owner_tenant_id == owner_id, *open_and_due)
            .values(owner_tenant_id=parent_id, owner_path=parent_path, feedback_due=due, **common)
            .returning(c.c.id, c.c.owner_tenant_id)).all()
    return rows


def _moves(platform: Platform, owners: Sequence[int], today: date) -> list[tuple[int, int, str, date]]:
    """(owner, parent, parent path, new deadline) for each owning tier that has a parent."""
    directory = platform.directory
    out = []
    for owner_id in owners:
        owner = directory.by_id.get(owner_id)
        parent = directory.by_id.get(owner.parent_id) if owner and owner.parent_id else None
        if parent is None:
            continue  # the top tier has nobody above it: the card stays with the province
        due = add_workdays(today, int(platform.tenant_setting(parent, ESCALATE_AFTER_DAYS)))
        out.append((owner_id, parent.id, parent.path, due))
    return out


def _audit_escalations(platform: Platform, session: Session, rows: Sequence[Any], note: str) -> None:
    by_tier: dict[int, list[int]] = {}
    for card_id, owner_id in rows:
        by_tier.setdefault(owner_id, []).append(card_id)
    for owner_id, card_ids in sorted(by_tier.items()):
        tier = platform.directory.by_id[owner_id]
        audit.record(session, actor=SYSTEM_ACTOR, action="supervision.cards.escalate", tenant=tier,
                     target=f"tier:{tier.code}",
                     details={"to": tier.code, "card_ids": card_ids, "note": note})


def history(session: Session, card: Card) -> list[CardAction]:
    return list(session.scalars(select(CardAction).where(CardAction.card_id == card.id)
                                .order_by(CardAction.id)))
