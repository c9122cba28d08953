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

Size: about 750 lines because five texts meet here (条例 2014/2024, Orders 68/101, the 2025 individual
and cooperative measures, Order 44, the credit-repair rules), each rule once with its article; it would
split by list (abnormal, serious, repair) into a ``rules/`` package if it grows further.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

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


# RULES C8: periods in years, months and days end on the corresponding day and, if that is a statutory
# holiday, on the first day after it — 民法典 Arts. 201–203 (checked 2026-12-01 against the mirror's
# `法律/民法典` copy as cited in RULES C8); Order 121 Art. 45 says the same for complaints.
PERIOD_END_BASIS = "《民法典》第二百零一条至第二百零三条"


def roll(calendar: WorkCalendar, end: dt.date, start: dt.date) -> DueDate:
    """RULES C8: the period's last day, moved past a holiday; provisional over an unofficial year."""
    rolled = calendar.add_days(end, 0)
    provisional = rolled.provisional or any(not calendar.is_official(y) for y in range(start.year, end.year + 1))
    return DueDate(rolled.due_on, provisional, calendar.version)


def due(calendar: WorkCalendar, start: dt.date, figure: Figure) -> DueDate:
    """A period per RULES 0.3 and C8: start day not counted; working days counted as such; a period in
    days, months or years ending on a rest day moves to the next working day."""
    if figure.unit == "workdays":
        return calendar.add_workdays(start, figure.value)
    if figure.unit == "days":
        return calendar.add_days(start, figure.value)
    end = add_years(start, figure.value) if figure.unit == "years" else add_months(start, figure.value)
    return roll(calendar, end, start)


# ============================================================================ annual reports (3.1, 3.2)
# RULES 3.1: "于每年1月1日至6月30日…报送上一年度年度报告" — 条例 Art. 8, CONFIRMED
ANNUAL_REPORT_OPENS = (1, 1)
ANNUAL_REPORT_CLOSES = (6, 30)
ANNUAL_REPORT_BASIS = "《企业信息公示暂行条例》第八条"
# RULES 3.1: corrections to the annual report before 30 June — 条例 Art. 12, CONFIRMED
CORRECTION_BASIS = "《企业信息公示暂行条例》第十二条"
# RULES 3.2: items 1–6 public, item 7 optional to publish — 条例 Art. 9, PARTIAL
ITEM7_BASIS = "《企业信息公示暂行条例》第九条第（七）项"
# Who reports and is listed for a missing report: enterprises (条例 Art. 2), their branches and farmers'
# cooperatives; individual businesses too from Order 101 (RULES C6, ``reporting_types``).
REPORTING_TYPES = (EntityType.enterprise, EntityType.branch, EntityType.cooperative)


# Issue 11 item 16: the report is checked field by field before it is accepted (条例 Art. 9 names the
# items; the formats are the ones the national 公示系统 asks for). Amounts are in 万元, headcount in persons.
OPERATING_STATUSES = ("开业", "歇业", "清算")  # 条例 Art. 9(2) "开业、歇业、清算等存续状态信息"
_POSTCODE = re.compile(r"^\d{6}$")
_PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?)$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
_COUNT_FIELDS = ("headcount",)
_AMOUNT_FIELDS = ("total_assets", "total_liabilities", "owners_equity", "revenue", "main_revenue", "profit",
                  "net_profit", "tax")
_SIGNED_FIELDS = ("owners_equity", "profit", "net_profit")  # may be negative (a loss)


