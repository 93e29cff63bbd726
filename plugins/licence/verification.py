"""What the public verification page shows for a licence number: its CURRENT state (valid, changed,
suspended, revoked, expired) with the reason and history, and whether the stored signature still
verifies under the issuer's key (kept after rotation). Also checks an uploaded file against both.

A malformed or unknown number is an answer, never an error page: the page says what is wrong.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from core.api import signing
from plugins.licence import dates, identifiers, services
from plugins.licence.models import Licence, LicenceChange
from plugins.licence.offline import Outcome, verify_pdf


@dataclass
class Answer:
    number: str
    status: str  # found | malformed | unknown
    problem: tuple[str, str] | None = None
    licence: Licence | None = None
    state: str = ""
    signature_ok: bool = False
    newer: str | None = None
    history: list[LicenceChange] = field(default_factory=list)


def mask(kind: str, number: str) -> str:
    """Public pages mask a natural person's ID number (personal information protection)."""
    if kind == "person" and len(number) == 18:
        return number[:4] + "*" * 10 + number[-4:]
    return number


def signature_ok(session: Any, lic: Licence) -> bool:
    key = signing.public_key(session, lic.key_id)
    if key is None or key.tenant_path != lic.tenant_path:
        return False
    try:
        signing.verify(key.public_key, lic.canonical.encode(), lic.signature)
    except signing.SignatureError:
        return False
    return True


def by_number(platform: Any, tenant: Any, raw: str) -> Answer:
    number = identifiers.clean(raw)[:80]
    try:
        ident = identifiers.parse(number)
    except identifiers.BadIdentifier as exc:
        return Answer(number, "malformed", (exc.message_zh, exc.message_en))
    with platform.db.session(tenant.scope) as s:
        lic = services.by_identifier(s, tenant, ident.text)
        if lic is None:
            return Answer(
                number,
                "unknown",
                (
                    "本级没有签发过这个编号的电子证照。请核对编号，或到证照上的发证机关所在网厅核验。",
                    "No licence with this number was issued here. Check the number, or verify it at the hall "
                    "of the issuer named on the licence.",
                ),
            )
        ans = Answer(
            number,
            "found",
            licence=lic,
            state=services.effective_state(lic, dates.today(platform)),
            signature_ok=signature_ok(s, lic),
            history=services.history(s, lic.id),
        )
        if lic.state == "changed":
            newer = services.newer(s, lic)
            ans.newer = newer.identifier if newer else None
        s.expunge_all()
        return ans


def keys_for(session: Any, tenant: Any) -> list[dict[str, Any]]:
    return [k.as_dict() for k in signing.public_keys(session, tenant.path)]


def check_file(platform: Any, tenant: Any, pdf: bytes) -> tuple[Outcome, Answer | None]:
    """An uploaded licence file: verified against the published keys of the issuer it names (a hall of
    this network, else this hall), then looked up there for its current state."""
    first = verify_pdf(pdf)
    issuer = tenant
    if first.data is not None:
        code = str(first.data.get("issuer", {}).get("tenant", "")).rsplit("/", 1)[-1]
        named = platform.directory.get(code) if code else None
        issuer = named if named is not None and named.path == first.data["issuer"]["tenant"] else tenant
    with platform.db.session(issuer.scope) as s:
        keys = keys_for(s, issuer)
    outcome = verify_pdf(pdf, trusted_keys=keys, today=dates.today(platform))
    if outcome.data is None or not outcome.identifier:
        return outcome, None
    answer = by_number(platform, issuer, outcome.identifier)
    if answer.licence is not None and outcome.ok and answer.licence.canonical != _canonical(outcome):
        outcome.fail("文件内容与登记的证照不一致。", "The file's content differs from the licence on record.")
    return outcome, answer


def _canonical(outcome: Outcome) -> str:
    from plugins.licence.document import canonical

    return canonical(outcome.data or {}) if outcome.data else json.dumps(None)
