"""The gateway (X-Road's security server, in-process): answers a consumer system's query for a resource.

1. Authenticate the calling *system* (a member's subsystem credential in the ``X-Exchange-Client`` and
   ``X-Exchange-Secret`` headers — not a person's session): unknown or wrong secret 401, revoked 403.
2. Check the right: unconditional resources serve any registered consumer; conditional ones need an
   active, unexpired grant of the consumer's member; asked-for fields must be granted.
3. Call the provider: an in-process plugin (``DataResource.fetch``) or the external HTTP service
   (httpx, with connect/read time-outs; a time-out answers 504, an unreachable service 502).
4. Return only the granted (and asked-for) fields, whatever the provider sent.
5. Log every exchange — refusals included — to the signed message log; if the log cannot be written
   the exchange is refused (503), never answered unlogged.

Round trips of an in-process call: the credential look-up is kept per process for a second
(services.resolve_system; a revocation here drops it at once, one elsewhere is seen within the second);
then one transaction at the provider: the rights check (resource and grant in one statement), the
provider's own reads, the log entry (claim the head; write the entry and move the head, one statement on
PostgreSQL) and the commit — the answer leaves only after the entry committed. An external HTTP provider
is called outside any transaction (no connection is held across it) and logged in a transaction after.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import httpx2 as httpx

from core.api import DomainError, NotFound, today
from plugins.exchange import msglog, services

MAX_PARAMS = 10
PARAM_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
TRANSPORT: Any = None  # tests put an httpx.MockTransport here; None: the network


@dataclass
class Answer:
    status: int
    code: str = "ok"
    message: str = ""
    data: Any = None
    fields: list[str] = field(default_factory=list)
    bad_fields: dict[str, str] = field(default_factory=dict)
    log_seq: int | None = None
    log_hash: str = ""


@dataclass
class Checked:
    resource: dict[str, Any]
    consumer: str
    subsystem: str
    fields: list[str]


class Refused(Exception):
    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        bad_fields: dict[str, str] | None = None,
        consumer: str = "",
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.consumer = status, code, message, consumer
        self.bad_fields = bad_fields or {}


def project(data: Any, fields: list[str]) -> Any:
    """Only ``fields`` of a record or of each record of a list; anything else becomes an empty dict."""
    keep = set(fields)
    if isinstance(data, dict):
        return {k: v for k, v in data.items() if k in keep}
    if isinstance(data, list):
        return [project(r, fields) if isinstance(r, dict) else {} for r in data]
    return {}


def _authenticate(platform: Any, client_id: str, secret: str) -> tuple[str, str]:
    """Phase 1: (consumer member, subsystem) of the calling system; Refused 401 or 403. Looked up once a
    second per credential and process (services.resolve_system)."""
    cred = services.resolve_system(platform, client_id, secret)
    if cred is None:
        raise Refused(
            401,
            "unknown_consumer",
            "未知的调用系统或凭证错误 Unknown system or wrong credential",
            consumer=client_id[:60],
        )
    member, subsystem, state = cred
    if state != "active":
        raise Refused(
            403,
            "revoked_consumer",
            "该子系统凭证已撤销 This system's credential is revoked",
            consumer=member,
        )
    return member, subsystem


def _rights(
    s: Any, platform: Any, tenant: Any, consumer: str, subsystem: str, code: str, asked: list[str]
) -> Checked:
    """Phase 2, in the provider's transaction: may the consumer read these fields of this resource. One
    statement: the resource and the consumer's newest grant for it (active first), if any."""
    res = s.execute(services.rights_stmt(tenant, code, consumer)).first()
    if res is None:
        raise Refused(
            404, "unknown_resource", "本级没有该数据资源 No such resource here", consumer=consumer
        )
    known = [f["name"] for f in res.fields or []]
    resource = {
        "code": res.code,
        "source": res.source,
        "plugin": res.plugin,
        "url": res.url,
        "method": res.method,
        "log_bodies": res.log_bodies,
        "provider": res.provider_identifier,
        "sharing": res.sharing,
    }
    if res.sharing == "none":
        raise Refused(403, "not_shared", "该数据资源不予共享 This resource is not shared", consumer=consumer)
    allowed = known
    if res.sharing == "conditional":
        if res.grant_id is None:
            raise Refused(
                403, "no_grant", "没有该数据资源的授权 No grant for this resource", consumer=consumer
            )
        if res.grant_state != "active":
            raise Refused(403, "grant_revoked", "授权已撤销 The grant was revoked", consumer=consumer)
        if res.grant_expires_on < today(platform):
            raise Refused(403, "grant_expired", "授权已过期 The grant has expired", consumer=consumer)
        allowed = [f for f in known if f in (res.grant_fields or [])]
    not_granted = [f for f in asked if f not in allowed]
    if not_granted:
        raise Refused(
            403,
            "field_not_granted",
            f"未授权的字段 Fields not granted: {', '.join(not_granted)}",
            {"fields": ",".join(not_granted)[:200]},
            consumer=consumer,
        )
    return Checked(resource, consumer, subsystem, [f for f in allowed if not asked or f in asked])


