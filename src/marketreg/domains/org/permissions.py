"""Permission codes of this domain and the default roles of the platform."""

from __future__ import annotations

PERMISSIONS = {
    "users.view": "查看用户",
    "users.manage": "管理用户与角色",
    "audit.view": "查看审计日志",
}

# Default roles (data: editable in the role tables). Codes of other domains are plain strings
# here so that org does not import them; tests check every code exists in some catalogue.
DEFAULT_ROLES: dict[str, tuple[str, str, set[str]]] = {
    "admin": ("系统管理员", "全部权限", {"*"}),
    "leader": ("领导", "查看驾驶舱与统计", {"dashboard.view", "registry.view", "reference.view", "jobs.view",
                                            "complaints.view", "complaints.dashboard",
                                            "inspections.view", "inspections.report", "credit.view",
                                            "credit.dashboard", "enforcement.view", "enforcement.clues",
                                            "enforcement.review", "enforcement.decide", "enforcement.dashboard",
                                            "enforcement.benchmarks"}),
    "registrar": ("登记注册人员", "主体登记、导入与查询", {
        "dashboard.view", "registry.view", "registry.import", "registry.export", "registry.view_pii",
        "reference.view", "jobs.view", "inspections.view", "inspections.plan", "inspections.manage",
        "inspections.publish", "inspections.report", "credit.view", "credit.list", "credit.repair",
        "credit.classify", "credit.dashboard",
    }),
    "inspector": ("执法检查人员", "查询主体、执行检查，办理行政处罚案件", {
        "dashboard.view", "registry.view", "reference.view", "inspections.view", "inspections.execute", "credit.view",
        "enforcement.clues", "enforcement.view", "enforcement.handle", "enforcement.transfer", "enforcement.dashboard",
    }),
    "handler": ("12315办理人员", "受理、调解、办结投诉举报", {
        "dashboard.view", "registry.view", "reference.view", "complaints.view", "complaints.intake",
        "complaints.handle", "complaints.view_identity", "complaints.dashboard", "enforcement.clues",
    }),
    "supervisor": ("12315督办人员", "督办、提级、改派，统计分析", {
        "dashboard.view", "registry.view", "reference.view", "complaints.view", "complaints.supervise",
        "complaints.dashboard", "complaints.manage_rules", "enforcement.clues",
    }),
    # Issue 11 item 15 (程序规定 Arts. 49–55): every county's own legal-review staff (法制审核) — never the case's
    # investigators (checked at the step); a county grants this role to its own staff
    "legal_reviewer": ("法制审核人员", "对行政处罚案件进行法制审核、主持听证", {
        "dashboard.view", "registry.view", "reference.view", "enforcement.view", "enforcement.clues",
        "enforcement.review",
    }),
    # 行刑衔接: police department users see only the cases transferred to their unit
    "police": ("公安机关（移送接收）", "接收、签收并反馈移送的涉嫌犯罪案件", {"dashboard.view", "enforcement.police"}),
    "sysadmin": ("运维管理员", "工作日历、任务、审计", {
        "dashboard.view", "calendar.manage", "jobs.view", "audit.view", "users.view", "users.manage",
        "reference.view",
    }),
}
