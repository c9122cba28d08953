PERMISSIONS = {
    "reference.view": "查看行政区划与行业分类",
}