def _plugin_fetch(
    s: Any, platform: Any, tenant: Any, resource: dict[str, Any], params: dict[str, str]
) -> Any:
    plugin, _, own_code = resource["code"].partition(".")
    for batch in platform.hooks(tenant).govhall_data_resources(tenant=tenant):
        for d in batch or []:
            if d.plugin == plugin and d.code == own_code and d.fetch is not None:
                try:
                    return d.fetch(session=s, platform=platform, tenant=tenant, params=params)
                except NotFound:
                    raise Refused(404, "no_record", "没有符合条件的数据 No matching record") from None
                except DomainError as exc:
                    raise Refused(422, "bad_query", str(exc)) from None
    raise Refused(502, "provider_unavailable", "数据提供方不可用 The provider is not available here")


def _http_fetch(platform: Any, resource: dict[str, Any], params: dict[str, str]) -> Any:
    timeout = float(platform.settings.get("exchange.http_timeout_seconds", 5))
    try:
        with httpx.Client(
            timeout=httpx.Timeout(timeout, connect=min(timeout, 3.0)),
            transport=TRANSPORT,
            follow_redirects=False,
        ) as client:
            if resource["method"] == "POST":
                r = client.post(resource["url"], json=params)
            else:
                r = client.get(resource["url"], params=params)
    except httpx.TimeoutException:
        raise Refused(504, "provider_timeout", "数据提供方超时 The provider did not answer in time") from None
    except httpx.HTTPError:
        raise Refused(
            502, "provider_unavailable", "数据提供方不可达 The provider cannot be reached"
        ) from None
    if r.status_code == 404:
        raise Refused(404, "no_record", "没有符合条件的数据 No matching record")
    if r.status_code >= 400:
        raise Refused(502, "provider_error", f"数据提供方出错（{r.status_code}） The provider failed")
    try:
        return r.json()
    except ValueError:
        raise Refused(
            502, "provider_error", "数据提供方返回的不是 JSON The provider's answer is not JSON"
        ) from None


def _refusal(r: Refused) -> Answer:
    return Answer(r.status, r.code, r.message, bad_fields=r.bad_fields)


def _log_kw(
    code: str,
    consumer: str,
    subsystem: str,
    client_id: str,
    request_facts: dict[str, Any],
    ans: Answer,
    log_bodies: bool,
) -> dict[str, Any]:
    facts: dict[str, Any] = {
        "subsystem": subsystem,
        "client_id": client_id[:60],
        "request_digest": msglog.digest(request_facts),
        "response_digest": msglog.digest(ans.data if ans.status == 200 else {"error": ans.code}),
        "fields": ans.fields,
    }
    if log_bodies:
        facts["request_body"] = request_facts
        facts["response_body"] = ans.data
    return {
        "resource": code[:60],
        "consumer": consumer,
        "result": ans.code,
        "status": ans.status,
        "facts": facts,
    }


LOG_FAILED = (
    503,
    "log_unavailable",
    "交换日志无法写入，本次交换被拒绝 The message log cannot be written: the exchange is refused",
)


def _logged(platform: Any, tenant: Any, ans: Answer, log: dict[str, Any]) -> Answer:
    """Log in a transaction of its own; an answer with data becomes 503 if that fails."""
    try:
        entry = msglog.record(platform, tenant, **log)
    except msglog.LogUnavailable:
        return ans if ans.status != 200 else Answer(*LOG_FAILED)
    ans.log_seq, ans.log_hash = entry.seq, entry.hash
    return ans


def serve(
    platform: Any,
    tenant: Any,
    *,
    client_id: str,
    secret: str,
    code: str,
    asked: list[str],
    params: dict[str, str],
) -> Answer:
    """One gateway call, logged whatever its outcome. An in-process provider answers inside the same
    transaction as the rights check and the log entry (one transaction at the provider's scope: the entry
    commits with the answer or there is no answer); an external one is called outside any transaction."""
    request_facts = {"params": params, "fields": asked}
    try:
        consumer, subsystem = _authenticate(platform, client_id, secret)
    except Refused as r:
        log = _log_kw(code, r.consumer, "", client_id, request_facts, _refusal(r), False)
        return _logged(platform, tenant, _refusal(r), log)
    return _serve_as(platform, tenant, consumer, subsystem, client_id, code, asked, params)


def serve_in_process(
    platform: Any,
    tenant: Any,
    *,
    consumer: str,
    subsystem: str,
    code: str,
    asked: list[str],
    params: dict[str, str],
) -> Answer:
    """An exchange a plugin of this installation makes for a member (approval's "use my data on file":
    the item's department reads the applicant's record): no system credential — the platform vouches for
    the calling member — but the same rights check, field projection and signed log entry as ``serve``
    (the entry names the subsystem, e.g. ``approval``). Opens its own short transactions."""
    return _serve_as(platform, tenant, consumer, subsystem, f"in-process:{subsystem}", code, asked, params)


