"""Statutory rules of complaint and report handling, versioned by receipt date (DESIGN §6).

Two versions, chosen by the date a filing was received (RULES §1):
* ``samr20-2022`` — 《市场监督管理投诉举报处理暂行办法》 (SAMR Order 20, 2019; amended 2022-03-24),
  for filings received before 2026-04-15 (RULES 1.1–1.18);
* ``samr121-2026`` — 《市场监督管理投诉举报处理办法》 (SAMR Order 121, 2025-12-30, in force
  2026-04-15; Art. 46 repeals Order 20) (RULES 1.19–1.39).

Each figure carries its source and how sure RULES.md is of it; figures that rest on one copy
(PARTIAL) or none (UNCONFIRMED) can be overridden by staff and are shown as such.
Periods count per RULES 0.3: the start day is not counted; working-day periods count working
days; a calendar-day period that ends on a rest day ends on the next working day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from marketreg.domains.complaints.enums import Kind, PlatformRole
from marketreg.kernel.law import Figure, Ground
from marketreg.platform.calendar import DueDate, WorkCalendar

ORDER_121_IN_FORCE = dt.date(2026, 4, 15)  # 办法 Art. 46 (RULES 1.39, C13: the start date is Art. 46), CONFIRMED



@dataclass(frozen=True, slots=True)
class RuleSet:
    version: str
    title: str
    effective_from: dt.date
    effective_to: dt.date | None
    figures: dict[str, Figure]
    refusal_grounds: tuple[Ground, ...]
    termination_grounds: tuple[Ground, ...]
    # Which county handles a complaint against a platform seller (1.4 vs 1.21).
    seller_complaint_rule: str
    # 2026: real identity required; the bureau may ask for proof (1.20); 2022: name, phone, address (1.2).
    identity_proof_may_be_required: bool
    overridden: frozenset[str] = field(default_factory=frozenset)

    def figure(self, key: str) -> Figure:
        return self.figures[key]

    def ground(self, code: str) -> Ground | None:
        return next((g for g in (*self.refusal_grounds, *self.termination_grounds) if g.code == code), None)


# --- 2022: 暂行办法 (Order 20 as amended 2022-03-24) -------------------------------------------
_REFUSAL_2022 = (
    Ground("not_in_remit", "不属于市场监督管理部门职责，或者本行政机关不具有处理权限", "暂行办法第十五条第（一）项"),
    Ground("already_handled", "法院、仲裁机构、市场监督管理部门或者其他行政机关、消费者协会或者依法成立的其他调解组织已经受理或者处理过同一消费者权益争议",
           "暂行办法第十五条第（二）项"),
    Ground("not_consumer", "不是为生活消费需要购买、使用商品或者接受服务，或者不能证明与被投诉人之间存在消费者权益争议",
           "暂行办法第十五条第（三）项"),
    Ground("time_barred", "除法律另有规定外，投诉人知道或者应当知道自己的权益受到被投诉人侵害之日起超过三年", "暂行办法第十五条第（四）项"),
    Ground("materials_missing", "未提供本办法第九条第一款和第十条规定的材料", "暂行办法第十五条第（五）项"),
    Ground("other_law", "法律、法规、规章规定不予受理的其他情形", "暂行办法第十五条第（六）项"),
)
_TERMINATION_2022 = (
    Ground("withdrawn_or_settled", "投诉人撤回投诉或者双方自行和解", "暂行办法第二十一条第（一）项"),
    Ground("no_lab_agreement", "投诉人与被投诉人对委托承担检定、检验、检测、鉴定工作的技术机构或者费用承担无法协商一致",
           "暂行办法第二十一条第（二）项"),
    Ground("refused_mediation", "投诉人或者被投诉人无正当理由不参加调解，或者被投诉人明确拒绝调解", "暂行办法第二十一条第（三）项"),
    Ground("no_agreement_possible", "经组织调解，投诉人或者被投诉人明确表示无法达成调解协议", "暂行办法第二十一条第（四）项"),
    Ground("time_limit", "自投诉受理之日起四十五个工作日内投诉人和被投诉人未能达成调解协议", "暂行办法第二十一条第（五）项"),
    Ground("refusal_ground_found", "市场监督管理部门受理投诉后，发现存在本办法第十五条规定情形", "暂行办法第二十一条第（六）项"),
    Ground("other_law", "法律、法规、规章规定的应当终止调解的其他情形", "暂行办法第二十一条第（七）项"),
)
SAMR20_2022 = RuleSet(
    version="samr20-2022",
    title="市场监督管理投诉举报处理暂行办法（2022年修正）",
    effective_from=dt.date(2022, 3, 24),
    effective_to=ORDER_121_IN_FORCE,
    figures={
        # RULES 1.1: "自收到投诉之日起七个工作日内作出受理或者不予受理的决定"
        "accept_decision": Figure(7, "workdays", "暂行办法第十四条", "CONFIRMED"),
        # RULES 1.8(5): mediation fails after 45 working days from acceptance; 1.7 testing time excluded
        "mediation_limit": Figure(45, "workdays", "暂行办法第二十一条第（五）项、第二十条", "CONFIRMED"),
        # RULES 1.8: tell both parties within 7 working days of the termination decision
        "termination_notice": Figure(7, "workdays", "暂行办法第二十一条第二款", "CONFIRMED"),
        # RULES 1.13 → 2.1: check a report and decide on filing within 15 (+15) working days
        "report_filing_decision": Figure(15, "workdays", "暂行办法第三十一条；行政处罚程序规定第十八条", "CONFIRMED"),
        "report_filing_extension": Figure(15, "workdays", "行政处罚程序规定第十八条", "CONFIRMED"),
        # RULES 1.13 / C7, checked 2026-12-01 against `Theonefkguy/Chinese-Laws` `部门规章/市场监督管理总局/
        # 市场监督管理投诉举报处理暂行办法(2022-03-24).md` Art. 31(2): "举报人实名举报的…还应当自作出是否立案决定之日起
        # 五个工作日内告知举报人" — the decision *whether* to file: non-filing is told too (reporter_notice).
        "report_notice": Figure(5, "workdays", "暂行办法第三十一条第二款", "CONFIRMED"),
        # RULES 1.3(4): 3 years from when the complainant knew or should have known
        "limitation": Figure(3, "years", "暂行办法第十五条第（四）项", "CONFIRMED"),
        # Plan 二(三)3(1): "严格落实投诉举报快速回应机制" — the platform's 24-hour first response
        "first_response": Figure(24, "hours", "山东省“十四五”市场监管规划 二(三)3(1)（平台服务承诺）", "CONFIRMED"),
        # RULES 1.10: violation clue found in mediation: check within 15 (+15) working days
        "clue_check": Figure(15, "workdays", "暂行办法第二十三条", "PARTIAL"),
        # RULES 1.12: disputes over authority settled by consultation within 7 working days (Art. 30)
        "jurisdiction_dispute": Figure(7, "workdays", "暂行办法第三十条", "CONFIRMED"),
    },
    refusal_grounds=_REFUSAL_2022,
    termination_grounds=_TERMINATION_2022,
    seller_complaint_rule="actual_place_or_platform",
    identity_proof_may_be_required=False,
)

# --- 2026: 办法 (Order 121) -------------------------------------------------------------------
_REFUSAL_2026 = (
    Ground("not_in_remit", "不属于市场监督管理部门职责，或者本行政机关不具有处理权限", "办法第十六条第（一）项"),
    Ground("already_handled", "法院、仲裁机构、市场监督管理部门或者其他行政机关、消费者协会已经受理或者处理过同一消费者权益争议",
           "办法第十六条第（二）项"),
    Ground("not_consumer", "不是为生活消费需要购买、使用商品或者接受服务，或者不能证明与被投诉人之间存在消费者权益争议",
           "办法第十六条第（三）项、第十七条"),
    Ground("time_barred", "除法律另有规定外，投诉人知道或者应当知道自己的权益受到被投诉人侵害之日起超过三年", "办法第十六条第（四）项"),
    Ground("materials_missing", "未提供本办法第十条第一款和第十一条规定的材料，或者提供虚假材料", "办法第十六条第（五）项"),
    Ground("identity_refused", "冒用他人名义或者拒不配合市场监督管理部门核验真实身份信息", "办法第十六条第（六）项"),
    Ground("other_law", "法律、法规、规章规定不予受理的其他情形", "办法第十六条第（七）项"),
)
_TERMINATION_2026 = (
    Ground("withdrawn_or_settled", "投诉人撤回投诉或者双方自行和解", "办法第二十三条第一款第（一）项"),
    Ground("refused_mediation", "投诉人或者被投诉人无正当理由不参加调解，或者明确拒绝调解", "办法第二十三条第一款第（二）项"),
    Ground("no_agreement_possible", "经组织调解，投诉人或者被投诉人明确表示无法达成调解协议", "办法第二十三条第一款第（三）项"),
    Ground("no_cost_agreement", "投诉人和被投诉人对鉴定、检测费用承担无法协商一致", "办法第二十三条第一款第（四）项"),
    Ground("time_limit", "自投诉受理之日起六十日内投诉人和被投诉人未能达成调解协议", "办法第二十三条第一款第（五）项"),
    Ground("refusal_ground_found", "受理投诉后发现存在本办法第十六条规定情形，或者涉嫌第四十二条规定的违法索赔",
           "办法第二十三条第一款第（六）项、第四十二条"),
    Ground("party_gone", "投诉人或者被投诉人死亡或者终止", "办法第二十三条第一款第（七）项"),
    Ground("other_law", "法律、法规、规章规定的应当终止调解的其他情形", "办法第二十三条第一款第（八）项"),
)
SAMR121_2026 = RuleSet(
    version="samr121-2026",
    title="市场监督管理投诉举报处理办法（国家市场监督管理总局令第121号）",
    effective_from=ORDER_121_IN_FORCE,
    effective_to=None,
    figures={
        # RULES 1.22: 7 working days — one copy of the text only
        "accept_decision": Figure(7, "workdays", "办法第十五条", "PARTIAL"),
        # RULES 1.27(5): 60 (calendar) days from acceptance, testing time excluded (1.26)
        "mediation_limit": Figure(60, "days", "办法第二十三条第一款第（五）项、第二十二条", "CONFIRMED"),
        "termination_notice": Figure(7, "workdays", "办法第二十三条第二款", "PARTIAL"),
        # RULES 1.33 → 2.1: reports are handled under 程序规定 (15 + 15 working days)
        "report_filing_decision": Figure(15, "workdays", "办法第三十五条；行政处罚程序规定第十八条", "CONFIRMED"),
        "report_filing_extension": Figure(15, "workdays", "行政处罚程序规定第十八条", "CONFIRMED"),
        "limitation": Figure(3, "years", "办法第十六条第（四）项", "CONFIRMED"),
        "first_response": Figure(24, "hours", "山东省“十四五”市场监管规划 二(三)3(1)（平台服务承诺）", "CONFIRMED"),
        "clue_check": Figure(15, "workdays", "办法第二十七条", "PARTIAL"),
        # RULES C14 / 1.32: disputes over authority settled by consultation within 7 working days (Art. 33)
        "jurisdiction_dispute": Figure(7, "workdays", "办法第三十三条", "CONFIRMED"),
        # RULES 1.34: Order 121 has no general 5-working-day notice to reporters — deliberately absent.
    },
    refusal_grounds=_REFUSAL_2026,
    termination_grounds=_TERMINATION_2026,
    seller_complaint_rule="published_address_or_platform",
    identity_proof_may_be_required=True,
)

RULESETS = (SAMR20_2022, SAMR121_2026)


def ruleset_for(received_on: dt.date, overrides: dict[tuple[str, str], int] | None = None) -> RuleSet:
    """The rules in force on the receipt date, with staff overrides of non-confirmed figures."""
    chosen = SAMR121_2026 if received_on >= ORDER_121_IN_FORCE else SAMR20_2022
    if not overrides:
        return chosen
    figures = dict(chosen.figures)
    changed = set()
    for (version, key), value in overrides.items():
        if version == chosen.version and key in figures and figures[key].editable:
            figures[key] = replace(figures[key], value=value)
            changed.add(key)
    return replace(chosen, figures=figures, overridden=frozenset(changed))


def due(calendar: WorkCalendar, start: dt.date, figure: Figure, *, paused_days: int = 0) -> DueDate:
    """Apply a period figure from ``start`` (RULES 0.3); paused days (testing, recusal) extend it."""
    if figure.unit == "workdays":
        return calendar.add_workdays(start, figure.value + paused_days)
    if figure.unit == "days":
        return calendar.add_days(start, figure.value + paused_days)
    raise ValueError(f"not a day period: {figure.unit}")


@dataclass(frozen=True, slots=True)
class Clock:
    step: str
    due_on: dt.date
    rule_version: str
    basis: str
    provisional: bool


def clocks(calendar: WorkCalendar, *, kind: str, received_on: dt.date, accepted_on: dt.date | None = None,
           rules: RuleSet | None = None) -> list[Clock]:
    """Every statutory step's due date for a filing (the workflow and the CLI share this)."""
    rules = rules or ruleset_for(received_on)

    def clock(step: str, start: dt.date, key: str, extra: int = 0) -> Clock:
        figure = rules.figure(key)
        d = due(calendar, start, figure, paused_days=extra)
        return Clock(step, d.due_on, rules.version, figure.basis, d.provisional)

    if kind == Kind.report:
        decision = rules.figure("report_filing_decision")
        extension = rules.figure("report_filing_extension")
        steps = [clock("report_filing_decision", received_on, "report_filing_decision")]
        extended = calendar.add_workdays(received_on, decision.value + extension.value)
        steps.append(Clock("report_filing_decision_extended", extended.due_on, rules.version, extension.basis,
                           extended.provisional))
        return steps
    steps = [clock("accept_decision", received_on, "accept_decision")]
    if kind == Kind.complaint and accepted_on is not None:
        steps.append(clock("mediation_end", accepted_on, "mediation_limit"))
    return steps


