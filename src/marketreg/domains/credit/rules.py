"""Statutory rules of enterprise information publicity, the abnormal operations list, the serious
illegal and dishonest list and credit repair (RULES §2.12, §3, §4), each once, with its source.

Versions (DESIGN §6):
* abnormal list: ``saic68-2014`` — 《企业经营异常名录管理暂行办法》 (SAIC Order 68, in force
  2014-10-01) until SAMR Order 101 applies, then ``samr101-2025`` — 《企业经营异常名录管理办法》
  (SAMR Order 101, 2025-03-18). A listing is judged by the version in force on its trigger date
  (for a missed annual report: the day after 30 June). The timings are the same in both; the
  grounds differ (3.5 and the version-status note).
* serious list: 《市场监督管理严重违法失信名单管理办法》 (SAMR Order 44, in force 2021-09-01); the
  Oct 2025 revision draft is not in force (Art. 22 higher-level consent stays switchable).

Confidence as RULES.md gives it: CONFIRMED figures are fixed; PARTIAL/UNCONFIRMED ones are shown
to staff as such.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from marketreg.domains.credit.enums import RepairTarget
from marketreg.domains.registry.enums import EntityType
from marketreg.kernel.errors import DomainError
from marketreg.kernel.law import Figure, Ground
from marketreg.platform.calendar import DueDate, WorkCalendar


def add_years(day: dt.date, years: int) -> dt.date:
    """Same day ``years`` later (29 Feb → 28 Feb)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def add_months(day: dt.date, months: int) -> dt.date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def due(calendar: WorkCalendar, start: dt.date, figure: Figure) -> DueDate:
    """A period per RULES 0.3: start day not counted; working days counted as such; a calendar
    period ending on a rest day moves to the next working day."""
    if figure.unit == "workdays":
        return calendar.add_workdays(start, figure.value)
    if figure.unit == "days":
        return calendar.add_days(start, figure.value)
    end = add_years(start, figure.value) if figure.unit == "years" else add_months(start, figure.value)
    return DueDate(end, not calendar.is_official(end.year), calendar.version)


# ============================================================================ annual reports (3.1, 3.2)
# RULES 3.1: "于每年1月1日至6月30日…报送上一年度年度报告" — 条例 Art. 8, CONFIRMED
ANNUAL_REPORT_OPENS = (1, 1)
ANNUAL_REPORT_CLOSES = (6, 30)
ANNUAL_REPORT_BASIS = "《企业信息公示暂行条例》第八条"
# RULES 3.1: corrections to the annual report before 30 June — 条例 Art. 12, CONFIRMED
CORRECTION_BASIS = "《企业信息公示暂行条例》第十二条"
# RULES 3.2: items 1–6 public, item 7 optional to publish — 条例 Art. 9, PARTIAL
ITEM7_BASIS = "《企业信息公示暂行条例》第九条第（七）项"
# Who reports: enterprises (条例 Art. 2), their branches and farmers' cooperatives are listed on the
# abnormal list; individual businesses are *marked* under separate rules and are not listed here.
REPORTING_TYPES = (EntityType.enterprise, EntityType.branch, EntityType.cooperative)


def report_window(report_year: int) -> tuple[dt.date, dt.date]:
    """The filing window of the report *for* ``report_year`` (filed in the following year)."""
    year = report_year + 1
    return dt.date(year, *ANNUAL_REPORT_OPENS), dt.date(year, *ANNUAL_REPORT_CLOSES)


def must_report(*, established_on: dt.date, report_year: int) -> bool:
    """RULES 3.1: an entity set up in a year reports for it from the next year on."""
    return established_on.year <= report_year


