"""Statutory clocks and thresholds of the penalty procedure (RULES §2), each test named after
its rule. Dates use the official 2026 arrangement (RULES 15.3)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from marketreg.domains.enforcement import rules
from marketreg.platform.calendar import WorkCalendar

D = dt.date
CAL = WorkCalendar()


def test_rule_2_1_clue_check_within_15_working_days():
    assert rules.clue_check_due(CAL, D(2026, 3, 2)).due_on == D(2026, 3, 23)
    # across the National Day week (25–27 Sep, 1–7 Oct off; Sat 10 Oct worked)
    assert rules.clue_check_due(CAL, D(2026, 9, 24)).due_on == D(2026, 10, 22)


def test_rule_2_1_clue_check_extension_15_more_working_days_and_testing_time_excluded():
    assert rules.clue_check_due(CAL, D(2026, 3, 2), extended=True).due_on == D(2026, 4, 14)
    assert rules.clue_check_due(CAL, D(2026, 3, 2), excluded_workdays=5).due_on == D(2026, 3, 30)
    assert rules.FIGURES["clue_check"].basis == "程序规定第十八条"


def test_rule_2_2_filing_needs_all_four_conditions_and_two_officers():
    assert rules.missing_filing_conditions(["evidence", "penalty_due", "jurisdiction", "limitation"]) == []
    missing = rules.missing_filing_conditions(["evidence", "penalty_due", "jurisdiction"])
    assert [g.code for g in missing] == ["limitation"]
    assert missing[0].basis == "程序规定第十九条第（四）项"
    assert rules.MIN_OFFICERS == 2


def test_rule_2_3_grounds_for_not_filing():
    assert [g.code for g in rules.NON_FILING_GROUNDS[:4]] == ["minor_corrected", "first_minor", "no_fault",
                                                             "other_lawful"]
    assert rules.non_filing_ground("first_minor").basis == "程序规定第二十条第（二）项"
    assert rules.non_filing_ground("made_up") is None


def test_rule_2_4_decision_within_90_days_of_filing():
    # 2026-03-02 + 90 days = Sun 31 May → Monday 1 June (RULES 0.3)
    due = rules.decision_due(CAL, D(2026, 3, 2))
    assert (due.due_on, due.provisional) == (D(2026, 6, 1), False)


def test_rule_2_4_decision_extension_30_days_with_approval():
    assert rules.decision_due(CAL, D(2026, 3, 2), extensions=1).due_on == D(2026, 6, 30)


def test_rule_2_4_excluded_periods_push_the_decision_deadline_back():
    assert rules.decision_due(CAL, D(2026, 3, 2), paused_days=10).due_on == D(2026, 6, 10)
    assert set(rules.EXCLUDED_PERIODS) == {"suspension", "hearing", "public_notice", "testing", "rights_holder",
                                           "refund"}


def test_rule_2_4_further_extension_only_by_collective_decision_until_a_set_date():
    # the collectively fixed date (Sat 1 Aug) ends on the next working day
    assert rules.decision_due(CAL, D(2026, 3, 2), extensions=2,
                              collective_until=D(2026, 8, 1)).due_on == D(2026, 8, 3)


@pytest.mark.parametrize(("party", "kinds", "fine", "allowed"), [
    ("natural", ["fine"], 200, True), ("natural", ["fine"], 201, False),
    ("legal", ["fine"], 3000, True), ("legal", ["fine"], 3001, False),
    ("legal", ["warning"], 0, True), ("legal", ["confiscation"], 100, False),
], ids=["person-200", "person-201", "org-3000", "org-3001", "warning", "confiscation"])
def test_rule_2_5_simplified_procedure_limits(party, kinds, fine, allowed):
    assert rules.simplified_allowed(party_kind=party, penalty_kinds=kinds, fine=Decimal(fine),
                                    on=D(2026, 5, 6)) is allowed


def test_rule_2_5_simplified_limits_before_2021_were_50_and_1000():
    assert rules.simplified_allowed(party_kind="legal", penalty_kinds=["fine"], fine=Decimal(1000), on=D(2021, 7, 14))
    assert not rules.simplified_allowed(party_kind="legal", penalty_kinds=["fine"], fine=Decimal(1500),
                                        on=D(2021, 7, 14))
    assert rules.simplified_allowed(party_kind="legal", penalty_kinds=["fine"], fine=Decimal(1500), on=D(2021, 7, 15))


@pytest.mark.parametrize(("party", "kinds", "fine", "confiscated", "required"), [
    ("natural", ["fine"], "10000", "0", True), ("natural", ["fine"], "9999.99", "0", False),
    ("legal", ["fine"], "100000", "0", True), ("legal", ["fine"], "99999", "0", False),
    ("legal", ["confiscation"], "0", "100000", True), ("legal", ["revoke_licence"], "0", "0", True),
    ("legal", ["restrict_business"], "0", "0", True),
], ids=["person-10000", "person-under", "org-100000", "org-under", "confiscation", "revocation", "suspension"])
def test_rule_2_6_hearing_thresholds(party, kinds, fine, confiscated, required):
    assert rules.hearing_required(party_kind=party, penalty_kinds=kinds, fine=Decimal(fine),
                                  confiscated=Decimal(confiscated)) is required


def test_rule_2_7_hearing_request_within_5_working_days():
    # served Thu 30 Apr: 1–5 May off, Sat 9 May worked → 6, 7, 8, 9, 11 May
    assert rules.hearing_request_due(CAL, D(2026, 4, 30)).due_on == D(2026, 5, 11)


def test_rule_c2_hearing_notice_7_working_days_before_the_hearing():
    # C2 changed 2.7: Wed 10 Jun 2026 − 7 working days (19 Jun holiday not in range) = Mon 1 Jun, not 3 Jun
    assert rules.hearing_notice_latest(CAL, D(2026, 6, 10)).due_on == D(2026, 6, 1)
    # across National Day: Fri 16 Oct → 15, 14, 13, 12, Sat 10 (worked), 9, 8 Oct
    assert rules.hearing_notice_latest(CAL, D(2026, 10, 16)).due_on == D(2026, 10, 8)
    assert rules.FIGURES["hearing_notice"].unit == "workdays"
    assert rules.hearing_notice_latest(CAL, D(2027, 1, 15)).provisional


def test_rule_c2_hearing_preparation_announcement_and_report():
    prep = rules.hearing_preparation(CAL, D(2026, 9, 28))
    # presider: 28 Sep + 3 wd = 29, 30 Sep, then (1–7 Oct off) 8 Oct; materials 9, Sat 10, 12 Oct; …
    assert [(k, d.due_on) for k, d, _ in prep] == [("hearing_presider", D(2026, 10, 8)),
                                                   ("hearing_materials", D(2026, 10, 12)),
                                                   ("hearing_schedule", D(2026, 10, 19))]
    assert [b for _, _, b in prep] == ["听证办法第十八条", "听证办法第十九条", "听证办法第二十条第一款"]
    assert rules.hearing_announcement_latest(CAL, D(2026, 10, 16)).due_on == D(2026, 10, 13)
    assert rules.hearing_report_due(CAL, D(2026, 9, 30)).due_on == D(2026, 10, 13)  # 8, 9, Sat 10, 12, 13 Oct


def test_rule_2_8_statement_and_defence_within_5_working_days():
    assert rules.statement_due(CAL, D(2026, 3, 2)).due_on == D(2026, 3, 9)


def test_rule_2_8_legal_review_within_10_working_days():
    # from Tue 10 Feb: Sat 14 Feb worked, 15–23 Feb off, Sat 28 Feb worked → Mon 2 March
    assert rules.legal_review_due(CAL, D(2026, 2, 10)).due_on == D(2026, 3, 2)


def test_rule_2_9_evidence_preservation_decision_within_7_working_days():
    # from Fri 12 Jun, Dragon Boat 19–21 Jun off
    assert rules.preservation_decision_due(CAL, D(2026, 6, 12)).due_on == D(2026, 6, 24)


def test_rule_2_9_seizure_30_days_plus_30():
    assert rules.seizure_due(CAL, D(2026, 3, 2)).due_on == D(2026, 4, 1)
    # 60 days = Fri 1 May, Labour Day holiday 1–5 May → Wed 6 May
    assert rules.seizure_due(CAL, D(2026, 3, 2), extended=True).due_on == D(2026, 5, 6)


def test_rule_2_10_delivery_within_7_working_days():
    assert rules.delivery_due(CAL, D(2026, 9, 30)).due_on == D(2026, 10, 15)
    assert rules.deemed_delivered_by_notice(D(2026, 3, 1)) == D(2026, 3, 31)


def test_rule_2_11_payment_within_15_days_and_late_surcharge_capped():
    assert rules.payment_due(CAL, D(2026, 3, 2)).due_on == D(2026, 3, 17)
    assert rules.late_surcharge(Decimal(10000), 10) == Decimal(3000)
    assert rules.late_surcharge(Decimal(10000), 40) == Decimal(10000)
    assert rules.late_surcharge(Decimal(10000), 0) == Decimal(0)


def test_rule_2_11_closure_within_15_working_days():
    assert rules.closure_due(CAL, D(2026, 3, 2)).due_on == D(2026, 3, 23)


def test_rule_2_12_penalty_publicity_within_20_working_days():
    assert rules.publicity_due(CAL, D(2026, 3, 2)).due_on == D(2026, 3, 30)
    assert rules.publicity_withdraw_due(CAL, D(2026, 4, 3)).due_on == D(2026, 4, 9)


def test_rule_2_12_warnings_and_simplified_decisions_are_not_published():
    assert not rules.publicity_required(simplified=False, penalty_kinds=["warning"])
    assert not rules.publicity_required(simplified=True, penalty_kinds=["fine"])
    assert rules.publicity_required(simplified=False, penalty_kinds=["warning", "fine"])


@pytest.mark.parametrize(("party", "kinds", "fine", "period"), [
    ("legal", ["fine"], 50000, "3m"), ("legal", ["fine"], 50001, "3y"), ("natural", ["fine"], 5001, "3y"),
    ("legal", ["criticism"], 0, "3m"), ("legal", ["fine", "confiscation"], 1000, "3y"),
], ids=["org-lower", "org-higher", "person-higher", "criticism", "confiscation"])
def test_rule_2_12_publicity_period_3_months_or_3_years(party, kinds, fine, period):
    assert rules.publicity_period(party_kind=party, penalty_kinds=kinds, fine=Decimal(fine)) == period


def test_rule_2_12_publicity_period_end_dates_and_unconfirmed_lower_fine_is_editable():
    assert rules.publicity_until(D(2026, 11, 30), "3m") == D(2027, 2, 28)
    assert rules.publicity_until(D(2026, 3, 2), "3y") == D(2029, 3, 2)
    assert rules.FIGURES["lower_fine_legal"].editable
    assert rules.publicity_period(party_kind="legal", penalty_kinds=["fine"], fine=Decimal(20000),
                                  overrides={"lower_fine_legal": Decimal(10000)}) == "3y"
    # a confirmed figure is not overridden
    assert rules.figure("publicity", overrides={"publicity": 5}).value == 20


def test_rule_2_12_early_stop_needs_all_four_conditions_and_not_for_revocation():
    ok = rules.EarlyStopFacts(True, True, True, True)
    assert rules.early_stop_refusals(ok, ["fine"]) == []
    assert len(rules.early_stop_refusals(rules.EarlyStopFacts(False, True, True, False), ["fine"])) == 2
    assert rules.early_stop_refusals(ok, ["fine", "revoke_licence"]) != []


def test_rule_2_13_handler_with_declared_relation_steps_aside():
    declared = [("lx_inspector", "91370102MA3C4D5E7Q"), ("lx_officer", "别的公司")]
    assert rules.conflicting_officers(["lx_inspector", "lx_officer"], declared,
                                      {"91370102MA3C4D5E7Q", "某公司"}) == ["lx_inspector"]
    assert rules.conflicting_officers(["lx_officer"], declared, {"91370102MA3C4D5E7Q"}) == []


def test_rule_c5_transfer_clocks_and_no_police_receipt_deadline():
    assert "police_receipt" not in rules.FIGURES  # 移送规定 Art. 7 sets no receipt deadline
    assert not hasattr(rules, "police_receipt_due")
    # Art. 5: head's decision within 3 days of the report; transfer within 24 hours of approval
    assert rules.transfer_head_decision_due(CAL, D(2026, 3, 2)).due_on == D(2026, 3, 5)
    approved = dt.datetime(2026, 3, 5, 16, 30)
    assert rules.transfer_send_by(approved) == dt.datetime(2026, 3, 6, 16, 30)
    # Art. 8: police decide within 3 days of *receipt*; Art. 12: evidence within 3 days
    assert rules.police_feedback_due(CAL, D(2026, 3, 9)).due_on == D(2026, 3, 12)
    assert rules.transfer_evidence_due(CAL, D(2026, 3, 6)).due_on == D(2026, 3, 9)  # Sun 8 Mar → Mon 9 Mar
    # Art. 9: reconsideration asked in 3 days, decided in 3, then 3 days to the procuratorate
    chain = rules.reconsideration_chain(CAL, D(2026, 3, 2))
    assert [(k, d.due_on) for k, d, _ in chain] == [("transfer_reconsideration_request", D(2026, 3, 5)),
                                                    ("transfer_reconsideration_decision", D(2026, 3, 9)),
                                                    ("transfer_procuratorate", D(2026, 3, 12))]
    assert all(b == "行政执法机关移送涉嫌犯罪案件的规定第九条" for _, _, b in chain)


def test_rule_c3_limitation_2_years_or_5_from_the_end_of_the_act():
    assert rules.limitation_ends(D(2024, 3, 1), life_health_or_financial=False) == D(2026, 3, 1)
    assert rules.limitation_ends(D(2024, 3, 1), life_health_or_financial=True) == D(2029, 3, 1)
    assert rules.limitation_passed(act_ended_on=D(2024, 3, 1), discovered_on=D(2026, 3, 1),
                                   life_health_or_financial=False) is None
    assert rules.limitation_passed(act_ended_on=D(2024, 3, 1), discovered_on=D(2026, 3, 2),
                                   life_health_or_financial=False) == D(2026, 3, 1)
    assert rules.limitation_passed(act_ended_on=D(2024, 3, 1), discovered_on=D(2026, 3, 2),
                                   life_health_or_financial=True) is None
    assert rules.FIGURES["limitation"].basis == "行政处罚法第三十六条第一款"


def test_rule_c9_court_application_window_and_no_surcharge_during_remedies():
    earliest, latest = rules.court_application_window(CAL, D(2026, 9, 14))
    # 10 working days after Mon 14 Sep: 15–18, Sun 20 (worked), 21–24, then 25–27 Sep off → Mon 28 Sep
    assert earliest.due_on == D(2026, 9, 28)
    assert latest.due_on == D(2026, 12, 28)  # within 3 months of that period's end (程序规定 Art. 76)
    assert rules.late_surcharge(Decimal(10000), 10, suspended_days=10) == Decimal(0)
    assert rules.late_surcharge(Decimal(10000), 12, suspended_days=10) == Decimal(600)
    assert rules.surcharge_outstanding(fine=Decimal(1000), surcharge=Decimal(90), paid=Decimal(1000)) == 90
    assert rules.surcharge_outstanding(fine=Decimal(1000), surcharge=Decimal(90), paid=Decimal(1090)) == 0


def test_rule_c11_lower_qualification_is_a_penalty_kind_with_hearing_rights():
    from marketreg.domains.enforcement.enums import PENALTY_KINDS

    assert PENALTY_KINDS["lower_qualification"] == "降低资质等级"
    assert rules.hearing_required(party_kind="legal", penalty_kinds=["lower_qualification"], fine=Decimal(0),
                                  confiscated=Decimal(0))


def test_rule_c14_minor_deadlines():
    assert [rules.FIGURES[k].value for k in ("referral", "extension_decision", "decision_service",
                                             "fine_remittance")] == [7, 15, 7, 2]
    assert rules.FIGURES["decision_service"].basis == "程序规定第七十条"
