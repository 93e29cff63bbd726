"""Finding a Chinese TrueType font that reportlab can embed in licence PDFs.

reportlab embeds (subsets) TrueType outlines only, not the CFF outlines of OpenType CJK fonts such as
Noto Sans CJK, so each candidate is loaded and asked for Chinese glyphs before it is used. Order: the
``licence.font_path`` setting; fontconfig's Chinese fonts (``fc-list :lang=zh``); the usual Debian and
macOS paths. Nothing usable is a clear error naming what to install, never a PDF with empty boxes.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont

KNOWN = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/arphic/ukai.ttc",
    "/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf",
    "/Library/Fonts/Arial Unicode.ttf",
)
PROBE = "电子证照许可"
_lock = threading.Lock()
_registered: dict[str, str] = {}


class FontNotFound(RuntimeError):
    """No embeddable Chinese font: the message says what to install or set."""

    def __init__(self, detail: str = "") -> None:
        super().__init__(
            "未找到可嵌入 PDF 的中文 TrueType 字体，无法生成电子证照。请安装 fonts-wqy-microhei"
            "（apt-get install fonts-wqy-microhei），或将设置 licence.font_path 指向一个 .ttf/.ttc 文件。 "
            "No embeddable Chinese TrueType font found, so no licence PDF can be made: install "
            "fonts-wqy-microhei (apt-get install fonts-wqy-microhei) or point the setting licence.font_path "
            f"at a .ttf/.ttc file.{(' ' + detail) if detail else ''}"
        )


def _fontconfig() -> list[str]:
    if shutil.which("fc-list") is None:
        return []
    try:
        out = subprocess.run(
            ["fc-list", ":lang=zh", "file"], capture_output=True, text=True, timeout=10, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    files = sorted({line.split(":", 1)[0].strip() for line in out.splitlines() if line.strip()})
    return [f for f in files if f.lower().endswith((".ttf", ".ttc"))]


def _try(path: str) -> TTFont | None:
    """The font if reportlab can embed it and it has Chinese glyphs."""
    if not Path(path).is_file():
        return None
    for index in range(4 if path.lower().endswith(".ttc") else 1):
        try:
            font = TTFont(f"licence-cjk-{abs(hash((path, index)))}", path, subfontIndex=index)
        except (TTFError, OSError, ValueError, IndexError):
            continue
        if all(ord(ch) in font.face.charToGlyph for ch in PROBE):
            return font
    return None


def candidates(configured: str = "") -> list[str]:
    if configured:
        return [configured]
    seen: dict[str, None] = {}
    for path in (*_fontconfig(), *KNOWN):
        seen.setdefault(path, None)
    return list(seen)


def font_name(configured: str = "") -> str:
    """The reportlab name of a registered Chinese font (found once per process and path setting)."""
    with _lock:
        if configured in _registered:
            return _registered[configured]
        tried = candidates(configured)
        for path in tried:
            font = _try(path)
            if font is not None:
                pdfmetrics.registerFont(font)
                _registered[configured] = font.fontName
                return font.fontName
        raise FontNotFound(f"Tried: {', '.join(tried) or 'nothing'}.")
