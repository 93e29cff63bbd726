"""``govhall credit import FILE``: penalties from CSV or JSON, every row validated first, all or nothing.

Row numbers are what a person finds in the file: the line in a CSV (the header is line 1), the position
(from 1) in a JSON array.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from core.errors import DomainError, Invalid
from plugins.credit.rules import Rules
from plugins.credit.schemas import PenaltyIn
from plugins.credit.services import record_penalty

MAX_ROWS = 50_000


class ImportError_(Invalid):  # noqa: N801 - not the builtin
    """Rows that failed; ``errors`` lists (row, field, message)."""

    def __init__(self, errors: list[tuple[int, str, str]]) -> None:
        lines = [f"row {row}: {fld}: {msg}" for row, fld, msg in errors]
        super().__init__(f"{len(errors)} error(s); nothing was imported\n" + "\n".join(lines),
                         f"{len(errors)} 处错误，未导入任何记录\n" + "\n".join(lines),
                         fields={f"row {row}.{fld}": msg for row, fld, msg in errors})
        self.errors = errors


def read_rows(path: Path) -> list[tuple[int, dict[str, Any]]]:
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise Invalid(f"{path.name}: not valid JSON ({exc})",
                          f"{path.name}：JSON 格式错误（{exc}）") from None
        if not isinstance(data, list):
            raise Invalid(f"{path.name}: expected a JSON array of rows", f"{path.name}：应为 JSON 数组")
        return [(i, row if isinstance(row, dict) else {"__row__": row}) for i, row in enumerate(data, 1)]
    if path.suffix.lower() != ".csv":
        raise Invalid(f"{path.name}: use a .csv or .json file", f"{path.name}：请使用 .csv 或 .json 文件")
    reader = csv.DictReader(io.StringIO(text))
    return [(reader.line_num, {k: v for k, v in row.items() if k is not None and v != ""}) for row in reader]


def validate_rows(rows: list[tuple[int, dict[str, Any]]]) -> tuple[list[tuple[int, PenaltyIn]],
                                                                  list[tuple[int, str, str]]]:
    good: list[tuple[int, PenaltyIn]] = []
    errors: list[tuple[int, str, str]] = []
    seen: dict[tuple[str, str], int] = {}
    for n, raw in rows:
        if "__row__" in raw:
            errors.append((n, "row", "must be an object"))
            continue
        try:
            item = PenaltyIn.model_validate(raw)
        except ValidationError as exc:
            errors.extend((n, ".".join(map(str, e["loc"])) or "row", e["msg"]) for e in exc.errors())
            continue
        key = (item.source_department, item.decision_number)
        if key in seen:
            errors.append((n, "decision_number", f"duplicates row {seen[key]}"))
            continue
        seen[key] = n
        good.append((n, item))
    return good, errors


def import_file(session: Any, tenant: Any, rules: Rules, path: Path, *, actor: str) -> int:
    """Import every row or none: raises ImportError_ listing each bad row (the caller rolls back)."""
    rows = read_rows(path)
    if len(rows) > MAX_ROWS:
        raise Invalid(f"{path.name}: at most {MAX_ROWS} rows per file", f"每个文件最多 {MAX_ROWS} 行")
    if not rows:
        raise Invalid(f"{path.name}: no rows", f"{path.name}：没有数据行")
    good, errors = validate_rows(rows)
    for n, item in good:  # domain checks (code checksum, dates, duplicates already published)
        try:
            record_penalty(session, tenant, rules, item.to_input(), actor=actor)
        except DomainError as exc:
            field = next(iter(exc.fields), "row")
            errors.append((n, field, exc.fields.get(field, exc.message_en)))
    if errors:
        raise ImportError_(sorted(errors))
    return len(good)
