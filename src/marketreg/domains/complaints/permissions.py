PERMISSIONS = {
    "complaints.view": "查看投诉举报",
    "complaints.intake": "登记投诉举报（热线、信函、来访）",
    "complaints.handle": "办理投诉举报（受理、调解、办结）",
    "complaints.supervise": "督办、提级办理、改派",
    "complaints.view_identity": "查看投诉人、举报人身份信息",
    "complaints.manage_rules": "维护未确认的规则参数",
    "complaints.dashboard": "查看投诉举报统计分析",
}
