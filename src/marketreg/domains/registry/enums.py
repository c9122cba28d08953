from __future__ import annotations

from enum import StrEnum


class EntityType(StrEnum):
    enterprise = "enterprise"
    individual = "individual"
    cooperative = "cooperative"
    branch = "branch"


ENTITY_TYPE_LABELS = {
    "enterprise": "企业",
    "individual": "个体工商户",
    "cooperative": "农民专业合作社",
    "branch": "分支机构",
}


class EntityStatus(StrEnum):
    active = "active"
    revoked = "revoked"
    cancelled = "cancelled"
    moved_out = "moved_out"


STATUS_LABELS = {"active": "存续（在业）", "revoked": "吊销", "cancelled": "注销", "moved_out": "迁出"}

# Labels seen in registration exports, mapped to our codes (import accepts either).
ENTITY_TYPE_ALIASES = {
    **{v: k for k, v in ENTITY_TYPE_LABELS.items()},
    **{k: k for k in ENTITY_TYPE_LABELS},
    "有限责任公司": "enterprise", "股份有限公司": "enterprise", "个人独资企业": "enterprise",
    "合伙企业": "enterprise", "个体": "individual", "农民合作社": "cooperative", "分公司": "branch",
}
STATUS_ALIASES = {
    **{v: k for k, v in STATUS_LABELS.items()},
    **{k: k for k in STATUS_LABELS},
    "存续": "active", "在业": "active", "开业": "active", "吊销，未注销": "revoked", "已注销": "cancelled",
}