def check_annual_report_filing(*, report_year: int, filed_on: dt.date, established_on: dt.date,
                               listed_for_late_report: bool) -> bool:
    """Refuse a filing outside the window; returns ``late`` (True: a late report that cures an
    abnormal-list entry, RULES 3.7 — allowed only while the entity is listed for it)."""
    opens, closes = report_window(report_year)
    if not must_report(established_on=established_on, report_year=report_year):
        raise DomainError("credit.report_year_invalid",
                          f"企业成立于{established_on.year}年，应自下一年度起报送{established_on.year}年度报告"
                          f"（{ANNUAL_REPORT_BASIS}）")
    if filed_on < opens:
        raise DomainError("credit.report_window_not_open",
                          f"{report_year}年度报告应于{opens.isoformat()}至{closes.isoformat()}报送，"
                          f"尚未开始（{ANNUAL_REPORT_BASIS}）")
    if filed_on > closes:
        if listed_for_late_report:
            return True
        raise DomainError("credit.report_window_closed",
                          f"{report_year}年度报告应于{opens.isoformat()}至{closes.isoformat()}报送，"
                          f"已逾期（{ANNUAL_REPORT_BASIS}）；逾期未报送的将列入经营异常名录")
    return False


def check_correction(*, report_year: int, corrected_on: dt.date) -> None:
    """RULES 3.1: corrections only until 30 June of the filing year."""
    _, closes = report_window(report_year)
    if corrected_on > closes:
        raise DomainError("credit.correction_closed",
                          f"年度报告的更正应于{closes.isoformat()}前完成，已超过期限（{CORRECTION_BASIS}）")


# ============================================================================ abnormal list (3.5–3.9)
# RULES 3 version status: Order 101 dated 2025-03-18. Its 施行 date is not in RULES.md — the order
# date is used; UNCONFIRMED (re-check on samr.gov.cn).
ORDER_101_FROM = dt.date(2025, 3, 18)


@dataclass(frozen=True, slots=True)
class AbnormalRules:
    version: str
    title: str
    effective_from: dt.date
    effective_to: dt.date | None
    grounds: tuple[Ground, ...]
    figures: dict[str, Figure]

    def ground(self, code: str) -> Ground:
        for g in self.grounds:
            if g.code == code:
                return g
        raise DomainError("credit.ground_not_in_force",
                          f"列入事由“{code}”在《{self.title}》（{self.version}）中不是列入经营异常名录的情形")


