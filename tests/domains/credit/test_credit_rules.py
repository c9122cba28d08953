"""Each statutory rule of credit supervision, named after the rule (RULES §2.12, §3)."""

from __future__ import annotations

import datetime as dt

import pytest

from marketreg.domains.credit import rules
from marketreg.kernel.errors import DomainError
from marketreg.platform.calendar import WorkCalendar

CAL = WorkCalendar()


def test_rule_3_1_annual_report_window_is_1_january_to_30_june_of_the_next_year():
    assert rules.report_window(2025) == (dt.date(2026, 1, 1), dt.date(2026, 6, 30))
    est = dt.date(2020, 5, 1)
    assert rules.check_annual_report_filing(report_year=2025, filed_on=dt.date(2026, 6, 30), established_on=est,
                                            listed_for_late_report=False) is False
    with pytest.raises(DomainError) as closed:
        rules.check_annual_report_filing(report_year=2025, filed_on=dt.date(2026, 7, 1), established_on=est,
                                         listed_for_late_report=False)
    assert closed.value.code == "credit.report_window_closed" and "第八条" in closed.value.message_zh
    with pytest.raises(DomainError) as early:
        rules.check_annual_report_filing(report_year=2026, filed_on=dt.date(2026, 12, 31), established_on=est,
                                         listed_for_late_report=False)
    assert early.value.code == "credit.report_window_not_open"


def test_rule_3_1_entity_set_up_this_year_reports_from_next_year():
    with pytest.raises(DomainError) as exc:
        rules.check_annual_report_filing(report_year=2025, filed_on=dt.date(2026, 3, 1),
                                         established_on=dt.date(2026, 1, 5), listed_for_late_report=False)
    assert exc.value.code == "credit.report_year_invalid"


def test_rule_3_7_late_report_allowed_only_to_cure_an_abnormal_listing():
    assert rules.check_annual_report_filing(report_year=2025, filed_on=dt.date(2026, 9, 1),
                                            established_on=dt.date(2020, 1, 1), listed_for_late_report=True) is True


def test_rule_3_1_corrections_before_30_june():
    rules.check_correction(report_year=2025, corrected_on=dt.date(2026, 6, 30))
    with pytest.raises(DomainError) as exc:
        rules.check_correction(report_year=2025, corrected_on=dt.date(2026, 7, 1))
    assert exc.value.code == "credit.correction_closed"


def test_rule_3_5_abnormal_grounds_are_versioned_by_order_101():
    # C12 changed the 2024 case: the name-change ground already applied (from 2021-03-01)
    old, new = rules.abnormal_rules_for(dt.date(2020, 7, 1)), rules.abnormal_rules_for(dt.date(2026, 7, 1))
    assert (old.version, new.version) == ("saic68-2014", "samr101-2025")
    assert old.ground("info_falsified").basis.startswith("《企业经营异常名录管理暂行办法》第四条")
    with pytest.raises(DomainError) as exc:
        new.ground("info_falsified")
    assert exc.value.code == "credit.ground_not_in_force" and "第十八条第二款" in exc.value.message_zh
    assert new.ground("name_change_not_registered")
    with pytest.raises(DomainError):
        old.ground("name_change_not_registered")


def test_rule_c12_name_change_ground_in_force_from_2021_03_01():
    before, after = rules.abnormal_rules_for(dt.date(2021, 2, 28)), rules.abnormal_rules_for(dt.date(2021, 3, 1))
    with pytest.raises(DomainError):
        before.ground("name_change_not_registered")
    ground = after.ground("name_change_not_registered")
    assert ground.basis == "《企业名称登记管理规定》第二十三条第二款" and after.version == "saic68-2021"
    assert after.ground("info_falsified")  # the 2014 grounds stay until Order 101
    assert rules.abnormal_rules_for(dt.date(2024, 7, 1)).version == "saic68-2021"
    assert rules.NAME_CHANGE_PERIOD.value == 30


