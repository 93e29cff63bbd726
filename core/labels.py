"""Names for codes: one presenter for audit entries, facts and states on pages (issue #13, item 9).

Plugins write codes where people later read them: audit actions (``payment.order.created``), targets
(``approval.application:13``), detail keys (``amount_cents``), states (``issued``). People see names, never
keys: each plugin declares ``Label`` s through the ``govhall_labels`` hook (keys in its own namespace) and
the core adds its own (``plugin.switch``, common detail keys and verbs). What has no name is composed from
names that exist (the plugin's title and a common verb: "支付：创建") or left out of the summary; the raw
record stays available to auditors, marked as such.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from core.contracts import Label

# Codes the core itself writes, and words common to every plugin's actions and states.
CORE_LABELS: tuple[Label, ...] = (
    Label("plugin.switch", "切换插件", "Plugin switched"),
    Label("plugin", "插件", "Plugin"),
    Label("tenant", "行政区划", "Hall"),
    Label("tenants.apply", "导入区划树", "Tenant tree applied"),
    Label("tenants.move", "移动区划", "Hall moved"),
    Label("catalogue.import", "导入事项目录", "Catalogue imported"),
    Label("calendar.notice", "录入节假日安排", "Holiday notice entered"),
    Label("role.grant", "授予角色", "Role granted"),
    Label("role.revoke", "撤销角色", "Role revoked"),
    # detail keys every plugin may use
    Label("state", "状态", "State"), Label("from", "原状态", "From"), Label("to", "新状态", "To"),
    Label("reason", "理由", "Reason"), Label("note", "备注", "Note"), Label("count", "数量", "Count"),
    Label("lock", "锁定", "Locked"), Label("subject", "主体", "Subject"), Label("name", "名称", "Name"),
    Label("reference", "编号", "Reference"), Label("number", "编号", "Number"),
    Label("amount_cents", "金额（分）", "Amount (cents)"), Label("amount", "金额", "Amount"),
    Label("title", "标题", "Title"), Label("code", "代码", "Code"), Label("role", "角色", "Role"),
    Label("deadline", "期限", "Deadline"), Label("department_code", "部门", "Department"),
    Label("item_name", "事项名称", "Item"), Label("item_code", "事项编码", "Item code"),
    Label("started_on", "开始日期", "Started on"), Label("max_days", "最长天数", "Maximum days"),
    Label("rows", "行数", "Rows"),
    # actors that are not accounts
    Label("guest", "访客", "Guest"), Label("demo", "演示数据", "Demo data"),
    Label("cli", "命令行", "Command line"),
    # verbs: the last part of an action without a name of its own
    Label("create", "创建", "create"), Label("created", "已创建", "created"),
    Label("publish", "公示", "publish"), Label("published", "已公示", "published"),
    Label("submit", "提交", "submit"), Label("submitted", "已提交", "submitted"),
    Label("issue", "签发", "issue"), Label("issued", "已签发", "issued"),
    Label("approve", "批准", "approve"), Label("approved", "已批准", "approved"),
    Label("accept", "受理", "accept"), Label("accepted", "已受理", "accepted"),
    Label("refuse", "不予受理", "refuse"), Label("refused", "不予受理", "refused"),
    Label("deny", "不予许可", "deny"), Label("denied", "不予许可", "denied"),
    Label("revoke", "撤销", "revoke"), Label("revoked", "已撤销", "revoked"),
    Label("register", "登记", "register"), Label("registered", "已登记", "registered"),
    Label("paid", "已支付", "paid"), Label("refunded", "已退款", "refunded"),
    Label("open", "开启", "open"), Label("opened", "已开启", "opened"),
    Label("answer", "答复", "answer"), Label("enter", "列入", "enter"), Label("exit", "移出", "exit"),
    Label("repair", "信用修复", "repair"), Label("draft", "草稿", "draft"), Label("valid", "有效", "valid"),
    Label("grant", "授予", "grant"), Label("granted", "已授予", "granted"),
    Label("redeem", "使用", "redeem"), Label("redeemed", "已使用", "redeemed"),
    Label("withdraw", "撤回", "withdraw"), Label("withdrawn", "已撤回", "withdrawn"),
    Label("close", "关闭", "close"), Label("closed", "已关闭", "closed"),
    Label("escalate", "升级", "escalate"), Label("escalated", "已升级", "escalated"),
    Label("respond", "反馈", "respond"), Label("responded", "已反馈", "responded"),
    Label("start_review", "开始审查", "start review"), Label("score", "评分", "score"),
    Label("add", "添加", "add"), Label("remove", "删除", "remove"), Label("update", "修改", "update"),
    Label("set", "设置", "set"), Label("removed", "已删除", "removed"), Label("expired", "已过期", "expired"),
    Label("cancel", "取消", "cancel"), Label("cancelled", "已取消", "cancelled"),
    Label("suspend", "中止", "suspend"), Label("suspended", "已中止", "suspended"),
    Label("resume", "恢复", "resume"), Label("complete", "办结", "complete"),
    Label("completed", "已办结", "completed"), Label("pending", "待处理", "pending"),
)

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_.:@\-]*$")
_CODE = re.compile(r"^(?=.*\d)[0-9A-Z][0-9A-Z\-]*$")  # numbers and codes people know (credit codes, ...)


@dataclass
class Labels:
    """Every declared label (core and plugins) with the plugins' titles; read-only once built."""

    names: dict[str, tuple[str, str]]
    plugin_titles: dict[str, tuple[str, str]]

    @classmethod
    def build(cls, declared: Mapping[str, Iterable[Label]], titles: Mapping[str, tuple[str, str]]) -> Labels:
        names = {label.key: (label.zh, label.en) for label in CORE_LABELS}
        for plugin, labels in declared.items():
            for label in labels:
                if not label.key.startswith(plugin + "."):
                    raise ValueError(f"plugin {plugin!r} declares label {label.key!r} outside its namespace")
                names[label.key] = (label.zh, label.en)
        return cls(names=names, plugin_titles=dict(titles))

    def get(self, key: str, lang: str, plugin: str = "") -> str | None:
        """The name of ``key`` (tried as ``plugin.key`` first), or None."""
        pair = (self.names.get(f"{plugin}.{key}") if plugin else None) or self.names.get(key)
        if pair is None and key in self.plugin_titles:
            pair = self.plugin_titles[key]
        if pair is None:
            return None
        return pair[0] if lang == "zh-CN" else pair[1]

    def name(self, key: str, lang: str, plugin: str = "") -> str:
        """The name of ``key``; a key nobody named is shown as it is (the zh sweep finds it)."""
        return self.get(key, lang, plugin) or key

    def action(self, action: str, lang: str) -> str:
        """``payment.order.created`` as people read it: its own name, else the plugin's title with the
        name of the object and verb ("支付：订单 已创建"), else the plugin's title alone."""
        own = self.get(action, lang)
        if own:
            return own
        plugin, _, rest = action.partition(".")
        title = self.get(plugin, lang) if plugin in self.plugin_titles else None
        parts = rest.split(".") if rest else []
        obj = self.get(".".join([plugin, *parts[:-1]]), lang) if len(parts) > 1 else None
        verb = self.get(parts[-1], lang, plugin) if parts else None
        words = " ".join(w for w in (obj, verb) if w) or ("操作" if lang == "zh-CN" else "action")
        return f"{title}：{words}" if title else words

    def value(self, value: Any, lang: str, plugin: str = "") -> str | None:
        """A detail's value as people read it, or None when it is a key nobody named."""
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            return ("是" if value else "否") if lang == "zh-CN" else ("yes" if value else "no")
        if isinstance(value, (list, tuple)):
            shown = [v for v in (self.value(x, lang, plugin) for x in value) if v]
            return "、".join(shown) if shown else None
        if isinstance(value, dict):
            return None
        text = str(value)
        if _IDENT.match(text) and not _CODE.match(text):
            return self.get(text, lang, plugin)
        return text

    def target(self, target: str, lang: str) -> str:
        """``approval.application:13`` -> "申请 #13"; ``licence:<number>`` -> "证照 <number>"."""
        if not target:
            return ""
        kind, sep, ident = target.partition(":")
        plugin = kind.split(".", 1)[0]
        name = self.get(kind, lang) or (self.get(plugin, lang) if plugin in self.plugin_titles else None)
        if not sep:
            return name or (target if not _IDENT.match(target) else "—")
        shown = ident if ident.isdigit() else self.value(ident.split("@", 1)[0], lang, plugin)
        if ident.isdigit():
            shown = f"#{ident}"
        return " ".join(x for x in (name, shown) if x) or "—"

    def actor(self, actor: str, lang: str, names: Mapping[str, str] | None = None) -> str:
        """An actor label (``staff:wang``, ``system:payment``, ``guest``, ``demo``) as people read it: the
        account's name from ``names`` (username -> display name), "系统（支付）", "访客", "演示数据"."""
        kind, sep, who = actor.partition(":")
        zh = lang == "zh-CN"
        if kind == "system":
            title = self.get(who, lang) if who else None
            if title:
                return f"系统（{title}）" if zh else f"System ({title})"
            return "系统" if zh else "System"
        if not sep:
            return self.get(actor, lang) or ("系统" if zh else "System")
        return (names or {}).get(who) or ("用户" if zh else "User")

    def details(self, details: Mapping[str, Any] | None, lang: str,
                plugin: str = "") -> list[tuple[str, str]]:
        """(name, value) of every detail that has a name and a value people can read."""
        out = []
        for key, raw in (details or {}).items():
            name, value = self.get(key, lang, plugin), self.value(raw, lang, plugin)
            if name and value:
                out.append((name, value))
        return out