_ABNORMAL_FIGURES_2014 = {
    # RULES 3.6: "年报公示结束之日起10个工作日内" — 暂行办法 Art. 6, CONFIRMED
    "listing_after_report_period": Figure(10, "workdays", "《企业经营异常名录管理暂行办法》第六条", "CONFIRMED"),
    # RULES 3.6: immediate information ordered published within 10 days — Art. 7
    "publish_order_period": Figure(10, "days", "《企业经营异常名录管理暂行办法》第七条", "CONFIRMED"),
    # RULES 3.6: falsified information / unreachable: listed within 10 working days of verification — Arts. 8–9
    "listing_after_verification": Figure(10, "workdays", "《企业经营异常名录管理暂行办法》第八条、第九条", "CONFIRMED"),
    # RULES 3.7: removal decided within 5 working days — Arts. 11–14, CONFIRMED
    "removal_decision": Figure(5, "workdays", "《企业经营异常名录管理暂行办法》第十一条至第十四条", "CONFIRMED"),
    # RULES 3.8: objection within 30 days of publication; accept in 5 wd; verify in 20 wd — PARTIAL
    "objection_period": Figure(30, "days", "《企业经营异常名录管理暂行办法》（异议条款，条号待核）", "PARTIAL"),
    "objection_accept": Figure(5, "workdays", "《企业经营异常名录管理暂行办法》（异议条款，条号待核）", "PARTIAL"),
    "objection_verify": Figure(20, "workdays", "《企业经营异常名录管理暂行办法》（异议条款，条号待核）", "PARTIAL"),
    # RULES 3.9: listed for 3 years → serious list; warning within the 60 days before — 条例 Art. 17(2)
    "transfer_after": Figure(3, "years", "《企业信息公示暂行条例》第十七条第二款", "CONFIRMED"),
    "transfer_warning": Figure(60, "days", "《企业信息公示暂行条例》第十七条；《企业经营异常名录管理暂行办法》", "CONFIRMED"),
}
SAIC68_2014 = AbnormalRules(
    version="saic68-2014", title="企业经营异常名录管理暂行办法", effective_from=dt.date(2014, 10, 1),
    effective_to=ORDER_101_FROM,
    grounds=(
        # RULES 3.5 (2014 text): 暂行办法 Art. 4 — CONFIRMED
        Ground("annual_report_late", "未依照规定的期限公示年度报告", "《企业经营异常名录管理暂行办法》第四条第（一）项、第六条"),
        Ground("info_not_published", "未在责令的期限内公示有关企业信息", "《企业经营异常名录管理暂行办法》第四条第（二）项、第七条"),
        Ground("info_falsified", "公示企业信息隐瞒真实情况、弄虚作假", "《企业经营异常名录管理暂行办法》第四条第（三）项、第八条"),
        Ground("unreachable", "通过登记的住所或者经营场所无法联系", "《企业经营异常名录管理暂行办法》第四条第（四）项、第九条"),
    ),
    figures=_ABNORMAL_FIGURES_2014,
)
SAMR101_2025 = AbnormalRules(
    version="samr101-2025", title="企业经营异常名录管理办法", effective_from=ORDER_101_FROM, effective_to=None,
    grounds=(
        # RULES 3 version status (PARTIAL, one full copy): four grounds; falsified information is gone,
        # the missed name-change registration (企业名称登记管理规定 Art. 23) is new.
        Ground("annual_report_late", "未依照规定的期限公示年度报告", "《企业经营异常名录管理办法》第六条"),
        Ground("info_not_published", "未在责令的期限内公示有关企业信息", "《企业经营异常名录管理办法》第七条"),
        Ground("name_change_not_registered", "未依照《企业名称登记管理规定》第二十三条办理名称变更登记",
               "《企业经营异常名录管理办法》第八条"),
        Ground("unreachable", "通过登记的住所或者经营场所无法联系", "《企业经营异常名录管理办法》第九条"),
    ),
    # RULES 3 version status: "Listing within 10 working days (Arts. 6–9), removal within 5 working days
    # (Arts. 11–14), objection: 30 days / accept in 5 working days / verify in 20 working days (Art. 15)".
    figures={
        **{k: Figure(f.value, f.unit, f.basis.replace("企业经营异常名录管理暂行办法", "企业经营异常名录管理办法"), "PARTIAL")
           for k, f in _ABNORMAL_FIGURES_2014.items() if not k.startswith(("objection", "transfer"))},
        "objection_period": Figure(30, "days", "《企业经营异常名录管理办法》第十五条", "PARTIAL"),
        "objection_accept": Figure(5, "workdays", "《企业经营异常名录管理办法》第十五条", "PARTIAL"),
        "objection_verify": Figure(20, "workdays", "《企业经营异常名录管理办法》第十五条", "PARTIAL"),
        "transfer_after": _ABNORMAL_FIGURES_2014["transfer_after"],
        "transfer_warning": _ABNORMAL_FIGURES_2014["transfer_warning"],
    },
)
ABNORMAL_VERSIONS = (SAIC68_2014, SAMR101_2025)


def abnormal_rules_for(day: dt.date) -> AbnormalRules:
    """The abnormal-list rules in force on ``day`` (the listing's trigger date)."""
    for rules in reversed(ABNORMAL_VERSIONS):
        if rules.effective_from <= day:
            return rules
    return SAIC68_2014


def annual_listing_due(calendar: WorkCalendar, report_year: int) -> DueDate:
    """RULES 3.6: list within 10 working days after the reporting period (30 June) ends."""
    _, closes = report_window(report_year)
    return due(calendar, closes, abnormal_rules_for(closes + dt.timedelta(days=1)).figures["listing_after_report_period"])


def objection_open_until(listed_on: dt.date, rules: AbnormalRules) -> dt.date:
    """RULES 3.8: 30 (calendar) days from publication of the listing."""
    return listed_on + dt.timedelta(days=rules.figures["objection_period"].value)


