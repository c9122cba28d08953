"""Statutory clocks and thresholds of the administrative penalty procedure (RULES §2).

Sources: 《市场监督管理行政处罚程序规定》 (SAMR Order 2 of 2018 as amended by Order 42 of 2021 and
Order 61 of 2022-09-29; "程序规定"), 《行政处罚法》 (2021 revision, in force 2021-07-15),
《市场监督管理行政处罚听证办法》 (2021), 《行政强制法》, 《市场监督管理行政处罚信息公示规定》 (Order 45).

Periods count per RULES 0.3 (程序规定 Arts. 80, 84): the start day is not counted; "X个工作日"
counts working days of the official calendar; "X日" is calendar days, moved to the next working
day when it ends on a rest day. 行政处罚法 Art. 85: its own 2/3/5/7-day periods are working days.

A figure that changed with the 2021 revision (on-the-spot limits) is chosen by the date of the
facts (``on``); provincial overrides that RULES marks as open (Shandong's hearing amounts and
"较低数额罚款") are kept in the table as UNCONFIRMED and can be replaced by staff.
"""

from __future__ import annotations

import datetime as dt
from calendar import monthrange
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from marketreg.kernel.law import Figure, Ground
from marketreg.platform.calendar import DueDate, WorkCalendar

RULE_VERSION = "samr61-2022"            # 程序规定 as amended by Order 61 (2022-09-29)
PENALTY_LAW_2021 = dt.date(2021, 7, 15)  # 行政处罚法 (2021 rev.) and Order 42 in force



