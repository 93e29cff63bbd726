"""The feed mechanism: a batch of records of one stream, validated record by record and written with one
``INSERT ... ON CONFLICT`` per chunk on the natural key.

* A malformed record is rejected with its row number, key (when readable) and field; the rest of the
  batch is kept.
* Re-sending a record updates it; a copy with the same ``source_time`` changes nothing (``unchanged``);
  an older copy arriving late never overwrites the newer one (``stale``). The conflict clause carries the
  same condition, so two deliveries racing each other also leave the newest version.
* Chunks are bounded: a million-record file streams through in constant memory. The caller owns the
  transactions: the bulk API runs a batch in one, the file import commits chunk by chunk.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlalchemy import and_, column, select, tuple_, update, values
from sqlalchemy.orm import Session

from core.api import Invalid, calendar_for, upsert
from plugins.feeds.models import Batch, RecordError
from plugins.feeds.streams import STREAMS, Stream, version_of

CHUNK = 1000
MAX_STORED_ERRORS = 1000  # per batch; the counts stay exact beyond it
STATUSES: dict[str, tuple[str, str]] = {
    "inserted": ("新增", "Inserted"),
    "updated": ("已更新", "Updated"),
    "unchanged": ("无变化（重复发送）", "Unchanged (sent again)"),
    "stale": ("较旧版本，未覆盖", "Older version, not applied"),
    "rejected": ("已拒收", "Rejected"),
}


@dataclass
class Outcome:
    row: int
    status: str
    key: str = ""
    errors: list[dict[str, str]] = field(default_factory=list)


def stream_named(name: str) -> Stream:
    s = STREAMS.get(name)
    if s is None:
        raise Invalid(
            f"Unknown stream {name!r}",
            f"未知的数据流 {name!r}",
            code="unknown_stream",
            fields={"stream": f"one of {', '.join(STREAMS)}"},
        )
    return s


def _key_text(stream: Stream, item: Any) -> str:
    if not isinstance(item, dict):
        return ""
    return "|".join(str(item.get(k, ""))[:60] for k in stream.key)[:200]


def _errors(exc: ValidationError) -> list[dict[str, str]]:
    out = []
    for e in exc.errors(include_url=False):
        loc = ".".join(str(p) for p in e["loc"])
        msg = str(e["msg"]).removeprefix("Value error, ")
        if not loc and ": " in msg:  # a model check names its field first ("deadline: ...")
            loc, _, msg = msg.partition(": ")
        out.append({"field": loc[:100], "message": msg[:500]})
    return out


class Feed:
    """One batch in progress: ``start`` it, pass chunks of ``(row, record)`` to ``add``, then ``finish``.
    Each call takes the session to work in, so a caller may commit between chunks."""

    def __init__(
        self,
        platform: Any,
        tenant: Any,
        stream: str,
        *,
        channel: str,
        sender: str,
        department: str,
        departments: Iterable[str],
        keep_outcomes: bool = True,
    ) -> None:
        self.platform, self.tenant, self.stream = platform, tenant, stream_named(stream)
        self.channel, self.sender, self.department = channel, sender[:260], department
        self.departments = set(departments)
        self.calendar = calendar_for(platform, tenant)
        self.keep_outcomes = keep_outcomes
        self.outcomes: list[Outcome] = []
        self.counts = dict.fromkeys(STATUSES, 0)
        self.stored_errors = 0
        self.batch_id = 0

    def start(self, s: Session) -> int:
        b = Batch(
            tenant_id=self.tenant.id,
            tenant_path=self.tenant.path,
            stream=self.stream.name,
            channel=self.channel,
            sender=self.sender,
        )
        s.add(b)
        s.flush()
        self.batch_id = b.id
        return b.id

    # --- one chunk -------------------------------------------------------------------------------------

    def _row(self, item: Any) -> dict[str, Any]:
        if not isinstance(item, dict):
            raise _Rejected([{"field": "", "message": "a record must be a JSON object 记录须为 JSON 对象"}])
        try:
            rec = self.stream.schema.model_validate(item)
        except ValidationError as exc:
            raise _Rejected(_errors(exc)) from None
        dept = rec.department_code or self.department
        if dept not in self.departments:
            raise _Rejected(
                [
                    {
                        "field": "department_code",
                        "message": f"no department {dept!r} at this tenant 本级没有该部门",
                    }
                ]
            )
        row = rec.model_dump(exclude={"source_time", "department_code"})
        row.update(
            department_code=dept,
            source_version=version_of(rec.source_time),
            batch_id=self.batch_id,
            tenant_id=self.tenant.id,
            tenant_path=self.tenant.path,
        )
        if self.stream.derive is not None:
            self.stream.derive(row, self.calendar)
        return row

    def add(self, s: Session, items: Iterable[tuple[int, Any]]) -> None:
        latest: dict[tuple[Any, ...], tuple[int, dict[str, Any]]] = {}
        later: list[tuple[int, tuple[Any, ...]]] = []  # duplicates of a key within the chunk
        for n, item in items:
            try:
                row = self._row(item)
            except _Rejected as r:
                self._reject(s, n, _key_text(self.stream, item), r.errors)
                continue
            key = self.stream.key_of(row)
            held = latest.get(key)
            if held is None or held[1]["source_version"] < row["source_version"]:
                if held is not None:
                    later.append((held[0], key))
                latest[key] = (n, row)
            else:
                later.append((n, key))
        have = self._versions(s, list(latest))
        write: list[dict[str, Any]] = []
        for key, (n, row) in latest.items():
            old = have.get(key)
            status = (
                "inserted"
                if old is None
                else "updated"
                if old < row["source_version"]
                else "unchanged"
                if old == row["source_version"]
                else "stale"
            )
            self._count(n, status, key)
            if status in ("inserted", "updated"):
                write.append(row)
        for n, key in later:
            self._count(n, "unchanged", key)
        if write:
            self._write(s, write)

    def _versions(self, s: Session, keys: list[tuple[Any, ...]]) -> dict[tuple[Any, ...], int]:
        if not keys:
            return {}
        t = self.stream.table
        cols = [t.c[k] for k in self.stream.key]
        stmt = select(*cols, t.c.source_version).where(t.c.tenant_id == self.tenant.id)
        if s.get_bind().dialect.name == "postgresql":
            # A join to the chunk's keys as VALUES: the planner knows their number and probes the unique
            # key index, whatever the table's statistics say (an IN list of a thousand parameters over a
            # table not analyzed yet was planned as a scan filtering every row against the whole list).
            v = values(*(column(k, c.type) for k, c in zip(self.stream.key, cols, strict=True)),
                       name="chunk_keys").data(keys)
            stmt = stmt.join(v, and_(*(c == v.c[k] for k, c in zip(self.stream.key, cols, strict=True))))
        elif len(cols) == 1:
            stmt = stmt.where(cols[0].in_([k[0] for k in keys]))
        else:
            stmt = stmt.where(tuple_(*cols).in_(keys))
        return {tuple(r[:-1]): r[-1] for r in s.execute(stmt)}

    def _write(self, s: Session, rows: list[dict[str, Any]]) -> None:
        """The chunk as one executemany of a cached ``INSERT ... ON CONFLICT ... RETURNING``: with RETURNING,
        SQLAlchemy sends it as multi-row VALUES pages ("insertmanyvalues"), one round trip per page rather
        than one per record, and compiles the statement once rather than once per chunk."""
        t = self.stream.table
        ins = upsert(s, t)
        keep = {"id", "tenant_id", *self.stream.key}
        stmt = ins.on_conflict_do_update(
            index_elements=["tenant_id", *self.stream.key],
            set_={c.name: ins.excluded[c.name] for c in t.columns if c.name not in keep},
            where=t.c.source_version < ins.excluded.source_version,
        ).returning(t.c.id)
        s.execute(stmt, rows)

    def _count(self, n: int, status: str, key: tuple[Any, ...]) -> None:
        self.counts[status] += 1
        if self.keep_outcomes:
            self.outcomes.append(Outcome(n, status, "|".join(map(str, key))))

    def _reject(self, s: Session, n: int, key: str, errors: list[dict[str, str]]) -> None:
        self.counts["rejected"] += 1
        if self.keep_outcomes:
            self.outcomes.append(Outcome(n, "rejected", key, errors))
        for e in errors:
            if self.stored_errors >= MAX_STORED_ERRORS:
                return
            self.stored_errors += 1
            s.add(
                RecordError(
                    tenant_id=self.tenant.id,
                    tenant_path=self.tenant.path,
                    batch_id=self.batch_id,
                    row=n,
                    record_key=key,
                    field=e["field"],
                    message=e["message"],
                )
            )

    def finish(self, s: Session) -> dict[str, int]:
        c = self.counts
        s.execute(
            update(Batch)
            .where(Batch.id == self.batch_id)
            .values(
                total=sum(c.values()),
                inserted=c["inserted"],
                updated=c["updated"],
                unchanged=c["unchanged"],
                stale=c["stale"],
                rejected=c["rejected"],
            )
        )
        s.flush()
        self.outcomes.sort(key=lambda o: o.row)
        return dict(c)


class _Rejected(Exception):
    def __init__(self, errors: list[dict[str, str]]) -> None:
        super().__init__(errors)
        self.errors = errors


def chunks(items: Iterable[Any], size: int = CHUNK, start: int = 1) -> Iterable[list[tuple[int, Any]]]:
    """``items`` numbered from ``start`` in lists of at most ``size``: the unit of one ``add``."""
    buf: list[tuple[int, Any]] = []
    for n, item in enumerate(items, start):
        buf.append((n, item))
        if len(buf) >= size:
            yield buf
            buf = []
    if buf:
        yield buf


def ingest(
    s: Session,
    platform: Any,
    tenant: Any,
    stream: str,
    records: Iterable[Any],
    *,
    channel: str,
    sender: str,
    department: str,
    departments: Iterable[str],
) -> Feed:
    """A whole batch in the caller's transaction (the bulk API, exchange deliveries, the demo)."""
    feed = Feed(
        platform,
        tenant,
        stream,
        channel=channel,
        sender=sender,
        department=department,
        departments=departments,
    )
    feed.start(s)
    for part in chunks(records):
        feed.add(s, part)
    feed.finish(s)
    return feed