# RULES C10, checked 2026-12-01 against `…投诉举报处理办法(2025-12-30).md` Art. 23(1)(1) ("投诉人撤回投诉或者双方
# 自行和解"): an ODR complaint closes as settled only on the complainant's withdrawal or a settlement both sides
# confirm — never on the enterprise's word alone; meanwhile the acceptance clock (Art. 15) keeps running.
ODR_CLOSING_ANSWERS = {"confirm": "投诉人确认双方已自行和解", "withdraw": "投诉人撤回投诉"}
ODR_REJECT_ANSWER = "reject"


def odr_closing_basis(rules: RuleSet) -> str:
    return rules.ground("withdrawn_or_settled").basis


def reporter_notice(rules: RuleSet, *, anonymous: bool) -> Figure | None:
    """RULES C7: under Order 20 a real-name reporter is told the decision whether to file a case — filed
    or not — within 5 working days (Art. 31(2)); Order 121 has no such duty (RULES 1.34)."""
    if anonymous or "report_notice" not in rules.figures:
        return None
    return rules.figure("report_notice")


# RULES C8, checked 2026-12-01 against `Theonefkguy/Chinese-Laws`
# `部门规章/市场监督管理总局/市场监督管理投诉举报处理办法(2025-12-30).md` Art. 45: "按照年、月、日计算期间的，开始的当日
# 不计入…期间届满的最后一日是法定节假日的，以法定节假日后的第一日为期间届满的日期" — a period in years ends on the
# corresponding day (民法典 Art. 202) and rolls past a holiday (民法典 Art. 203) like a period in days.
PERIOD_END_BASIS = "《民法典》第二百零二条、第二百零三条；办法第四十五条"


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February → the month's last day (民法典 Art. 202: no corresponding day)
        return day.replace(year=day.year + years, day=28)