def annual_report_errors(public_items: dict[str, str], item7: dict[str, str]) -> dict[str, str]:
    """Field → Chinese message for every field that is missing or malformed (empty optional fields pass)."""
    errors: dict[str, str] = {}
    if not public_items.get("address"):
        errors["address"] = "请填写企业通信地址"
    checks = (("postcode", _POSTCODE, "邮政编码应为6位数字"),
              ("phone", _PHONE, "联系电话应为11位手机号码或区号加座机号码（如0531-88888888）"),
              ("email", _EMAIL, "电子邮箱格式不正确"))
    for key, pattern, message in checks:
        value = public_items.get(key, "")
        if value and not pattern.match(value):
            errors[key] = message
    if public_items.get("operating_status") not in OPERATING_STATUSES:
        errors["operating_status"] = f"企业存续状态应为{'、'.join(OPERATING_STATUSES)}之一"
    for key in (*_COUNT_FIELDS, *_AMOUNT_FIELDS):
        value = item7.get(key, "")
        if value:
            message = _number_error(value, integer=key in _COUNT_FIELDS, signed=key in _SIGNED_FIELDS)
            if message:
                errors[f"item7_{key}"] = message
    return errors


def _number_error(value: str, *, integer: bool, signed: bool) -> str | None:
    value = value.removesuffix("人") if integer else value.removesuffix("元").removesuffix("万")
    try:
        number = Decimal(value.replace(",", ""))
    except InvalidOperation:
        return "请填写数字" + ("（人）" if integer else "（万元）")
    if not number.is_finite():
        return "请填写数字"
    if integer and number != number.to_integral_value():
        return "从业人数应为整数"
    if number < 0 and not signed:
        return "不能为负数"
    return None


def check_annual_report(public_items: dict[str, str], item7: dict[str, str]) -> None:
    """Refuse a report with any invalid field, naming each one (the page shows them by the field)."""
    errors = annual_report_errors(public_items, item7)
    if errors:
        raise DomainError("credit.report_invalid", "年度报告填写有误：" + "；".join(errors.values()),
                          fields=errors, basis=ANNUAL_REPORT_BASIS)


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
        if code == "info_falsified":  # RULES C1: for enterprises now a fine and the serious list
            raise DomainError("credit.ground_not_in_force",
                              f"企业公示信息隐瞒真实情况、弄虚作假的，《{self.title}》已不作为列入经营异常名录的情形，"
                              f"应依照《企业信息公示暂行条例》（2024年修订）第十八条第二款处罚（罚款、情节严重的列入严重违法失信名单）")
        raise DomainError("credit.ground_not_in_force",
                          f"所选事由在《{self.title}》中不是列入经营异常名录的情形")


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
_NAME_CHANGE_GROUND = Ground(
    "name_change_not_registered", "未依照《企业名称登记管理规定》第二十三条办理名称变更登记",
    "《企业名称登记管理规定》第二十三条第二款；《企业经营异常名录管理办法》第四条第（三）项、第八条")
