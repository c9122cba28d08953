"""One label table: every stored code a person may see, in Chinese (pages, exports, PDFs).

Codes stay stable English in storage; people read these labels. Tables here are the cross-cutting
ones (audit actions and subjects, rule confidence, region levels, file types, system actors);
a domain adds its own enum tables with ``register`` so that templates need one filter,
``{{ code|label("table") }}``. An unknown code is shown as 「其他」 rather than leaking English; the
code stays available to staff in the element's tooltip where templates put it.
"""

from __future__ import annotations

from collections.abc import Mapping

UNKNOWN = "其他"

_AUDIT_ACTIONS = {
    "auth.login": "登录", "auth.logout": "退出登录", "auth.login_failed": "登录失败", "auth.locked": "账号锁定",
    "org.user_created": "创建用户",
    "calendar.override_set": "调整工作日", "calendar.override_removed": "撤销工作日调整",
    "calendar.year_imported": "导入年度节假日安排",
    "registry.exported": "导出主体信息", "registry.import_chunk": "导入主体信息",
    "registry.pii_viewed": "查看个人信息",
    "complaints.received": "登记投诉举报", "complaints.accepted": "受理", "complaints.closed": "办结",
    "complaints.clue_raised": "转为案件线索", "complaints.contact_shown_to_enterprise": "向企业提供联系方式",
    "complaints.duplicate_link": "标记重复", "complaints.follow_up": "回访",
    "complaints.identity_viewed": "查看投诉人身份",
    "complaints.mediation_paused": "调解中止计时", "complaints.mediation_resumed": "调解恢复计时",
    "complaints.mediation_started": "开始调解", "complaints.odr_reply": "企业在线答复", "complaints.rated": "评价",
    "complaints.reopened": "重新办理", "complaints.report_extended": "举报核查延期", "complaints.supervised": "督办",
    "complaints.rerouted": "改派", "complaints.taken_over": "提级办理", "complaints.rule_figure_set": "调整规则参数",
    "credit.annual_report_corrected": "更正年度报告", "credit.annual_report_filed": "报送年度报告",
    "credit.class_overridden": "调整信用风险分类", "credit.listed": "列入名录名单",
    "credit.objection_decided": "异议决定",
    "credit.objection_filed": "提出异议", "credit.proposal_rejected": "不予列入", "credit.removed": "移出名录名单",
    "credit.repair_applied": "申请信用修复", "credit.repair_decided": "信用修复决定",
    "enforcement.archived": "归档", "enforcement.case_closed": "结案", "enforcement.case_filed": "立案",
    "enforcement.clock_paused": "中止计时", "enforcement.clock_resumed": "恢复计时",
    "enforcement.decision_extended": "延长办案期限", "enforcement.deferral_granted": "准予延期（分期）缴纳罚款",
    "enforcement.delivered": "送达", "enforcement.evidence_added": "添加证据",
    "enforcement.evidence_released": "解除强制措施",
    "enforcement.hearing_held": "举行听证", "enforcement.hearing_requested": "申请听证",
    "enforcement.investigation_ended": "调查终结", "enforcement.notice_served": "送达告知书",
    "enforcement.payment_recorded": "登记缴款", "enforcement.penalty_decided": "作出处罚决定",
    "enforcement.publicity_ended": "停止公示", "enforcement.published": "公示处罚信息",
    "enforcement.reviewed": "法制审核",
    "enforcement.seizure_extended": "延长查封扣押", "enforcement.simplified_decided": "简易程序当场处罚",
    "enforcement.statement_recorded": "记录陈述申辩", "enforcement.transferred_to_police": "移送公安机关",
    "enforcement.benchmark_saved": "保存裁量基准", "enforcement.clue_extended": "线索核查延期",
    "enforcement.clue_not_filed": "线索不予立案", "enforcement.clue_registered": "登记线索",
    "enforcement.clue_transferred": "移送线索", "enforcement.conflict_declared": "回避声明",
    "enforcement.review_scored": "案卷评查评分", "enforcement.reviews_sampled": "抽取评查案卷",
    "enforcement.rule_figure_set": "调整办案规则参数", "enforcement.transfer_feedback": "移送反馈",
    "enforcement.transfer_package_read": "查阅移送材料", "enforcement.transfer_received": "签收移送",
    "inspections.batch_committed": "公布承诺值", "inspections.batch_created": "创建抽查批次",
    "inspections.batch_drawn": "随机抽取", "inspections.inspector_active": "调整检查人员状态",
    "inspections.inspector_saved": "保存检查人员", "inspections.item_saved": "保存检查事项",
    "inspections.plan_created": "创建抽查计划", "inspections.plan_filed": "抽查计划备案",
    "inspections.relation_declared": "申报利害关系", "inspections.result_recorded": "录入检查结果",
    "inspections.results_published": "公示检查结果", "inspections.seed_published": "公开随机种子",
    "inspections.view": "查看抽查",
}

