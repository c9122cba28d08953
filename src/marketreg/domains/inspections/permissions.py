PERMISSIONS = {
    "inspections.view": "查看双随机抽查计划、批次与任务",
    "inspections.plan": "制定抽查计划、批次，冻结名录、摇号与公开种子",
    "inspections.manage": "维护抽查事项清单与执法检查人员名录库",
    "inspections.execute": "执行检查任务、录入检查结果",
    "inspections.publish": "公示抽查检查结果",
    "inspections.report": "查看抽查精准度分析",
}
