"""core.api.check_upload / check_uploads: the one upload check (known extension proven by the first
bytes, not empty, size limit, count limit), refusing in both languages."""

from __future__ import annotations

import pytest

from core.api import FILE_TYPES, Invalid, check_upload, check_uploads, detect_upload, upload_refusal

PDF = b"%PDF-1.7 body"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
JPG = b"\xff\xd8\xff\xe0" + b"\x00" * 16
DOCX = b"PK\x03\x04" + b"\x00" * 16


def test_a_known_type_proven_by_its_first_bytes_passes():
    f = check_upload("C:\\Users\\me\\申请书.PDF", PDF, allowed={"pdf", "png"}, max_bytes=1024)
    assert (f.name, f.content_type, f.data) == ("申请书.PDF", "application/pdf", PDF)
    assert check_upload("a.docx", DOCX, allowed={"docx"}, max_bytes=1024).content_type.endswith("document")
    assert check_upload("a.jpeg", JPG, allowed={"jpeg"}, max_bytes=1024).content_type == "image/jpeg"


@pytest.mark.parametrize(
    ("filename", "data", "reason"),
    [
        ("a.pdf", b"", "empty"),
        ("", PDF, "empty"),
        ("fake.pdf", b"MZ\x90\x00", "type"),  # the name claims PDF, the bytes are a program
        ("a.exe", b"MZ\x90\x00", "type"),
        ("a.png", PDF, "type"),
        ("a.txt", b"hello", "type"),  # not a known type at all
        ("noext", PDF, "type"),
        ("a.docx", b"PK", "type"),  # a zip needs its whole local header
        ("big.pdf", PDF + b"0" * 1024, "size"),
    ],
)
def test_each_refusal_says_why(filename, data, reason):
    refusal = upload_refusal(filename, data, allowed={"pdf", "png", "docx"}, max_bytes=1024)
    assert refusal is not None and refusal.reason == reason
    with pytest.raises(Invalid) as e:
        check_upload(filename, data, allowed={"pdf", "png", "docx"}, max_bytes=1024, field="doc")
    assert e.value.code == "bad_upload" and set(e.value.fields) == {"doc"}
    assert e.value.message_zh and e.value.fields_zh["doc"] != e.value.fields["doc"]


def test_an_allowed_extension_the_table_does_not_know_is_refused():
    assert "exe" not in FILE_TYPES
    assert upload_refusal("a.exe", b"MZ", allowed={"exe"}, max_bytes=1024).reason == "type"


def test_the_messages_name_the_limit_and_the_types():
    with pytest.raises(Invalid) as e:
        check_upload("big.pdf", PDF + b"0" * 2 * 1024 * 1024, allowed={"pdf"}, max_bytes=1024 * 1024)
    assert e.value.fields == {"file": "larger than 1 MB"} and e.value.fields_zh == {"file": "文件超过 1 MB"}
    with pytest.raises(Invalid) as e:
        check_upload("a.gif", b"GIF89a", allowed={"png", "pdf"}, max_bytes=1024)
    assert e.value.fields_zh["file"] == "文件类型须为 pdf、png，且文件内容与类型相符"
    assert e.value.fields["file"] == "type must be one of pdf, png"


def test_several_files_count_and_every_bad_one_is_named():
    ok = check_uploads([("a.pdf", PDF), ("", b""), ("b.png", PNG)], allowed={"pdf", "png"}, max_bytes=1024,
                       max_files=2)
    assert [(f.name, f.content_type) for f in ok] == [("a.pdf", "application/pdf"), ("b.png", "image/png")]
    with pytest.raises(Invalid) as e:
        check_uploads([("a.pdf", PDF)] * 3, allowed={"pdf"}, max_bytes=1024, max_files=2)
    assert e.value.code == "too_many_files" and e.value.fields_zh == {"files": "最多 2 个"}
    with pytest.raises(Invalid) as e:
        check_uploads([("a.pdf", PDF), ("假.png", b"GIF89a"), ("空.pdf", b"")], allowed={"pdf", "png"},
                      max_bytes=1024, max_files=5, field="attachments")
    assert e.value.code == "bad_upload" and set(e.value.fields) == {"attachments.1", "attachments.2"}
    assert e.value.fields_zh["attachments.2"] == "空.pdf：文件为空"
    assert "假.png：文件类型须为" in e.value.message_zh


def test_detect_by_the_bytes_alone():
    assert detect_upload(PNG, {"jpg", "png"}).content_type == "image/png"
    assert detect_upload(JPG, {"jpg", "png"}).content_type == "image/jpeg"
    assert detect_upload(b"GIF89a", {"jpg", "png"}) is None
    assert detect_upload(PDF, {"jpg", "png"}) is None
