"""The Open Contracting Data Standard (OCDS 1.1) view of a tender: releases and a compiled record.

Each tender is one contracting process (``ocid``). Its releases are built from what happened, oldest
first: the tender notice (``tender``), each clarification (``tenderAmendment``), the opening
(``tenderUpdate``: who bid, at what price — only once the bids are opened), the award (``award``) and
the contract (``contract``). The record embeds those releases and a ``compiledRelease`` with the current
state of every field. ``tests/plugins/bidding/ocds/`` holds the published 1.1.5 schemas the tests
validate against. Amounts are in yuan (CNY); nothing sealed appears before the opening.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from plugins.bidding.models import Bid, Bidder, Document, Tender
from plugins.bidding.services import aware

VERSION = "1.1"
TENDER_STATUS = {
    "draft": "planning",
    "published": "active",
    "opening": "active",
    "evaluation": "active",
    "publicity": "active",
    "awarded": "complete",
    "contracted": "complete",
    "completed": "complete",
    "failed": "unsuccessful",
    "cancelled": "cancelled",
}


def _iso(at: Any) -> str | None:
    if at is None:
        return None
    if isinstance(at, datetime):
        return aware(at).isoformat()
    return datetime(at.year, at.month, at.day, tzinfo=UTC).isoformat()


def _value(cents: int | None) -> dict[str, Any] | None:
    return None if cents is None else {"amount": cents / 100, "currency": "CNY"}


def _party_id(code: str) -> str:
    return f"CN-USCC-{code}"


class Facts:
    """Everything the releases of one tender are built from, read in four queries."""

    def __init__(self, s: Session, t: Tender) -> None:
        self.t = t
        self.documents = list(
            s.scalars(select(Document).where(Document.tender_id == t.id).order_by(Document.id))
        )
        self.bidders = {b.id: b for b in s.scalars(select(Bidder).where(Bidder.tender_id == t.id))}
        opened = t.opening_closed_at is not None
        self.bids = (
            list(s.scalars(select(Bid).where(Bid.tender_id == t.id).order_by(Bid.id))) if opened else []
        )


def _buyer(t: Tender) -> dict[str, Any]:
    return {"id": _party_id(t.tenderer_code), "name": t.tenderer_name}


def _parties(f: Facts) -> list[dict[str, Any]]:
    t = f.t
    parties = [
        {
            **_buyer(t),
            "identifier": {"scheme": "CN-USCC", "id": t.tenderer_code, "legalName": t.tenderer_name},
            "roles": ["buyer", "procuringEntity"],
        }
    ]
    winner = next((b for b in f.bids if b.id == t.award_bid_id), None)
    for b in f.bids:
        who = f.bidders[b.bidder_id]
        roles = ["tenderer"] + (["supplier"] if winner is not None and b.id == winner.id else [])
        parties.append(
            {
                "id": _party_id(who.credit_code),
                "name": who.name,
                "roles": roles,
                "identifier": {"scheme": "CN-USCC", "id": who.credit_code, "legalName": who.name},
            }
        )
    return parties


def _tender(f: Facts, *, amendments: bool, tenderers: bool) -> dict[str, Any]:
    t = f.t
    out: dict[str, Any] = {
        "id": t.number,
        "title": t.title,
        "description": t.description,
        "status": TENDER_STATUS[t.status],
        "procuringEntity": _buyer(t),
        "value": _value(t.estimated_cents),
        # OCDS codelist: an invited tender is "selective" (only those invited may bid).
        "procurementMethod": "selective" if t.procedure == "invited" else "open",
        "procurementMethodDetails": "邀请招标 Invited tender"
        if t.procedure == "invited"
        else "公开招标 Open tender",
        "submissionMethod": ["electronicSubmission"],
        "tenderPeriod": {"startDate": _iso(t.documents_from), "endDate": _iso(t.deadline)},
        "documents": [
            {
                "id": str(d.id),
                "documentType": "tenderNotice"
                if d.kind == "notice"
                else "biddingDocuments"
                if d.kind == "documents"
                else "clarifications",
                "title": d.title,
                "datePublished": _iso(d.issued_at),
                "format": "text/plain",
            }
            for d in f.documents
        ],
    }
    if t.awarded_on:
        out["awardPeriod"] = {"startDate": _iso(t.publicity_from), "endDate": _iso(t.awarded_on)}
    if amendments:
        out["amendments"] = [
            {"id": str(d.id), "date": _iso(d.issued_at), "rationale": d.title, "description": d.body[:2000]}
            for d in f.documents
            if d.kind == "clarification"
        ]
    if tenderers and f.bids:
        opened = [b for b in f.bids if b.price_cents is not None]
        out["numberOfTenderers"] = len(opened)
        out["tenderers"] = [
            {"id": _party_id(f.bidders[b.bidder_id].credit_code), "name": f.bidders[b.bidder_id].name}
            for b in opened
        ]
    return out


def _awards(f: Facts) -> list[dict[str, Any]]:
    t = f.t
    out = []
    for b in f.bids:
        if b.id == t.award_bid_id or b.status == "rejected":
            who = f.bidders[b.bidder_id]
            out.append(
                {
                    "id": f"{t.number}-A{b.id}",
                    "status": "active" if b.id == t.award_bid_id else "cancelled",
                    "date": _iso(t.awarded_on),
                    "value": _value(b.price_cents),
                    "suppliers": [{"id": _party_id(who.credit_code), "name": who.name}],
                }
            )
    return out


def _contracts(f: Facts) -> list[dict[str, Any]]:
    t = f.t
    if t.contract_signed_on is None or t.award_bid_id is None:
        return []
    return [
        {
            "id": f"{t.number}-C1",
            "awardID": f"{t.number}-A{t.award_bid_id}",
            "status": "terminated" if t.status == "completed" else "active",
            "dateSigned": _iso(t.contract_signed_on),
            "value": _value(t.contract_cents),
        }
    ]


def _release(f: Facts, rid: str, tags: list[str], date: Any, **parts: Any) -> dict[str, Any]:
    return {
        "ocid": f.t.ocid,
        "id": f"{f.t.ocid}-{rid}",
        "date": _iso(date),
        "tag": tags,
        "initiationType": "tender",
        "language": "zh",
        "buyer": _buyer(f.t),
        **parts,
    }


def releases(s: Session, t: Tender) -> list[dict[str, Any]]:
    """The releases of one tender, oldest first (none for a draft)."""
    if t.published_at is None:
        return []
    f = Facts(s, t)
    out = [
        _release(
            f,
            "tender",
            ["tender"],
            t.published_at,
            parties=_parties(f)[:1],
            tender=_tender(f, amendments=False, tenderers=False),
        )
    ]
    for d in f.documents:
        if d.kind == "clarification":
            out.append(
                _release(
                    f,
                    f"amendment-{d.id}",
                    ["tenderAmendment"],
                    d.issued_at,
                    tender=_tender(f, amendments=True, tenderers=False),
                )
            )
    if t.opening_closed_at is not None:
        out.append(
            _release(
                f,
                "opening",
                ["tenderUpdate"],
                t.opening_closed_at,
                parties=_parties(f),
                tender=_tender(f, amendments=True, tenderers=True),
            )
        )
    if t.awarded_on is not None and t.award_bid_id is not None:
        out.append(
            _release(
                f, f"award-{t.award_bid_id}", ["award"], t.awarded_on, parties=_parties(f), awards=_awards(f)
            )
        )
    if t.contract_signed_on is not None:
        out.append(_release(f, "contract", ["contract"], t.contract_signed_on, contracts=_contracts(f)))
    if t.status in ("cancelled", "failed") and len(out) == 1:
        out.append(
            _release(
                f,
                t.status,
                ["tenderCancellation"] if t.status == "cancelled" else ["tenderUpdate"],
                t.opening_closed_at or t.published_at,
                tender=_tender(f, amendments=True, tenderers=True),
            )
        )
    return out


def compiled(s: Session, t: Tender) -> dict[str, Any]:
    f = Facts(s, t)
    rels = releases(s, t)
    last = rels[-1]["date"] if rels else _iso(t.created_at)
    out = _release(
        f,
        "compiled",
        ["compiled"],
        None,
        parties=_parties(f),
        tender=_tender(f, amendments=True, tenderers=True),
    )
    out["date"] = last
    if t.award_bid_id is not None or any(b.status == "rejected" for b in f.bids):
        out["awards"] = _awards(f)
    if t.contract_signed_on is not None:
        out["contracts"] = _contracts(f)
    return out


def package(
    kind: str, uri: str, publisher: str, items: list[dict[str, Any]], now: datetime
) -> dict[str, Any]:
    """A release or record package; its date is the latest of its contents (``now`` when empty)."""
    dates = (
        [r["date"] for r in items if r.get("date")]
        if kind == "releases"
        else [r["compiledRelease"]["date"] for r in items]
    )
    return {
        "uri": uri,
        "version": VERSION,
        "publishedDate": max(dates) if dates else _iso(now),
        "publisher": {"name": publisher},
        kind: items,
    }


def record(s: Session, t: Tender) -> dict[str, Any]:
    return {"ocid": t.ocid, "releases": releases(s, t), "compiledRelease": compiled(s, t)}