# --- the rule table ------------------------------------------------------------------------------
FIGURES: dict[str, Figure] = {
    # RULES 2.1: "十五个工作日内予以核查…可以延长十五个工作日" (程序规定 Art. 18, CONFIRMED)
    "clue_check": Figure(15, "workdays", "程序规定第十八条", "CONFIRMED"),
    "clue_check_extension": Figure(15, "workdays", "程序规定第十八条", "CONFIRMED"),
    # RULES 2.2: the head of the case unit names at least two officers with credentials (Art. 19)
    "min_officers": Figure(2, "count", "程序规定第十九条", "CONFIRMED"),
    # RULES 2.4: decide within 90 days of filing, +30 with the head's approval (Art. 64; 行政处罚法 Art. 60)
    "decision": Figure(90, "days", "程序规定第六十四条；行政处罚法第六十条", "CONFIRMED"),
    "decision_extension": Figure(30, "days", "程序规定第六十四条", "CONFIRMED"),
    # RULES 2.7: ask for a hearing within 5 (working) days of notice
    "hearing_request": Figure(5, "workdays", "行政处罚法第六十四条、第八十五条", "CONFIRMED"),
    # RULES C2, checked 2026-12-01 against `Theonefkguy/Chinese-Laws` `部门规章/市场监督管理总局/市场监督管理行政
    # 处罚听证办法(2021-07-02).md`: Art. 20 "于举行听证的七个工作日前将听证通知书送达当事人" (working days, not
    # calendar days); Art. 18 presider named within 3 working days of the request; Art. 19 materials handed
    # over within 3 working days; Art. 20 time and place fixed within 5 working days of receiving them;
    # Art. 22 a public hearing announced 3 working days before; Art. 29 report within 5 working days.
    "hearing_notice": Figure(7, "workdays", "听证办法第二十条第一款；行政处罚法第六十四条", "CONFIRMED"),
    "hearing_presider": Figure(3, "workdays", "听证办法第十八条", "CONFIRMED"),
    "hearing_materials": Figure(3, "workdays", "听证办法第十九条", "CONFIRMED"),
    "hearing_schedule": Figure(5, "workdays", "听证办法第二十条第一款", "CONFIRMED"),
    "hearing_announcement": Figure(3, "workdays", "听证办法第二十二条第二款", "CONFIRMED"),
    "hearing_report": Figure(5, "workdays", "听证办法第二十九条", "CONFIRMED"),
    # RULES C3 (`行政法/行政处罚法(2021-01-22).md` Art. 36): not discovered within 2 years → no penalty;
    # 5 years where citizens' life and health safety or financial safety is involved with harmful
    # consequences; counted from the act, or from its end if continuing ("法律另有规定的除外").
    "limitation": Figure(2, "years", "行政处罚法第三十六条第一款", "CONFIRMED"),
    "limitation_extended": Figure(5, "years", "行政处罚法第三十六条第一款", "CONFIRMED"),
    # RULES 2.8: statement/defence within 5 working days of service, else waived (Art. 57)
    "statement": Figure(5, "workdays", "程序规定第五十七条", "CONFIRMED"),
    # RULES 2.8: review within 10 working days of receiving the material (Art. 55)
    "legal_review": Figure(10, "workdays", "程序规定第五十五条", "CONFIRMED"),
    # RULES 2.9: evidence preserved first: decide within 7 working days or it lapses (Art. 35)
    "preservation_decision": Figure(7, "workdays", "程序规定第三十五条；行政处罚法第五十六条", "CONFIRMED"),
    # RULES 2.9: seal-up/seizure 30 days, extendable once by up to 30 days (行政强制法 Art. 25)
    "seizure": Figure(30, "days", "行政强制法第二十五条；程序规定第三十八条", "CONFIRMED"),
    "seizure_extension": Figure(30, "days", "行政强制法第二十五条", "CONFIRMED"),
    # RULES 2.10: party absent: deliver within 7 working days (Art. 81; 行政处罚法 Art. 61)
    "delivery": Figure(7, "workdays", "程序规定第八十一条；行政处罚法第六十一条", "CONFIRMED"),
    "public_notice_delivery": Figure(30, "days", "程序规定第八十三条", "CONFIRMED"),
    # RULES 2.11: pay within 15 days of receiving the decision (Art. 72); surcharge 3%/day capped (Art. 75)
    "payment": Figure(15, "days", "程序规定第七十二条；行政处罚法第六十七条", "CONFIRMED"),
    "late_surcharge_percent": Figure(3, "percent", "程序规定第七十五条；行政处罚法第七十二条", "CONFIRMED"),
    # RULES 2.11: close within 15 working days of the closing event (Art. 77)
    "closure": Figure(15, "workdays", "程序规定第七十七条", "CONFIRMED"),
    # RULES 2.5 (Art. 66; 行政处罚法 Art. 51): on-the-spot limits since 2021-07-15
    "simplified_natural": Figure(Decimal(200), "yuan", "程序规定第六十六条；行政处罚法第五十一条", "CONFIRMED"),
    "simplified_legal": Figure(Decimal(3000), "yuan", "程序规定第六十六条；行政处罚法第五十一条", "CONFIRMED"),
    # RULES 2.6 (听证办法 Art. 5): the national amounts are CONFIRMED, but a province may set its own
    # and whether Shandong has is open (RULES open item 11): PARTIAL, so staff can enter Shandong's.
    "hearing_natural": Figure(Decimal(10000), "yuan", "听证办法第五条（山东省标准待核）", "PARTIAL"),
    "hearing_legal": Figure(Decimal(100000), "yuan", "听证办法第五条（山东省标准待核）", "PARTIAL"),
    # RULES 2.12 (公示规定 Arts. 9–14): publish within 20 working days; withdraw within 3
    "publicity": Figure(20, "workdays", "市场监督管理行政处罚信息公示规定第九条", "CONFIRMED"),
    "publicity_withdraw": Figure(3, "workdays", "市场监督管理行政处罚信息公示规定第十一条", "CONFIRMED"),
    # "较低数额罚款" is set by the province (Art. 13(2)); Shandong's figure not found: Shanghai's used
    "lower_fine_natural": Figure(Decimal(5000), "yuan", "公示规定第十三条第二款（省级标准，山东待核）", "UNCONFIRMED"),
    "lower_fine_legal": Figure(Decimal(50000), "yuan", "公示规定第十三条第二款（省级标准，山东待核）", "UNCONFIRMED"),
    # RULES C5 (行刑衔接), `行政法规/行政执法机关移送涉嫌犯罪案件的规定(2020-08-07).md`: Art. 5 the head decides
    # within 3 days of the report, the case goes within 24 hours of approval; Art. 8 the police decide within
    # 3 days of receipt; Art. 9 reconsideration asked within 3 days of the non-filing notice, decided in 3,
    # then 3 days to ask the procuratorate; Art. 12 evidence handed over within 3 days. Art. 7 sets no
    # deadline for the police to sign for a transfer: the earlier "1 working day" receipt clock is removed.
    "transfer_head_decision": Figure(3, "days", "行政执法机关移送涉嫌犯罪案件的规定第五条", "CONFIRMED"),
    "transfer_send": Figure(24, "hours", "行政执法机关移送涉嫌犯罪案件的规定第五条", "CONFIRMED"),
    "police_acceptance": Figure(3, "days", "行政执法机关移送涉嫌犯罪案件的规定第八条", "CONFIRMED"),
    "transfer_reconsideration_request": Figure(3, "days", "行政执法机关移送涉嫌犯罪案件的规定第九条", "CONFIRMED"),
    "transfer_reconsideration_decision": Figure(3, "days", "行政执法机关移送涉嫌犯罪案件的规定第九条", "CONFIRMED"),
    "transfer_procuratorate": Figure(3, "days", "行政执法机关移送涉嫌犯罪案件的规定第九条", "CONFIRMED"),
    "transfer_evidence": Figure(3, "days", "行政执法机关移送涉嫌犯罪案件的规定第十二条", "CONFIRMED"),
    # RULES C9 (`…行政处罚程序规定(2022-09-29).md` Art. 76; 行政处罚法 Art. 72; 行政强制法 Arts. 35, 53–54):
    # unpaid: a written 催告 first; 10 working days after it, apply to the court within 3 months of the
    # end of the period; no late surcharge while reconsideration or litigation runs (行政处罚法 Art. 73(3)).
    "enforcement_notice_wait": Figure(10, "workdays", "程序规定第七十六条；行政强制法第五十四条", "CONFIRMED"),
    "court_application": Figure(3, "months", "程序规定第七十六条；行政强制法第五十三条", "CONFIRMED"),
    # RULES C14 (程序规定 2022): jurisdiction referral 7 wd (Arts. 13, 16); an extension of a time limit
    # decided within 15 wd (Art. 45); the decision served within 7 wd of its making (Art. 70); a
    # collection voucher within 2 wd (Art. 73). (Order 121 Art. 33 is in complaints/rules.py.)
    "referral": Figure(7, "workdays", "程序规定第十三条、第十六条", "CONFIRMED"),
    "extension_decision": Figure(15, "workdays", "程序规定第四十五条", "CONFIRMED"),
    "decision_service": Figure(7, "workdays", "程序规定第七十条", "CONFIRMED"),
    "fine_remittance": Figure(2, "workdays", "程序规定第七十三条", "CONFIRMED"),
}

