"""Reading import files: the one reader behind every CSV or JSON import (the credit penalties, the
approval catalogue, a plugin's), so that each decodes, numbers rows and reports errors the same way.

* **Row numbers** are what a person finds in the file. CSV: the line where the row starts, the header
  being line 1 — the spreadsheet's row number unless a cell holds a line break. JSON (an array of
  objects): the position in the array, from 1. Every error names its row and field.
* **Encoding**: UTF-8, with or without a byte-order mark (Excel's "CSV UTF-8" writes one). A file that
  is not UTF-8 is examined with charset-normalizer: GB18030/GBK/GB2312, what Excel on a Chinese Windows
  saves, is read as such and said so; anything else is refused with what to do (save as UTF-8).
* **Cells holding JSON** (lists of materials, steps, ...) are parsed here; a bad one is a row error.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from core.errors import Invalid

M = TypeVar("M", bound=BaseModel)

# What Excel and WPS on a Chinese Windows write for "CSV (comma delimited)"; GB18030 decodes them all.
_CHINESE = {"gb18030", "gbk", "gb2312", "cp936", "hz"}
SAVE_AS_UTF8_ZH = "请用 Excel 或 WPS “另存为” → “CSV UTF-8（逗号分隔）”后重新导入"
SAVE_AS_UTF8_EN = "save it as UTF-8 (Excel or WPS: Save As → CSV UTF-8) and import it again"


class FileRefused(Invalid):
    """The file as a whole cannot be read: the message names the file and what to do."""


@dataclass(frozen=True, order=True)
class RowError:
    row: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}: {self.field}: {self.message}"


class RowsRefused(Invalid):
    """Rows that failed, each with its row number; nothing was imported."""

    def __init__(self, name: str, errors: list[RowError], total: int) -> None:
        errors = sorted(errors)
        lines = "\n".join(map(str, errors))
        super().__init__(
            f"{name}: {len(errors)} error(s) in {total} row(s); nothing was imported\n{lines}",
            f"{name}：{total} 行中有 {len(errors)} 处错误，未导入任何记录\n{lines}",
            fields={f"row {e.row}.{e.field}": e.message for e in errors},
        )
        self.errors = errors


@dataclass
class ImportFile:
    """The rows of one file, numbered, with the row errors found while reading them."""

    name: str
    rows: list[tuple[int, dict[str, Any]]]
    errors: list[RowError] = field(default_factory=list)
    encoding: str = "utf-8"

    @property
    def note(self) -> str:
        """A line to show when the encoding was guessed (empty for UTF-8)."""
        if self.encoding == "utf-8":
            return ""
        return (f"{self.name}: read as {self.encoding.upper()} (detected); saving import files as UTF-8 "
                "avoids the guess")


def decode(raw: bytes, name: str, *, detect: bool = True) -> tuple[str, str]:
    """The text of a file and the encoding it was read in ("utf-8" or "gb18030")."""
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError as exc:
        offset = exc.start
    text = _as_chinese(raw) if detect else None
    if text is not None:
        return text, "gb18030"
    line = raw.count(b"\n", 0, offset) + 1
    raise FileRefused(
        f"{name} is not UTF-8 text (line {line} is the first that is not): {SAVE_AS_UTF8_EN}",
        f"{name} 不是 UTF-8 编码（从第 {line} 行起），{SAVE_AS_UTF8_ZH}",
        code="not_utf8",
    )


def _as_chinese(raw: bytes) -> str | None:
    """The text if ``raw`` is GB18030/GBK/GB2312, else None. A text whose every character is a common
    simplified one (in GB2312) is taken at once: short files defeat statistical detection (a three-
    character company name reads as Big5 or Korean to it). Otherwise charset-normalizer must agree that
    the file is Chinese, and GB rather than Big5."""
    try:
        text = raw.decode("gb18030")
    except UnicodeDecodeError:
        return None
    try:
        text.encode("gb2312")
        return text
    except UnicodeEncodeError:
        pass
    if _guess(raw) not in _CHINESE | {"big5", "big5hkscs", "cp950"}:
        return None
    from charset_normalizer import from_bytes

    best = from_bytes(raw[:200_000], cp_isolation=["gb18030", "big5"]).best()
    return text if best is not None and best.encoding == "gb18030" else None


def _guess(raw: bytes) -> str | None:
    from charset_normalizer import from_bytes

    best = from_bytes(raw[:200_000]).best()
    return best.encoding.lower().replace("_", "") if best is not None else None


def read_text(path: Path, *, detect: bool = True) -> tuple[str, str]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise FileRefused(f"{path.name}: cannot be read ({exc.strerror})",
                          f"{path.name}：无法读取（{exc.strerror}）") from None
    return decode(raw, path.name, detect=detect)


def read_import(path: Path, *, json_columns: Collection[str] = (), max_rows: int | None = None) -> ImportFile:
    """Rows of a ``.csv`` (header line first) or ``.json`` (array of objects) file, numbered."""
    kind = path.suffix.lower()
    if kind not in (".csv", ".json"):
        raise FileRefused(f"{path.name}: use a .csv or .json file", f"{path.name}：请使用 .csv 或 .json 文件")
    text, encoding = read_text(path)
    out = ImportFile(path.name, [], [], encoding)
    if kind == ".json":
        _json_rows(out, text)
    else:
        _csv_rows(out, text, set(json_columns))
    if not out.rows and not out.errors:
        raise FileRefused(f"{path.name}: no rows", f"{path.name}：没有数据行")
    if max_rows is not None and len(out.rows) > max_rows:
        raise FileRefused(f"{path.name}: {len(out.rows)} rows; at most {max_rows} per file",
                          f"{path.name}：共 {len(out.rows)} 行，每个文件最多 {max_rows} 行")
    return out


def _json_rows(out: ImportFile, text: str) -> None:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FileRefused(f"{out.name}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})",
                          f"{out.name}：JSON 格式错误（第 {exc.lineno} 行第 {exc.colno} 列）") from None
    if not isinstance(data, list):
        raise FileRefused(f"{out.name}: expected a JSON array of rows", f"{out.name}：应为 JSON 数组")
    for n, row in enumerate(data, 1):
        if isinstance(row, dict):
            out.rows.append((n, row))
        else:
            out.errors.append(RowError(n, "row", "must be an object"))


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    """(line where the record starts, cells), blank lines skipped but counted."""
    reader = csv.reader(io.StringIO(text, newline=""))
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        if cells:
            yield start, cells


def _csv_rows(out: ImportFile, text: str, json_columns: set[str]) -> None:
    records = _records(text)
    try:
        header_line, header = next(records)
    except StopIteration:
        return
    except csv.Error as exc:
        raise FileRefused(f"{out.name}: not a CSV file ({exc})", f"{out.name}：不是有效的 CSV 文件") from None
    header = [h.strip() for h in header]
    last = header_line
    try:
        for n, cells in records:
            last = n
            _csv_row(out, n, header, cells, json_columns)
    except csv.Error as exc:
        raise FileRefused(f"{out.name}: after line {last}: not valid CSV ({exc})",
                          f"{out.name}：第 {last} 行之后的内容不是有效的 CSV") from None


def _csv_row(out: ImportFile, n: int, header: list[str], cells: list[str], json_columns: set[str]) -> None:
    if len(cells) > len(header) and any(c.strip() for c in cells[len(header):]):
        out.errors.append(RowError(n, "row", f"has {len(cells)} cells but the header names {len(header)}"))
        return
    row: dict[str, Any] = {}
    bad = False
    for key, value in zip(header, cells, strict=False):
        if not key or value == "":
            continue
        if key in json_columns:
            try:
                row[key] = json.loads(value)
            except json.JSONDecodeError as exc:
                out.errors.append(RowError(n, key, f"not valid JSON ({exc.msg} at character {exc.pos + 1})"))
                bad = True
                continue
        else:
            row[key] = value
    if not bad:
        out.rows.append((n, row))


def validate(rows: list[tuple[int, dict[str, Any]]], model: type[M]) -> tuple[list[tuple[int, M]],
                                                                            list[RowError]]:
    """Each row through ``model``; every field error becomes a RowError with the row's number."""
    good: list[tuple[int, M]] = []
    errors: list[RowError] = []
    for n, raw in rows:
        try:
            good.append((n, model.model_validate(raw)))
        except ValidationError as exc:
            errors.extend(RowError(n, ".".join(map(str, e["loc"])) or "row", e["msg"]) for e in exc.errors())
    return good, errors
