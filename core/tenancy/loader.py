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
from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from core import audit
from core.db.base import utcnow
from core.imports import FileRefused, read_text
from core.settings import Settings, SettingsError, validate_tenant_value
from core.tenancy.directory import Directory, TenantRef, bump_version, load_directory
from core.tenancy.models import LEVEL_ORDER, Department, Kind, Level, PluginState, Tenant, TenantSetting
from core.tenancy.service import (
    TenancyError,
    move_subtree,
    record_switch,
    set_tenant_setting,
    switch_refusal,
    switch_text,
)

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
    try:  # UTF-8 with or without a byte-order mark, as the import commands read their files
        raw, _encoding = read_text(path, detect=False)
    except FileRefused as exc:
        raise TreeFileError(f"{path}: cannot read: {exc.message_en}") from None
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
          progress: Callable[[int], None] | None = None, lines: list[int] | None = None,
          hooks_for: Callable[[str], Any] | None = None) -> ApplyReport:
    """Write the validated tree, parents before children, with set-based reads and batched inserts.

    Everything the file could touch is read up front in four SELECTs; new tenants are inserted one tree
    level at a time (their children need their ids), new departments and plugin switches in one batch
    each. A province of 21,600 nodes applies in seconds instead of one flush and two queries per node.
    Plugin switches obey the same rule and are audited as from the CLI (``_check_and_record_switches``);
    ``lines`` (from ``parse``) lets a refusal name the line, ``hooks_for(plugin)`` gives the lifecycle
    hook caller of a plugin (``Registry.hook_for``).
    """
    state = _State.read(session)
    state.lines = {t.code: n for t, n in zip(tree.tenants, lines or [], strict=False)}
    report = ApplyReport()
    changes: dict[str, list[str]] = {}
    for level in _levels(tree):
        _insert_new(session, [e for e in level if e.code not in state.tenants], state, changes)
        for entry in level:
            found = changes.setdefault(entry.code, [])
            if "created" not in found:
                found += _update_tenant(session, entry, state, directory, actor)
            found += _departments(session, entry, state)
            found += _plugins(session, entry, state, actor)
            found += _settings(session, entry, state, actor)
            _report(report, entry, found)
            if progress is not None:
                progress(1)
    state.flush_inserts(session)
    if state.switched:
        _check_and_record_switches(session, directory, state.switched, actor, hooks_for)
    if report.created or report.changed:
        bump_version(session)
    return report


def _check_and_record_switches(session: Session, before: Directory, switched: list[_Switch], actor: str,
                               hooks_for: Callable[[str], Any] | None) -> None:
    """Decide every switch of the file by the one rule (core.tenancy.service.switch_refusal), on the tree
    as the file leaves it, then audit each like a switch made from the CLI or the console. Done after the
    writes, inside the same transaction: a refusal rolls everything back. The tree is applied top-down,
    so an ancestor's lock in the same file counts, as it would for the same switches made one by one."""
    after = load_directory(session, before.plugins)
    for sw in switched:
        tenant = after.get(sw.code)
        assert tenant is not None
        state, lock = sw.after.removesuffix(" locked"), sw.after.endswith(" locked")
        refusal = switch_refusal(after.plugins, tenant, sw.plugin, state, lock,
                                 locked_by=after.lock_above(tenant, sw.plugin), decided=after.decided(tenant))
        if refusal is not None:
            raise TreeFileError(f"line {sw.line} (tenant {sw.code}): plugins.{sw.plugin}: {refusal} "
                                f"/ {refusal.message_zh}; nothing was changed")
        record_switch(session, tenant, sw.plugin, sw.before, sw.after, actor=actor)
        if hooks_for is not None:
            _lifecycle(session, before, after, tenant, sw.plugin, hooks_for(sw.plugin))