# RULES C12, checked 2026-12-01 against `Theonefkguy/Chinese-Laws` `行政法规/企业名称登记管理规定(2020-12-28).md`:
# Art. 23(2) "企业应当…之日起30日内办理企业名称变更登记…企业逾期未办理变更登记的，企业登记机关将其列入经营异常名录",
# in force 2021-03-01 (Art. 26) — before Order 101 wrote it into the 办法 (Art. 4(3)).
NAME_CHANGE_FROM = dt.date(2021, 3, 1)
NAME_CHANGE_PERIOD = Figure(30, "days", "《企业名称登记管理规定》第二十三条第二款", "CONFIRMED")
SAIC68_2021 = AbnormalRules(
    version="saic68-2021", title="企业经营异常名录管理暂行办法", effective_from=NAME_CHANGE_FROM,
    effective_to=ORDER_101_FROM,
    grounds=(*SAIC68_2014.grounds,
             Ground(_NAME_CHANGE_GROUND.code, _NAME_CHANGE_GROUND.label, "《企业名称登记管理规定》第二十三条第二款")),
    figures=_ABNORMAL_FIGURES_2014,
)
SAMR101_2025 = AbnormalRules(
    version="samr101-2025", title="企业经营异常名录管理办法", effective_from=ORDER_101_FROM, effective_to=None,
    grounds=(
        # RULES 3 version status, checked 2026-12-01 against `部门规章/市场监督管理总局/企业经营异常名录管理办法
        # (2025-03-18).md` Art. 4: four grounds; falsified information is gone (now 条例 Art. 18(2), RULES C1),
        # the missed name-change registration (企业名称登记管理规定 Art. 23) is written in.
        Ground("annual_report_late", "未依照规定的期限公示年度报告", "《企业经营异常名录管理办法》第六条"),
        Ground("info_not_published", "未在责令的期限内公示有关企业信息", "《企业经营异常名录管理办法》第七条"),
        _NAME_CHANGE_GROUND,
        Ground("unreachable", "通过登记的住所或者经营场所无法联系", "《企业经营异常名录管理办法》第九条"),
    ),
    # RULES 3 version status: "Listing within 10 working days (Arts. 6–9), removal within 5 working days
    # (Arts. 11–14), objection: 30 days / accept in 5 working days / verify in 20 working days (Art. 15)".
    figures={
        **{k: Figure(f.value, f.unit, f.basis.replace("企业经营异常名录管理暂行办法", "企业经营异常名录管理办法"), "PARTIAL")
           for k, f in _ABNORMAL_FIGURES_2014.items() if not k.startswith(("objection", "transfer"))},
        "objection_period": Figure(30, "days", "《企业经营异常名录管理办法》第十五条", "CONFIRMED"),
        "objection_accept": Figure(5, "workdays", "《企业经营异常名录管理办法》第十五条", "CONFIRMED"),
        "objection_verify": Figure(20, "workdays", "《企业经营异常名录管理办法》第十五条", "CONFIRMED"),
        "transfer_after": _ABNORMAL_FIGURES_2014["transfer_after"],
        "transfer_warning": _ABNORMAL_FIGURES_2014["transfer_warning"],
    },
)


def _own_figures(title: str, listing: str, verification: str, removal: str, objection: str) -> dict[str, Figure]:
    """The listing, removal and objection clocks of a 2025 annual-report measure (same figures, own articles)."""
    b = f"《{title}》"
    return {
        "listing_after_report_period": Figure(10, "workdays", f"{b}{listing}", "CONFIRMED"),
        "listing_after_verification": Figure(10, "workdays", f"{b}{verification}", "CONFIRMED"),
        "removal_decision": Figure(5, "workdays", f"{b}{removal}", "CONFIRMED"),
        "objection_period": Figure(30, "days", f"{b}{objection}", "CONFIRMED"),
        "objection_accept": Figure(5, "workdays", f"{b}{objection}", "CONFIRMED"),
        "objection_verify": Figure(20, "workdays", f"{b}{objection}", "CONFIRMED"),
        "transfer_after": _ABNORMAL_FIGURES_2014["transfer_after"],
        "transfer_warning": _ABNORMAL_FIGURES_2014["transfer_warning"],
    }