_TABLES: dict[str, dict[str, str]] = {
    "audit_action": _AUDIT_ACTIONS,
    "audit_subject": {
        "calendar_day": "工作日历", "calendar_year": "年度节假日", "complaint_item": "投诉举报",
        "credit_annual_report": "年度报告", "credit_list_entry": "名录名单", "credit_objection": "信用异议",
        "credit_repair": "信用修复", "enforcement_benchmark": "裁量基准", "enforcement_case": "行政处罚案件",
        "enforcement_clue": "案件线索", "enforcement_conflict": "回避声明", "enforcement_file_review": "案卷评查",
        "enforcement_transfer": "移送", "import": "批量导入", "inspection_batch": "抽查批次",
        "inspection_inspector": "检查人员", "inspection_item": "检查事项", "inspection_plan": "抽查计划",
        "inspection_task": "检查任务", "market_entity": "市场主体", "rule": "规则参数", "user": "用户",
    },
    "actor": {"system": "系统", "public": "公众"},
    # 程序规定 / 行政处罚法 figures of enforcement.rules.FIGURES, by key
    "enforcement_rule": {
        "clue_check": "线索核查期限", "clue_check_extension": "线索核查延长期限", "min_officers": "执法人员最少人数",
        "decision": "处罚决定期限", "decision_extension": "处罚决定延长期限", "hearing_request": "听证申请期限",
        "hearing_notice": "听证通知提前天数", "statement": "陈述申辩期限", "legal_review": "法制审核期限",
        "preservation_decision": "先行登记保存处理期限", "seizure": "查封扣押期限",
        "seizure_extension": "查封扣押延长期限",
        "delivery": "处罚决定书送达期限", "public_notice_delivery": "公告送达期限", "payment": "罚款缴纳期限",
        "late_surcharge_percent": "加处罚款每日比例", "closure": "结案期限",
        "simplified_natural": "简易程序罚款上限（自然人）", "simplified_legal": "简易程序罚款上限（法人）",
        "hearing_natural": "听证罚款标准（自然人）", "hearing_legal": "听证罚款标准（法人）",
        "publicity": "处罚信息公示期限", "publicity_withdraw": "撤下公示期限",
        "lower_fine_natural": "较低数额罚款（自然人）", "lower_fine_legal": "较低数额罚款（法人）",
        "police_acceptance": "公安机关立案决定期限", "police_receipt": "公安机关签收期限",
    },
    "confidence": {"CONFIRMED": "已确认", "PARTIAL": "部分确认", "UNCONFIRMED": "未确认"},
    "region_level": {"province": "省级", "prefecture": "地级", "county": "县级"},
    "mime": {"image/png": "PNG 图片", "image/jpeg": "JPEG 图片", "image/gif": "GIF 图片", "image/webp": "WebP 图片",
             "application/pdf": "PDF 文档", "text/plain": "文本", "text/csv": "CSV 表格",
             "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel 表格",
             "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word 文档",
             "application/zip": "压缩包"},
}


def register(table: str, mapping: Mapping[str, str]) -> None:
    """Add a domain's enum labels (``complaints.outcome`` …) to the one table."""
    _TABLES.setdefault(table, {}).update(mapping)


def label(code: object, table: str) -> str:
    """The Chinese label of ``code`` in ``table``; 「其他」 for an unknown code, "" for none."""
    if code is None or code == "":
        return ""
    return _TABLES.get(table, {}).get(str(code), UNKNOWN)


def tables() -> dict[str, dict[str, str]]:
    """Every table (read-only use: the no-English test checks pages against these codes)."""
    return _TABLES
