"""States, penalty kinds and labels of enforcement cases (stable English codes, Chinese labels)."""

from __future__ import annotations

from enum import StrEnum


class CaseStatus(StrEnum):
    investigating = "investigating"   # filed, evidence being gathered
    reviewing = "reviewing"           # investigation-end report in legal / case review
    reviewed = "reviewed"             # review done, prior notice not yet served
    notified = "notified"             # prior notice served: statement/defence (and hearing) window
    hearing = "hearing"               # hearing requested, not yet held
    decided = "decided"               # decision made, to be delivered
    executing = "executing"           # delivered: payment / execution
    closed = "closed"
    archived = "archived"
    transferred = "transferred"       # transferred to the police / judicial organs


STATUS_LABELS = {
    "investigating": "调查取证", "reviewing": "法制审核", "reviewed": "审核完毕", "notified": "告知期",
    "hearing": "听证", "decided": "已决定待送达", "executing": "执行中", "closed": "已结案", "archived": "已归档",
    "transferred": "已移送司法",
}

PENALTY_KINDS = {
    "warning": "警告", "criticism": "通报批评", "fine": "罚款", "confiscation": "没收违法所得、没收非法财物",
    "suspend_licence": "暂扣许可证件", "revoke_licence": "吊销许可证件、营业执照",
    "restrict_business": "限制开展生产经营活动、责令停产停业", "close_down": "责令关闭、限制从业",
    "detention_transfer": "移送行政拘留",
}

CLUE_SOURCES = {"report": "举报", "complaint": "投诉", "mediation": "调解中发现", "inspection": "检查发现",
                "sampling": "抽检发现", "monitoring": "监测发现", "transfer": "移送", "assignment": "上级交办"}
class ClueStatus(StrEnum):
    checking = "checking"
    filed = "filed"
    not_filed = "not_filed"
    transferred = "transferred"


CLUE_STATUS = {ClueStatus.checking: "核查中", ClueStatus.filed: "已立案", ClueStatus.not_filed: "不予立案",
               ClueStatus.transferred: "已移送"}

EVIDENCE_KINDS = {"record": "现场检查笔录", "questioning": "询问笔录", "sampling": "抽样取证",
                  "preservation": "先行登记保存", "seizure": "查封扣押"}

OUTCOMES = {"executed": "执行完毕", "no_penalty": "不予行政处罚", "transferred": "移送司法机关",
            "terminated": "终止调查", "enforced_by_court": "申请法院强制执行"}

CIRCUMSTANCES = {"lighter": "从轻", "ordinary": "一般", "heavier": "从重"}

class TransferKind(StrEnum):
    police = "police"
    department = "department"
    bureau = "bureau"


TRANSFER_KINDS = {TransferKind.police: "移送公安机关", TransferKind.department: "移送其他部门",
                  TransferKind.bureau: "移送其他市场监管部门"}

PUBLICITY_PERIODS = {"3m": "三个月", "3y": "三年"}

# Violation types (catalogue the discretion benchmarks and statistics use)
VIOLATION_TYPES = {
    "food_expired": "经营超过保质期的食品", "food_unlicensed": "未取得食品经营许可从事食品经营",
    "false_ad": "发布虚假广告", "unlicensed": "无照经营", "price": "价格违法行为",
    "substandard": "生产、销售不合格产品", "metrology": "使用不合格计量器具", "trademark": "侵犯注册商标专用权",
    "equipment": "使用未经检验的特种设备", "consumer": "侵害消费者权益",
}

STEP_LABELS = {
    "add_evidence": "记录证据", "extend_seizure": "延长查封扣押", "release_evidence": "解除强制措施",
    "end_investigation": "调查终结", "complete_review": "审核完毕", "serve_notice": "送达告知书",
    "record_statement": "记录陈述申辩", "request_hearing": "登记听证申请", "hold_hearing": "举行听证",
    "decide": "作出处罚决定", "deliver": "送达决定书", "record_payment": "登记缴款", "grant_deferral": "批准延期/分期",
    "close": "结案", "archive": "归档", "pause": "期限暂停", "resume": "期限恢复", "extend_decision": "延长办案期限",
    "publish": "信息公示", "end_publicity": "停止公示", "transfer_police": "移送公安机关",
}

# Case-file review checklist (案卷评查): item → (label, maximum points); 100 in all
REVIEW_CHECKLIST = {
    "filing": ("立案审批手续完备，符合立案条件", 10),
    "evidence": ("证据确实充分，取证程序合法", 25),
    "procedure": ("告知、听证、审核等程序合法，期限符合规定", 25),
    "law": ("适用法律正确，自由裁量适当", 20),
    "documents": ("文书齐全规范，编号连续", 10),
    "closure": ("执行到位，结案归档及时", 10),
}