def check_objection_in_time(*, listed_on: dt.date, filed_on: dt.date, rules: AbnormalRules) -> None:
    until = objection_open_until(listed_on, rules)
    if filed_on > until:
        fig = rules.figures["objection_period"]
        raise DomainError("credit.objection_window_closed",
                          f"异议应自公示之日起{fig.value}日内提出（截至{until.isoformat()}），已超过期限（{fig.basis}）")


def transfer_dates(listed_on: dt.date, rules: AbnormalRules) -> tuple[dt.date, dt.date]:
    """RULES 3.9: (warning_from, transfer_on): 3 years after listing, public warning in the 60 days before."""
    transfer_on = add_years(listed_on, rules.figures["transfer_after"].value)
    return transfer_on - dt.timedelta(days=rules.figures["transfer_warning"].value), transfer_on


# ============================================================================ serious list (3.9–3.13, 3.16)
SERIOUS_FIGURES = {
    # RULES 3.13: published within 20 working days of the decision — Order 44 Art. 14, PARTIAL
    "publication": Figure(20, "workdays", "《市场监督管理严重违法失信名单管理办法》第十四条", "PARTIAL"),
    # RULES 3.13: removed 3 years after listing — Order 44 Art. 21, PARTIAL
    "removal_order44": Figure(3, "years", "《市场监督管理严重违法失信名单管理办法》第二十一条", "PARTIAL"),
    # RULES 3.10: 条例 Art. 17(3) (2014 text): removal after 5 years without new violations — PARTIAL;
    # applied to listings whose basis is the 3-year abnormal-list transfer (条例 Art. 17(2)).
    "removal_regulation_art17": Figure(5, "years", "《企业信息公示暂行条例》第十七条第三款", "PARTIAL"),
    # RULES 3.13: early removal may be requested after 1 year — Order 44 Art. 16; 信用修复管理办法 Art. 7, CONFIRMED
    "early_removal_after": Figure(1, "years", "《市场监督管理严重违法失信名单管理办法》第十六条；《市场监督管理信用修复管理办法》第七条", "CONFIRMED"),
    # RULES 3.16: accept within 2 wd; verify and decide within 15 wd of acceptance; stop within 3 wd — PARTIAL
    "repair_accept": Figure(2, "workdays", "《市场监督管理严重违法失信名单管理办法》第十七条", "PARTIAL"),
    "repair_decide": Figure(15, "workdays", "《市场监督管理严重违法失信名单管理办法》第十八条", "PARTIAL"),
    "stop_publication": Figure(3, "workdays", "《市场监督管理严重违法失信名单管理办法》第十八条", "PARTIAL"),
    # RULES 3.9: legal representative barred for 3 years — 条例 Art. 17, CONFIRMED
    "legal_rep_bar": Figure(3, "years", "《企业信息公示暂行条例》第十七条", "CONFIRMED"),
}
# RULES 3.13: county and city bureaus need the next higher bureau's consent (Art. 22); the Oct 2025
# draft would drop it — kept switchable.
HIGHER_CONSENT_REQUIRED = True
HIGHER_CONSENT_BASIS = "《市场监督管理严重违法失信名单管理办法》第二十二条"

# RULES 3.10: the listing basis decides the removal period.
SERIOUS_BASES = {
    "order44": ("《市场监督管理严重违法失信名单管理办法》第二条", "removal_order44"),
    "regulation_art17": ("《企业信息公示暂行条例》第十七条第二款（列入经营异常名录满三年）", "removal_regulation_art17"),
}

# RULES 3.12: "较重行政处罚" (Art. 2(2)) — penalty kinds that are heavier in themselves; a fine counts
# only when set at the 从重 end of the discretion benchmark (the decision's ``serious_candidate``).
HEAVIER_PENALTY_KINDS = frozenset({"revoke_licence", "suspend_licence", "restrict_business", "close_down"})

