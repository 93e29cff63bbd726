"""The bidding plugin's permissions and the roles it extends (declared as data)."""

from __future__ import annotations

from core.api import Permission, RoleTemplate

PUBLIC = Permission(
    "bidding:public:view",
    "查看招标公告、开标结果、候选人公示与中标结果",
    "View notices, opening results, candidates and awards",
    read_only=True,
)
BID = Permission(
    "bidding:bid:submit",
    "报名、递交密封投标文件、开标时提交密钥、提出异议",
    "Register, submit sealed bids, give the key at opening, object",
)
TENDER_VIEW = Permission(
    "bidding:tender:view", "查看本级招标项目全部信息", "View this tenant's tenders", read_only=True
)
TENDER_MANAGE = Permission(
    "bidding:tender:manage",
    "登记、发布、澄清招标项目，答复异议，定标与合同",
    "Register, publish and clarify tenders, answer objections, award, contract",
)
EXPERT_MANAGE = Permission(
    "bidding:expert:manage", "管理评标专家库、抽取评标委员会", "Manage the expert pool and draw panels"
)
SCORE = Permission("bidding:evaluation:score", "作为评标专家在线评分", "Score bids as a panel member")

PERMISSIONS = [PUBLIC, BID, TENDER_VIEW, TENDER_MANAGE, EXPERT_MANAGE, SCORE]

_STAFF = (PUBLIC.name, TENDER_VIEW.name, TENDER_MANAGE.name, EXPERT_MANAGE.name)

ROLES = [
    RoleTemplate("bidding_officer", "招标管理员", "Tender officer", _STAFF),
    RoleTemplate("bidding_expert", "评标专家", "Evaluation expert", (PUBLIC.name, SCORE.name)),
    RoleTemplate("comprehensive_admin", "", "", _STAFF),
    RoleTemplate("supervisor", "", "", (PUBLIC.name, TENDER_VIEW.name)),
    RoleTemplate("guest", "", "", (PUBLIC.name,)),
    RoleTemplate("person", "", "", (PUBLIC.name,)),
    RoleTemplate("legal", "", "", (PUBLIC.name, BID.name)),
]
