PERMISSIONS = {
    "credit.view": "查看信用档案、名录名单与风险分类",
    "credit.list": "列入、移出经营异常名录与严重违法失信名单，处理异议",
    "credit.repair": "审核信用修复申请",
    "credit.classify": "运行信用风险分类、人工调整风险类别",
    "credit.dashboard": "查看信用监管统计分析",
}