def _lifecycle(session: Session, before: Directory, after: Directory, tenant: TenantRef, plugin: str,
               hooks: Any) -> None:
    old = before.get(tenant.code)
    was_on = before.effective(old)[plugin].enabled if old is not None else False
    now_on = after.effective(tenant)[plugin].enabled
    if now_on and not was_on:
        hooks.govhall_tenant_enabled(tenant=tenant, session=session)
    elif was_on and not now_on:
        hooks.govhall_tenant_disabled(tenant=tenant, session=session)


@dataclass(frozen=True)
class _Switch:
    """One plugin switch the file changes: checked and audited once everything is written."""

    code: str
    plugin: str
    before: str  # "inherit", "on", "off locked", ...
    after: str
    line: int | str


@dataclass
class _State:
    """What the database holds, keyed for lookups, plus rows waiting for a batched insert."""

    tenants: dict[str, tuple[int, str]]  # code -> (id, path)
    departments: dict[tuple[int, str], tuple[str, str]]  # (tenant id, code) -> (name, name_en)
    switches: dict[tuple[int, str], tuple[bool, bool]]  # (tenant id, plugin) -> (enabled, locked)
    settings: dict[tuple[int, str], Any]
    new_departments: list[dict[str, Any]] = field(default_factory=list)
    new_switches: list[dict[str, Any]] = field(default_factory=list)
    switched: list[_Switch] = field(default_factory=list)
    lines: dict[str, int] = field(default_factory=dict)

    @classmethod
    def read(cls, session: Session) -> _State:
        t, d, p = Tenant.__table__, Department.__table__, PluginState.__table__
        s = TenantSetting.__table__
        return cls(
            tenants={c: (i, path) for i, c, path in session.execute(select(t.c.id, t.c.code, t.c.path))},
            departments={(tid, c): (n, ne) for tid, c, n, ne in session.execute(
                select(d.c.tenant_id, d.c.code, d.c.name, d.c.name_en))},
            switches={(tid, n): (bool(e), bool(lk)) for tid, n, e, lk in session.execute(
                select(p.c.tenant_id, p.c.plugin, p.c.enabled, p.c.locked))},
            settings={(tid, k): v for tid, k, v in session.execute(
                select(s.c.tenant_id, s.c.key, s.c.value))},
        )

    def flush_inserts(self, session: Session) -> None:
        if self.new_departments:
            session.execute(insert(Department), self.new_departments)
        if self.new_switches:
            session.execute(insert(PluginState), self.new_switches)


def _levels(tree: TreeFile) -> list[list[TenantEntry]]:
    """Entries grouped by depth within the file (validate() has refused cycles)."""
    by_code = {t.code: t for t in tree.tenants}
    depth: dict[str, int] = {}

    def d(code: str) -> int:
        if code not in depth:
            parent = by_code[code].parent
            depth[code] = 0 if parent is None or parent not in by_code else d(parent) + 1
        return depth[code]

    groups: dict[int, list[TenantEntry]] = {}
    for entry in sorted(tree.tenants, key=lambda t: t.code):
        groups.setdefault(d(entry.code), []).append(entry)
    return [groups[k] for k in sorted(groups)]


def _insert_new(session: Session, entries: list[TenantEntry], state: _State,
                changes: dict[str, list[str]]) -> None:
    if not entries:
        return
    rows = []
    for e in entries:
        parent = state.tenants[e.parent] if e.parent else None
        rows.append({"code": e.code, "parent_id": parent[0] if parent else None,
                     "path": f"{parent[1]}/{e.code}" if parent else e.code, "level": e.level.value,
                     "kind": e.kind.value, "name": e.name, "name_en": e.name_en, "active": True})
    session.execute(insert(Tenant), rows)
    t = Tenant.__table__
    codes = [e.code for e in entries]
    for i in range(0, len(codes), 500):
        for tid, code, path in session.execute(select(t.c.id, t.c.code, t.c.path)
                                               .where(t.c.code.in_(codes[i:i + 500]))):
            state.tenants[code] = (tid, path)
    for e in entries:
        changes[e.code] = ["created"]
    audit.open_chains(session, [state.tenants[e.code][0] for e in entries])