# RULES 3.12: listing categories (Arts. 5–11), with keywords of the violation type / label that suggest them.
SERIOUS_CATEGORIES = (
    Ground("food_safety", "食品安全领域严重违法失信行为", "《市场监督管理严重违法失信名单管理办法》第五条"),
    Ground("drugs_devices_cosmetics", "药品、医疗器械、化妆品领域严重违法失信行为", "《市场监督管理严重违法失信名单管理办法》第六条"),
    Ground("quality_safety", "质量安全领域严重违法失信行为", "《市场监督管理严重违法失信名单管理办法》第七条"),
    Ground("consumer_rights", "侵害消费者权益的严重违法失信行为", "《市场监督管理严重违法失信名单管理办法》第八条"),
    Ground("fair_competition", "破坏公平竞争秩序和扰乱市场秩序的严重违法失信行为", "《市场监督管理严重违法失信名单管理办法》第九条"),
    Ground("other_market_order", "其他严重违法失信行为（无证经营、虚假材料取得许可、拒绝阻碍检查等）", "《市场监督管理严重违法失信名单管理办法》第十条"),
    Ground("refuse_to_perform", "有履行能力但拒不履行行政处罚决定", "《市场监督管理严重违法失信名单管理办法》第十一条"),
    Ground("abnormal_3_years", "被列入经营异常名录满三年仍未履行相关义务", "《企业信息公示暂行条例》第十七条第二款"),
)
_CATEGORY_HINTS = (
    ("food_safety", ("food", "食品")),
    ("drugs_devices_cosmetics", ("drug", "device", "cosmetic", "药", "医疗器械", "化妆品")),
    ("quality_safety", ("quality", "substandard", "equipment", "certification", "特种设备", "质量", "不合格产品",
                        "认证")),
    ("consumer_rights", ("consumer", "prepay", "metrology", "recall", "消费者", "预付", "计量", "召回")),
    ("fair_competition", ("competition", "price", "pyramid", "advert", "trademark", "patent", "价格", "传销",
                          "广告", "商标", "专利", "不正当竞争")),
    ("other_market_order", ("licence", "unlicensed", "permit", "obstruct", "无证", "无照", "许可", "阻碍")),
)


def serious_category(code: str) -> Ground:
    for g in SERIOUS_CATEGORIES:
        if g.code == code:
            return g
    raise DomainError("credit.category_invalid", "请选择《严重违法失信名单管理办法》第五条至第十一条规定的列入类别")


def suggest_serious_category(violation_type: str, violation_label: str) -> str | None:
    text = f"{violation_type} {violation_label}".lower()
    for code, hints in _CATEGORY_HINTS:
        if any(h in text for h in hints):
            return code
    return None


def is_heavier_penalty(penalty_kinds: list[str], serious_candidate: bool) -> bool:
    """RULES 3.12 / Order 44 Art. 2(2): a 较重行政处罚 — a heavier kind in itself, or a fine the decision
    set at the heavier end (reported by enforcement as ``serious_candidate``)."""
    return bool(HEAVIER_PENALTY_KINDS.intersection(penalty_kinds)) or (serious_candidate and "fine" in penalty_kinds)


def serious_removal_on(listed_on: dt.date, basis_code: str) -> tuple[dt.date, Figure]:
    """RULES 3.10 handled by basis: Order 44 listings leave after 3 years (Art. 21); listings for three
    years on the abnormal list (条例 Art. 17(2)) after 5 years (条例 Art. 17(3))."""
    if basis_code not in SERIOUS_BASES:
        raise DomainError("credit.basis_invalid", "严重违法失信名单的列入依据无效")
    figure = SERIOUS_FIGURES[SERIOUS_BASES[basis_code][1]]
    return add_years(listed_on, figure.value), figure


def legal_rep_bar_until(listed_on: dt.date) -> dt.date:
    """RULES 3.9: the legal representative is barred for 3 years."""
    return add_years(listed_on, SERIOUS_FIGURES["legal_rep_bar"].value)


def serious_publication_due(calendar: WorkCalendar, decided_on: dt.date) -> DueDate:
    return due(calendar, decided_on, SERIOUS_FIGURES["publication"])


