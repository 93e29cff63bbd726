"""Permission constants of the supervision plugin and the roles that carry them.

Supervisors read a subtree and act only on cards: ``card:act`` is the only non-read permission this
plugin gives them. Departments (item handlers, the comprehensive administrator) respond to cards on their
own work: acknowledge and appeal.
"""

from __future__ import annotations

from core.api import Permission, RoleTemplate

CARD_VIEW = Permission("supervision:card:view", "查看监察卡片", "View supervision cards", read_only=True)
CARD_ACT = Permission("supervision:card:act", "处置监察卡片（撤销、退回、办结、上报）",
                      "Act on cards (revoke, send back, resolve, escalate)", supervisory=True)
CARD_RESPOND = Permission("supervision:card:respond", "反馈监察卡片（签收、申诉）",
                          "Respond to cards (acknowledge, appeal)")
DASHBOARD_VIEW = Permission("supervision:dashboard:view", "查看监察看板", "View supervision dashboards",
                            read_only=True)

PERMISSIONS = [CARD_VIEW, CARD_ACT, CARD_RESPOND, DASHBOARD_VIEW]

ROLES = [
    RoleTemplate("supervisor", "监察员", "Supervisor", (CARD_VIEW.name, CARD_ACT.name, DASHBOARD_VIEW.name)),
    RoleTemplate("item_handler", "事项办理员", "Item handler", (CARD_VIEW.name, CARD_RESPOND.name)),
    RoleTemplate("comprehensive_admin", "综合管理员", "Comprehensive administrator",
                 (CARD_VIEW.name, CARD_RESPOND.name, DASHBOARD_VIEW.name)),
]
