"""What the supervision plugin asks of the plugins it supervises: its hooks' types and vocabulary.

The supervision plugin owns this contract (docs/hooks.md, "Hooks declared by plugins"); other plugins
answer its hooks with plain data and never import this module.
"""

from __future__ import annotations

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
