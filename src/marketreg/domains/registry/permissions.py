PERMISSIONS = {
    "registry.view": "查询市场主体",
    "registry.import": "导入市场主体",
    "registry.export": "导出市场主体",
    "registry.view_pii": "查看法定代表人完整个人信息",
    "dashboard.view": "查看工作台",
}