def _serve_as(
    platform: Any,
    tenant: Any,
    consumer: str,
    subsystem: str,
    client_id: str,
    code: str,
    asked: list[str],
    params: dict[str, str],
) -> Answer:
    request_facts = {"params": params, "fields": asked}
    external: Checked | None = None
    ans = Answer(500, "unanswered")
    try:
        with platform.db.transaction(tenant.scope) as s:
            log_bodies = False
            try:
                checked = _rights(s, platform, tenant, consumer, subsystem, code, asked)
                log_bodies = bool(checked.resource["log_bodies"])
                if checked.resource["source"] == "http":
                    external = checked
                else:
                    raw = _plugin_fetch(s, platform, tenant, checked.resource, params)
                    ans = Answer(200, data=project(raw, checked.fields), fields=checked.fields)
            except Refused as r:
                ans = _refusal(r)
            if external is None:
                entry = msglog.append(
                    s,
                    platform,
                    tenant,
                    **_log_kw(code, consumer, subsystem, client_id, request_facts, ans, log_bodies),
                )
                ans.log_seq, ans.log_hash = entry.seq, entry.hash
    except Exception:  # the log (or the transaction holding it) failed: nothing is released
        if external is None and ans.code != "unanswered":
            return (
                Answer(*LOG_FAILED)
                if ans.status == 200
                else Answer(ans.status, ans.code, ans.message, bad_fields=ans.bad_fields)
            )
        raise
    if external is None:
        return ans
    try:
        raw = _http_fetch(platform, external.resource, params)
        ans = Answer(200, data=project(raw, external.fields), fields=external.fields)
    except Refused as r:
        ans = _refusal(r)
    log = _log_kw(
        code, consumer, subsystem, client_id, request_facts, ans, bool(external.resource["log_bodies"])
    )
    return _logged(platform, tenant, ans, log)


def deliver(platform: Any, tenant: Any, *, client_id: str, secret: str, code: str, body: Any) -> Answer:
    """An inbound delivery (a system pushing records, e.g. a supervision feed): the same authentication and
    grant as a query, then the receiving plugin's ``govhall_exchange_receive`` in one transaction with the
    log entry (digests of what came in and what was answered), so a delivery is logged or not taken."""
    request_facts = {"delivery": body}
    try:
        consumer, subsystem = _authenticate(platform, client_id, secret)
    except Refused as r:
        log = _log_kw(code, r.consumer, "", client_id, request_facts, _refusal(r), False)
        return _logged(platform, tenant, _refusal(r), log)
    ans = Answer(500, "unanswered")
    try:
        with platform.db.transaction(tenant.scope) as s:
            try:
                _rights(s, platform, tenant, consumer, subsystem, code, [])
                with s.begin_nested():  # a refused delivery leaves nothing behind but its log entry
                    got = platform.hooks(tenant).govhall_exchange_receive(
                        platform=platform, session=s, tenant=tenant, resource=code, sender=consumer, body=body
                    )
                if got is None:
                    raise Refused(
                        404, "not_receiving", "该数据资源不接收报送 This resource takes no deliveries"
                    )
                ans = Answer(200, data=got)
            except Refused as r:
                ans = _refusal(r)
            except DomainError as exc:
                ans = Answer(
                    getattr(exc, "status", 422),
                    exc.code,
                    f"{exc.message_zh} {exc.message_en}",
                    bad_fields=dict(exc.fields),
                )
            entry = msglog.append(
                s,
                platform,
                tenant,
                **_log_kw(code, consumer, subsystem, client_id, request_facts, ans, False),
            )
            ans.log_seq, ans.log_hash = entry.seq, entry.hash
    except Exception:
        if ans.code != "unanswered":
            return Answer(*LOG_FAILED)
        raise
    return ans


def check_params(query: dict[str, str]) -> tuple[list[str], dict[str, str]]:
    """(asked fields, provider parameters) from the query string; Refused 400 on anything odd."""
    asked_raw = query.pop("fields", "")
    asked = [f.strip() for f in asked_raw.split(",") if f.strip()]
    if len(query) > MAX_PARAMS or len(asked) > 100:
        raise Refused(400, "bad_query", "参数过多 Too many parameters")
    for k, v in query.items():
        if not PARAM_NAME.match(k) or len(v) > 200:
            raise Refused(400, "bad_query", f"参数 {k[:40]} 无效 Bad parameter", {k[:40]: "invalid"})
    for f in asked:
        if not PARAM_NAME.match(f):
            raise Refused(400, "bad_query", "字段名无效 Bad field name", {"fields": "invalid"})
    return asked, query
