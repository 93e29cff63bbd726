"""The openness plugin's permissions and roles (declared as data). Requests for government information are
handled by the hall's disclosure officer (政府信息公开专员), a role of its own: the information disclosure
office is not the duty team's interaction desk. Extensions need the office head's approval, which the
comprehensive administrator carries. Signed-in people and organisations request; the annual report is
public."""

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

PERMISSIONS = [SUBMIT, VIEW, HANDLE, APPROVE, REPORT]

ROLES = [
    RoleTemplate(
        "disclosure_officer",
        "政府信息公开专员",
        "Information disclosure officer",
        (VIEW.name, HANDLE.name, REPORT.name),
    ),
    RoleTemplate("comprehensive_admin", "", "", (VIEW.name, HANDLE.name, APPROVE.name, REPORT.name)),
    RoleTemplate("supervisor", "", "", (VIEW.name, REPORT.name)),
    RoleTemplate("guest", "", "", (REPORT.name,)),
    RoleTemplate("person", "", "", (SUBMIT.name, REPORT.name)),
    RoleTemplate("legal", "", "", (SUBMIT.name, REPORT.name)),
]
