"""The interaction plugin's permissions and the roles it extends (declared as data). The duty team's
online interaction officer and complaint handler (core roles that could do nothing before) run the
tickets; item handlers answer what is dispatched to their department."""

from __future__ import annotations

from core.api import Permission, RoleTemplate

SUBMIT = Permission(
    "interaction:ticket:submit",
    "提交咨询、投诉、建议和求助",
    "Submit consultations, complaints, suggestions and requests for help",
)
VIEW = Permission("interaction:ticket:view", "查看本级工单", "View this tenant's tickets", read_only=True)
MANAGE = Permission(
    "interaction:ticket:manage",
    "受理、转办、回访和办结工单，审批延期",
    "Accept, dispatch, call back and close tickets; approve extensions",
)
HANDLE = Permission(
    "interaction:ticket:handle",
    "办理转办到本部门的工单，核实整改差评",
    "Handle tickets dispatched to one's department; rectify bad reviews",
)

FIGURES = Permission(
    "interaction:review:figures", "查看好差评统计", "View the good-and-bad review figures", read_only=True
)
MY_REVIEWS = Permission(
    "interaction:review:mine",
    "查看本人评价及整改结果",
    "See one's own reviews and their outcome",
    read_only=True,
)

KB_VIEW = Permission(
    "interaction:kb:view",
    "查阅咨询知识库",
    "Read the knowledge base of answered consultations",
    read_only=True,
)

PERMISSIONS = [SUBMIT, VIEW, MANAGE, HANDLE, FIGURES, MY_REVIEWS, KB_VIEW]

_DUTY = (VIEW.name, MANAGE.name, HANDLE.name, FIGURES.name, KB_VIEW.name)

ROLES = [
    RoleTemplate("interaction_officer", "", "", _DUTY),
    RoleTemplate("complaint_handler", "", "", _DUTY),
    RoleTemplate("comprehensive_admin", "", "", _DUTY),
    RoleTemplate("item_handler", "", "", (HANDLE.name, FIGURES.name, KB_VIEW.name)),
    RoleTemplate("supervisor", "", "", (VIEW.name, FIGURES.name, KB_VIEW.name)),
    RoleTemplate("guest", "", "", (SUBMIT.name, FIGURES.name, KB_VIEW.name)),
    RoleTemplate("person", "", "", (SUBMIT.name, FIGURES.name, MY_REVIEWS.name, KB_VIEW.name)),
    RoleTemplate("legal", "", "", (SUBMIT.name, FIGURES.name, MY_REVIEWS.name, KB_VIEW.name)),
]
