"""The catalogue's search tokens (``exchange_resource_tokens``): an index that narrows a search to the
resources that can match, without changing what matches.

A resource matches a search when every word of the query is a substring of its ``search_text`` (the
lower-cased name, code, description, provider and field labels) — the ``LIKE '%word%'`` semantics the
catalogue always had. ``LIKE`` with a leading wildcard cannot use a btree, so a rare word or a two-word
AND scanned the whole subtree (p95 247 ms over 100,000 resources, docs/benchmarks.md).

The tokens of a text are the bigrams of each run of CJK characters and the trigrams of each run of Latin
letters and digits. If a word is a substring of a text, each run of the word lies inside a run of the text,
so every bigram and trigram of the word is a token of the text: the resources holding all the word's
tokens are a superset of those matching it, and the ``LIKE`` re-check on that (indexed, small) set gives
exactly the old results. A word too short to have a token (one CJK character, one or two Latin letters)
adds no token; a query with no token at all is the plain ``LIKE`` scan. Like approval's item search
(``approval_search_tokens``), this works the same on SQLite and PostgreSQL and needs no extension
(pg_trgm has no trigram for a two-character Chinese word).

The re-check is ``strpos``/``instr`` (``holds``), which is ``LIKE '%word%'`` without the guesswork of
the planner's pattern estimate. Kept in line by ``services.index_resources`` wherever ``search_text`` is
written; deleted with the resource (foreign key, cascade); built for existing rows by migration
exchange_0002. This module imports nothing of the app (SQLAlchemy only), so that migration can use it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import Boolean

_RUN = re.compile(r"[a-z0-9]+|[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
MAX_WORDS = 5  # words of a query taken (as the catalogue always did)
MAX_JOINS = 3  # token joins of one search (query_tokens)


def _grams(text: str) -> tuple[list[str], list[str]]:
    """Latin/digit trigrams and CJK bigrams, each in the order they appear (repeats kept)."""
    tri: list[str] = []
    bi: list[str] = []
    for run in _RUN.findall(text):
        n, into = (3, tri) if run[0].isascii() else (2, bi)
        into.extend(run[i : i + n] for i in range(len(run) - n + 1))
    return tri, bi


def tokens(text: str) -> set[str]:
    """The tokens of an already lower-cased text (or word): CJK bigrams, Latin/digit trigrams."""
    tri, bi = _grams(text)
    return {*tri, *bi}


def words(q: str) -> list[str]:
    """The words of a query, as matched: lower-cased, split on white space, the first ``MAX_WORDS``."""
    return q.lower().split()[:MAX_WORDS]


def query_tokens(q: str) -> list[str]:
    """The tokens the search joins on (sorted, for stable statements): a few of those every matching
    resource holds — one per word (two when the query is one word: its first and last), at most
    ``MAX_JOINS``, trigrams before bigrams (a Latin or digit run is the more telling). Each join is an
    ordered merge of postings; more of them cost the planner more (23 ms to plan five) than they save,
    and the re-check of every word keeps the results exact whichever are taken."""
    per_word = [tri or bi for tri, bi in map(_grams, words(q))]
    out: list[str] = []
    for grams in per_word:
        for tok in (grams[:1] + grams[-1:]) if len(per_word) == 1 else grams[:1]:
            if tok not in out:
                out.append(tok)
    return sorted(out[:MAX_JOINS])


def token_rows(resources: Iterable[Any]) -> Iterator[dict[str, Any]]:
    """Rows of the token table for resources given as mappings or objects with ``id``, ``tenant_id``,
    ``tenant_path`` and ``search_text`` (for bulk loads and the backfill)."""
    for r in resources:
        get = r.get if isinstance(r, dict) else (lambda k, _r=r: getattr(_r, k))
        for tok in sorted(tokens(get("search_text") or "")):
            yield {
                "resource_id": get("id"),
                "token": tok,
                "tenant_id": get("tenant_id"),
                "tenant_path": get("tenant_path"),
            }


class holds(FunctionElement[bool]):  # noqa: N801 - reads as SQL
    """``holds(text, word)``: ``word`` is a substring of ``text`` — what ``text LIKE '%word%'`` (with the
    word escaped) asks, as ``strpos``/``instr``: the same rows, but PostgreSQL estimates it as a plain
    function instead of guessing a non-ASCII pattern rare, which made it scan the table for common words."""

    type = Boolean()
    inherit_cache = True
    name = "holds"


@compiles(holds)
def _holds_default(element: holds, compiler: Any, **kw: Any) -> str:
    text, word = list(element.clauses)
    return f"instr({compiler.process(text, **kw)}, {compiler.process(word, **kw)}) > 0"


@compiles(holds, "postgresql")
def _holds_pg(element: holds, compiler: Any, **kw: Any) -> str:
    text, word = list(element.clauses)
    return f"strpos({compiler.process(text, **kw)}, {compiler.process(word, **kw)}) > 0"


def contains(column: Any, word: str) -> ColumnElement[bool]:
    return holds(column, word)  # type: ignore[return-value]
