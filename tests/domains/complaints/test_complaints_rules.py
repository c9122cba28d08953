"""Statutory rules of complaint and report handling (RULES §1), each test named after its rule."""

from __future__ import annotations

import datetime as dt

import pytest

from marketreg.domains.complaints import rules
from marketreg.domains.complaints.enums import PlatformRole
from marketreg.platform.calendar import WorkCalendar

D = dt.date
CAL = WorkCalendar()


def _clocks(kind, received, accepted=None):
    return {c.step: c for c in rules.clocks(CAL, kind=kind, received_on=received, accepted_on=accepted)}


def test_rule_1_39_version_is_chosen_by_receipt_date():
    assert rules.ruleset_for(D(2026, 4, 14)).version == "samr20-2022"
    assert rules.ruleset_for(D(2026, 4, 15)).version == "samr121-2026"


def test_rule_1_1_accept_decision_within_7_working_days():
    # received Thu 2025-09-25: 26, 28 (Sun make-up), 29, 30, 10-01..08 off, 09, 10, 11 (Sat make-up) → 10-11
    clock = _clocks("complaint", D(2025, 9, 25))["accept_decision"]
    assert (clock.due_on, clock.rule_version, clock.basis) == (D(2025, 10, 11), "samr20-2022", "暂行办法第十四条")


def test_rule_1_22_accept_decision_under_order_121_is_partial_and_editable():
    figure = rules.SAMR121_2026.figure("accept_decision")
    assert (figure.value, figure.unit, figure.confidence, figure.editable) == (7, "workdays", "PARTIAL", True)
    assert _clocks("complaint", D(2026, 4, 15))["accept_decision"].due_on == D(2026, 4, 24)


def test_rule_1_8_mediation_ends_45_working_days_after_acceptance():
    clock = _clocks("complaint", D(2025, 3, 3), accepted=D(2025, 3, 5))["mediation_end"]
    assert clock.due_on == CAL.add_workdays(D(2025, 3, 5), 45).due_on == D(2025, 5, 12)


def test_rule_1_27_mediation_ends_60_days_after_acceptance_and_rolls_past_a_holiday():
    # 2026-04-20 + 60 days = 2026-06-19, the Dragon Boat holiday (19–21 Jun) → Monday 22 Jun (RULES 0.3)
    clock = _clocks("complaint", D(2026, 4, 15), accepted=D(2026, 4, 20))["mediation_end"]
    assert (clock.due_on, clock.rule_version) == (D(2026, 6, 22), "samr121-2026")


def test_rule_1_7_and_1_26_testing_time_is_not_counted():
    figure = rules.SAMR121_2026.figure("mediation_limit")
    assert rules.due(CAL, D(2026, 5, 6), figure, paused_days=10).due_on == D(2026, 7, 15)


def test_rule_1_13_and_2_1_report_filing_decision_15_plus_15_working_days():
    clocks = _clocks("report", D(2026, 9, 28))
    assert clocks["report_filing_decision"].due_on == D(2026, 10, 23)
    assert clocks["report_filing_decision_extended"].due_on == D(2026, 11, 13)


def test_rule_1_13_real_name_reporter_notice_exists_only_before_order_121():
    assert rules.SAMR20_2022.figure("report_notice").value == 5
    assert "report_notice" not in rules.SAMR121_2026.figures  # RULES 1.34


def test_rule_1_3_six_refusal_grounds_before_2026():
    assert [g.code for g in rules.SAMR20_2022.refusal_grounds] == [
        "not_in_remit", "already_handled", "not_consumer", "time_barred", "materials_missing", "other_law"]
    assert all("暂行办法第十五条" in g.basis for g in rules.SAMR20_2022.refusal_grounds)


def test_rule_1_23_seven_refusal_grounds_under_order_121():
    codes = [g.code for g in rules.SAMR121_2026.refusal_grounds]
    assert len(codes) == 7 and "identity_refused" in codes
    assert all("办法第十六条" in g.basis for g in rules.SAMR121_2026.refusal_grounds)


def test_rule_1_8_and_1_27_termination_grounds_by_version():
    old = {g.code for g in rules.SAMR20_2022.termination_grounds}
    new = {g.code for g in rules.SAMR121_2026.termination_grounds}
    assert len(old) == 7 and len(new) == 8
    assert "no_lab_agreement" in old - new  # disagreement on the lab is no longer a ground (1.26)
    assert {"party_gone", "no_cost_agreement"} <= new - old


@pytest.mark.parametrize(("known", "received", "barred"), [
    # C8 changed the first case: 1 May 2026 is a holiday (1–5 May off), so the 3 years end on Wed 6 May
    (D(2023, 5, 1), D(2026, 5, 6), False),
    (D(2023, 5, 1), D(2026, 5, 7), True),
    (D(2022, 3, 1), D(2025, 3, 3), False),  # 1 Mar 2025 is a Saturday: the limit ends on Monday 3 Mar
    (D(2022, 3, 1), D(2025, 3, 4), True),
    (D(2020, 2, 29), D(2023, 2, 28), False),
    (None, D(2026, 5, 2), False),
])
def test_rule_1_3_4_three_year_limitation(known, received, barred):
    assert rules.is_time_barred(CAL, rules.ruleset_for(received), harm_known_on=known, received_on=received) is barred