# RULES C6, checked 2026-12-01 against `部门规章/市场监督管理总局/个体工商户年度报告办法(2025-03-18).md`
# (Order 101 revision): individual businesses report 1 Jan – 30 Jun (Art. 3) and are *listed*: a missing
# report within 10 working days of the period's end, "并于本年度7月1日至下一年度6月30日…公示" (Art. 13); a
# false annual report (Art. 14) and unreachable (Art. 15) within 10 working days of verification; removal
# within 5 working days (Arts. 16–18); objection 30 days / 5 / 20 working days (Art. 19). Before Order 101
# they were *marked* under the 2014 暂行办法, which this platform does not list.
INDIVIDUAL_2025 = AbnormalRules(
    version="samr101-2025-ind", title="个体工商户年度报告办法", effective_from=ORDER_101_FROM, effective_to=None,
    grounds=(
        Ground("annual_report_late", "未按照规定报送年度报告", "《个体工商户年度报告办法》第十三条"),
        Ground("info_falsified", "年度报告隐瞒真实情况、弄虚作假", "《个体工商户年度报告办法》第十四条"),
        Ground("unreachable", "通过登记的经营场所或者经营者住所无法取得联系", "《个体工商户年度报告办法》第十五条"),
    ),
    figures=_own_figures("个体工商户年度报告办法", "第十三条", "第十四条、第十五条", "第十六条至第十八条", "第十九条"),
)
INDIVIDUAL_DISPLAY_BASIS = "《个体工商户年度报告办法》第十三条"
# RULES C6, checked against `部门规章/市场监督管理总局/农民专业合作社年度报告公示办法(2025-03-18).md`: cooperatives
# keep false information as a ground (Art. 11) next to the late report (Art. 10) and unreachable (Art. 12);
# removal Arts. 13–15, objection Art. 16.
COOPERATIVE_2025 = AbnormalRules(
    version="samr101-2025-coop", title="农民专业合作社年度报告公示办法", effective_from=ORDER_101_FROM,
    effective_to=None,
    grounds=(
        Ground("annual_report_late", "未按照规定的期限报送年度报告并公示", "《农民专业合作社年度报告公示办法》第十条"),
        Ground("info_falsified", "年度报告公示信息隐瞒真实情况、弄虚作假", "《农民专业合作社年度报告公示办法》第十一条"),
        Ground("unreachable", "通过登记的住所无法取得联系", "《农民专业合作社年度报告公示办法》第十二条"),
    ),
    figures=_own_figures("农民专业合作社年度报告公示办法", "第十条", "第十一条、第十二条", "第十三条至第十五条", "第十六条"),
)
ABNORMAL_VERSIONS = (SAIC68_2014, SAIC68_2021, SAMR101_2025)
_TYPE_VERSIONS = {EntityType.individual: INDIVIDUAL_2025, EntityType.cooperative: COOPERATIVE_2025}


def abnormal_rules_for(day: dt.date, entity_type: str = EntityType.enterprise) -> AbnormalRules:
    """The abnormal-list rules in force on ``day`` (the listing's trigger date) for the entity's type:
    individual businesses and cooperatives have their own 2025 measures (RULES C6); an enterprise's
    rules change on 2021-03-01 (name-change ground, C12) and with Order 101."""
    own = _TYPE_VERSIONS.get(entity_type)
    if own is not None and own.effective_from <= day:
        return own
    if entity_type == EntityType.individual:
        raise DomainError("credit.individual_not_listed",
                          f"{ORDER_101_FROM.isoformat()}前个体工商户适用标记经营异常状态的规定，不列入经营异常名录"
                          f"（{INDIVIDUAL_DISPLAY_BASIS}）")
    for rules in reversed(ABNORMAL_VERSIONS):
        if rules.effective_from <= day:
            return rules
    return SAIC68_2014


# RULES C14, checked 2026-12-01 against `…企业经营异常名录管理办法(2025-03-18).md` Art. 9(2): two special letters
# to the registered address unsigned count as unreachable; "两次邮寄间隔时间不得少于15日，不得超过30日".
LETTER_INTERVAL_MIN = Figure(15, "days", "《企业经营异常名录管理办法》第九条第二款", "CONFIRMED")
LETTER_INTERVAL_MAX = Figure(30, "days", "《企业经营异常名录管理办法》第九条第二款", "CONFIRMED")


def check_registered_letters(first_sent: dt.date, second_sent: dt.date) -> None:
    """Two registered letters prove unreachability only when sent 15 to 30 days apart (Art. 9(2))."""
    gap = (second_sent - first_sent).days
    if not LETTER_INTERVAL_MIN.value <= gap <= LETTER_INTERVAL_MAX.value:
        raise DomainError("credit.letter_interval",
                          f"两次邮寄专用信函间隔应为15日以上30日以下（本次间隔{gap}日），不能据此认定无法联系"
                          f"（{LETTER_INTERVAL_MIN.basis}）")


def abnormal_rules_named(version: str) -> AbnormalRules:
    """The rule set a stored entry was listed under (its ``rule_version``)."""
    for rules in (*ABNORMAL_VERSIONS, *_TYPE_VERSIONS.values()):
        if rules.version == version:
            return rules
    return SAIC68_2014