# RULES 2.5 ⚠: before 行政处罚法 2021 the on-the-spot limits were ¥50 / ¥1,000 (1996 law Art. 33).
_SIMPLIFIED_BEFORE_2021 = {
    "simplified_natural": Figure(Decimal(50), "yuan", "行政处罚法（2017）第三十三条", "CONFIRMED"),
    "simplified_legal": Figure(Decimal(1000), "yuan", "行政处罚法（2017）第三十三条", "CONFIRMED"),
}


def figure(key: str, *, on: dt.date | None = None, overrides: dict[str, Decimal | int] | None = None) -> Figure:
    """The figure in force on ``on`` (the facts' date), with staff overrides of editable figures."""
    if on is not None and on < PENALTY_LAW_2021 and key in _SIMPLIFIED_BEFORE_2021:
        return _SIMPLIFIED_BEFORE_2021[key]
    fig = FIGURES[key]
    if overrides and key in overrides and fig.editable:
        return replace(fig, value=overrides[key], confidence="UNCONFIRMED")
    return fig


Overrides = dict[str, Decimal | int] | None


def _wd(key: str, overrides: Overrides = None) -> int:
    return int(figure(key, overrides=overrides).value)


# --- 2.1 clue check ------------------------------------------------------------------------------
CLUE_CHECK_WORKDAYS = _wd("clue_check")
CLUE_CHECK_EXTENSION_WORKDAYS = _wd("clue_check_extension")
CLUE_CHECK_BASIS = "市场监督管理行政处罚程序规定第十八条"


def clue_check_due(calendar: WorkCalendar, received_on: dt.date, *, extended: bool = False,
                   excluded_workdays: int = 0) -> DueDate:
    """Art. 18: 15 working days (+15 approved); testing/appraisal working days not counted."""
    days = CLUE_CHECK_WORKDAYS + (CLUE_CHECK_EXTENSION_WORKDAYS if extended else 0) + excluded_workdays
    return calendar.add_workdays(received_on, days)


