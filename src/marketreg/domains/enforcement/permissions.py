PERMISSIONS = {
    "enforcement.clues": "查看与处理案件线索",
    "enforcement.view": "查看行政处罚案件",
    "enforcement.handle": "办理行政处罚案件（立案、调查、告知、送达、执行）",
    "enforcement.review": "法制审核",
    "enforcement.decide": "作出行政处罚决定、批准延期",
    "enforcement.transfer": "移送公安机关及其他部门",
    "enforcement.benchmarks": "维护行政处罚裁量基准",
    "enforcement.dashboard": "执法办案统计",
    "enforcement.police": "接收移送案件（公安机关）",
}
