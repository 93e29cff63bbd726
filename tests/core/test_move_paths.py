"""`govhall tenants move` re-paths every column holding a tenant path, in core and in every plugin.

Two sweeps, so that a future plugin is covered without editing this file: (1) every mapped column named
like a path is declared with PathType (the marker the move finds columns by); (2) with the demo data and
supervision cards in Donghu, every string column of every mapped table that holds a path under Donghu
before the move holds none after it (only history columns, hashed into the audit chain, keep theirs).
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import String, Table, func, inspect, select

from core.db import Base, Scope
from core.db.base import TenantPathString
from core.tenancy.paths import load_all_models, mapped_path_columns

ROOT = Path(__file__).resolve().parents[2]
OLD = "360000/360100/360102"
NEW = "360000/360400/360102"


def _path_like(name: str) -> bool:
    return name == "path" or name.endswith("_path")


def test_every_path_like_column_is_declared_with_path_type():
    load_all_models()
    wrong = [f"{t.name}.{c.name}" for t in Base.metadata.tables.values() for c in t.columns
             if _path_like(c.name) and isinstance(c.type, String)
             and not isinstance(c.type, TenantPathString)]
    assert wrong == [], f"declare these with core.db.PathType() so that `tenants move` moves them: {wrong}"
    found = {(pc.table, pc.column) for pc in mapped_path_columns()}
    assert {("tenants", "path"), ("supervision_cards", "owner_path"), ("supervision_cards", "tenant_path"),
            ("supervision_card_actions", "owner_path"), ("role_grants", "tenant_path")} <= found
    assert ("audit_log", "tenant_path") not in found  # hashed history stays as it was


def _cards(platform: Any) -> None:
    """A Donghu card owned by Donghu, and a township's card escalated to Donghu, with their history."""
    from plugins.supervision.models import Card, CardAction

    d = platform.directory
    county, town = d.get("360102"), d.get("360102015")
    with platform.db.transaction(Scope.system()) as s:
        for n, (about, owner, level) in enumerate(((county, county, 0), (town, county, 1))):
            card = Card(tenant_id=about.id, tenant_path=about.path, rule_id="test.rule", rule_version=1,
                        kind_of_power="licensing", severity="yellow", object_type="test", object_id=str(n),
                        issued_on=date(2026, 11, 2), feedback_due=date(2026, 11, 9), escalation_level=level,
                        state="escalated" if level else "issued", owner_tenant_id=owner.id,
                        owner_path=owner.path)
            s.add(card)
            s.flush()
            s.add(CardAction(card_id=card.id, tenant_id=about.id, tenant_path=about.path, action="issue",
                             to_state=card.state, owner_path=owner.path))


def _under(session: Any, table: Table, column: Any, path: str) -> int:
    return int(session.scalar(select(func.count()).select_from(table)
                              .where(column >= path, column < path + "0")) or 0)


def _census(platform: Any, path: str) -> dict[str, int]:
    """Rows per string column of every mapped table whose value is ``path`` or below it."""
    out: dict[str, int] = {}
    with platform.db.session(Scope.system()) as s:
        present = set(inspect(s.connection()).get_table_names())
        for table in Base.metadata.tables.values():
            if table.name not in present:
                continue
            for col in table.columns:
                if isinstance(col.type, String):
                    out[f"{table.name}.{col.name}"] = _under(s, table, col, path)
    return out


def _move_in_a_fresh_process(db_url: str, tmp_path: Any) -> subprocess.CompletedProcess[str]:
    """`govhall tenants move` as an operator runs it: a new process, whose plugin hooks need not have
    imported every plugin's models (the move must find every path column anyway)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVHALL_")}
    env.update(GOVHALL_DATABASE_URL=db_url, GOVHALL_DATA_DIR=str(tmp_path), PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "core.cli", "tenants", "move", "360102", "--to", "360400"],
                          env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_a_move_leaves_no_path_behind_in_any_table(platform, cli, db_url, tmp_path):
    from core.demo import load_demo

    load_all_models()
    load_demo(platform, echo=lambda _m: None)
    _cards(platform)
    before = {k: v for k, v in _census(platform, OLD).items() if v}
    # The sweep must have something to find: core, plugin data and the card owners.
    assert {"tenants.path", "role_grants.tenant_path", "supervision_cards.owner_path",
            "supervision_card_actions.owner_path", "approval_applications.tenant_path"} <= set(before), before
    r = _move_in_a_fresh_process(db_url, tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    after_old = _census(platform, OLD)
    after_new = _census(platform, NEW)
    history = {f"{t.name}.{c.name}" for t in Base.metadata.tables.values() for c in t.columns
               if c.info.get("history")}
    left = {k: after_old[k] for k in before if k not in history and after_old[k]}
    assert left == {}, f"still under the old path after the move: {left}"
    moved_short = {k: (before[k], after_new[k]) for k in before
                   if k not in history and after_new[k] < before[k]}
    assert moved_short == {}, f"fewer rows under the new path than were under the old one: {moved_short}"
    assert "audit_log.tenant_path" in before and after_old["audit_log.tenant_path"] >= before[
        "audit_log.tenant_path"]  # the audit log keeps the path at the time of each act
    assert cli("audit", "verify").exit_code == 0


def test_cards_stay_visible_to_the_tier_that_owns_them_after_a_move(platform, cli):
    """The card escalated to Donghu is in Donghu's queue before and after Donghu moves."""
    from plugins.supervision.models import Card

    _cards(platform)
    assert cli("tenants", "move", "360102", "--to", "360400").exit_code == 0
    platform.refresh(force=True)
    donghu = platform.directory.get("360102")
    assert donghu.path == NEW
    c = Card.__table__.c
    with platform.db.session(donghu.subtree_scope) as s:
        owned = s.scalars(select(Card.object_id).where(c.owner_path == donghu.path)).all()
    assert sorted(owned) == ["0", "1"]