# --- 2.2 filing conditions -----------------------------------------------------------------------
FILING_CONDITIONS = (
    Ground("evidence", "有证据初步证明存在违反市场监督管理法律、法规、规章的行为", "程序规定第十九条第（一）项"),
    Ground("penalty_due", "依据市场监督管理法律、法规、规章应当给予行政处罚", "程序规定第十九条第（二）项"),
    Ground("jurisdiction", "属于本部门管辖", "程序规定第十九条第（三）项"),
    Ground("limitation", "在给予行政处罚的法定期限内", "程序规定第十九条第（四）项"),
)
MIN_OFFICERS = _wd("min_officers")


def missing_filing_conditions(met: Iterable[str]) -> list[Ground]:
    """Art. 19: all four conditions must hold; returns the ones not confirmed."""
    met = set(met)
    return [g for g in FILING_CONDITIONS if g.code not in met]


# --- 2.3 grounds for not filing ------------------------------------------------------------------
NON_FILING_GROUNDS = (
    Ground("minor_corrected", "违法行为轻微并及时改正，没有造成危害后果", "程序规定第二十条第（一）项"),
    Ground("first_minor", "初次违法且危害后果轻微并及时改正", "程序规定第二十条第（二）项"),
    Ground("no_fault", "当事人有证据足以证明没有主观过错，但法律、行政法规另有规定的除外", "程序规定第二十条第（三）项"),
    Ground("other_lawful", "依法可以不予立案的其他情形", "程序规定第二十条第（四）项"),
    # Art. 19 not met: the clue does not satisfy the filing conditions at all
    Ground("conditions_unmet", "不符合立案条件", "程序规定第十九条"),
)


def non_filing_ground(code: str) -> Ground | None:
    return next((g for g in NON_FILING_GROUNDS if g.code == code), None)


# --- 2.4 decision deadline -----------------------------------------------------------------------
# Periods not counted (Art. 64 second paragraph)
EXCLUDED_PERIODS = {
    "suspension": "案件中止", "hearing": "听证", "public_notice": "公告",
    "testing": "检测、检验、检疫、鉴定", "rights_holder": "权利人辨认或者鉴别", "refund": "责令退还多收价款",
}


def decision_due(calendar: WorkCalendar, filed_on: dt.date, *, extensions: int = 0, paused_days: int = 0,
                 collective_until: dt.date | None = None) -> DueDate:
    """Art. 64: 90 days from filing; +30 with approval (extensions=1); a further period only by
    collective decision of the heads (``collective_until``); excluded periods push it back."""
    if collective_until is not None:
        return calendar.add_days(collective_until, 0)
    days = _wd("decision") + (_wd("decision_extension") if extensions >= 1 else 0) + paused_days
    return calendar.add_days(filed_on, days)


# --- 2.5 simplified procedure --------------------------------------------------------------------
PARTY_KINDS = {"legal": "法人或者其他组织", "natural": "自然人"}


def simplified_allowed(*, party_kind: str, penalty_kinds: Sequence[str], fine: Decimal, on: dt.date) -> bool:
    """Art. 66: only a warning and/or a fine up to ¥200 (person) / ¥3,000 (organisation)."""
    if set(penalty_kinds) - {"warning", "fine"}:
        return False
    limit = figure("simplified_natural" if party_kind == "natural" else "simplified_legal", on=on).value
    return fine <= limit


# --- 2.6–2.7 hearing -----------------------------------------------------------------------------
# 听证办法 Art. 5 (checked 2026-12-01): (1) 责令停产停业、责令关闭、限制从业; (2) 降低资质等级、吊销许可证件或者营业执照
# (RULES C11: 降低资质等级 is a penalty kind); 暂扣许可证件 kept as "其他较重的行政处罚" (Art. 5(5)).
HEARING_KINDS = {"suspend_licence", "lower_qualification", "revoke_licence", "restrict_business", "close_down"}


def hearing_required(*, party_kind: str, penalty_kinds: Sequence[str], fine: Decimal, confiscated: Decimal,
                     overrides: dict[str, Decimal | int] | None = None) -> bool:
    """听证办法 Art. 5: heavy kinds, or a fine / confiscated value at or above the threshold."""
    if set(penalty_kinds) & HEARING_KINDS:
        return True
    key = "hearing_natural" if party_kind == "natural" else "hearing_legal"
    threshold = figure(key, overrides=overrides).value
    return fine >= threshold or confiscated >= threshold


