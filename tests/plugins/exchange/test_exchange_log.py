"""The message log: a linear hash chain signed with the provider tenant's key; an export verifies offline
(no database) and a tampered export names its first bad entry; the CLI does both."""

from __future__ import annotations

import json
import threading

from exchange_helpers import PROVIDER

from core.api import signing
from plugins.exchange import msglog


def _append(platform, n, code=PROVIDER):
    t = platform.directory.get(code)
    for i in range(n):
        msglog.record(
            platform,
            t,
            resource="credit.report",
            consumer=f"GOV:x:{i}",
            result="ok",
            status=200,
            facts={"request_digest": msglog.digest({"i": i})},
        )
    with platform.db.session(t.scope) as s:
        return msglog.export(s, t)


def test_an_export_verifies_offline_and_tampering_names_the_first_bad_entry(platform):
    doc = _append(platform, 5)
    assert [e["seq"] for e in doc["entries"]] == [1, 2, 3, 4, 5]
    assert msglog.verify_export(json.loads(json.dumps(doc))).ok
    bad = json.loads(json.dumps(doc))
    bad["entries"][2]["body"] = bad["entries"][2]["body"].replace("GOV:x:2", "GOV:x:9")
    v = msglog.verify_export(bad)
    assert not v.ok and v.first_bad == 3 and "altered" in v.problem_en
    resigned = json.loads(json.dumps(doc))  # a forger recomputes the hash but cannot sign it
    e = resigned["entries"][1]
    e["body"] = e["body"].replace("GOV:x:1", "GOV:x:7")
    e["hash"] = msglog.chain_hash(e["prev_hash"], e["body"])
    v = msglog.verify_export(resigned)
    assert v.first_bad == 2 and "signature" in v.problem_en
    dropped = json.loads(json.dumps(doc))
    del dropped["entries"][1]
    assert msglog.verify_export(dropped).first_bad == 3
    assert not msglog.verify_export(doc, trusted_keys=[]).ok  # keys published elsewhere are what counts


def test_a_slice_verifies_and_a_rotated_key_still_verifies(platform):
    _append(platform, 2)
    t = platform.directory.get(PROVIDER)
    with platform.db.transaction(t.scope) as s:
        signing.rotate(s, platform.settings["secret_key"], t.path)
    msglog._SIGNERS.clear()
    _append(platform, 2)
    with platform.db.session(t.scope) as s:
        part = msglog.export(s, t, first=2, last=4)
    assert [e["seq"] for e in part["entries"]] == [2, 3, 4] and len(part["keys"]) == 2
    assert msglog.verify_export(part).ok


def test_cli_export_then_verify_without_a_database(cli, tmp_path, monkeypatch):
    from core.cli import cli as main

    out = tmp_path / "log.json"
    # The log is empty in a fresh database: export still works; then fill it through the platform.
    r = cli("exchange", "export", "--tenant", PROVIDER, "-o", str(out))
    assert r.exit_code == 0, r.output
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["entries"] == [] and doc["format"] == msglog.FORMAT
    from click.testing import CliRunner

    monkeypatch.setenv("GOVHALL_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")  # no database
    ok = CliRunner().invoke(main, ["exchange", "verify", str(out)])
    assert ok.exit_code == 0 and "VERIFIED" in ok.output


def test_cli_verify_names_the_first_bad_entry(platform, tmp_path):
    from click.testing import CliRunner

    from core.cli import cli as main

    doc = _append(platform, 3)
    doc["entries"][1]["prev_hash"] = "0" * 64
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    r = CliRunner().invoke(main, ["exchange", "verify", str(path)])
    assert r.exit_code == 1 and "first bad entry: 2" in r.output


def test_concurrent_appends_keep_one_linear_chain(platform):
    t = platform.directory.get(PROVIDER)
    errors = []

    def work(k):
        try:
            for i in range(5):
                msglog.record(
                    platform, t, resource="r", consumer=f"c{k}", result="ok", status=200, facts={"i": i}
                )
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []
    with platform.db.session(t.scope) as s:
        doc = msglog.export(s, t)
    assert [e["seq"] for e in doc["entries"]] == list(range(1, 21)) and msglog.verify_export(doc).ok
