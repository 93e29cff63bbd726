"""The agriculture plugin's permissions and the roles it extends (declared as data)."""

from __future__ import annotations

from core.api import Permission, RoleTemplate

TRACE = Permission(
    "agriculture:trace:view", "查询农产品追溯码", "Look up a produce trace code", read_only=True
)
PRICE_VIEW = Permission("agriculture:price:view", "查看农产品市场价格", "View market prices", read_only=True)
POST_VIEW = Permission(
    "agriculture:post:view", "查看供求信息", "View supply and demand posts", read_only=True
)
KNOWLEDGE = Permission(
    "agriculture:knowledge:view", "查阅12316知识库", "Read the 12316 knowledge base", read_only=True
)
PRODUCE = Permission(
    "agriculture:producer:manage",
    "登记生产主体、批次和追溯事件",
    "Register as a producer, record lots and events",
)
POST = Permission(
    "agriculture:post:manage", "发布供求信息、联系发布者", "Post supply or demand, contact posters"
)
ASK = Permission("agriculture:question:ask", "向12316提问", "Ask the 12316 desk")
BUREAU = Permission(
    "agriculture:bureau:manage",
    "确认生产主体、录入和导入市场价格",
    "Confirm producers, enter and import market prices",
)
BUREAU_VIEW = Permission(
    "agriculture:bureau:view",
    "查看本级生产主体和批次",
    "View this tenant's producers and lots",
    read_only=True,
)
ANSWER = Permission(
    "agriculture:question:answer", "解答12316问题并发布到知识库", "Answer 12316 questions and publish them"
)

PERMISSIONS = [TRACE, PRICE_VIEW, POST_VIEW, KNOWLEDGE, PRODUCE, POST, ASK, BUREAU, BUREAU_VIEW, ANSWER]

_PUBLIC = (TRACE.name, PRICE_VIEW.name, POST_VIEW.name, KNOWLEDGE.name)
_SIGNED_IN = (*_PUBLIC, PRODUCE.name, POST.name, ASK.name)
_STAFF = (*_PUBLIC, BUREAU.name, BUREAU_VIEW.name, ANSWER.name)

ROLES = [
    RoleTemplate("agri_officer", "农业农村局工作人员", "Agriculture bureau officer", _STAFF),
    RoleTemplate("agri_expert", "12316专家", "12316 expert", (*_PUBLIC, ANSWER.name)),
    RoleTemplate("comprehensive_admin", "", "", _STAFF),
    RoleTemplate("supervisor", "", "", (*_PUBLIC, BUREAU_VIEW.name)),
    RoleTemplate("guest", "", "", _PUBLIC),
    RoleTemplate("person", "", "", _SIGNED_IN),
    RoleTemplate("legal", "", "", _SIGNED_IN),
]