def hearing_request_due(calendar: WorkCalendar, served_on: dt.date) -> DueDate:
    """行政处罚法 Art. 64(1) + Art. 85: 5 working days after the notice is served."""
    return calendar.add_workdays(served_on, _wd("hearing_request"))


def workdays_before(calendar: WorkCalendar, day: dt.date, n: int) -> DueDate:
    """The n-th working day before ``day`` (``day`` itself not counted): "X个工作日前" deadlines.
    WorkCalendar counts forward only; counting back is the mirror of ``add_workdays``."""
    current, counted, provisional = day, 0, not calendar.is_official(day.year)
    while counted < n:
        current -= dt.timedelta(days=1)
        provisional |= not calendar.is_official(current.year)
        counted += calendar.is_workday(current)
    return DueDate(current, provisional, calendar.version)


def hearing_notice_latest(calendar: WorkCalendar, hearing_on: dt.date) -> DueDate:
    """RULES C2 / 听证办法 Art. 20: the hearing notice is served at the latest on the 7th working day
    before the hearing."""
    return workdays_before(calendar, hearing_on, _wd("hearing_notice"))


def hearing_announcement_latest(calendar: WorkCalendar, hearing_on: dt.date) -> DueDate:
    """RULES C2 / 听证办法 Art. 22(2): a public hearing is announced 3 working days before it."""
    return workdays_before(calendar, hearing_on, _wd("hearing_announcement"))


def hearing_preparation(calendar: WorkCalendar, requested_on: dt.date) -> list[tuple[str, DueDate, str]]:
    """RULES C2 / 听证办法 Arts. 18–20: presider within 3 wd of the request, materials within 3 wd of
    that, time and place within 5 wd of receiving them (each counted from the previous step's latest day)."""
    out, start = [], requested_on
    for key in ("hearing_presider", "hearing_materials", "hearing_schedule"):
        due = calendar.add_workdays(start, _wd(key))
        out.append((key, due, FIGURES[key].basis))
        start = due.due_on
    return out


def hearing_report_due(calendar: WorkCalendar, held_on: dt.date) -> DueDate:
    """RULES C2 / 听证办法 Art. 29: the hearing report within 5 working days of the hearing."""
    return calendar.add_workdays(held_on, _wd("hearing_report"))


# --- serious list with the penalty (RULES C4) -----------------------------------------------------
# Order 44 Art. 13 (checked 2026-12-01, `…严重违法失信名单管理办法(2021-07-30).md`): "在作出行政处罚决定时应当对是否
# 列入严重违法失信名单作出决定…告知、听证、送达、异议处理等程序应当与行政处罚程序一并实施".
SERIOUS_WITH_PENALTY_BASIS = "《市场监督管理严重违法失信名单管理办法》第十三条"


# --- limitation (RULES C3) ------------------------------------------------------------------------
def limitation_ends(act_ended_on: dt.date, *, life_health_or_financial: bool) -> dt.date:
    """行政处罚法 Art. 36: the last day a violation may be discovered — 2 years (5 for life, health or
    financial safety with harmful consequences) from the act, or from the end of a continuing act."""
    years = _wd("limitation_extended" if life_health_or_financial else "limitation")
    try:
        return act_ended_on.replace(year=act_ended_on.year + years)
    except ValueError:  # 29 February
        return act_ended_on.replace(year=act_ended_on.year + years, day=28)


def limitation_passed(*, act_ended_on: dt.date | None, discovered_on: dt.date,
                      life_health_or_financial: bool) -> dt.date | None:
    """The limitation's end when the violation was discovered after it (Art. 36), else None."""
    if act_ended_on is None:
        return None
    ends = limitation_ends(act_ended_on, life_health_or_financial=life_health_or_financial)
    return ends if discovered_on > ends else None


# --- 2.8 statement/defence and review ------------------------------------------------------------
def statement_due(calendar: WorkCalendar, served_on: dt.date) -> DueDate:
    return calendar.add_workdays(served_on, _wd("statement"))