def test_rule_c6_individual_businesses_listed_under_the_2025_measures():
    rules_2025 = rules.abnormal_rules_for(dt.date(2026, 7, 1), "individual")
    assert rules_2025.version == "samr101-2025-ind"
    assert rules_2025.ground("info_falsified").basis == "《个体工商户年度报告办法》第十四条"  # false annual report
    assert rules_2025.ground("annual_report_late").basis == "《个体工商户年度报告办法》第十三条"
    assert "individual" in rules.reporting_types(dt.date(2026, 7, 1))
    assert "individual" not in rules.reporting_types(dt.date(2024, 7, 1))
    with pytest.raises(DomainError) as exc:
        rules.abnormal_rules_for(dt.date(2024, 7, 1), "individual")
    assert exc.value.code == "credit.individual_not_listed"
    # shown 1 July of the filing year – 30 June of the next
    assert rules.display_until(entity_type="individual", ground_code="annual_report_late",
                               trigger_on=dt.date(2026, 7, 1)) == dt.date(2027, 6, 30)
    assert rules.display_until(entity_type="enterprise", ground_code="annual_report_late",
                               trigger_on=dt.date(2026, 7, 1)) is None
    assert rules.late_report_measures(trigger_on=dt.date(2026, 7, 1), entity_type="individual") == ()


def test_rule_c6_cooperatives_keep_the_false_information_ground():
    coop = rules.abnormal_rules_for(dt.date(2026, 7, 1), "cooperative")
    assert coop.ground("info_falsified").basis == "《农民专业合作社年度报告公示办法》第十一条"
    assert coop.figures["objection_period"].basis == "《农民专业合作社年度报告公示办法》第十六条"


def test_rule_3_6_missing_report_listed_within_10_working_days_after_30_june():
    # 2026: 30 Jun is a Tuesday; 10 working days later (no holidays in July) is Tue 14 Jul
    assert rules.annual_listing_due(CAL, 2025).due_on == dt.date(2026, 7, 14)
    assert rules.SAIC68_2014.figures["listing_after_report_period"].value == 10


def test_rule_3_7_removal_decided_within_5_working_days():
    decision = rules.repair_clocks(CAL, "abnormal", dt.date(2026, 9, 25))[1]
    # Fri 25 Sep 2026 + 5 working days: 28, 29, 30 Sep, then (1–7 Oct off) 8 and 9 Oct (RULES 15.3)
    assert decision.due_on == dt.date(2026, 10, 9)


def test_rule_3_8_objection_within_30_days_of_publication():
    version = rules.SAMR101_2025
    # C8 changed this: the 30 days end on Sat 1 Aug 2026, so the period runs to Mon 3 Aug
    rules.check_objection_in_time(CAL, listed_on=dt.date(2026, 7, 2), filed_on=dt.date(2026, 8, 3), rules=version)
    with pytest.raises(DomainError) as exc:
        rules.check_objection_in_time(CAL, listed_on=dt.date(2026, 7, 2), filed_on=dt.date(2026, 8, 4), rules=version)
    assert exc.value.code == "credit.objection_window_closed" and "第十五条" in exc.value.message_zh


def test_rule_3_9_transfer_after_3_years_with_60_day_warning_under_the_2014_text():
    # C1: the transfer holds only where the three years end under the 2014 text (before 2024-05-01)
    warning, transfer = rules.transfer_dates(dt.date(2020, 7, 2), rules.SAIC68_2014)
    assert transfer == dt.date(2023, 7, 2)
    assert warning == dt.date(2023, 5, 3)


def test_rule_c1_no_transfer_to_the_serious_list_under_the_2024_regulation():
    # 条例 (2024) Art. 18 has no 3-year transfer, no 60-day warning and no 5-year removal
    assert rules.transfer_dates(dt.date(2026, 7, 2), rules.SAMR101_2025) == (None, None)
    assert rules.transfer_dates(dt.date(2021, 5, 1), rules.SAIC68_2014) == (None, None)  # 3 years end 2024-05-01
    assert rules.transfer_dates(dt.date(2021, 4, 30), rules.SAIC68_2014)[1] == dt.date(2024, 4, 30)
    assert "abnormal_3_years" not in {g.code for g in rules.SERIOUS_CATEGORIES}
    assert rules.serious_basis_needs_review("regulation_art17") and not rules.serious_basis_needs_review("order44")