def time_limit(calendar: WorkCalendar, rules: RuleSet, *, harm_known_on: dt.date) -> Clock:
    """RULES 1.3(4) / 1.23(4) with C8: the last day a complaint is within the 3-year limit — the
    corresponding day 3 years after the day the complainant knew of the harm, rolled past a holiday."""
    figure = rules.figure("limitation")
    end = _add_years(harm_known_on, figure.value)
    last = calendar.add_days(end, 0)  # the same day if it is a working day, else the first one after
    provisional = last.provisional or not calendar.is_official(harm_known_on.year)
    return Clock("time_limit", last.due_on, rules.version, f"{figure.basis}；{PERIOD_END_BASIS}", provisional)


def is_time_barred(calendar: WorkCalendar, rules: RuleSet, *, harm_known_on: dt.date | None,
                   received_on: dt.date) -> bool:
    """RULES 1.3(4) / 1.23(4): received after the last day of the 3-year limit (C8: rolled past holidays)."""
    if harm_known_on is None:
        return False
    return received_on > time_limit(calendar, rules, harm_known_on=harm_known_on).due_on


# --- transition (issue 11 item 12) -------------------------------------------------------------
# Order 121 has no transitional clause: Art. 46 only sets 2026-04-15 and repeals Order 20. Policy:
TRANSITION_POLICY = (
    "2026年4月15日前收到的投诉举报，其后续环节即使在4月15日以后发生，仍适用收到当日有效的《市场监督管理投诉举报处理"
    "暂行办法》（受理决定7个工作日、调解期限45个工作日、实名举报人立案与否告知5个工作日等）：《市场监督管理投诉举报处理"
    "办法》第四十六条只规定施行日期和废止暂行办法，未设过渡条款；期限在起算时即已确定，按收到日确定规则版本可使"
    "当事人对程序有稳定预期，也与《立法法》第一百零四条不溯及既往的原则一致。例外：4月15日以后作出的不予受理决定，"
    "同时按《办法》第十五条说明理由并告知其他解决途径（只增加对当事人的告知，不改变期限和事由）。")