# ============================================================================ penalty publicity (2.12)
# RULES 2.12: warnings are not published; 3 months for 通报批评 / low fines only; 3 years otherwise —
# 行政处罚信息公示规定 (SAMR Order 45) Arts. 2, 9–11, 13, 14, CONFIRMED.
PENALTY_PUBLICITY_BASIS = "《市场监督管理行政处罚信息公示规定》第二条、第十三条"
PENALTY_SHORT = Figure(3, "months", "《市场监督管理行政处罚信息公示规定》第十三条", "CONFIRMED")
PENALTY_LONG = Figure(3, "years", "《市场监督管理行政处罚信息公示规定》第十三条", "CONFIRMED")
# RULES 2.12 / 3.15: penalties whose publicity cannot be stopped early (公示规定 Art. 14(3))
NO_EARLY_STOP_KINDS = frozenset({"suspend_licence", "revoke_licence", "restrict_business", "close_down"})


def penalty_public_until(*, decided_on: dt.date, penalty_kinds: list[str], period: str | None,
                         until: str | None) -> dt.date | None:
    """The end of a penalty's publicity: the decision's own date when enforcement gives it, else by
    the 3-month / 3-year rule; ``None`` for a warning-only decision (never published)."""
    if set(penalty_kinds) <= {"warning"}:
        return None
    if until:
        return dt.date.fromisoformat(until)
    figure = PENALTY_SHORT if period == "3m" else PENALTY_LONG
    return add_months(decided_on, 3) if figure is PENALTY_SHORT else add_years(decided_on, 3)


# ============================================================================ credit repair (3.14–3.16)
# RULES 3.15: penalty information: published ≥ 6 months, ≥ 1 year for food, drugs, special equipment
REPAIR_PENALTY_MIN = Figure(6, "months", "《市场监督管理信用修复管理办法》第六条", "CONFIRMED")
REPAIR_PENALTY_MIN_SENSITIVE = Figure(1, "years", "《市场监督管理信用修复管理办法》第六条", "CONFIRMED")
SENSITIVE_FIELDS = ("food", "drug", "special_equipment", "食品", "药品", "特种设备")
REPAIR_ABNORMAL_BASIS = "《市场监督管理信用修复管理办法》第五条"
REPAIR_SERIOUS_BASIS = "《市场监督管理信用修复管理办法》第七条；《市场监督管理严重违法失信名单管理办法》第十六条"


@dataclass(frozen=True, slots=True)
class RepairFacts:
    """What the condition check needs, gathered by the caller from the credit file."""

    target: str
    today: dt.date
    # abnormal
    cured: bool = False
    # penalty publicity
    published_on: dt.date | None = None
    field: str = ""
    penalty_kinds: tuple[str, ...] = ()
    publicity_period: str | None = None
    # serious
    listed_on: dt.date | None = None
    new_heavier_penalty_since_listing: bool = False
    management_measure_running: bool = False
    # common declarations (verified by staff when deciding)
    duties_performed: bool = False
    harm_removed: bool = False
    pledge: bool = False
    repeat_violation: bool = False
    on_abnormal_list: bool = False
    on_serious_list: bool = False


@dataclass(frozen=True, slots=True)
class Unmet:
    code: str
    label: str
    basis: str


def repair_unmet(f: RepairFacts) -> Unmet | None:
    """The first unmet condition of RULES 3.13/3.15 for a repair application, or None."""
    if f.target == RepairTarget.abnormal:
        if not f.cured:
            return Unmet("credit.repair_not_cured", "尚未改正被列入经营异常名录的情形（如补报年度报告、公示相关信息、"
                         "更正信息或办理住所变更登记）", REPAIR_ABNORMAL_BASIS)
        return None
    if not f.duties_performed:
        return Unmet("credit.repair_duties_unperformed", "尚未履行行政处罚决定规定的义务", _basis(f.target))
    if not f.harm_removed:
        return Unmet("credit.repair_harm_not_removed", "尚未主动消除危害后果和不良影响", _basis(f.target))
    if f.target == RepairTarget.penalty_publicity:
        return _penalty_unmet(f)
    return _serious_unmet(f)