def test_rule_c1_art_18_late_report_penalty_and_licence_revocation():
    assert rules.late_report_measures(trigger_on=dt.date(2026, 7, 1)) == ("late_report_penalty",)
    assert rules.late_report_measures(trigger_on=dt.date(2023, 7, 1)) == ()
    today = dt.date(2026, 9, 1)
    assert rules.revocation_due(uncured_late_years={2024, 2025}, unreachable=True, today=today)
    assert not rules.revocation_due(uncured_late_years={2023, 2025}, unreachable=True, today=today)  # not consecutive
    assert not rules.revocation_due(uncured_late_years={2024, 2025}, unreachable=False, today=today)
    assert rules.art18_measure("revoke_licence").basis.endswith("第十八条第一款")
    fig = rules.ART18_FIGURES
    assert (fig["false_info_fine_min"].value, fig["false_info_fine_max"].value) == (10_000, 50_000)
    assert (fig["false_info_serious_fine_min"].value, fig["false_info_serious_fine_max"].value) == (50_000, 200_000)
    assert rules.art18_measure("false_information").basis.endswith("第十八条第二款")


def test_rule_3_9_legal_representative_barred_for_3_years():
    assert rules.legal_rep_bar_until(dt.date(2026, 3, 1)) == dt.date(2029, 3, 1)


def test_rule_3_10_removal_period_follows_the_listing_basis():
    assert rules.serious_removal_on(CAL, dt.date(2026, 3, 1), "order44")[0] == dt.date(2029, 3, 1)
    # 1 Mar 2031 is a Saturday: the period ends on Monday 3 Mar (C8)
    assert rules.serious_removal_on(CAL, dt.date(2026, 3, 1), "regulation_art17")[0] == dt.date(2031, 3, 3)
    with pytest.raises(DomainError):
        rules.serious_removal_on(CAL, dt.date(2026, 3, 1), "other")


def test_rule_c8_credit_periods_in_days_months_and_years_roll_past_a_holiday():
    # 30-day objection period from 1 Sep 2026 ends on 1 Oct (National Day 1–7 Oct) → Thu 8 Oct
    assert rules.objection_open_until(CAL, dt.date(2026, 9, 1), rules.SAMR101_2025) == dt.date(2026, 10, 8)
    # 3 years from 1 May 2023 end on 1 May 2026 (1–5 May off) → 6 May
    assert rules.due(CAL, dt.date(2023, 5, 1), rules.SERIOUS_FIGURES["removal_order44"]).due_on == dt.date(2026, 5, 6)
    # 3 months from 1 Jul 2026 end on Thu 1 Oct → Thu 8 Oct
    assert rules.due(CAL, dt.date(2026, 7, 1), rules.PENALTY_SHORT).due_on == dt.date(2026, 10, 8)
    assert rules.due(CAL, dt.date(2026, 7, 1), rules.PENALTY_LONG).provisional  # ends in 2029


def test_rule_c11_heavier_penalty_is_exactly_order_44_art_2_2():
    assert rules.is_heavier_penalty(["lower_qualification"], False)  # 降低资质等级, Art. 2(2)(2)
    assert not rules.is_heavier_penalty(["suspend_licence"], False)  # 暂扣许可证件 is not listed
    assert not rules.is_heavier_penalty(["suspend_licence", "fine"], False)
    heavier = {"lower_qualification", "revoke_licence", "restrict_business", "close_down"}
    assert heavier == rules.HEAVIER_PENALTY_KINDS


def test_rule_3_12_heavier_penalty_kinds_and_from_heavy_fines():
    assert rules.is_heavier_penalty(["revoke_licence"], False)
    assert rules.is_heavier_penalty(["fine"], True)
    assert not rules.is_heavier_penalty(["fine"], False)
    assert not rules.is_heavier_penalty(["warning"], True)
    assert rules.suggest_serious_category("food_safety", "生产经营不符合食品安全标准的食品") == "food_safety"
    assert rules.serious_category("fair_competition").basis.endswith("第九条")


def test_rule_3_13_serious_list_published_within_20_working_days():
    # Mon 14 Sep 2026 + 20 wd over the National Day holiday (Sun 20 Sep, Sat 10 Oct worked)
    assert rules.serious_publication_due(CAL, dt.date(2026, 9, 14)).due_on == dt.date(2026, 10, 16)


