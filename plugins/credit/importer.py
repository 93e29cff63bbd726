"""``govhall credit import FILE``: penalties from CSV or JSON, every row validated first, all or nothing.

Files are read by the shared reader (core.imports): the same encodings and the same row numbers as every
other import — in a CSV the line where the row starts (the header is line 1), in a JSON array the
position from 1.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from core.api import ImportFile, RowError, RowsRefused, read_import
from core.api import validate_rows as validate
from plugins.credit.rules import Rules
from plugins.credit.schemas import PenaltyIn
from plugins.credit.services import record_penalties

MAX_ROWS = 50_000
ImportError_ = RowsRefused  # the name this module's callers used before the shared reader


def read_rows(path: Path) -> ImportFile:
    return read_import(path, max_rows=MAX_ROWS)


def validate_rows(rows: list[tuple[int, dict[str, Any]]]) -> tuple[list[tuple[int, PenaltyIn]],
                                                                  list[RowError]]:
    """Every row through the schema, and no decision twice in the file."""
    checked, errors = validate(rows, PenaltyIn)
    good: list[tuple[int, PenaltyIn]] = []
    seen: dict[tuple[str, str], int] = {}
    for n, item in checked:
        key = (item.source_department.strip(), item.decision_number.strip())
        if key in seen:
            errors.append(RowError(n, "decision_number", f"duplicates row {seen[key]}"))
            continue
        seen[key] = n
        good.append((n, item))
    return good, errors


def import_file(session: Any, tenant: Any, rules: Rules, path: Path | ImportFile, *, actor: str,
                progress: Callable[[int], None] | None = None) -> int:
    """Import every row or none: raises RowsRefused listing each bad row (the caller rolls back)."""
    file = path if isinstance(path, ImportFile) else read_rows(path)
    good, errors = validate_rows(file.rows)
    errors = file.errors + errors
    total = len(file.rows) + len(file.errors)
    # The domain checks run even when some rows are already refused, so that one run lists every problem.
    written, refused = record_penalties(session, tenant, rules, [(n, i.to_input()) for n, i in good],
                                        actor=actor, write=not errors, progress=progress)
    for n, exc in refused:
        fld = next(iter(exc.fields), "row")
        errors.append(RowError(n, fld, exc.fields.get(fld, exc.message_en)))
    if errors:
        raise RowsRefused(file.name, errors, total)
    return written
