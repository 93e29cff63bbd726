"""The data migration of issue #21: approval's old ratings become interaction reviews (interaction_0003)
before approval drops its table (approval_0006, which depends_on it); a rating already delivered as a
review is not copied twice; the application keeps the day it was rated (rate once)."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from approval_helpers import ctx, food_uploads, in_scope, who
from sqlalchemy import inspect, select, text

from core.db import Scope, migrate
from plugins.approval import handling, services
from plugins.approval.models import Application
from plugins.interaction.models import Review
from tests.factories import make_account


def _concluded(platform, donghu, account_id):
    with in_scope(platform, donghu) as s:
        app_id = services.submit(s, ctx(platform, donghu, who("legal", account_id)), "DH-SP-001",
                                 {"shop_name": "老王小吃"}, food_uploads()).id
    handler = who("staff", 100, departments=frozenset({"scjgj"}), label="staff:handler")
    for step, kw in ((handling.accept, {}), (handling.decide, {"approve": True, "reason": "符合"}),
                     (handling.conclude, {})):
        with in_scope(platform, donghu) as s:
            step(s, ctx(platform, donghu, handler), app_id, s.get(Application, app_id).version, **kw)
    return app_id


def test_old_ratings_become_reviews_before_the_table_is_dropped(platform, donghu, items):
    person = make_account(platform, "legal", "ent1")
    bad, good, delivered = (_concluded(platform, donghu, person.id) for _ in range(3))
    with platform.db.transaction(donghu.scope) as s:  # one rating already arrived as a review
        s.add(Review(tenant_id=donghu.id, tenant_path=donghu.path, source="approval",
                     source_ref=f"approval.application:{delivered}", level=4, comment="已送达",
                     rated_on=datetime(2026, 10, 9).date()))
    cfg = migrate.alembic_config(platform.db, platform.registry.migration_dirs())
    command.downgrade(cfg, "approval_0005")
    command.downgrade(cfg, "interaction_0002")
    assert "approval_ratings" in inspect(platform.db.engine).get_table_names()
    at = datetime(2026, 10, 8, 17, 30, tzinfo=UTC)  # 01:30 on the 9th in the halls' zone
    with platform.db.engine.begin() as conn:
        for app_id, level, comment in ((bad, 1, "<b>太慢</b>"), (good, 5, "好"), (delivered, 4, "已送达")):
            conn.execute(
                text("INSERT INTO approval_ratings (id, application_id, level, comment, at, tenant_id, "
                     "tenant_path) VALUES (:id, :a, :l, :c, :at, :t, :p)"),
                {"id": app_id, "a": app_id, "l": level, "c": comment, "at": at, "t": donghu.id,
                 "p": donghu.path},
            )
    migrate.upgrade(platform.db, platform.registry.migration_dirs())
    assert "approval_ratings" not in inspect(platform.db.engine).get_table_names()
    with platform.db.session(Scope.system()) as s:
        rows = {r.source_ref: r for r in s.scalars(select(Review))}
        assert len(rows) == 3 and rows[f"approval.application:{delivered}"].comment == "已送达"
        b = rows[f"approval.application:{bad}"]
        assert (b.level, b.comment, b.account_id, b.rect_state) == (1, "<b>太慢</b>", person.id, "open")
        assert b.rated_on.isoformat() == "2026-10-09" and b.rect_due_on is not None
        assert b.number.startswith("360102-") and b.item_code == "DH-SP-001" and b.department_code
        g = rows[f"approval.application:{good}"]
        assert (g.level, g.rect_state, g.rect_due_on) == (5, "", None)
        assert all(s.get(Application, i).rated_at is not None for i in (bad, good, delivered))
    # rate once still holds after the move
    import pytest

    from core.errors import Conflict

    with in_scope(platform, donghu) as s, pytest.raises(Conflict) as e:
        handling.rate(s, ctx(platform, donghu, who("legal", person.id)), bad, 3)
    assert e.value.code == "already_rated"
