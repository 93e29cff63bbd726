"""Every string the core templates translate has a Chinese translation in the core catalogue."""

from __future__ import annotations

from pathlib import Path

from jinja2.ext import babel_extract

from core.web.i18n import Catalogue, pick_language
from core.web.render import CORE_TEMPLATES


def template_msgids(root: Path) -> dict[str, set[str]]:
    """msgid -> templates using it, extracted the way Babel's Jinja extractor does."""
    found: dict[str, set[str]] = {}
    for path in sorted(root.rglob("*.html")):
        with path.open("rb") as fh:
            for _line, _func, message, _comments in babel_extract(
                    fh, ("_", "gettext", "ngettext"), [], {"extensions": "jinja2.ext.i18n",
                                                           "trim_blocks": "true", "lstrip_blocks": "true"}):
                messages = message if isinstance(message, tuple) else (message,)
                for m in messages:
                    if m:
                        found.setdefault(m, set()).add(str(path.relative_to(root)))
    return found


def test_core_templates_use_the_catalogue():
    msgids = template_msgids(CORE_TEMPLATES)
    assert len(msgids) > 60  # the extractor really saw the templates
    assert "Online service hall" in msgids


def test_every_core_msgid_has_a_chinese_translation():
    catalogue = Catalogue([])
    msgids = template_msgids(CORE_TEMPLATES)
    missing = {m: sorted(where) for m, where in msgids.items() if m in catalogue.missing([m])}
    assert not missing, f"add these to core/web/locale/zh_CN/LC_MESSAGES/messages.po: {missing}"


def test_core_templates_parse():
    from core.web.render import Renderer

    env = Renderer([], []).env  # the real environment: its filters and gettext
    for path in CORE_TEMPLATES.rglob("*.html"):
        env.get_template(str(path.relative_to(CORE_TEMPLATES)))


def test_language_choice_order():
    assert pick_language("en", "zh-CN", "zh-CN") == "en"  # the switch wins over the cookie
    assert pick_language(None, "en", "zh-CN") == "en"  # the cookie is remembered
    assert pick_language("fr", None, "zh-CN") == "zh-CN"  # unknown languages fall back to Chinese


def test_every_plugin_msgid_has_a_chinese_translation():
    """Plugins ship their catalogue beside their templates; the merged catalogue must cover them too."""
    from core.registry import Registry

    dirs = Registry.load().template_dirs()
    catalogue = Catalogue([d.parent / "locale" for d in dirs])
    missing = {}
    for root in dirs:
        for m, where in template_msgids(root).items():
            if catalogue.missing([m]):
                missing[m] = sorted(f"{root.parent.name}/{w}" for w in where)
    assert not missing, f"add these to the plugin's locale/zh_CN/LC_MESSAGES/messages.po: {missing}"
