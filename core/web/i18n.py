"""Message catalogue: gettext .po files (English msgids, zh_CN translations) read at start-up.

Chinese is the default language; ``?lang=en`` or the language switch sets a cookie that is remembered.
Plugins ship ``locale/zh_CN/LC_MESSAGES/messages.po`` beside their templates; their catalogues merge
into the core's. The .po files are read directly with Babel, so there is no compile step to forget.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LANGUAGES = ("zh-CN", "en")
LANG_COOKIE = "govhall_lang"
CORE_LOCALE = Path(__file__).parent / "locale"


class Catalogue:
    """Every catalogue merged (``_zh``), and each plugin's own (``_own``, keyed by the folder that holds
    its ``locale/``: the plugin's package name, which is also its templates' folder).

    The same English msgid may mean different things to different plugins ("Number" is an application's
    申报号 to approval and a decision's 文书号 to credit): a plugin's template is translated by its own
    catalogue first (``gettext(..., owner=...)``), then by the merged one (issue #13, items 11 and 14).
    """

    def __init__(self, extra_dirs: list[Path]) -> None:
        self._zh: dict[str, str] = {}
        self._own: dict[str, dict[str, str]] = {}
        for root in [CORE_LOCALE, *extra_dirs]:
            po = root / "zh_CN" / "LC_MESSAGES" / "messages.po"
            if po.exists():
                own = self._own.setdefault(root.parent.name, {}) if root != CORE_LOCALE else {}
                with po.open("rb") as fh:
                    for msg in read_po(fh, locale="zh_CN"):
                        if msg.id and msg.string and isinstance(msg.id, str):
                            self._zh.setdefault(msg.id, str(msg.string))  # the core's wording first
                            own[msg.id] = str(msg.string)

    def translations(self, lang: str) -> NullTranslations:
        return _DictTranslations(self._zh) if lang == "zh-CN" else NullTranslations()

    def gettext(self, lang: str, message: str, owner: str = "") -> str:
        """``message`` in ``lang``; ``owner`` (a plugin's name) prefers that plugin's own wording."""
        if lang != "zh-CN":
            return message
        own = self._own.get(owner) if owner else None
        if own is not None and message in own:
            return own[message]
        return self._zh.get(message, message)

    def missing(self, messages: list[str]) -> list[str]:
        return [m for m in messages if m not in self._zh]


class _DictTranslations(Translations):
    def __init__(self, table: dict[str, str]) -> None:
        super().__init__()
        self._table = table

    def gettext(self, message: str) -> str:
        return self._table.get(message, message)

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        return self.gettext(msgid1 if n == 1 else msgid2)

    ugettext = gettext
    ungettext = ngettext


def pick_language(query_lang: str | None, cookie_lang: str | None, default: str) -> str:
    for candidate in (query_lang, cookie_lang):
        if candidate in LANGUAGES:
            return candidate  # type: ignore[return-value]
    return default
