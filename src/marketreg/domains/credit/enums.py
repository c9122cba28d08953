"""Stable codes of the credit domain; Chinese labels live next to them."""

from __future__ import annotations

from enum import StrEnum


class ListType(StrEnum):
    abnormal = "abnormal"
    serious = "serious"


LIST_LABELS = {"abnormal": "经营异常名录", "serious": "严重违法失信名单"}


class EntryStatus(StrEnum):
    proposed = "proposed"      # awaiting a staff decision (inspection unreachable, penalty serious_candidate)
    listed = "listed"
    removed = "removed"
    rejected = "rejected"      # a proposal staff decided not to list
    transferred = "transferred"  # abnormal entry moved to the serious list after 3 years


ENTRY_STATUS_LABELS = {"proposed": "待决定", "listed": "在列", "removed": "已移出", "rejected": "不予列入",
                       "transferred": "已转入严重违法失信名单"}


class RepairTarget(StrEnum):
    abnormal = "abnormal"
    penalty_publicity = "penalty_publicity"
    serious = "serious"


REPAIR_TARGET_LABELS = {"abnormal": "经营异常名录", "penalty_publicity": "行政处罚信息公示",
                        "serious": "严重违法失信名单"}
class ObjectionStatus(StrEnum):
    accepted = "accepted"  # pending verification
    upheld = "upheld"
    rejected = "rejected"


class RepairStatus(StrEnum):
    refused = "refused"
    accepted = "accepted"  # pending decision
    granted = "granted"
    rejected = "rejected"


REPAIR_STATUS_LABELS = {RepairStatus.refused: "不予受理", RepairStatus.accepted: "已受理",
                        RepairStatus.granted: "准予修复", RepairStatus.rejected: "不予修复"}

# Credit-file categories (the 一户一档 timeline groups by these)
CATEGORY_LABELS = {
    "registration": "登记注册", "licence": "行政许可", "annual_report": "年度报告", "complaint": "投诉举报",
    "case": "立案调查", "penalty": "行政处罚", "inspection": "抽查检查", "list": "名录名单", "repair": "信用修复",
}

RISK_CLASSES = ("A", "B", "C", "D")
RISK_CLASS_LABELS = {"A": "信用风险低", "B": "信用风险一般", "C": "信用风险较高", "D": "信用风险高"}

# Annual report item 7 fields (条例 Art. 9(7)): optional to publish
ITEM7_FIELDS = {"headcount": "从业人数", "total_assets": "资产总额", "total_liabilities": "负债总额",
                "guarantees": "对外提供保证担保信息", "owners_equity": "所有者权益合计", "revenue": "营业总收入",
                "main_revenue": "主营业务收入", "profit": "利润总额", "net_profit": "净利润", "tax": "纳税总额"}
# Items 1–6 (条例 Art. 9(1)–(6)): public
PUBLIC_ITEM_FIELDS = {"address": "企业通信地址", "postcode": "邮政编码", "phone": "联系电话", "email": "电子邮箱",
                      "operating_status": "企业存续状态", "investments": "对外投资设立企业信息",
                      "shareholders": "股东出资信息", "equity_transfers": "股权转让信息",
                      "websites": "网站或网店信息"}