TRANSITION_BASIS = "《市场监督管理投诉举报处理办法》第四十六条；《立法法》第一百零四条"



# --- jurisdiction (RULES 1.4, 1.12 before 2026-04-15; 1.21, 1.32 from then) ---------------------

@dataclass(frozen=True, slots=True)
class Respondent:
    """What routing needs to know about the respondent, already looked up in the registry."""

    region_code: str | None          # registered domicile county (registry), if known
    address_region_code: str | None  # county of the address given in the filing, if resolved
    platform_role: str = PlatformRole.none
    platform_region_code: str | None = None      # platform operator's domicile county
    published_address_region_code: str | None = None  # seller's address published on the platform
    seller_unreachable: bool = False


@dataclass(frozen=True, slots=True)
class RoutingDecision:
    region_code: str | None
    rule: str
    basis: str


def route(rules: RuleSet, *, kind: str, respondent: Respondent) -> RoutingDecision:
    """The county bureau that handles a filing, with the rule applied (None → manual triage)."""
    report = kind == Kind.report
    role = respondent.platform_role
    v2026 = rules.version == SAMR121_2026.version
    if role in (PlatformRole.platform_operator, PlatformRole.self_built_site):
        basis = ("办法第三十一条" if report else "办法第十三条") if v2026 else \
            ("暂行办法第二十七条" if report else "暂行办法第十二条")
        return RoutingDecision(respondent.region_code, "platform_domicile", basis)
    if role == PlatformRole.platform_seller:
        if report:  # actual place of business (both versions: 暂行办法 Art. 27; 办法 Art. 31)
            place = respondent.address_region_code or respondent.region_code
            basis = "办法第三十一条" if v2026 else "暂行办法第二十七条"
            if place:
                return RoutingDecision(place, "seller_place_of_business", basis)
            return RoutingDecision(respondent.platform_region_code, "platform_domicile_first_received", basis)
        if rules.seller_complaint_rule == "published_address_or_platform":
            published = respondent.published_address_region_code
            if published and not respondent.seller_unreachable:
                return RoutingDecision(published, "seller_published_address", "办法第十三条")
            return RoutingDecision(respondent.platform_region_code, "platform_domicile_fallback", "办法第十三条")
        place = respondent.address_region_code or respondent.region_code
        if place:
            return RoutingDecision(place, "seller_place_of_business", "暂行办法第十二条")
        return RoutingDecision(respondent.platform_region_code, "platform_domicile", "暂行办法第十二条")
    basis = ("办法第二十九条" if report else "办法第十三条") if v2026 else \
        ("暂行办法第二十五条" if report else "暂行办法第十二条")
    place = respondent.address_region_code or respondent.region_code
    if place:
        rule = "place_of_act" if report else ("place_of_business" if respondent.address_region_code else "domicile")
        return RoutingDecision(place, rule, basis)
    return RoutingDecision(None, "manual_triage", basis)
