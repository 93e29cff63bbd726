"""``govhall tenants apply FILE``: tenant trees as code, applied idempotently.

The whole file is parsed and validated before anything is written, and applied in one transaction:
a malformed file, an unknown parent, a duplicate code, a cycle, an unknown plugin or setting gives an
error naming the line and changes nothing. What a file lists converges; what it does not list is left
alone (so a province file does not undo a county's own switches unless it names them).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.settings import Settings, SettingsError, validate_tenant_value
from core.tenancy.directory import Directory, bump_version
from core.tenancy.models import LEVEL_ORDER, Department, Kind, Level, PluginState, Tenant
from core.tenancy.service import TenancyError, move_subtree, set_tenant_setting

CODE_LENGTH = {Level.province: 6, Level.city: 6, Level.county: 6, Level.township: 9, Level.village: 12}


class TreeFileError(ValueError):
    """The file is wrong; the message names the file and line."""


class DepartmentEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(pattern=r"^[a-z][a-z0-9_-]{0,31}$")
    name: str = Field(min_length=1, max_length=100)
    name_en: str = Field(default="", max_length=200)


class TenantEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(pattern=r"^\d{6}(\d{3}(\d{3})?)?$")
    parent: str | None = None
    name: str = Field(min_length=1, max_length=100)
    name_en: str = Field(default="", max_length=200)
    level: Level
    kind: Kind = Kind.government
    plugins: dict[str, Literal["on", "off", "inherit"]] = Field(default_factory=dict)
    lock: list[str] = Field(default_factory=list)
    settings: dict[str, Any] = Field(default_factory=dict)
    departments: list[DepartmentEntry] = Field(default_factory=list)

    @field_validator("code")
    @classmethod
    def _code(cls, v: str) -> str:
        return v


class TreeFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: Literal[1] = 1
    tenants: list[TenantEntry]


@dataclass
class ApplyReport:
    created: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    left: int = 0

    def summary(self) -> str:
        return f"created {len(self.created)}, changed {len(self.changed)}, left {self.left} unchanged"


def _entry_lines(raw: str) -> list[int]:
    """Line number (1-based) of each ``[[tenants]]`` header, in order."""
    return [i + 1 for i, line in enumerate(raw.splitlines()) if re.match(r"^\s*\[\[\s*tenants\s*\]\]", line)]


def parse(path: Path) -> tuple[TreeFile, list[int]]:
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TreeFileError(f"{path}: cannot read: {exc}") from exc
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as exc:
        raise TreeFileError(f"{path}: not valid TOML: {exc}") from exc
    lines = _entry_lines(raw)
    try:
        tree = TreeFile.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = err["loc"]
        where = ""
        if len(loc) >= 2 and loc[0] == "tenants" and isinstance(loc[1], int) and loc[1] < len(lines):
            code = data["tenants"][loc[1]].get("code", "?") if isinstance(data.get("tenants"), list) else "?"
            where = f" line {lines[loc[1]]} (tenant {code}):"
            loc = loc[2:]
        field_name = ".".join(str(x) for x in loc) or "file"
        raise TreeFileError(f"{path}:{where} {field_name}: {err['msg']}".replace("  ", " ")) from None
    return tree, lines


def validate(tree: TreeFile, lines: list[int], path: Path, directory: Directory,
             settings: Settings) -> None:
    """Semantic checks against the file itself and the tree already in the database."""
    seen: dict[str, int] = {}
    parents: dict[str, str | None] = {}
    levels: dict[str, Level] = {t.code: Level(t.level) for t in directory.by_code.values()}
    for i, t in enumerate(tree.tenants):
        at = f"{path}: line {lines[i]} (tenant {t.code})"
        if t.code in seen:
            raise TreeFileError(f"{at}: duplicate code, first used at line {lines[seen[t.code]]}")
        seen[t.code] = i
        if len(t.code) != CODE_LENGTH[t.level]:
            raise TreeFileError(f"{at}: a {t.level.value} code has {CODE_LENGTH[t.level]} digits")
        parents[t.code] = t.parent
        levels[t.code] = t.level
        for name in [*t.plugins, *t.lock]:
            if name not in directory.plugins:
                installed = ", ".join(sorted(directory.plugins))
                raise TreeFileError(f"{at}: unknown plugin {name!r} (installed: {installed})")
        for name in t.lock:
            if t.plugins.get(name, "inherit") == "inherit":
                raise TreeFileError(f"{at}: lock {name!r} needs plugins.{name} = \"on\" or \"off\"")
        for key, value in t.settings.items():
            try:
                validate_tenant_value(settings, key, value, f"{path} line {lines[i]}")
            except SettingsError as exc:
                raise TreeFileError(f"{at}: {exc}") from None
    for i, t in enumerate(tree.tenants):
        at = f"{path}: line {lines[i]} (tenant {t.code})"
        existing = directory.get(t.code)
        if t.parent is None:
            if existing is not None and existing.parent_id is not None:
                raise TreeFileError(f"{at}: has no parent but exists below {existing.path}")
            if existing is None and directory.roots():
                raise TreeFileError(f"{at}: has no parent, and the tree already has a root")
            continue
        if t.parent not in seen and directory.get(t.parent) is None:
            raise TreeFileError(f"{at}: unknown parent {t.parent!r}")
        # The cycle first: a cycle always breaks the level order too, but "cycle" is the clearer message.
        _check_cycle(t.code, parents, directory, at)
        if LEVEL_ORDER.index(levels[t.parent]) >= LEVEL_ORDER.index(t.level):
            raise TreeFileError(f"{at}: a {t.level.value} cannot sit under a {levels[t.parent].value}")


def _check_cycle(code: str, parents: dict[str, str | None], directory: Directory, at: str) -> None:
    chain, node = [code], parents.get(code)
    while node is not None:
        if node in chain:
            raise TreeFileError(f"{at}: parent chain forms a cycle: {' -> '.join([*chain, node])}")
        chain.append(node)
        if node in parents:
            node = parents[node]
        else:
            ref = directory.get(node)
            parent = directory.by_id.get(ref.parent_id) if ref and ref.parent_id else None
            node = parent.code if parent else None


def apply(session: Session, tree: TreeFile, directory: Directory, *, actor: str,
          progress: Callable[[int], None] | None = None) -> ApplyReport:
    """Write the validated tree. Parents come before children in topological order."""
    report = ApplyReport()
    rows = {t.code: t for t in session.scalars(select(Tenant))}
    order = _topological(tree)
    for entry in order:
        row = rows.get(entry.code)
        changes = _upsert_tenant(session, entry, row, rows, directory, actor)
        row = rows[entry.code]
        changes += _apply_departments(session, row, entry)
        changes += _apply_plugins(session, row, entry, actor)
        if row.id is not None:
            from core.tenancy.directory import TenantRef
            ref = TenantRef(row.id, row.code, row.path, row.level, row.kind, row.name, row.name_en, row.parent_id)
            for key, value in entry.settings.items():
                if set_tenant_setting(session, ref, key, value, actor=actor):
                    changes.append(f"settings.{key}")
        if changes == ["created"] or changes and changes[0] == "created":
            report.created.append(f"{entry.code} {entry.name}")
        elif changes:
            report.changed.append(f"{entry.code} {entry.name}: {', '.join(changes)}")
        else:
            report.left += 1
        if progress is not None:
            progress(1)
    if report.created or report.changed:
        bump_version(session)
    return report


def _topological(tree: TreeFile) -> list[TenantEntry]:
    by_code = {t.code: t for t in tree.tenants}
    depth: dict[str, int] = {}

    def d(code: str) -> int:
        if code not in depth:
            parent = by_code[code].parent
            depth[code] = 0 if parent is None or parent not in by_code else d(parent) + 1
        return depth[code]

    return sorted(tree.tenants, key=lambda t: (d(t.code), t.code))


def _upsert_tenant(session: Session, entry: TenantEntry, row: Tenant | None, rows: dict[str, Tenant],
                   directory: Directory, actor: str) -> list[str]:
    parent = rows.get(entry.parent) if entry.parent else None
    if row is None:
        path = f"{parent.path}/{entry.code}" if parent else entry.code
        row = Tenant(code=entry.code, parent_id=parent.id if parent else None, path=path,
                     level=entry.level.value, kind=entry.kind.value, name=entry.name, name_en=entry.name_en)
        session.add(row)
        session.flush()
        rows[entry.code] = row
        return ["created"]
    changes = []
    for attr in ("name", "name_en"):
        if getattr(row, attr) != getattr(entry, attr):
            setattr(row, attr, getattr(entry, attr))
            changes.append(attr)
    for attr in ("level", "kind"):
        if getattr(row, attr) != getattr(entry, attr).value:
            setattr(row, attr, getattr(entry, attr).value)
            changes.append(attr)
    if parent is not None and row.parent_id != parent.id:
        try:
            move_subtree(session, directory, entry.code, parent.code, actor=actor)
        except TenancyError as exc:
            raise TreeFileError(f"tenant {entry.code}: {exc}") from None
        session.expire(row)
        changes.append(f"moved under {parent.code}")
    return changes


def _apply_departments(session: Session, row: Tenant, entry: TenantEntry) -> list[str]:
    if not entry.departments:
        return []
    existing = {d.code: d for d in session.scalars(select(Department).where(Department.tenant_id == row.id))}
    changes = []
    for dep in entry.departments:
        cur = existing.get(dep.code)
        if cur is None:
            session.add(Department(tenant_id=row.id, code=dep.code, name=dep.name, name_en=dep.name_en))
            changes.append(f"department {dep.code}")
        elif (cur.name, cur.name_en) != (dep.name, dep.name_en):
            cur.name, cur.name_en = dep.name, dep.name_en
            changes.append(f"department {dep.code}")
    return changes


def _apply_plugins(session: Session, row: Tenant, entry: TenantEntry, actor: str) -> list[str]:
    existing = {p.plugin: p for p in session.scalars(select(PluginState).where(PluginState.tenant_id == row.id))}
    changes = []
    for name, state in entry.plugins.items():
        cur = existing.get(name)
        locked = name in entry.lock
        if state == "inherit":
            if cur is not None:
                session.delete(cur)
                changes.append(f"plugins.{name}")
            continue
        if cur is None:
            session.add(PluginState(tenant_id=row.id, plugin=name, enabled=state == "on", locked=locked,
                                    updated_by=actor))
            changes.append(f"plugins.{name}")
        elif (cur.enabled, cur.locked) != (state == "on", locked):
            cur.enabled, cur.locked, cur.updated_by = state == "on", locked, actor
            changes.append(f"plugins.{name}")
    return changes


def load_file(path: str | Path) -> tuple[TreeFile, list[int], Path]:
    p = Path(path)
    tree, lines = parse(p)
    return tree, lines, p
