"""States and codes of random inspections (stable English codes, Chinese labels)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class BatchStatus(StrEnum):
    draft = "draft"            # parameters editable
    committed = "committed"    # snapshots frozen, commitment published, seed secret
    drawn = "drawn"            # entities and inspectors drawn, seed not yet revealed
    published = "published"    # seed and draw record public


BATCH_STATUS_LABELS = {"draft": "草拟", "committed": "已公布承诺值", "drawn": "已抽取", "published": "已公开种子"}


class TaskStatus(StrEnum):
    assigned = "assigned"
    recorded = "recorded"
    published = "published"


TASK_STATUS_LABELS = {"assigned": "待检查", "recorded": "已录入结果", "published": "已公示"}

RISK_CLASSES = ("A", "B", "C", "D")
RISK_CLASS_LABELS = {"A": "A类（信用风险低）", "B": "B类（信用风险一般）", "C": "C类（信用风险较高）",
                     "D": "D类（信用风险高）"}
ORG_LEVEL_LABELS = {"province": "省级", "city": "市级", "county": "县级"}


@dataclass(frozen=True, slots=True)
class ResultCode:
    code: str
    label: str
    problem: bool
    unreachable: bool = False


# The standard result list of random checks (抽查检查结果), as used on the 公示系统.
RESULTS: dict[str, ResultCode] = {r.code: r for r in (
    ResultCode("no_problem", "未发现问题", False),
    ResultCode("not_publicised", "未按规定公示应当公示的信息", True),
    ResultCode("false_publicity", "公示信息隐瞒真实情况、弄虚作假", True),
    ResultCode("corrected", "发现问题已责令改正", True),
    ResultCode("uncooperative", "不配合检查情节严重", True),
    ResultCode("no_activity", "未发现开展本次抽查涉及的经营活动", False),
    ResultCode("pending_follow_up", "发现问题待后续处理", True),
    ResultCode("unreachable", "通过登记的住所（经营场所）无法联系", False, True),
    ResultCode("closed", "已关闭停业或正在组织清算", False),
)}
