"""The live auction's server-sent events, read through the ASGI app: a ``text/event-stream`` of states at
the server's time; a bid placed meanwhile appears in the next state; when the countdown runs out the
stream closes the auction, sends the winner in a ``closed`` event and ends. Another exchange answers 404."""

from __future__ import annotations

import json
import threading
import time
from datetime import timedelta

from equity_helpers import AUCTION_AT, BUYERS, auction_ready, tenant
from starlette.testclient import TestClient

from core.db import Scope
from plugins.equity import bidding
from plugins.equity.models import Auction


def _events(lines):
    out, name = [], None
    for line in lines:
        if line.startswith("event: "):
            name = line[7:]
        elif line.startswith("data: "):
            out.append((name, json.loads(line[6:])))
            if name == "closed":
                break
    return out


def test_the_stream_pushes_bids_and_ends_at_the_close(app, platform):
    pid, _ids = auction_ready(platform, 2)
    t = tenant(platform)
    timed = AUCTION_AT + timedelta(minutes=30, seconds=20)  # the timed period: 40 s left
    platform.clock.set(timed)

    def meanwhile():
        time.sleep(1.5)
        with platform.db.transaction(t.scope) as s:
            placed = bidding.place_bid(
                s, platform, t, pid, credit_code=BUYERS[1], amount_cents=10_000_000_00, actor="b", now=timed
            )
            assert not placed.refused
        time.sleep(1.5)
        platform.clock.set(timed + timedelta(minutes=5))  # past the restarted countdown

    helper = threading.Thread(target=meanwhile)
    with TestClient(app) as client:
        url = f"/t/360102/equity/projects/{pid}/auction/events"
        once = _events(client.get(url).text.splitlines())  # not EventSource: one state, then the end
        assert [(n, d["phase"]) for n, d in once] == [("state", "timed")]
        helper.start()
        with client.stream("GET", url, headers={"Accept": "text/event-stream"}) as r:
            assert r.status_code == 200
            assert r.headers["content-type"].startswith("text/event-stream")
            assert r.headers["cache-control"] == "no-cache"
            events = _events(r.iter_lines())
        helper.join()
        missing = client.get(f"/t/360103/equity/projects/{pid}/auction/events")
        assert missing.status_code == 404
    states = [d for name, d in events if name == "state"]
    assert states[0]["phase"] == "timed" and states[0]["accepted"] == 0 and states[0]["seconds_left"] == 40
    assert any(s["accepted"] == 1 and s["phase"] == "timed" for s in states)
    bid_state = next(s for s in states if s["accepted"] == 1)
    assert bid_state["current_cents"] == 10_000_000_00 and bid_state["bids"][0]["bidder_no"] == 2
    assert bid_state["seconds_left"] == 60  # the bid restarted the countdown, by the server's time
    assert states[-1]["phase"] == "closed" and states[-1]["phase_title"] == "已结束"
    assert events[-1] == ("closed", {"leader_no": 2, "current_cents": 10_000_000_00})
    assert len(states) <= 8  # one a second, no faster
    with platform.db.session(Scope.system()) as s:
        assert s.get(Auction, s.query(Auction.id).filter_by(project_id=pid).scalar()).closed