def _update_tenant(session: Session, entry: TenantEntry, state: _State, directory: Directory,
                   actor: str) -> list[str]:
    tid = state.tenants[entry.code][0]
    ref = directory.get(entry.code)
    current = (ref.name, ref.name_en, ref.level, ref.kind) if ref else None
    wanted = (entry.name, entry.name_en, entry.level.value, entry.kind.value)
    found = []
    if current != wanted:
        row = session.get(Tenant, tid)
        assert row is not None
        for attr, value in zip(("name", "name_en", "level", "kind"), wanted, strict=True):
            if getattr(row, attr) != value:
                setattr(row, attr, value)
                found.append(attr)
    parent_id = ref.parent_id if ref else None
    if entry.parent is not None and parent_id != state.tenants[entry.parent][0]:
        try:
            move_subtree(session, directory, entry.code, entry.parent, actor=actor)
        except TenancyError as exc:
            raise TreeFileError(f"tenant {entry.code}: {exc}") from None
        found.append(f"moved under {entry.parent}")
    return found


def _departments(session: Session, entry: TenantEntry, state: _State) -> list[str]:
    tid = state.tenants[entry.code][0]
    found = []
    for dep in entry.departments:
        current = state.departments.get((tid, dep.code))
        if current == (dep.name, dep.name_en):
            continue
        if current is None:
            state.new_departments.append({"tenant_id": tid, "code": dep.code, "name": dep.name,
                                          "name_en": dep.name_en})
        else:
            session.execute(update(Department).where(Department.tenant_id == tid, Department.code == dep.code)
                            .values(name=dep.name, name_en=dep.name_en))
        state.departments[(tid, dep.code)] = (dep.name, dep.name_en)
        found.append(f"department {dep.code}")
    return found


def _plugins(session: Session, entry: TenantEntry, state: _State, actor: str) -> list[str]:
    tid = state.tenants[entry.code][0]
    found = []
    for name, switch in entry.plugins.items():
        key, current = (tid, name), state.switches.get((tid, name))
        where = (PluginState.tenant_id == tid, PluginState.plugin == name)
        wanted = None if switch == "inherit" else (switch == "on", name in entry.lock)
        if current == wanted:
            continue
        if wanted is None:
            session.execute(delete(PluginState).where(*where))
            del state.switches[key]
        elif current is None:
            state.new_switches.append({"tenant_id": tid, "plugin": name, "enabled": wanted[0],
                                       "locked": wanted[1], "updated_by": actor, "updated_at": utcnow()})
        else:
            session.execute(update(PluginState).where(*where).values(
                enabled=wanted[0], locked=wanted[1], updated_by=actor, updated_at=utcnow()))
        if wanted is not None:
            state.switches[key] = wanted
        state.switched.append(_Switch(entry.code, name, switch_text(*current) if current else "inherit",
                                      switch_text(*wanted) if wanted else "inherit",
                                      state.lines.get(entry.code, "?")))
        found.append(f"plugins.{name}")
    return found


def _settings(session: Session, entry: TenantEntry, state: _State, actor: str) -> list[str]:
    if not entry.settings:
        return []
    tid, path = state.tenants[entry.code]
    ref = TenantRef(tid, entry.code, path, entry.level.value, entry.kind.value, entry.name, entry.name_en,
                    None)
    found = []
    for key, value in entry.settings.items():
        if state.settings.get((tid, key), _MISSING) != value and set_tenant_setting(
                session, ref, key, value, actor=actor):
            state.settings[(tid, key)] = value
            found.append(f"settings.{key}")
    return found


_MISSING = object()


def _report(report: ApplyReport, entry: TenantEntry, found: list[str]) -> None:
    if found and found[0] == "created":
        report.created.append(f"{entry.code} {entry.name}")
    elif found:
        report.changed.append(f"{entry.code} {entry.name}: {', '.join(found)}")
    else:
        report.left += 1


def load_file(path: str | Path) -> tuple[TreeFile, list[int], Path]:
    p = Path(path)
    tree, lines = parse(p)
    return tree, lines, p