def staff_grounds(day: dt.date) -> tuple[Ground, ...]:
    """The grounds staff may list on, for every entity type in force on ``day`` (one per code; the
    action re-checks the ground against the entity's own type)."""
    seen: dict[str, Ground] = {g.code: g for g in abnormal_rules_for(day).grounds}
    for own in _TYPE_VERSIONS.values():
        for g in own.grounds if own.effective_from <= day else ():
            if g.code not in seen:
                seen[g.code] = Ground(g.code, f"{g.label}（个体工商户、农民专业合作社）",
                                      "；".join(o.ground(g.code).basis for o in _TYPE_VERSIONS.values()))
    return tuple(seen.values())


def reporting_types(trigger_on: dt.date) -> tuple[str, ...]:
    """Who is listed for a missing annual report on ``trigger_on``: individual businesses from Order 101 on."""
    return (*REPORTING_TYPES, EntityType.individual) if trigger_on >= ORDER_101_FROM else REPORTING_TYPES


def display_until(*, entity_type: str, ground_code: str, trigger_on: dt.date) -> dt.date | None:
    """RULES C6: an individual business's late-report listing is shown from 1 July of the reporting year's
    filing year to 30 June of the next (Art. 13); other listings are shown while they last."""
    if entity_type != EntityType.individual or ground_code != "annual_report_late":
        return None
    return dt.date(trigger_on.year + 1, *ANNUAL_REPORT_CLOSES)


def annual_listing_due(calendar: WorkCalendar, report_year: int) -> DueDate:
    """RULES 3.6: list within 10 working days after the reporting period (30 June) ends."""
    _, closes = report_window(report_year)
    return due(calendar, closes, abnormal_rules_for(closes + dt.timedelta(days=1)).figures["listing_after_report_period"])


def objection_open_until(calendar: WorkCalendar, listed_on: dt.date, rules: AbnormalRules) -> dt.date:
    """RULES 3.8 with C8: 30 (calendar) days from publication of the listing, rolled past a holiday."""
    return due(calendar, listed_on, rules.figures["objection_period"]).due_on


def check_objection_in_time(calendar: WorkCalendar, *, listed_on: dt.date, filed_on: dt.date,
                            rules: AbnormalRules) -> None:
    until = objection_open_until(calendar, listed_on, rules)
    if filed_on > until:
        fig = rules.figures["objection_period"]
        raise DomainError("credit.objection_window_closed",
                          f"异议应自公示之日起{fig.value}日内提出（截至{until.isoformat()}），已超过期限"
                          f"（{fig.basis}；{PERIOD_END_BASIS}）")


def transfer_dates(listed_on: dt.date, rules: AbnormalRules) -> tuple[dt.date | None, dt.date | None]:
    """RULES 3.9 under the 2014 text only: (warning_from, transfer_on), 3 years after listing with a
    public warning in the 60 days before; (None, None) when the three years end under the 2024 text
    (RULES C1: 条例 Art. 18 has no transfer)."""
    transfer_on = add_years(listed_on, rules.figures["transfer_after"].value)
    if not transfer_under_2014_text(transfer_on):
        return None, None
    return transfer_on - dt.timedelta(days=rules.figures["transfer_warning"].value), transfer_on