def statement_window_open(*, statement_recorded: bool, hearing_held: bool, statement_due_on: dt.date | None,
                          on: dt.date) -> bool:
    """程序规定 Art. 57: no decision while the party's 5-working-day statement period runs, unless the
    party has already stated its case or a hearing was held."""
    return not statement_recorded and not hearing_held and statement_due_on is not None and on <= statement_due_on


def legal_review_due(calendar: WorkCalendar, received_on: dt.date) -> DueDate:
    return calendar.add_workdays(received_on, _wd("legal_review"))


# --- 2.9 evidence ---------------------------------------------------------------------------------
def preservation_decision_due(calendar: WorkCalendar, preserved_on: dt.date) -> DueDate:
    return calendar.add_workdays(preserved_on, _wd("preservation_decision"))


def seizure_due(calendar: WorkCalendar, started_on: dt.date, *, extended: bool = False) -> DueDate:
    """行政强制法 Art. 25: at most 30 days, extended once by at most 30 days."""
    return calendar.add_days(started_on, _wd("seizure") + (_wd("seizure_extension") if extended else 0))


# --- 2.10 delivery -------------------------------------------------------------------------------
def delivery_due(calendar: WorkCalendar, decided_on: dt.date) -> DueDate:
    return calendar.add_workdays(decided_on, _wd("delivery"))


def deemed_delivered_by_notice(published_on: dt.date) -> dt.date:
    """Art. 83: delivery by public notice counts 30 days after publication."""
    return published_on + dt.timedelta(days=_wd("public_notice_delivery"))


# --- 2.11 execution and closure ------------------------------------------------------------------
def payment_due(calendar: WorkCalendar, delivered_on: dt.date) -> DueDate:
    return calendar.add_days(delivered_on, _wd("payment"))


def late_surcharge(fine: Decimal, days_late: int, *, suspended_days: int = 0) -> Decimal:
    """Art. 75: 3% of the fine per day late, never more than the fine; RULES C9 (行政处罚法 Art. 73(3)):
    no surcharge for the days reconsideration or litigation ran (``suspended_days``)."""
    days_late -= suspended_days
    if days_late <= 0:
        return Decimal(0)
    return min(fine, (fine * _wd("late_surcharge_percent") * days_late / 100).quantize(Decimal("0.01")))


SURCHARGE_BASIS = "程序规定第七十五条、第七十六条；行政强制法第四十五条"


def surcharge_outstanding(*, fine: Decimal, surcharge: Decimal | None, paid: Decimal | None,
                          unpaid_principal_counts: bool = False) -> Decimal:
    """RULES C9: what is still owed on the surcharge (or, with ``unpaid_principal_counts``, in total):
    a case is 执行完毕 only when principal and surcharge are paid."""
    total = fine + (surcharge or Decimal(0))
    owed = total - (paid or Decimal(0))
    if unpaid_principal_counts:
        return max(owed, Decimal(0))
    return max(min(owed, surcharge or Decimal(0)), Decimal(0))


def closure_due(calendar: WorkCalendar, event_on: dt.date) -> DueDate:
    return calendar.add_workdays(event_on, _wd("closure"))


# --- 2.12 publicity ------------------------------------------------------------------------------
NO_EARLY_STOP_KINDS = {"suspend_licence", "lower_qualification", "revoke_licence", "restrict_business", "close_down"}


def publicity_required(*, simplified: bool, penalty_kinds: Sequence[str]) -> bool:
    """公示规定 Art. 2/9: ordinary-procedure decisions are published, warning-only ones are not."""
    return not simplified and set(penalty_kinds) != {"warning"} and bool(penalty_kinds)


def publicity_due(calendar: WorkCalendar, decided_on: dt.date) -> DueDate:
    return calendar.add_workdays(decided_on, _wd("publicity"))


def publicity_withdraw_due(calendar: WorkCalendar, changed_on: dt.date) -> DueDate:
    return calendar.add_workdays(changed_on, _wd("publicity_withdraw"))


def publicity_period(*, party_kind: str, penalty_kinds: Sequence[str], fine: Decimal,
                     overrides: dict[str, Decimal | int] | None = None) -> str:
    """Art. 14: 3 months for criticism or a lower fine only; otherwise 3 years."""
    kinds = set(penalty_kinds) - {"warning"}
    key = "lower_fine_natural" if party_kind == "natural" else "lower_fine_legal"
    if kinds <= {"criticism", "fine"} and fine <= figure(key, overrides=overrides).value:
        return "3m"
    return "3y"