def test_rule_c8_three_year_limit_rolls_past_a_holiday_at_its_end():
    clock = rules.time_limit(CAL, rules.ruleset_for(D(2026, 5, 2)), harm_known_on=D(2023, 5, 1))
    assert (clock.step, clock.due_on, clock.rule_version) == ("time_limit", D(2026, 5, 6), "samr121-2026")
    assert "办法第十六条第（四）项" in clock.basis and "第四十五条" in clock.basis and not clock.provisional
    old = rules.time_limit(CAL, rules.ruleset_for(D(2025, 10, 2)), harm_known_on=D(2022, 10, 1))
    assert (old.due_on, old.rule_version) == (D(2025, 10, 9), "samr20-2022")  # National Day 1–8 Oct 2025
    assert rules.time_limit(CAL, rules.ruleset_for(D(2026, 5, 2)), harm_known_on=D(2024, 1, 2)).provisional


def test_item_12_transition_policy_is_stated_with_its_basis():
    assert "未设过渡条款" in rules.TRANSITION_POLICY and "第四十六条" in rules.TRANSITION_BASIS
    # a complaint received before 2026-04-15 keeps Order 20 for a step after it (the 45-working-day mediation)
    clock = _clocks("complaint", D(2026, 4, 10), accepted=D(2026, 4, 14))["mediation_end"]
    assert clock.rule_version == "samr20-2022" and clock.basis.startswith("暂行办法第二十一条")


def test_plan_first_response_within_24_hours():
    assert rules.SAMR121_2026.figure("first_response").value == 24


def _seller(**kw):
    base = {"region_code": "370102", "address_region_code": None, "platform_role": PlatformRole.platform_seller,
            "platform_region_code": "330106", "published_address_region_code": "370202"}
    return rules.Respondent(**{**base, **kw})


def test_rule_1_4_platform_seller_complaint_before_2026_goes_to_its_place_of_business():
    decision = rules.route(rules.SAMR20_2022, kind="complaint", respondent=_seller(address_region_code="370303"))
    assert (decision.region_code, decision.rule, decision.basis) == ("370303", "seller_place_of_business",
                                                                     "暂行办法第十二条")


def test_rule_1_21_platform_seller_complaint_goes_to_the_published_address():
    decision = rules.route(rules.SAMR121_2026, kind="complaint", respondent=_seller())
    assert (decision.region_code, decision.rule, decision.basis) == ("370202", "seller_published_address",
                                                                     "办法第十三条")


@pytest.mark.parametrize("respondent", [_seller(published_address_region_code=None), _seller(seller_unreachable=True)],
                         ids=["no-published-address", "unreachable"])
def test_rule_1_21_platform_domicile_when_no_published_address_or_unreachable(respondent):
    decision = rules.route(rules.SAMR121_2026, kind="complaint", respondent=respondent)
    assert (decision.region_code, decision.rule) == ("330106", "platform_domicile_fallback")


@pytest.mark.parametrize("role", [PlatformRole.platform_operator, PlatformRole.self_built_site])
def test_rule_1_4_and_1_21_platforms_and_own_sites_go_to_their_domicile(role):
    respondent = rules.Respondent(region_code="370112", address_region_code="370202", platform_role=role)
    for rule_set in rules.RULESETS:
        assert rules.route(rule_set, kind="complaint", respondent=respondent).region_code == "370112"


def test_rule_1_12_and_1_32_platform_seller_report_goes_to_its_place_of_business_in_both_versions():
    for rule_set in rules.RULESETS:
        decision = rules.route(rule_set, kind="report", respondent=_seller(address_region_code="370303"))
        assert (decision.region_code, decision.rule) == ("370303", "seller_place_of_business")


def test_unknown_respondent_goes_to_manual_triage():
    decision = rules.route(rules.SAMR121_2026, kind="complaint",
                           respondent=rules.Respondent(region_code=None, address_region_code=None))
    assert (decision.region_code, decision.rule) == (None, "manual_triage")


def test_confirmed_figures_cannot_be_overridden_partial_ones_can():
    overridden = rules.ruleset_for(D(2026, 5, 1), {("samr121-2026", "accept_decision"): 10,
                                                    ("samr121-2026", "mediation_limit"): 90})
    assert overridden.figure("accept_decision").value == 10
    assert overridden.figure("mediation_limit").value == 60
    assert overridden.overridden == frozenset({"accept_decision"})


def test_rule_c14_jurisdiction_disputes_settled_within_7_working_days():
    assert rules.SAMR121_2026.figure("jurisdiction_dispute").basis == "办法第三十三条"
    assert rules.SAMR20_2022.figure("jurisdiction_dispute").value == 7
    figure = rules.SAMR121_2026.figure("jurisdiction_dispute")
    assert rules.due(CAL, D(2026, 9, 28), figure).due_on == D(2026, 10, 13)  # 29, 30 Sep, 8, 9, Sat 10, 12, 13 Oct
