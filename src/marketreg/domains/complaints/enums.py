from __future__ import annotations

from enum import StrEnum

from marketreg.kernel import labels


class Kind(StrEnum):
    complaint = "complaint"
    report = "report"
    consultation = "consultation"


KIND_LABELS = {"complaint": "投诉", "report": "举报", "consultation": "咨询"}


class Channel(StrEnum):
    web = "web"
    hotline = "hotline"
    letter = "letter"
    visit = "visit"
    api = "api"


CHANNEL_LABELS = {"web": "网络", "hotline": "12315热线", "letter": "信函", "visit": "来访", "api": "接口"}


class Status(StrEnum):
    received = "received"          # awaiting the acceptance decision (complaint) or assignment
    odr_pending = "odr_pending"    # forwarded to an ODR enterprise to settle itself
    accepted = "accepted"          # complaint accepted, mediation not (yet) agreed
    mediating = "mediating"        # both parties consented to mediation
    verifying = "verifying"        # report under verification towards the filing decision
    closed = "closed"


STATUS_LABELS = {"received": "待受理", "odr_pending": "企业和解中", "accepted": "已受理", "mediating": "调解中",
                 "verifying": "核查中", "closed": "已办结"}


class Outcome(StrEnum):
    """Distinct closure outcomes (never one undifferentiated "closed")."""

    settled = "settled"                              # 双方自行和解
    mediated = "mediated"                            # 调解成功
    not_accepted = "not_accepted"                    # 不予受理（附理由）
    mediation_terminated = "mediation_terminated"    # 终止调解（附理由）
    referred = "referred"                            # 移送/告知其他部门
    converted_to_clue = "converted_to_clue"          # 转为案件线索（举报立案核查）
    not_filed = "not_filed"                          # 举报经核查不予立案
    transferred_to_police = "transferred_to_police"  # 移送公安机关
    duplicate = "duplicate"                          # 重复投诉举报
    merged = "merged"                                # 举报合并处理
    answered = "answered"                            # 咨询已答复


OUTCOME_LABELS = {
    "settled": "双方自行和解", "mediated": "调解成功", "not_accepted": "不予受理", "mediation_terminated": "终止调解",
    "referred": "移送其他部门", "converted_to_clue": "转为案件线索", "not_filed": "不予立案",
    "transferred_to_police": "移送公安机关", "duplicate": "重复投诉举报", "merged": "合并处理", "answered": "已答复",
}
labels.register("complaints.outcome", OUTCOME_LABELS)


class PlatformRole(StrEnum):
    none = "none"
    platform_operator = "platform_operator"   # 电子商务平台经营者
    self_built_site = "self_built_site"       # 通过自建网站等销售商品或提供服务的经营者
    platform_seller = "platform_seller"       # 平台内经营者


PLATFORM_ROLE_LABELS = {"none": "线下或其他", "platform_operator": "电商平台经营者", "self_built_site": "自建网站经营者",
                        "platform_seller": "平台内经营者"}


FOLLOW_UP_RESULTS = {"satisfied": "满意", "unsatisfied": "不满意", "unreachable": "无法联系", "problem_found": "发现办理问题"}