def publicity_until(start: dt.date, period: str) -> dt.date:
    """End of the publication period: 3 months or 3 years from the publication date (Art. 14)."""
    month = start.month - 1 + (3 if period == "3m" else 36)
    year, month = start.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(start.day, monthrange(year, month)[1]))


@dataclass(frozen=True, slots=True)
class EarlyStopFacts:
    duties_performed: bool
    harm_removed: bool
    no_repeat: bool
    not_on_lists: bool


def early_stop_refusals(facts: EarlyStopFacts, penalty_kinds: Sequence[str]) -> list[str]:
    """Art. 14(3): all four conditions, and never for suspension, bars or revocation."""
    reasons = [label for ok, label in ((facts.duties_performed, "未履行行政处罚决定"),
                                       (facts.harm_removed, "未消除危害后果和不良社会影响"),
                                       (facts.no_repeat, "公示期内再次发生同类违法行为"),
                                       (facts.not_on_lists, "被列入经营异常名录或者严重违法失信名单"))
               if not ok]
    if set(penalty_kinds) & NO_EARLY_STOP_KINDS:
        reasons.append("责令停产停业、限制从业、降低资质等级、吊销许可证件或营业执照的处罚不得提前停止公示")
    return reasons


# --- 2.13 conflict of interest -------------------------------------------------------------------
def conflicting_officers(officers: Iterable[str], declarations: Iterable[tuple[str, str]],
                         respondent_keys: set[str]) -> list[str]:
    """程序规定 Art. 4: an officer with a declared relation to the party steps aside.
    ``declarations`` are (officer, party USCC or name)."""
    officers = set(officers)
    return sorted({o for o, party in declarations if o in officers and party in respondent_keys})


# --- transfers to the police (行刑衔接, RULES C5) ---------------------------------------------------
def transfer_head_decision_due(calendar: WorkCalendar, reported_on: dt.date) -> DueDate:
    """Art. 5: the head decides within 3 days of the transfer report."""
    return calendar.add_days(reported_on, _wd("transfer_head_decision"))


def transfer_send_by(approved_at: dt.datetime) -> dt.datetime:
    """Art. 5: the case is transferred within 24 hours of approval."""
    return approved_at + dt.timedelta(hours=_wd("transfer_send"))


def police_feedback_due(calendar: WorkCalendar, received_on: dt.date) -> DueDate:
    """Art. 8: the police decide within 3 days of receiving the transfer (no receipt deadline, Art. 7)."""
    return calendar.add_days(received_on, _wd("police_acceptance"))


def transfer_evidence_due(calendar: WorkCalendar, sent_on: dt.date) -> DueDate:
    """Art. 12: the seized items and evidence are handed over within 3 days."""
    return calendar.add_days(sent_on, _wd("transfer_evidence"))


def reconsideration_chain(calendar: WorkCalendar, non_filing_notified_on: dt.date) -> list[tuple[str, DueDate, str]]:
    """Art. 9: ask the police to reconsider within 3 days of the non-filing notice; they decide within
    3 days; then 3 days to ask the procuratorate to supervise (each from the previous latest day)."""
    out, start = [], non_filing_notified_on
    for key in ("transfer_reconsideration_request", "transfer_reconsideration_decision", "transfer_procuratorate"):
        due = calendar.add_days(start, _wd(key))
        out.append((key, due, FIGURES[key].basis))
        start = due.due_on
    return out


# --- unpaid fines (RULES C9) ----------------------------------------------------------------------
def court_application_window(calendar: WorkCalendar, urged_on: dt.date) -> tuple[DueDate, DueDate]:
    """程序规定 Art. 76: (earliest, latest) day to apply to the court — 10 working days after the 催告,
    then within 3 months of that period's end."""
    earliest = calendar.add_workdays(urged_on, _wd("enforcement_notice_wait"))
    month0 = earliest.due_on.month - 1 + _wd("court_application")
    year, month = earliest.due_on.year + month0 // 12, month0 % 12 + 1
    end = dt.date(year, month, min(earliest.due_on.day, monthrange(year, month)[1]))
    return earliest, calendar.add_days(end, 0)


# --- discretion benchmarks -----------------------------------------------------------------------
def within_range(fine: Decimal, low: Decimal, high: Decimal) -> bool:
    return low <= fine <= high