def test_rule_2_12_penalty_publicity_3_months_or_3_years_and_warnings_unpublished():
    day = dt.date(2026, 1, 31)
    assert rules.penalty_public_until(decided_on=day, penalty_kinds=["warning"], period=None, until=None) is None
    assert rules.penalty_public_until(decided_on=day, penalty_kinds=["fine"], period="3m", until=None) == \
        dt.date(2026, 4, 30)
    assert rules.penalty_public_until(decided_on=day, penalty_kinds=["fine"], period="3y", until=None) == \
        dt.date(2029, 1, 31)


def _facts(**kw) -> rules.RepairFacts:
    base = {"target": "penalty_publicity", "today": dt.date(2026, 11, 1), "published_on": dt.date(2026, 3, 1),
            "penalty_kinds": ("fine",), "publicity_period": "3y", "duties_performed": True, "harm_removed": True}
    return rules.RepairFacts(**{**base, **kw})


def test_rule_3_15_penalty_repair_after_6_months_or_1_year_for_food():
    assert rules.repair_unmet(_facts()) is None
    food = rules.repair_unmet(_facts(field="food_safety 食品"))
    assert food.code == "credit.repair_too_early" and "第六条" in food.basis
    assert rules.repair_unmet(_facts(today=dt.date(2026, 8, 31))).code == "credit.repair_too_early"


@pytest.mark.parametrize(("facts", "code"), [
    ({"duties_performed": False}, "credit.repair_duties_unperformed"),
    ({"harm_removed": False}, "credit.repair_harm_not_removed"),
    ({"publicity_period": "3m"}, "credit.repair_short_publicity"),
    ({"penalty_kinds": ("fine", "revoke_licence")}, "credit.repair_excluded_penalty"),
    ({"repeat_violation": True}, "credit.repair_repeat_violation"),
    ({"on_abnormal_list": True}, "credit.repair_still_listed"),
], ids=["duties", "harm", "short-publicity", "excluded-kind", "repeat", "listed"])
def test_rule_3_15_penalty_repair_conditions(facts, code):
    assert rules.repair_unmet(_facts(**facts)).code == code


def test_rule_3_13_serious_early_removal_after_1_year_without_new_heavier_penalty():
    base = {"target": "serious", "duties_performed": True, "harm_removed": True, "pledge": True,
            "listed_on": dt.date(2025, 12, 1)}
    assert rules.repair_unmet(rules.RepairFacts(today=dt.date(2026, 12, 1), **base)) is None
    early = rules.repair_unmet(rules.RepairFacts(today=dt.date(2026, 11, 30), **base))
    assert early.code == "credit.repair_too_early" and "第十六条" in early.basis
    assert rules.repair_unmet(rules.RepairFacts(today=dt.date(2026, 12, 1), new_heavier_penalty_since_listing=True,
                                                **base)).code == "credit.repair_new_heavier_penalty"


def test_rule_3_16_serious_repair_accept_in_2_and_decide_in_15_working_days():
    accept, decide = rules.repair_clocks(CAL, "serious", dt.date(2026, 11, 2))
    assert accept.due_on == dt.date(2026, 11, 4)
    assert decide.due_on == dt.date(2026, 11, 25)
    assert rules.repair_clocks(CAL, "penalty_publicity", dt.date(2026, 11, 2)) == (None, None)


def test_rule_3_15_abnormal_repair_needs_the_cure():
    unmet = rules.repair_unmet(rules.RepairFacts(target="abnormal", today=dt.date(2026, 9, 1)))
    assert unmet.code == "credit.repair_not_cured" and unmet.basis.endswith("第五条")


def test_rule_3_2_items_1_to_6_public_item_7_only_when_chosen():
    from marketreg.domains.credit.api import public_report
    from marketreg.domains.credit.models import AnnualReport

    report = AnnualReport(report_year=2025, filed_on=dt.date(2026, 5, 1), late=False,
                          public_items={"address": "济南市历下区泉城路1号"}, item7={"revenue": "300万元"},
                          item7_public=False)
    assert public_report(report)["address"] == "济南市历下区泉城路1号" and "revenue" not in public_report(report)
    report.item7_public = True
    assert public_report(report)["revenue"] == "300万元"


