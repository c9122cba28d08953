PERMISSIONS = {
    "calendar.manage": "维护工作日历",
    "jobs.view": "查看后台任务",
    "audit.view": "查看审计日志",
}
