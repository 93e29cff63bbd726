"""No page offers a link or a button its viewer cannot use (issue #13, item 7).

Every demo account (and a guest) walks the demo from its halls, my space and the workbench, following
every link on every page it reaches; a link that answers 401, 403 or 404, or sends a logged-in person
to the login page, fails the test naming the page that offered it. Every form that posts is checked
without posting: the permission its target route declares must be held by the viewer at that hall.
Paths that differ only in their numbers are walked twice at most per hall, so the walk stays bounded
while covering every kind of page.
"""

from __future__ import annotations

import re
from collections import Counter, deque
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from core.db import Scope
from core.identity.actor import GUEST
from core.identity.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from core.identity.models import Account
from tests.factories import actor_of, login

STARTS = ("/t/360102/", "/t/360100/", "/t/360000/", "/my/", "/workbench/")
SKIP = re.compile(r"^/(static/|favicon|logout|api/)|[?&]lang=")
PAGES_PER_ACTOR = 160
SAME_SHAPE = 2


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.posts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "a" and values.get("href"):
            self.hrefs.append(values["href"] or "")
        if tag == "form" and (values.get("method") or "").lower() == "post":
            self.posts.append(values.get("action") or "")


def links_of(base: str, html: str, posts: bool = False) -> list[str]:
    parser = _Links()
    parser.feed(html)
    out = []
    for href in parser.posts if posts else parser.hrefs:
        if href.startswith(("#", "tel:", "mailto:", "javascript:")):
            continue
        url = urljoin(base, href)
        parts = urlsplit(url)
        if parts.netloc not in ("", "testserver"):
            continue
        local = parts.path + (f"?{parts.query}" if parts.query else "")
        if not SKIP.search(local):
            out.append(local)
    return out


def shape(url: str) -> str:
    """The URL with every path segment or query value that holds a digit replaced, the hall's code
    kept: one kind of page at one hall."""
    head, sep, rest = url.partition("/t/")
    code, slash, rest = rest.partition("/")
    kept = head + sep + code + slash if sep else ""
    return kept + re.sub(r"[^/?&=]*\d[^/?&=]*", "N", rest if sep else url)


def route_permissions(app: Any) -> list[tuple[re.Pattern[str], str]]:
    """(path regex, permission) of every POST route, from the routes' own declarations."""
    from core.access.guard import required_permission
    from tests.routes import all_routes

    out = []
    for info in all_routes(app):
        if "POST" not in info.methods:
            continue
        pattern = re.sub(r"{[a-z_]+:int}", r"\\d+", info.path)
        pattern = re.sub(r"{[a-z_]+:path}", ".+", pattern)
        pattern = re.sub(r"{[a-z_]+(:str)?}", "[^/]+", pattern)
        out.append((re.compile(pattern + "$"), required_permission(info.endpoint) or ""))
    return out


def refused_post(platform: Any, actor: Any, rules: list[tuple[re.Pattern[str], str]], action: str
                 ) -> str | None:
    """Why ``actor`` could not use a form posting to ``action``, or None if they could."""
    path = action.split("?", 1)[0]
    for pattern, permission in rules:
        if pattern.match(path):
            if not permission:
                return None
            code = path.split("/")[2] if path.startswith("/t/") else ""
            tenant = platform.directory.get(code)
            if tenant is None or platform.access.check(actor, tenant, permission).allowed:
                return None
            return f"lacks {permission}"
    return "no such route"


def walk(client: TestClient, logged_in: bool, can_post: Any = None) -> tuple[list[str], int]:
    """Breadth-first over the links; returns the broken ones as 'page -> link: status'."""
    broken: list[str] = []
    seen: set[str] = set()
    shapes: Counter[str] = Counter()
    queue: deque[tuple[str, str]] = deque(("(start)", s) for s in STARTS)
    visited = 0
    while queue and visited < PAGES_PER_ACTOR:
        origin, url = queue.popleft()
        if url in seen or shapes[shape(url)] >= SAME_SHAPE:
            continue
        seen.add(url)
        shapes[shape(url)] += 1
        visited += 1
        r = client.get("http://testserver" + url)
        location = r.headers.get("location", "")
        refused = r.status_code in (401, 403, 404) or (logged_in and location.startswith("/login"))
        if refused and origin == "(start)":
            continue  # a starting point, not a link anybody was offered (a citizen has no workbench)
        if refused:
            broken.append(f"{origin} -> {url}: {r.status_code} {location}")
            continue
        if r.status_code in (301, 302, 303, 307, 308):
            if location.startswith("/") and origin != "(start)":
                queue.append((origin, location))
            continue
        if "text/html" not in r.headers.get("content-type", ""):
            continue
        for link in links_of(url, r.text):
            if link not in seen:
                queue.append((url, link))
        for action in links_of(url, r.text, posts=True) if can_post else ():
            why = can_post(action)
            if why:
                broken.append(f"{url} -> form posting to {action}: {why}")
    return broken, visited


@pytest.mark.parametrize("username", [None, *[a[0] for a in DEMO_ACCOUNTS]])
def test_no_link_leads_to_a_refusal(demo_platform, username):
    from core.app import create_app

    app = create_app(platform=demo_platform)
    rules = route_permissions(app)
    actor = GUEST
    if username:
        with demo_platform.db.session(Scope.system()) as s:
            actor = actor_of(s.scalars(select(Account).where(Account.username == username)).one())
    with TestClient(app, follow_redirects=False) as client:
        if username:
            login(client, username, DEMO_PASSWORD)
        broken, visited = walk(client, logged_in=username is not None,
                               can_post=lambda action: refused_post(demo_platform, actor, rules, action))
    assert visited > 10
    assert not broken, f"{username or 'guest'} is offered links that refuse them:\n" + "\n".join(broken)