# ============================================================================ 条例 2024 Art. 18 (RULES C1)
# RULES C1, checked 2026-12-01 against `Theonefkguy/Chinese-Laws`
# `行政法规/企业信息公示暂行条例(2024-03-10).md` (copy of flk.npc.gov.cn, 有效): Art. 18(1) "…列入经营异常名录，
# 并依法给予行政处罚。企业因连续2年未按规定报送年度报告被列入经营异常名录未改正，且通过登记的住所或者经营场所无法取得
# 联系的，由县级以上市场监督管理部门吊销营业执照"; Art. 18(2) false information: "处1万元以上5万元以下罚款；情节严重的，
# 处5万元以上20万元以下罚款，列入市场监督管理严重违法失信名单，并可以吊销营业执照" and the legal representative's
# 3-year bar. The 2014 Art. 17(2)–(3) (3-year transfer, 60-day warning, 5-year removal) has no successor in
# the 2024 text, and `部门规章/市场监督管理总局/企业经营异常名录管理办法(2025-03-18).md` (Order 101) has no
# transfer article either. In force: the revision (State Council Order 777, 2024-03-10) applies from
# 2024-05-01 (RULES 3 version status: one registry citing xzfg.moj.gov.cn — PARTIAL).
REGULATION_2024_FROM = dt.date(2024, 5, 1)
REGULATION_2024_FROM_CONFIDENCE = "PARTIAL"
ART18_BASIS = "《企业信息公示暂行条例》（2024年修订）第十八条"
ART17_2014_BASIS = "《企业信息公示暂行条例》（2014年）第十七条第二款、第三款"
ART18_FIGURES = {
    # Art. 18(1): 2 consecutive years unreported, listed and not cured, and unreachable → licence revoked
    "consecutive_unreported_years": Figure(2, "years", f"{ART18_BASIS}第一款", "CONFIRMED"),
    # Art. 18(2): false information → fine ¥10,000–50,000; serious: ¥50,000–200,000 and the serious list
    "false_info_fine_min": Figure(10_000, "yuan", f"{ART18_BASIS}第二款", "CONFIRMED"),
    "false_info_fine_max": Figure(50_000, "yuan", f"{ART18_BASIS}第二款", "CONFIRMED"),
    "false_info_serious_fine_min": Figure(50_000, "yuan", f"{ART18_BASIS}第二款", "CONFIRMED"),
    "false_info_serious_fine_max": Figure(200_000, "yuan", f"{ART18_BASIS}第二款", "CONFIRMED"),
}
# The measures the sweep proposes to staff under Art. 18 (a proposal, never an automatic decision).
ART18_MEASURES = (
    Ground("late_report_penalty", "未按期公示年度报告：列入经营异常名录并依法给予行政处罚", f"{ART18_BASIS}第一款"),
    Ground("revoke_licence", "连续2年未报送年度报告被列入经营异常名录未改正，且通过登记的住所或者经营场所无法取得联系："
           "吊销营业执照", f"{ART18_BASIS}第一款"),
    Ground("false_information", "公示信息隐瞒真实情况、弄虚作假：责令改正，处1万元以上5万元以下罚款；情节严重的，处5万元以上"
           "20万元以下罚款，列入严重违法失信名单，并可以吊销营业执照", f"{ART18_BASIS}第二款"),
)
REVIEW_TRANSFER_ABOLISHED = (f"该记录依据{ART17_2014_BASIS}（列入经营异常名录满三年转入严重违法失信名单、满五年移出）作出或"
                             f"计算；{ART18_BASIS}已删除该规则，请复核，系统不作自动变更")


def transfer_under_2014_text(transfer_on: dt.date) -> bool:
    """RULES C1: the 3-year transfer (and its warning) holds only where the three years ended while the
    2014 text was in force."""
    return transfer_on < REGULATION_2024_FROM


def art18_measure(code: str) -> Ground:
    for g in ART18_MEASURES:
        if g.code == code:
            return g
    raise DomainError("credit.measure_invalid", f"不是{ART18_BASIS}规定的处理措施")


def late_report_measures(*, trigger_on: dt.date, entity_type: str = EntityType.enterprise) -> tuple[str, ...]:
    """RULES C1: an enterprise's listing for a late report under the 2024 text also calls for a penalty
    (Art. 18(1)); individual businesses and cooperatives answer under their own measures (C6)."""
    if entity_type not in (EntityType.enterprise, EntityType.branch):
        return ()
    return ("late_report_penalty",) if trigger_on >= REGULATION_2024_FROM else ()


def revocation_due(*, uncured_late_years: set[int], unreachable: bool, today: dt.date) -> bool:
    """RULES C1 / Art. 18(1): listed for 2 consecutive unreported years, not cured, and unreachable at the
    registered address — revocation of the business licence is proposed (2024 text only)."""
    if today < REGULATION_2024_FROM or not unreachable:
        return False
    need = ART18_FIGURES["consecutive_unreported_years"].value
    return any(all(y - k in uncured_late_years for k in range(need)) for y in uncured_late_years)


