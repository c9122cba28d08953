from __future__ import annotations

from enum import StrEnum


class EntityType(StrEnum):
    enterprise = "enterprise"
    individual = "individual"
    cooperative = "cooperative"
    branch = "branch"


ENTITY_TYPE_LABELS = {
    EntityType.enterprise: "企业",
    EntityType.individual: "个体工商户",
    EntityType.cooperative: "农民专业合作社",
    EntityType.branch: "分支机构",
}


class EntityStatus(StrEnum):
    active = "active"
    revoked = "revoked"
    cancelled = "cancelled"
    moved_out = "moved_out"


STATUS_LABELS = {EntityStatus.active: "存续（在业）", EntityStatus.revoked: "吊销", EntityStatus.cancelled: "注销",
                 EntityStatus.moved_out: "迁出"}

# Labels seen in registration exports, mapped to our codes (import accepts either).
ENTITY_TYPE_ALIASES = {
    **{v: k for k, v in ENTITY_TYPE_LABELS.items()},
    **{k: k for k in ENTITY_TYPE_LABELS},
    "有限责任公司": EntityType.enterprise, "股份有限公司": EntityType.enterprise, "个人独资企业": EntityType.enterprise,
    "合伙企业": EntityType.enterprise, "个体": EntityType.individual, "农民合作社": EntityType.cooperative,
    "分公司": EntityType.branch,
}
STATUS_ALIASES = {
    **{v: k for k, v in STATUS_LABELS.items()},
    **{k: k for k in STATUS_LABELS},
    "存续": EntityStatus.active, "在业": EntityStatus.active, "开业": EntityStatus.active,
    "吊销，未注销": EntityStatus.revoked, "已注销": EntityStatus.cancelled,
}
