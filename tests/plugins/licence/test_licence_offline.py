"""Offline verification of licence files: genuine files verify (also after a key rotation); edited data,
an edited page, a pasted signature, a forger's own key, a stripped or non-PDF file fail and say why;
``govhall licence verify`` runs in a subprocess with no database at all."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pypdf
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from licence_helpers import issue, load, make_type

from core import signing
from core.db import Scope
from plugins.licence import document
from plugins.licence.offline import verify_pdf


@pytest.fixture
def genuine(platform):
    make_type(platform)
    lic = load(platform, issue(platform).id)
    with platform.db.session(Scope.system()) as s:
        keys = [k.as_dict() for k in signing.public_keys(s, lic.tenant_path)]
    return lic, keys


def _manifest(pdf: bytes) -> dict:
    return json.loads(pypdf.PdfReader(io.BytesIO(pdf)).attachments[document.ATTACHMENT][0])


def _reseal(lic, manifest: dict) -> bytes:
    """The same page, drawn again from the signed data, with a different embedded manifest."""
    page = document.render(json.loads(lic.canonical), key_id=lic.key_id)
    return document.seal(page, manifest)


def _problems(outcome) -> str:
    return " | ".join(en for _zh, en in outcome.problems)


def test_a_genuine_file_verifies_with_and_without_the_published_keys(genuine):
    lic, keys = genuine
    with_keys = verify_pdf(lic.pdf, trusted_keys=keys)
    assert with_keys.ok and with_keys.problems == [] and with_keys.identifier == lic.identifier
    alone = verify_pdf(lic.pdf)
    assert alone.ok and any("not checked against the issuer's published keys" in en for _z, en in alone.notes)


def test_edited_data_fails_saying_it_changed_after_signing(genuine):
    lic, keys = genuine
    manifest = _manifest(lic.pdf)
    manifest["canonical"] = manifest["canonical"].replace("江西测试企业有限公司", "冒名顶替有限公司")
    out = verify_pdf(_reseal(lic, manifest), trusted_keys=keys)
    assert not out.ok and "changed after signing" in _problems(out)
    assert any("签发后被修改" in zh for zh, _en in out.problems)


def test_an_edited_page_fails_saying_the_page_was_edited(genuine):
    lic, keys = genuine
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(lic.pdf)))
    content = writer.pages[0].get_contents()
    data = content.get_data()
    assert b" Tf" in data
    content.set_data(data.replace(b"12 Tf", b"13 Tf", 1))  # the text drawn differently, data untouched
    writer.pages[0].replace_contents(content)
    out_file = io.BytesIO()
    writer.write(out_file)
    out = verify_pdf(out_file.getvalue(), trusted_keys=keys)
    assert not out.ok and "page differs from the one that was signed" in _problems(out)


def test_a_signature_pasted_from_another_licence_fails(genuine, platform):
    lic, keys = genuine
    other = load(platform, issue(platform).id)
    manifest = _manifest(lic.pdf)
    manifest["signature"] = _manifest(other.pdf)["signature"]
    out = verify_pdf(_reseal(lic, manifest), trusted_keys=keys)
    assert not out.ok and "does not match its signature" in _problems(out)


def test_a_forgers_own_key_fails_against_the_published_keys(genuine):
    lic, keys = genuine
    forger = Ed25519PrivateKey.generate()
    public = signing.b64(
        forger.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    )
    canonical = lic.canonical.replace("江西测试企业有限公司", "冒名顶替有限公司")
    data = json.loads(canonical)
    page = document.render(data, key_id=lic.key_id)
    digest = document.digest_of(page)
    manifest = {
        **_manifest(lic.pdf),
        "canonical": canonical,
        "public_key": public,
        "signature": signing.b64(forger.sign(canonical.encode())),
        "appearance_digest": digest,
        "appearance_signature": signing.b64(forger.sign(document.appearance_message(lic.identifier, digest))),
    }
    forged = document.seal(page, manifest)
    assert verify_pdf(forged).ok  # self-consistent: only the issuer's published keys can tell
    out = verify_pdf(forged, trusted_keys=keys)
    assert not out.ok and "not one the issuer published" in _problems(out)


def test_stripped_and_non_pdf_files_fail_clearly(genuine):
    lic, _keys = genuine
    bare = pypdf.PdfWriter()
    bare.add_blank_page(100, 100)
    buf = io.BytesIO()
    bare.write(buf)
    assert "no signed licence data" in _problems(verify_pdf(buf.getvalue()))
    assert "not a readable PDF" in _problems(verify_pdf(b"hello, not a pdf"))
    assert "not a readable PDF" in _problems(verify_pdf(lic.pdf[: len(lic.pdf) // 3]))


def test_licences_signed_before_a_key_rotation_still_verify(genuine, platform):
    lic, _keys = genuine
    with platform.db.transaction(Scope.system()) as s:
        signing.rotate(s, platform.settings["secret_key"], lic.tenant_path)
    newer = load(platform, issue(platform).id)
    with platform.db.session(Scope.system()) as s:
        keys = [k.as_dict() for k in signing.public_keys(s, lic.tenant_path)]
    assert newer.key_id != lic.key_id and len(keys) == 2
    assert verify_pdf(lic.pdf, trusted_keys=keys).ok and verify_pdf(newer.pdf, trusted_keys=keys).ok


def _cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVHALL_")}
    code = "from core.cli import main; main()"
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )


def test_cli_verifies_offline_with_no_database(genuine, tmp_path):
    lic, keys = genuine
    work = tmp_path / "offline"
    work.mkdir()
    (work / "licence.pdf").write_bytes(lic.pdf)
    (work / "keys.json").write_text(json.dumps({"items": keys}), encoding="utf-8")
    manifest = _manifest(lic.pdf)
    manifest["canonical"] = manifest["canonical"].replace("八一大道 1 号", "八一大道 9 号")
    (work / "edited.pdf").write_bytes(_reseal(lic, manifest))
    ok = _cli(work, "licence", "verify", "licence.pdf", "--keys", "keys.json")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "VERIFIED" in ok.stdout and lic.identifier in ok.stdout
    bad = _cli(work, "licence", "verify", "edited.pdf", "--keys", "keys.json", "--json")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    result = json.loads(bad.stdout)
    assert not result["ok"] and "changed after signing" in result["problems"][0]["en"]
    missing = _cli(work, "licence", "verify", "nope.pdf")
    assert missing.returncode == 2 and "nope.pdf" in missing.stderr
    assert not (work / "var").exists()  # no database was opened or created


@pytest.mark.parametrize("path", ["/nonexistent/font.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"])
def test_no_usable_chinese_font_is_a_clear_error(path):
    from plugins.licence.fonts import FontNotFound, font_name

    with pytest.raises(FontNotFound, match="fonts-wqy-microhei") as exc:
        font_name(path)
    assert "licence.font_path" in str(exc.value) and path in str(exc.value)


def test_the_font_is_found_without_a_setting():
    from plugins.licence.fonts import font_name

    assert font_name("").startswith("licence-cjk-")