def serious_basis_needs_review(basis_code: str | None) -> bool:
    """RULES C1: a serious listing made by the abolished transfer is flagged for review, not changed."""
    return basis_code == "regulation_art17"


# ============================================================================ serious list (3.9–3.13, 3.16)
# RULES 3.13, 3.16 / C13: Arts. 14, 17–19, 21 checked 2026-12-01 against `Theonefkguy/Chinese-Laws`
# `部门规章/市场监督管理总局/市场监督管理严重违法失信名单管理办法(2021-07-30).md` — CONFIRMED.
SERIOUS_FIGURES = {
    # Art. 14(1): "自作出决定之日起二十个工作日内…公示"
    "publication": Figure(20, "workdays", "《市场监督管理严重违法失信名单管理办法》第十四条第一款", "CONFIRMED"),
    # Art. 14(2) (RULES C4): registered in another province — pushed there within 10 working days, published
    # there within 10 working days of receipt
    "push_other_province": Figure(10, "workdays", "《市场监督管理严重违法失信名单管理办法》第十四条第二款", "CONFIRMED"),
    "publish_other_province": Figure(10, "workdays", "《市场监督管理严重违法失信名单管理办法》第十四条第二款", "CONFIRMED"),
    # Art. 21: "被列入严重违法失信名单之日起满三年的…移出"; a longer statutory restriction runs to its end
    "removal_order44": Figure(3, "years", "《市场监督管理严重违法失信名单管理办法》第二十一条", "CONFIRMED"),
    # RULES 3.10 as settled by C1: 条例 Art. 17(3) (2014 text) — removal after 5 years — holds only for
    # listings made by the 3-year transfer under the 2014 text; the 2024 text has no such rule.
    "removal_regulation_art17": Figure(5, "years", "《企业信息公示暂行条例》（2014年）第十七条第三款", "CONFIRMED"),
    # RULES 3.13: early removal may be requested after 1 year — Order 44 Art. 16; 信用修复管理办法 Art. 7, CONFIRMED
    "early_removal_after": Figure(1, "years", "《市场监督管理严重违法失信名单管理办法》第十六条；《市场监督管理信用修复管理办法》第七条", "CONFIRMED"),
    # Arts. 17(2), 17(3), 18: accept within 2 wd; verify and decide within 15 wd of acceptance; stop within 3 wd
    "repair_accept": Figure(2, "workdays", "《市场监督管理严重违法失信名单管理办法》第十七条第二款", "CONFIRMED"),
    "repair_decide": Figure(15, "workdays", "《市场监督管理严重违法失信名单管理办法》第十七条第三款", "CONFIRMED"),
    "stop_publication": Figure(3, "workdays", "《市场监督管理严重违法失信名单管理办法》第十八条", "CONFIRMED"),
    # RULES C1: legal representative barred for 3 years — 条例 (2024) Art. 18(2) (2014 text: Art. 17), CONFIRMED
    "legal_rep_bar": Figure(3, "years", "《企业信息公示暂行条例》第十八条第二款", "CONFIRMED"),
}
# RULES 3.13: county and city bureaus need the next higher bureau's consent (Art. 22); the Oct 2025
# draft would drop it — kept switchable.
HIGHER_CONSENT_REQUIRED = True
HIGHER_CONSENT_BASIS = "《市场监督管理严重违法失信名单管理办法》第二十二条"

# RULES 3.10: the listing basis decides the removal period.
SERIOUS_BASES = {
    "order44": ("《市场监督管理严重违法失信名单管理办法》第二条", "removal_order44"),
    # RULES C1: only for transfers under the 2014 text; such listings are flagged for review
    "regulation_art17": ("《企业信息公示暂行条例》（2014年）第十七条第二款（列入经营异常名录满三年）", "removal_regulation_art17"),
}

