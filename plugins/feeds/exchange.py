"""Feeds through the data-sharing platform (when exchange is on): each stream is offered as a catalogue
resource that receives records; exchange authenticates the sending subsystem, checks its grant and logs
the delivery, then hands the records here (``govhall_exchange_receive``) in the same transaction."""

from __future__ import annotations

from typing import Any

from core.api import DataResource
from plugins.feeds import services
from plugins.feeds.streams import STREAMS

PREFIX = "feeds."


def resources() -> list[DataResource]:
    return [
        DataResource(
            code=name,
            title_zh=f"监察数据报送：{st.title_zh}",
            title_en=f"Supervision feed: {st.title_en}",
            plugin="feeds",
            fields=tuple(f for f in st.schema.model_fields),
            sharing="conditional",
            update_cycle="realtime",
            description_zh="接收报送（POST），不提供查询；每条记录按数据流的结构逐条校验",
        )
        for name, st in STREAMS.items()
    ]


def _department(tenant: Any, sender: str) -> str:
    """The sending member's department when it belongs to this tenant (``GOV:<path>:<dept>``); records
    from a member elsewhere must name their department."""
    _gov, _, rest = sender.partition(":")
    path, _, dept = rest.rpartition(":")
    return dept if path == tenant.path else ""


def receive(platform: Any, session: Any, tenant: Any, resource: str, sender: str, body: Any) -> dict | None:
    if not resource.startswith(PREFIX) or resource[len(PREFIX) :] not in STREAMS:
        return None
    stream = resource[len(PREFIX) :]
    records = body.get("records") if isinstance(body, dict) else None
    feed = services.receive(
        session,
        platform,
        tenant,
        stream,
        list(records or []),
        channel="exchange",
        sender=sender,
        department=_department(tenant, sender),
    )
    return {
        "batch_id": feed.batch_id,
        **feed.counts,
        "results": [
            {"row": o.row, "status": o.status, "key": o.key, "errors": o.errors} for o in feed.outcomes
        ],
    }
