"""The openness plugin's permissions and roles (declared as data). Requests for government information are
handled by the hall's disclosure officer (政府信息公开专员), a role of its own: the information disclosure
office is not the duty team's interaction desk. Extensions need the office head's approval, which the
comprehensive administrator carries. The power and responsibility lists are kept by the power list officer
(权责清单管理员, the organisation office's work). Signed-in people and organisations request; the annual
report and the lists are public."""

from __future__ import annotations

from core.api import Permission, RoleTemplate

SUBMIT = Permission(
    "openness:request:submit",
    "提交政府信息公开申请，查看本人申请及答复",
    "Request government information; see one's own requests and replies",
)
VIEW = Permission(
    "openness:request:view",
    "查看本级政府信息公开申请",
    "View this tenant's information requests",
    read_only=True,
)
HANDLE = Permission(
    "openness:request:handle",
    "登记、补正告知、征求第三方意见、答复政府信息公开申请，申请延期",
    "Register, ask to complete, consult third parties, reply to information requests; ask for extensions",
)
APPROVE = Permission(
    "openness:request:approve",
    "批准政府信息公开申请的延期答复",
    "Approve extensions of the reply to an information request",
)
REPORT = Permission(
    "openness:report:view",
    "查看政府信息公开工作年度报告数据",
    "View the annual report figures on information requests",
    read_only=True,
)

POWER_VIEW = Permission(
    "openness:power:view", "查看权责清单", "View the power and responsibility lists", read_only=True
)
POWER_MANAGE = Permission(
    "openness:power:manage",
    "编制、修订、公布和取消权责清单事项，关联办事事项",
    "Draft, revise, publish and repeal powers; link service items to them",
)

PERMISSIONS = [SUBMIT, VIEW, HANDLE, APPROVE, REPORT, POWER_VIEW, POWER_MANAGE]

_PUBLIC = (REPORT.name, POWER_VIEW.name)

ROLES = [
    RoleTemplate(
        "disclosure_officer",
        "政府信息公开专员",
        "Information disclosure officer",
        (VIEW.name, HANDLE.name, *_PUBLIC),
    ),
    RoleTemplate("power_list_officer", "权责清单管理员", "Power list officer", (POWER_MANAGE.name, *_PUBLIC)),
    RoleTemplate(
        "comprehensive_admin", "", "", (VIEW.name, HANDLE.name, APPROVE.name, POWER_MANAGE.name, *_PUBLIC)
    ),
    RoleTemplate("supervisor", "", "", (VIEW.name, *_PUBLIC)),
    RoleTemplate("guest", "", "", _PUBLIC),
    RoleTemplate("person", "", "", (SUBMIT.name, *_PUBLIC)),
    RoleTemplate("legal", "", "", (SUBMIT.name, *_PUBLIC)),
]
