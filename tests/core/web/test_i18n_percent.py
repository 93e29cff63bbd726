"""Every translatable string of every template survives Jinja's newstyle gettext, which formats each one
with ``%`` (variables or not): a bare ``%`` ("低于 90% 的") raises at render time, on whichever page and
language shows it. Write ``%%`` for a literal percent sign. Sweeps every template msgid and every
catalogue entry of the core and every plugin."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from test_i18n import template_msgids

ROOT = Path(__file__).resolve().parents[3]
SAFE = re.compile(r"%%|%\(\w+\)[sdif]|%\w")  # a literal, a named or a positional placeholder


def _bare_percent(text: str) -> bool:
    return "%" in SAFE.sub("", text)


def _translations(po_dir: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    for po in sorted(po_dir.glob("*/LC_MESSAGES/*.po")):
        with po.open("rb") as fh:
            for message in read_po(fh):
                if message.id and isinstance(message.id, str) and isinstance(message.string, str):
                    out[message.id] = message.string
    return out


def test_no_template_string_or_its_translation_has_a_bare_percent():
    core_templates = ROOT / "core" / "web" / "templates"
    core_zh = _translations(ROOT / "core" / "web" / "locale")
    assert core_zh, "the core catalogue was not found"
    roots = [(core_templates, {})] + [
        (t, _translations(t.parent / "locale")) for t in sorted((ROOT / "plugins").glob("*/templates"))]
    bad: list[str] = []
    seen = 0
    for root, own in roots:
        for msgid, where in template_msgids(root).items():
            seen += 1
            for text in (msgid, own.get(msgid, ""), core_zh.get(msgid, "")):
                if text and _bare_percent(text):
                    bad.append(f"{sorted(where)[0]}: {text!r}")
    assert seen > 500, "the extractor saw the templates"
    assert not bad, "write %% for a literal percent sign:\n" + "\n".join(sorted(set(bad)))


def test_the_direct_underscore_answers_as_jinjas_newstyle_gettext(platform):
    """``_`` goes straight to the catalogue (core/web/render.py ``_underscore``, issue #14) instead of
    through the i18n extension's alias and newstyle wrapper: for every template msgid of the core and
    every plugin, in both languages, and with variables (escaped), it renders what ``gettext`` renders."""
    from core.app import create_app

    create_app(platform=platform)
    env = platform.renderer.env
    assert env.globals["_"] == platform.renderer._underscore
    roots = [ROOT / "core" / "web" / "templates", *sorted((ROOT / "plugins").glob("*/templates"))]
    msgids = sorted({m for root in roots for m in template_msgids(root)})
    assert len(msgids) > 500, len(msgids)
    pairs = [(env.from_string("{{ _(m) }}"), env.from_string("{{ gettext(m) }}")),
             (env.from_string("{{ _(m, n=n, name=name) }}"),
              env.from_string("{{ gettext(m, n=n, name=name) }}"))]
    compared = 0
    for lang in ("zh-CN", "en"):
        for m in msgids:
            values = {"m": m, "lang": lang, "n": "<3>", "name": "A & B"}
            for new, old in pairs:
                try:
                    expected = old.render(values)
                except (KeyError, TypeError, ValueError):  # a string needing other variables: both refuse
                    with pytest.raises((KeyError, TypeError, ValueError)):
                        new.render(values)
                    continue
                assert new.render(values) == expected, (lang, m)
                compared += 1
    assert compared > 1000, compared
    escaped = pairs[1][0].render({"m": "%(n)s unread", "lang": "en", "n": "<3>", "name": ""})
    assert "&lt;3&gt;" in escaped, escaped