def test_rule_4_1_four_classes_by_transparent_score_with_top_factors():
    import numpy as np

    from marketreg.domains.credit import classify

    rows = np.zeros((4, len(classify.FACTORS)))
    col = {f: i for i, f in enumerate(classify.FACTORS)}
    rows[1, col["complaints"]] = 4                      # 8 points → B
    rows[2, [col["penalties"], col["no_annual_report"]]] = 1, 1   # 22 → C
    rows[3, col["serious_listed"]] = 1                  # 60 → D
    scores, classes, contributions = classify.score(rows)
    assert classes.tolist() == ["A", "B", "C", "D"] and scores.tolist() == [0, 8, 22, 60]
    explained = classify.explain(dict(zip(classify.FACTORS, rows[2], strict=True)))
    assert [(code, points) for code, _, _, points in explained] == [("no_annual_report", 12), ("penalties", 10)]
    assert contributions[0].sum() == 0 and classify.explain({}) == []
    rows[1, col["complaints"]] = 99  # capped at 10 complaints
    assert classify.score(rows)[0][1] == 20


def test_rule_4_4_classes_are_updated_monthly():
    from marketreg.domains.credit import tasks

    # huey hands the check a naive UTC timestamp; the schedule is 03:00 on the 1st, China time
    # (= 19:00 UTC on the last day of the month before).
    assert tasks.classify_monthly.task_class().validate_datetime(dt.datetime(2026, 11, 30, 19, 0))
    assert not tasks.classify_monthly.task_class().validate_datetime(dt.datetime(2026, 12, 1, 3, 0))
    assert not tasks.classify_monthly.task_class().validate_datetime(dt.datetime(2026, 12, 1, 19, 0))


@pytest.mark.parametrize(("violation_type", "category"), [
    ("food_expired", "food_safety"), ("food_unlicensed", "food_safety"), ("false_ad", "fair_competition"),
    ("unlicensed", "other_market_order"), ("price", "fair_competition"), ("substandard", "quality_safety"),
    ("metrology", "consumer_rights"), ("trademark", "fair_competition"), ("equipment", "quality_safety"),
    ("consumer", "consumer_rights"),
])
def test_rule_3_11_every_enforcement_violation_type_suggests_its_serious_list_category(violation_type, category):
    from marketreg.domains.enforcement.enums import VIOLATION_TYPES

    assert rules.suggest_serious_category(violation_type, VIOLATION_TYPES[violation_type]) == category


def test_item_16_annual_report_checked_field_by_field():
    good = {"address": "济南市历下区泉城路1号", "postcode": "250000", "phone": "13912345678",
            "email": "a@b.cn", "operating_status": "开业"}
    assert rules.annual_report_errors(good, {"headcount": "12", "revenue": "100万", "profit": "-3.5"}) == {}
    errors = rules.annual_report_errors({**good, "postcode": "2500", "phone": "12345", "email": "x@",
                                         "operating_status": "营业"},
                                        {"headcount": "1.5", "revenue": "-1", "tax": "很多"})
    assert errors == {"postcode": "邮政编码应为6位数字",
                      "phone": "联系电话应为11位手机号码或区号加座机号码（如0531-88888888）",
                      "email": "电子邮箱格式不正确", "operating_status": "企业存续状态应为开业、歇业、清算之一",
                      "item7_headcount": "从业人数应为整数", "item7_revenue": "不能为负数",
                      "item7_tax": "请填写数字（万元）"}
    with pytest.raises(DomainError) as exc:
        rules.check_annual_report({**good, "postcode": "x"}, {})
    assert exc.value.code == "credit.report_invalid"
    assert exc.value.details["fields"] == {"postcode": "邮政编码应为6位数字"}


def test_rule_c13_order_44_figures_confirmed_from_the_official_text():
    figures = rules.SERIOUS_FIGURES
    assert all(figures[k].confidence == "CONFIRMED" for k in ("publication", "removal_order44", "repair_accept",
                                                               "repair_decide", "stop_publication"))
    assert figures["publication"].basis.endswith("第十四条第一款")
    assert (figures["push_other_province"].value, figures["publish_other_province"].value) == (10, 10)
