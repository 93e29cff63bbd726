"""What the supervision plugin asks of the plugins it supervises: its hooks' types and vocabulary.

The supervision plugin owns this contract (docs/hooks.md, "Hooks declared by plugins"); other plugins
answer its hooks with plain data and never import this module.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, TypedDict

from core.api import Finding

# The seven kinds of power the electronic supervision platform of the source watches over: a rule names
# one as its ``kind_of_power`` (by code); dashboards group cards by them.
KINDS_OF_POWER: tuple[tuple[str, str, str], ...] = (
    ("administrative_approval", "行政审批", "Administrative approval"),
    ("sunshine_medicine", "阳光医药", "Sunshine medicine"),
    ("public_resource_trading", "公共资源交易", "Public resource trading"),
    ("livelihood_conduct", "民生及作风", "Livelihood and conduct"),
    ("fiscal", "财政收支", "Fiscal revenue and expenditure"),
    ("cadre_personnel", "干部人事", "Cadre personnel"),
    ("judicial_enforcement", "司法执法", "Judicial enforcement"),
)
SEVERITIES_OF_RULES = ("prompt", "yellow", "red")


class RuleSpec(TypedDict, total=False):
    """What a plugin returns from ``govhall_supervision_rules``, one mapping per rule (plain data: the
    plugin needs nothing of supervision's to write it; docs/hooks.md lists the keys).

    Required: ``id``, ``version``, ``kind_of_power`` (a code of KINDS_OF_POWER), ``severity``
    (``prompt``, ``yellow`` or ``red``), ``title_zh``, ``title_en``, and ``scan`` or ``evaluate_event``.
    """

    id: str
    version: int
    kind_of_power: str
    severity: Literal["prompt", "yellow", "red"]
    title_zh: str
    title_en: str
    on_events: tuple[str, ...] | list[str]
    evaluate_event: Callable[..., list[Finding]] | None
    scan: Callable[..., list[Finding]] | None
    scan_subtree: bool


@dataclass(frozen=True)
class SupervisionRule:
    """A rule the supervision platform evaluates, as supervision holds it (built from a RuleSpec).
    ``on_events`` lists event types it reacts to; ``scan`` is a set-based periodic evaluation. Both
    return findings (``core.api.Finding``); supervision turns them into cards."""

    id: str
    version: int
    kind_of_power: str
    severity: Literal["prompt", "yellow", "red"]
    title_zh: str
    title_en: str
    on_events: tuple[str, ...] = ()
    evaluate_event: Callable[..., list[Finding]] | None = None
    scan: Callable[..., list[Finding]] | None = None
    # False: ``scan(platform=, session=, tenant=)`` is called once per tenant where the rule applies, with a
    # session scoped to that tenant. True: called once per root of the tree with ``tenant`` the root and a
    # session scoped to its whole subtree, and must cover every tenant in ``session.scope`` (one query for
    # a province instead of one per village). Scans may also accept ``today`` (a date) as a keyword.
    scan_subtree: bool = False

    @classmethod
    def of(cls, spec: Mapping[str, Any] | SupervisionRule, plugin: str = "?") -> SupervisionRule:
        """The rule a plugin declared, checked: a clear error names the plugin, the rule and the key."""
        if isinstance(spec, SupervisionRule):
            return spec
        if not isinstance(spec, Mapping):
            raise RuleError(f"plugin {plugin!r}: a supervision rule must be a mapping (RuleSpec), "
                            f"not {type(spec).__name__}")
        rid = spec.get("id", "?")
        missing = [k for k in ("id", "version", "kind_of_power", "severity", "title_zh", "title_en")
                   if k not in spec]
        unknown = sorted(set(spec) - set(RuleSpec.__annotations__))
        if missing or unknown:
            raise RuleError(f"plugin {plugin!r}, rule {rid!r}: missing {missing}, unknown keys {unknown}")
        kinds = [k for k, _zh, _en in KINDS_OF_POWER]
        if spec["kind_of_power"] not in kinds:
            raise RuleError(f"plugin {plugin!r}, rule {rid!r}: kind_of_power {spec['kind_of_power']!r} "
                            f"is not one of {kinds}")
        if spec["severity"] not in SEVERITIES_OF_RULES:
            raise RuleError(f"plugin {plugin!r}, rule {rid!r}: severity must be one of {SEVERITIES_OF_RULES}")
        if spec.get("scan") is None and spec.get("evaluate_event") is None:
            raise RuleError(f"plugin {plugin!r}, rule {rid!r}: needs scan or evaluate_event")
        return cls(**{**spec, "on_events": tuple(spec.get("on_events", ()))})


class RuleError(ValueError):
    """A plugin declared a supervision rule supervision cannot use; the message names it."""