def _basis(target: str) -> str:
    return "《市场监督管理信用修复管理办法》第六条" if target == RepairTarget.penalty_publicity else REPAIR_SERIOUS_BASIS


def _penalty_unmet(f: RepairFacts) -> Unmet | None:
    if f.published_on is None:
        return Unmet("credit.repair_nothing_published", "该行政处罚信息未在公示中", PENALTY_PUBLICITY_BASIS)
    if f.publicity_period == "3m" or set(f.penalty_kinds) <= {"warning", "criticism"}:
        return Unmet("credit.repair_short_publicity", "警告、通报批评或较低数额罚款的处罚信息公示期满自动停止，不适用信用修复",
                     "《市场监督管理行政处罚信息公示规定》第十三条")
    if NO_EARLY_STOP_KINDS.intersection(f.penalty_kinds):
        return Unmet("credit.repair_excluded_penalty", "责令停产停业、吊销许可证件或营业执照、限制从业等处罚信息不得提前停止公示",
                     "《市场监督管理行政处罚信息公示规定》第十四条第三款")
    sensitive = any(s in f.field for s in SENSITIVE_FIELDS)
    figure = REPAIR_PENALTY_MIN_SENSITIVE if sensitive else REPAIR_PENALTY_MIN
    earliest = add_years(f.published_on, 1) if sensitive else add_months(f.published_on, 6)
    if f.today < earliest:
        span = "一年（食品、药品、特种设备领域）" if sensitive else "六个月"
        return Unmet("credit.repair_too_early", f"行政处罚信息公示期满{span}后方可申请（最早{earliest.isoformat()}）",
                     figure.basis)
    if f.repeat_violation:
        return Unmet("credit.repair_repeat_violation", "公示期内再次发生同类违法行为", "《市场监督管理信用修复管理办法》第六条")
    if f.on_abnormal_list or f.on_serious_list:
        return Unmet("credit.repair_still_listed", "仍被列入经营异常名录或严重违法失信名单", "《市场监督管理信用修复管理办法》第六条")
    return None


def _serious_unmet(f: RepairFacts) -> Unmet | None:
    figure = SERIOUS_FIGURES["early_removal_after"]
    earliest = add_years(f.listed_on, figure.value) if f.listed_on else None
    if earliest is None or f.today < earliest:
        return Unmet("credit.repair_too_early", f"列入严重违法失信名单满一年后方可申请提前移出"
                     f"{'（最早' + earliest.isoformat() + '）' if earliest else ''}", figure.basis)
    if f.new_heavier_penalty_since_listing:
        return Unmet("credit.repair_new_heavier_penalty", "列入后又受到市场监督管理部门较重行政处罚", REPAIR_SERIOUS_BASIS)
    if f.management_measure_running:
        return Unmet("credit.repair_measure_running", "依法实施的管理措施尚未期满", REPAIR_SERIOUS_BASIS)
    if not f.pledge:
        return Unmet("credit.repair_no_pledge", "未提交守信承诺书", "《市场监督管理严重违法失信名单管理办法》第十七条")
    return None


def repair_clocks(calendar: WorkCalendar, target: str, filed_on: dt.date) -> tuple[DueDate | None, DueDate | None]:
    """RULES 3.16: (accept_due, decide_due). Serious list: 2 wd to accept, 15 wd from acceptance;
    abnormal list: removal within 5 wd (3.7); penalty information: not retrieved — no clock."""
    if target == RepairTarget.serious:
        accept = due(calendar, filed_on, SERIOUS_FIGURES["repair_accept"])
        return accept, due(calendar, accept.due_on, SERIOUS_FIGURES["repair_decide"])
    if target == RepairTarget.abnormal:
        decide = due(calendar, filed_on, abnormal_rules_for(filed_on).figures["removal_decision"])
        return None, decide
    return None, None


