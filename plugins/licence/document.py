"""The licence document: a one-page A4 PDF drawn from the signed licence data, with a QR code to the
public verification page, and what offline verification needs embedded in the file.

The page shows exactly the signed data (``render`` draws from it and nothing else). The embedded file
``govhall-licence.json`` (GB/T 36905 asks for metadata and a data index inside the licence file) holds
the signed canonical data, its signature, the key id and public key, and a second signature over a
digest of the page as drawn (content streams, fonts, images, annotations): editing the data, or only the
visible page, makes verification fail and say which. The fonts are embedded (subset) by reportlab.
"""

from __future__ import annotations

import hashlib
import io
import json
from typing import Any

import pypdf
import segno
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, StreamObject
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from plugins.licence.fonts import font_name

ATTACHMENT = "govhall-licence.json"
FORMAT = "govhall.licence/1"
_SKIP = {"/Parent", "/Length", "/Filter", "/DecodeParms", "/P"}
RED = HexColor("#b3261e")
INK = HexColor("#1f1f1f")
MUTED = HexColor("#5f6368")


def canonical(data: dict[str, Any]) -> str:
    """The one text form that is signed: sorted keys, no spaces, UTF-8 (not ASCII-escaped)."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def appearance_message(identifier: str, digest: str) -> bytes:
    return f"{FORMAT}\nappearance\n{identifier}\n{digest}".encode()


# -- drawing ---------------------------------------------------------------------------------------------


def _wrap(canvas: Canvas, text: str, font: str, size: float, width: float) -> list[str]:
    """Lines of ``text`` no wider than ``width`` (character by character: Chinese has no spaces)."""
    lines, line = [], ""
    for ch in text:
        if canvas.stringWidth(line + ch, font, size) > width and line:
            lines.append(line)
            line = ch
        else:
            line += ch
    return [*lines, line] if line else lines or [""]


def _qr(canvas: Canvas, url: str, x: float, y: float, size: float) -> None:
    """The QR code as vector squares (no image library, crisp at any zoom)."""
    matrix = [list(row) for row in segno.make(url, error="m").matrix]
    border = 2
    n = len(matrix) + 2 * border
    cell = size / n
    canvas.setFillColor(INK)
    for r, row in enumerate(matrix):
        for c, dark in enumerate(row):
            if dark:
                canvas.rect(
                    x + (c + border) * cell, y + size - (r + border + 1) * cell, cell, cell, stroke=0, fill=1
                )


def _rows(data: dict[str, Any]) -> list[tuple[str, str]]:
    holder, issuer = data["holder"], data["issuer"]
    until = data.get("valid_until") or "长期 Long-term"
    return [
        ("持证主体 Holder", holder["name"]),
        ("证件号码 ID / credit code", holder["id_number"]),
        *(
            (f"{f['label']} {f.get('label_en', '')}".strip(), str(f.get("value") or "—"))
            for f in data.get("fields", [])
        ),
        ("有效期限 Valid", f"{data['valid_from']} 至 to {until}"),
        ("发证机关 Issued by", issuer["name"]),
        ("发证日期 Issued on", data["issued_on"]),
        ("证照版本 Version", f"{data['version_no']}"),
    ]


def _body(c: Canvas, font: str, data: dict[str, Any], width: float, top: float) -> float:
    left, label_w, y = 72.0, 150.0, top
    for label, value in _rows(data):
        lines = _wrap(c, value, font, 12, width - label_w - 2 * left)
        c.setFillColor(MUTED)
        c.setFont(font, 10)
        c.drawString(left, y, label)
        c.setFillColor(INK)
        c.setFont(font, 12)
        for i, line in enumerate(lines):
            c.drawString(left + label_w, y - i * 16, line)
        y -= 16 * len(lines) + 10
    return y


def render(data: dict[str, Any], *, key_id: str, font_path: str = "") -> bytes:
    """The page of one licence (no embedded data yet): title, number, holder, fields, dates, QR."""
    font = font_name(font_path)
    buf = io.BytesIO()
    width, height = A4
    c = Canvas(buf, pagesize=A4, invariant=1, pageCompression=1)
    c.setTitle(f"{data['type']['name']} {data['identifier']}")
    c.setAuthor(data["issuer"]["name"])
    c.setSubject("电子证照 Electronic licence")
    c.setStrokeColor(RED)
    c.setLineWidth(2)
    c.rect(36, 36, width - 72, height - 72)
    c.setFillColor(RED)
    c.setFont(font, 26)
    c.drawCentredString(width / 2, height - 110, data["type"]["name"])
    c.setFont(font, 12)
    c.drawCentredString(
        width / 2, height - 132, f"电子证照 Electronic licence · {data['type'].get('name_en', '')}"
    )
    c.setFillColor(INK)
    c.setFont(font, 9)
    c.drawCentredString(width / 2, height - 158, f"证照编号 Licence number: {data['identifier']}")
    _body(c, font, data, width, height - 200)
    size = 120.0
    _qr(c, data["verify_url"], width - 72 - size, 84, size)
    c.setFont(font, 9)
    c.setFillColor(MUTED)
    c.drawRightString(width - 72, 72, "扫码核验 Scan to verify")
    for i, line in enumerate(_wrap(c, data["verify_url"], font, 8, width - 72 - size - 96)):
        c.setFont(font, 8)
        c.drawString(72, 150 - i * 11, line)
    c.drawString(72, 120, f"电子签名 Signed electronically · 密钥 key {key_id}")
    c.drawString(72, 108, "离线核验 Offline: govhall licence verify <file>")
    c.showPage()
    c.save()
    return buf.getvalue()


# -- the page digest -------------------------------------------------------------------------------------


def _feed(h: Any, obj: Any, seen: set[tuple[int, int]]) -> None:
    if isinstance(obj, IndirectObject):
        key = (obj.idnum, obj.generation)
        if key in seen:
            h.update(b"<seen>")
            return
        seen.add(key)
        obj = obj.get_object()
    if isinstance(obj, DictionaryObject):
        h.update(b"<<")
        for k in sorted(obj.keys()):
            if k in _SKIP:
                continue
            h.update(str(k).encode())
            _feed(h, obj.raw_get(k), seen)
        if isinstance(obj, StreamObject):
            data = obj.get_data()
            h.update(b"stream%d:" % len(data) + data)
        h.update(b">>")
    elif isinstance(obj, ArrayObject | list):
        h.update(b"[")
        for item in list.__iter__(obj):
            _feed(h, item, seen)
        h.update(b"]")
    else:
        h.update(type(obj).__name__.encode() + b":" + repr(obj).encode() + b";")


def appearance_digest(reader: pypdf.PdfReader) -> str:
    """SHA-256 over everything each page draws with: its content, resources (fonts, images) and
    annotations, decoded, in a fixed order. Independent of how the file is compressed or laid out."""
    h = hashlib.sha256()
    h.update(b"pages:%d;" % len(reader.pages))
    for page in reader.pages:
        _feed(h, page, set())
    return h.hexdigest()


def seal(page_pdf: bytes, manifest: dict[str, Any]) -> bytes:
    """The final file: the rendered page plus the embedded ``govhall-licence.json``."""
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(page_pdf)))
    writer.add_attachment(ATTACHMENT, json.dumps(manifest, ensure_ascii=False, indent=1).encode())
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def digest_of(pdf: bytes) -> str:
    return appearance_digest(pypdf.PdfReader(io.BytesIO(pdf)))