# RULES 3.12 / C11: "较重行政处罚" exactly as Order 44 Art. 2(2) lists them — checked 2026-12-01 against
# `部门规章/市场监督管理总局/市场监督管理严重违法失信名单管理办法(2021-07-30).md` Art. 2(2): "（一）依照行政处罚裁量
# 基准，按照从重处罚原则处以罚款；（二）降低资质等级，吊销许可证件、营业执照；（三）限制开展生产经营活动、责令停产停业、
# 责令关闭、限制从业；（四）法律、行政法规和部门规章规定的其他较重行政处罚". 暂扣许可证件 is not listed. A fine counts only
# when set at the 从重 end of the discretion benchmark (the decision's ``serious_candidate``).
HEAVIER_PENALTY_KINDS = frozenset({"lower_qualification", "revoke_licence", "restrict_business", "close_down"})
HEAVIER_PENALTY_BASIS = "《市场监督管理严重违法失信名单管理办法》第二条第二款"

# RULES 3.12: listing categories (Arts. 5–11), with keywords of the violation type / label that suggest them.
SERIOUS_CATEGORIES = (
    Ground("food_safety", "食品安全领域严重违法失信行为", "《市场监督管理严重违法失信名单管理办法》第五条"),
    Ground("drugs_devices_cosmetics", "药品、医疗器械、化妆品领域严重违法失信行为", "《市场监督管理严重违法失信名单管理办法》第六条"),
    Ground("quality_safety", "质量安全领域严重违法失信行为", "《市场监督管理严重违法失信名单管理办法》第七条"),
    Ground("consumer_rights", "侵害消费者权益的严重违法失信行为", "《市场监督管理严重违法失信名单管理办法》第八条"),
    Ground("fair_competition", "破坏公平竞争秩序和扰乱市场秩序的严重违法失信行为", "《市场监督管理严重违法失信名单管理办法》第九条"),
    Ground("other_market_order", "其他严重违法失信行为（无证经营、虚假材料取得许可、拒绝阻碍检查等）", "《市场监督管理严重违法失信名单管理办法》第十条"),
    Ground("refuse_to_perform", "有履行能力但拒不履行行政处罚决定", "《市场监督管理严重违法失信名单管理办法》第十一条"),
)
# RULES C1: the transfer ground exists only for events under the 2014 text (catch-up transfers); it is no
# category staff can choose.
ABNORMAL_3_YEARS_2014 = Ground("abnormal_3_years", "被列入经营异常名录满三年仍未履行相关义务",
                               "《企业信息公示暂行条例》（2014年）第十七条第二款")
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


def serious_removal_on(calendar: WorkCalendar, listed_on: dt.date, basis_code: str) -> tuple[dt.date, Figure]:
    """RULES 3.10 handled by basis: Order 44 listings leave after 3 years (Art. 21); listings for three
    years on the abnormal list (2014 条例 Art. 17(2)) after 5 years (Art. 17(3)); C8: the period's
    last day rolls past a holiday."""
    if basis_code not in SERIOUS_BASES:
        raise DomainError("credit.basis_invalid", "严重违法失信名单的列入依据无效")
    figure = SERIOUS_FIGURES[SERIOUS_BASES[basis_code][1]]
    return due(calendar, listed_on, figure).due_on, figure


def legal_rep_bar_until(listed_on: dt.date) -> dt.date:
    """RULES 3.9: the legal representative is barred for 3 years."""
    return add_years(listed_on, SERIOUS_FIGURES["legal_rep_bar"].value)


def serious_listed_on(penalty_ref: str | None, penalty_decided_on: dt.date, today: dt.date) -> dt.date:
    """RULES C4 / Order 44 Art. 13: a listing for a penalty is decided with the penalty decision, so it
    dates from that decision (its 20-working-day publication and 3-year period run from it); Art. 11
    listings (refusal to perform) are decided on their own, on the day staff decide."""
    return penalty_decided_on if penalty_ref else today


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


