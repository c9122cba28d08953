PERMISSIONS = {
    "enforcement.clues": "查看与处理案件线索",
}
