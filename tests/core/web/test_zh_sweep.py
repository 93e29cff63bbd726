"""Chinese pages show names, not internal codes (issue #13, item 9).

Every demo account (and a guest) walks the demo in Chinese the way tests/core/web/test_links_sweep.py
does, and every visible text (text nodes, ``title``, ``placeholder``, ``aria-label``, ``alt``) of every
page it reaches is searched for ASCII identifiers: a word of Latin letters that is not a number, a code
the user knows or a proper noun fails the test, naming the page and the text around it. Text marked
``lang="en"`` (the English shown beside the Chinese, the language switch) is English on purpose and
skipped; so are ``<script>``/``<style>``, ``<kbd>`` (a command a person types), parts marked
``translate="no"`` (what a person chose themselves: their login name) and the values of form controls.

The allow-list is small on purpose; each entry says why a person reading Chinese knows the word.
"""

from __future__ import annotations

import re
from collections import Counter, deque
from html.parser import HTMLParser

import pytest
from starlette.testclient import TestClient

from core.identity.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from tests.core.web.test_links_sweep import STARTS, links_of, shape
from tests.factories import login

PAGES_PER_ACTOR = 120
SAME_SHAPE = 1

# Words a Chinese reader knows (every other Latin word on a zh page is a leaked key, field or English).
ALLOWED = {
    "ID",  # 身份证 ID: read in Chinese UIs as is
    "API", "JSON", "CSV", "PDF", "HTTP", "HTTPS", "URL", "SVG", "PNG", "JPG", "JPEG", "OpenAPI",
    # formats and protocols, named as their users (developers, clerks uploading files) name them
    "QR",  # 二维码 is also shown; "QR" is what the phone camera says
    "IP",  # IP 地址: the usual Chinese term
    "OCDS", "OCID",  # the open contracting data standard and its identifiers, as bidders know them
    "govhall",  # the product's own name (a proper noun)
}
# Codes a person knows: a unified social credit code, an application/licence/case number, a date.
KNOWN_CODE = re.compile(
    r"^(?=.*\d)[0-9A-Za-z]+(-[0-9A-Za-z]+)*$"  # credit codes, application/licence/case numbers, OCIDs
    r"|^[A-Z]$"  # a grade or a class (A级纳税人, B类)
    r"|^/|://"  # an address a person can follow or type
)
# Formats people pick files by, in either case.
FORMATS = {"pdf", "jpg", "jpeg", "png", "ofd", "doc", "docx", "xls", "xlsx", "zip", "kb", "mb", "gb"}
WORD = re.compile(r"(?<![A-Za-z0-9_.\-/])[A-Za-z0-9/][A-Za-z0-9_.:/\-]*")
ATTRS = ("title", "placeholder", "aria-label", "alt")
SKIP_TAGS = {"script", "style", "kbd", "textarea"}  # <kbd>, <textarea>: what a person types
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
        "wbr"}


class _Texts(HTMLParser):
    """Visible texts of a page with the Latin words in them, outside ``lang="en"`` parts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []  # (tag, skipped)
        self.texts: list[str] = []

    def _skipped(self) -> bool:
        return bool(self.stack) and self.stack[-1][1]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        lang = values.get("lang")
        skipped = (self._skipped() or tag in SKIP_TAGS or bool(lang and not lang.startswith("zh"))
                   or values.get("translate") == "no")
        if not skipped:
            self.texts.extend(v for k, v in attrs if k in ATTRS and v)
        if tag not in VOID:
            self.stack.append((tag, skipped))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if not self._skipped():
            self.texts.extend(v for k, v in attrs if k in ATTRS and v)

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        if not self._skipped() and data.strip():
            self.texts.append(data.strip())


def leaks(html: str) -> list[str]:
    """Each visible text holding a Latin word that is not allowed, as 'word in «text»'."""
    parser = _Texts()
    parser.feed(html)
    out = []
    for text in parser.texts:
        for word in WORD.findall(text):
            word = word.rstrip(".:-")
            if (not re.search("[A-Za-z]", word) or word in ALLOWED or word.lower() in FORMATS
                    or word.lower().rsplit(".", 1)[-1] in FORMATS  # a file's name, as uploaded
                    or KNOWN_CODE.search(word)):
                continue
            out.append(f"{word!r} in «{text[:80]}»")
    return out


def test_the_detector_flags_keys_and_passes_names():
    page = ('<html lang="zh-CN"><body><p>张三 提交了 91360100MA35123453 的申请 GH-360102-2026-000013</p>'
            '<p lang="en">Applications</p><script>var x = "y";</script>'
            '<td>approval.application 13</td><td>[credit]</td><span title="shop_name">店名</span>'
            '<p>issue → issued</p><text>No data</text><input value="typed by a person"></body></html>')
    found = " ".join(leaks(page))
    for word in ("approval.application", "credit", "shop_name", "issue", "issued", "No", "data"):
        assert repr(word) in found, word
    for word in ("MA35123453", "GH-360102-2026-000013", "Applications", "var", "typed"):
        assert word not in found, word


def walk_in_chinese(client: TestClient) -> tuple[dict[str, list[str]], int]:
    found: dict[str, list[str]] = {}
    seen: set[str] = set()
    shapes: Counter[str] = Counter()
    queue: deque[str] = deque(STARTS)
    visited = 0
    while queue and visited < PAGES_PER_ACTOR:
        url = queue.popleft()
        if url in seen or shapes[shape(url)] >= SAME_SHAPE:
            continue
        seen.add(url)
        shapes[shape(url)] += 1
        r = client.get("http://testserver" + url)
        if r.status_code in (301, 302, 303, 307, 308):
            location = r.headers.get("location", "")
            if location.startswith("/") and not location.startswith("/login"):
                queue.append(location)
            continue
        if r.status_code != 200 or "text/html" not in r.headers.get("content-type", ""):
            continue
        visited += 1
        if url.startswith("/api/"):
            continue  # the API reference documents identifiers by design
        words = leaks(r.text)
        if words:
            found[url] = words
        queue.extend(link for link in links_of(url, r.text) if link not in seen)
    return found, visited


@pytest.mark.parametrize("username", [None, *[a[0] for a in DEMO_ACCOUNTS]])
def test_chinese_pages_show_no_internal_codes(demo_platform, username):
    from core.app import create_app

    with TestClient(create_app(platform=demo_platform), follow_redirects=False,
                    cookies={"govhall_lang": "zh-CN"}) as client:
        if username:
            login(client, username, DEMO_PASSWORD)
        found, visited = walk_in_chinese(client)
    assert visited > 5
    assert not found, f"{username or 'guest'} sees internal codes or English on Chinese pages:\n" + "\n".join(
        f"{url}: {'; '.join(dict.fromkeys(words))}" for url, words in found.items())
