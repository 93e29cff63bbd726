"""Reading a feed file record by record, in constant memory: CSV (UTF-8, with or without a byte-order
mark; one record per row, empty cells absent) or JSON Lines (one object per line). A line that is not
JSON becomes a rejected record of its own; the rest of the file is read."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from core.api import Invalid

NOT_JSON = {"__not_json__": True}


def kind_of(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    raise Invalid(
        f"{path.name}: use a .csv or .jsonl file",
        f"{path.name}：请使用 .csv 或 .jsonl 文件",
        code="bad_file",
        fields={"file": "csv or jsonl"},
    )


def records(path: Path, advance: Callable[[int], None] | None = None) -> Iterator[Any]:
    """The records of ``path``; ``advance(n)`` is told of every ``n`` bytes read (a progress bar)."""
    kind = kind_of(path)
    with path.open("r", encoding="utf-8-sig", newline="") as f:
        try:
            if kind == "csv":
                yield from _csv(f, advance)
            else:
                yield from _jsonl(f, advance)
        except UnicodeDecodeError:
            raise Invalid(
                f"{path.name} is not UTF-8: save it as UTF-8 and import it again",
                f"{path.name} 不是 UTF-8 编码：请另存为 UTF-8 后重新导入",
                code="bad_encoding",
                fields={"file": "not UTF-8"},
            ) from None


def _csv(f: Any, advance: Callable[[int], None] | None) -> Iterator[dict[str, Any]]:
    for row in csv.DictReader(f):
        if advance:
            advance(sum(len(v or "") + 1 for v in row.values()))
        yield {k: v for k, v in row.items() if k and v not in ("", None)}


def _jsonl(f: Any, advance: Callable[[int], None] | None) -> Iterator[Any]:
    for line in f:
        if advance:
            advance(len(line.encode()))
        if not line.strip():
            continue
        try:
            yield json.loads(line)
        except ValueError:
            yield NOT_JSON
