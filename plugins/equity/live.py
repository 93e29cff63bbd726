"""The live auction as server-sent events (``text/event-stream``): one ``state`` event a second with the
server's time, the phase, the countdown and the accepted bids, and a ``closed`` event when the auction
ends — then the stream ends. The page (static/auction.js) listens with ``EventSource`` and falls back to
polling ``auction/state`` once a second where EventSource is missing or the stream breaks.

Light on the database: each tick reads the one auction row by its key (no write transaction); the bids
and bidder numbers are read again only when an accepted bid was added, and the countdown's close is
written once (``bidding.close_if_due``, as the polled state does). A stream costs less than the polling
it replaces, and never reads more often than once a second. Only a client that asks for
``text/event-stream`` (EventSource does) is held open; any other GET gets the current state once.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from functools import partial
from typing import Any

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from core.api import clock, require
from plugins.equity import auction as A
from plugins.equity import bidding
from plugins.equity import permissions as P
from plugins.equity.api import title, visible_project
from plugins.equity.models import AUCTION_STATES, Buyer

TICK_SECONDS = 1.0
MAX_SECONDS = 30 * 60  # a long stream ends and EventSource reconnects (proxies drop old connections)


def _json(value: Any) -> str:
    return json.dumps(value, default=lambda v: v.isoformat() if isinstance(v, datetime) else str(v))


def event(name: str, data: Any) -> str:
    return f"event: {name}\ndata: {_json(data)}\n\n"


def _viewer(ctx: Any, pid: int) -> tuple[int | None, bool]:
    """The viewer's buyer id on this project and whether it may bid (a qualified legal person)."""
    code = str(ctx.actor.id_number) if ctx.actor.kind == "legal" and ctx.allowed(P.BUY) else ""
    if not code:
        return None, False
    with ctx.platform.db.session(ctx.tenant.scope) as s:
        row = s.execute(
            select(Buyer.id, Buyer.status).where(Buyer.project_id == pid, Buyer.credit_code == code)
        ).first()
    return (row.id, row.status == "qualified") if row else (None, False)


def _tick(ctx: Any, pid: int, viewer: int | None, known: int | None) -> dict[str, Any]:
    """The state at the server's time now: ``{"light": True, ...}`` (phase and countdown only) when no
    bid was accepted since ``known``, else the whole public state."""
    now = clock.now(ctx.platform).astimezone(UTC)
    with ctx.platform.db.session(ctx.tenant.scope) as s:
        a = bidding.load_auction(s, ctx.tenant, pid)
        terms, state = bidding.terms_of(a), bidding.state_of(a)
        phase = A.phase(terms, state, now)
        due = phase == "closed" and not a.closed
        if not due and a.accepted == known:
            closes = state.close_time(terms)
            left = max(0, int((closes - now).total_seconds())) if phase != "closed" else 0
            return {
                "light": True,
                "phase": phase,
                "server_time": now,
                "seconds_left": left,
                "closes_at": closes,
            }
    if due:  # the countdown ran out: close it (once: close_if_due re-checks under the row lock)
        with ctx.platform.db.transaction(ctx.tenant.scope) as s:
            bidding.close_if_due(s, ctx.platform, ctx.tenant, pid, now)
    with ctx.platform.db.session(ctx.tenant.scope) as s:
        return bidding.public_state(s, bidding.load_auction(s, ctx.tenant, pid), now, viewer)


async def stream(
    ctx: Any, pid: int, viewer: int | None, can_bid: bool, *, once: bool = False
) -> AsyncIterator[str]:
    yield f"retry: {int(TICK_SECONDS * 1000)}\n\n"
    full: dict[str, Any] = {}
    started = clock.now(ctx.platform)
    while True:
        known = full.get("accepted") if full else None
        snap = await ctx.platform.db.run(partial(_tick, ctx, pid, viewer, known))
        if snap.pop("light", False):
            full.update(snap)
        else:
            full = snap
        full["can_bid"] = can_bid
        full["phase_title"] = title(AUCTION_STATES, full["phase"], ctx.lang)
        yield event("state", full)
        if full["phase"] == "closed":
            yield event(
                "closed", {"leader_no": full.get("leader_no"), "current_cents": full.get("current_cents")}
            )
            return
        if once or (clock.now(ctx.platform) - started).total_seconds() > MAX_SECONDS:
            return
        await asyncio.sleep(TICK_SECONDS)


@require(P.PUBLIC, visible=visible_project)
async def auction_events(request: Request) -> Response:
    ctx = request.state.ctx
    pid = int(request.path_params["project_id"])
    await ctx.platform.db.run(lambda: _exists(ctx, pid))
    viewer, can_bid = await ctx.platform.db.run(lambda: _viewer(ctx, pid))
    # EventSource asks for text/event-stream; any other client gets the current state as one event and
    # the end of the stream (a crawler or a plain GET is not held open for the auction's day).
    once = "text/event-stream" not in request.headers.get("accept", "")
    return StreamingResponse(
        stream(ctx, pid, viewer, can_bid, once=once),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


def _exists(ctx: Any, pid: int) -> None:
    with ctx.platform.db.session(ctx.tenant.scope) as s:
        bidding.load_auction(s, ctx.tenant, pid)  # 404 before the stream starts
