"""Catalogue search through the token index (exchange_resource_tokens): the same results as the old
``LIKE '%word%'`` on every word, in the scope's subtree only; the tokens follow resources created,
changed and deleted."""

from __future__ import annotations

import random

from exchange_helpers import PROVIDER, sync
from sqlalchemy import delete, func, select

from core.api import Scope
from plugins.exchange import search as search_tokens
from plugins.exchange import services
from plugins.exchange.models import Resource, ResourceToken

PIECES = ["信用", "信", "用户", "数据", "企业信用", "营业执照", "照", "credit", "cred", "redit", "report",
          "re", "9136", "91360100", "0100ma", "a_b", "50%", "-", "·", "（", "x"]


def _text(rnd: random.Random) -> str:
    return "".join(rnd.choice(PIECES) + rnd.choice(["", " ", "", "/"]) for _ in range(rnd.randint(1, 6)))


def _add(platform, tenant, rows: list[tuple[str, str]]) -> None:
    with platform.db.transaction(tenant.scope) as s:
        made = []
        for code, name in rows:
            r = Resource(
                tenant_id=tenant.id, tenant_path=tenant.path, code=code, name=name, provider_department="x",
                provider_identifier=f"GOV:{tenant.path}:x", fields=[], name_en="", description="",
                provider_name="",
            )
            r.search_text = services._search_text(r)
            s.add(r)
            made.append(r)
        s.flush()
        services.index_resources(s, made)


def _like(rows: list[Resource], q: str) -> list[int]:
    words = search_tokens.words(q)
    return sorted((r.id for r in rows if all(w in r.search_text for w in words)), reverse=True)


def test_search_gives_the_like_results_on_a_sample_and_only_in_the_scope(platform):
    rnd = random.Random(15)
    nanchang = platform.directory.get(PROVIDER)
    below = [t for t in platform.directory.by_id.values() if t.path.startswith(nanchang.path)]
    outside = [  # other cities' subtrees (and the province above, whose own resources are not below)
        t for t in platform.directory.by_id.values() if not t.path.startswith(nanchang.path)
    ]
    outside.sort(key=lambda t: nanchang.path.startswith(t.path))  # a sibling first, the province last
    assert len(below) >= 2 and outside
    for t in [*below, *outside[:3]]:
        _add(platform, t, [(f"s{t.code}-{i}", _text(rnd)) for i in range(25)])
    scope = Scope.below(nanchang.id, nanchang.path)
    with platform.db.session(scope) as s:
        mine = list(s.scalars(select(Resource).where(Resource.active.is_(True))))
        assert {r.tenant_path for r in mine} == {t.path for t in below}
        queries = [*PIECES, "信用 credit", "用户数", "edit", "0ma", "数据 营业执照 re", "用信", "CREDIT",
                   "a_b", "%", "_", "9136 信用 照", "nothing", "信用数据信用"]
        queries += [_text(rnd).strip()[: rnd.randint(1, 8)] for _ in range(80)]
        matched = 0
        for q in queries:
            want = _like(mine, q)
            assert [r.id for r in services.search(s, q, limit=10_000)] == want, q
            matched += bool(want)
        assert matched > 40  # the sample really exercises matches
    # the other side of the tree: same words, never in Nanchang's results, found in its own scope
    other = outside[0]
    with platform.db.session(Scope.below(other.id, other.path)) as s:
        theirs = {r.id for r in services.search(s, "信用", limit=10_000)}
    with platform.db.session(scope) as s:
        assert theirs and not theirs & {r.id for r in services.search(s, "信用", limit=10_000)}
        # the token rows themselves are scoped: none of another subtree is read
        assert s.scalar(
            select(func.count()).select_from(ResourceToken).where(ResourceToken.tenant_path == other.path)
        ) == 0


def test_tokens_follow_resources_created_changed_and_deleted(platform):
    sync(platform)
    nanchang = platform.directory.get(PROVIDER)
    with platform.db.session(nanchang.scope) as s:
        credit = services.search(s, "预警等级")  # a field label of credit's report
        assert [r.code for r in credit] == ["credit.report"]
        assert s.scalar(select(func.count()).select_from(ResourceToken).where(
            ResourceToken.resource_id == credit[0].id)) > 5
    # a change of the search text rewrites the tokens: the old words are gone, the new ones found
    with platform.db.transaction(nanchang.scope) as s:
        row = s.scalars(select(Resource).where(Resource.code == "credit.report")).one()
        row.name, row.name_en, row.description, row.fields = "主体评分卡", "", "", []
        row.search_text = services._search_text(row)
        s.flush()
        services.index_resources(s, [row])
    with platform.db.session(nanchang.scope) as s:
        assert services.search(s, "预警等级") == []
        assert [r.code for r in services.search(s, "评分")] == ["credit.report"]
    # a sync puts the plugin's own words back (and its tokens with them)
    sync(platform)
    with platform.db.session(nanchang.scope) as s:
        assert [r.code for r in services.search(s, "预警等级")] == ["credit.report"]
        assert services.search(s, "评分") == []
        rid = s.scalars(select(Resource.id).where(Resource.code == "credit.report")).one()
    # deleted with the resource (foreign key, cascade)
    with platform.db.transaction(nanchang.scope) as s:
        s.execute(delete(Resource).where(Resource.id == rid))
    with platform.db.session(nanchang.scope) as s:
        left = select(func.count()).select_from(ResourceToken).where(ResourceToken.resource_id == rid)
        assert s.scalar(left) == 0


def test_tokens_are_bigrams_and_trigrams_and_a_word_without_any_is_a_plain_scan():
    assert search_tokens.tokens("企业信用 credit-91") == {"企业", "业信", "信用", "cre", "red", "edi", "dit"}
    assert search_tokens.query_tokens("信 ab") == []  # too short for a token: LIKE alone decides
    assert search_tokens.query_tokens("信用 Credit") == ["cre", "信用"]  # one a word
    assert search_tokens.query_tokens("营业执照") == ["执照", "营业"]  # a lone word: its first and last
    assert search_tokens.query_tokens("数据4711") == ["471", "711"]  # digits before a common bigram
    assert len(search_tokens.query_tokens("信用 户籍 社保 婚姻 学历")) == 3


def test_the_migration_builds_the_tokens_of_existing_resources(platform):
    from alembic import command

    from core.db import migrate

    sync(platform)
    nanchang = platform.directory.get(PROVIDER)
    with platform.db.session(Scope.system()) as s:
        rows = search_tokens.token_rows(s.scalars(select(Resource)))
        want = sorted((t["resource_id"], t["token"]) for t in rows)
    assert len(want) > 50
    cfg = migrate.alembic_config(platform.db, platform.registry.migration_dirs())
    command.downgrade(cfg, "exchange_0001")
    command.upgrade(cfg, "heads")
    with platform.db.session(Scope.system()) as s:
        got = sorted(tuple(r) for r in s.execute(select(ResourceToken.resource_id, ResourceToken.token)))
    assert got == want
    with platform.db.session(nanchang.scope) as s:
        assert [r.code for r in services.search(s, "预警等级")] == ["credit.report"]
