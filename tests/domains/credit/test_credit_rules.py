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
    old, new = rules.abnormal_rules_for(dt.date(2024, 7, 1)), rules.abnormal_rules_for(dt.date(2026, 7, 1))
    assert (old.version, new.version) == ("saic68-2014", "samr101-2025")
    assert old.ground("info_falsified").basis.startswith("《企业经营异常名录管理暂行办法》第四条")
    with pytest.raises(DomainError) as exc:
        new.ground("info_falsified")
    assert exc.value.code == "credit.ground_not_in_force"
    assert new.ground("name_change_not_registered")
    with pytest.raises(DomainError):
        old.ground("name_change_not_registered")


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
    rules.check_objection_in_time(listed_on=dt.date(2026, 7, 2), filed_on=dt.date(2026, 8, 1), rules=version)
    with pytest.raises(DomainError) as exc:
        rules.check_objection_in_time(listed_on=dt.date(2026, 7, 2), filed_on=dt.date(2026, 8, 2), rules=version)
    assert exc.value.code == "credit.objection_window_closed" and "第十五条" in exc.value.message_zh


def test_rule_3_9_transfer_after_3_years_with_60_day_warning():
    warning, transfer = rules.transfer_dates(dt.date(2026, 7, 2), rules.SAMR101_2025)
    assert transfer == dt.date(2029, 7, 2)
    assert warning == dt.date(2029, 5, 3)


def test_rule_3_9_legal_representative_barred_for_3_years():
    assert rules.legal_rep_bar_until(dt.date(2026, 3, 1)) == dt.date(2029, 3, 1)


def test_rule_3_10_removal_period_follows_the_listing_basis():
    assert rules.serious_removal_on(dt.date(2026, 3, 1), "order44")[0] == dt.date(2029, 3, 1)
    assert rules.serious_removal_on(dt.date(2026, 3, 1), "regulation_art17")[0] == dt.date(2031, 3, 1)
    with pytest.raises(DomainError):
        rules.serious_removal_on(dt.date(2026, 3, 1), "other")


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

    assert tasks.classify_monthly.task_class().validate_datetime(dt.datetime(2026, 12, 1, 3, 0))
    assert not tasks.classify_monthly.task_class().validate_datetime(dt.datetime(2026, 12, 2, 3, 0))


@pytest.mark.parametrize(("violation_type", "category"), [
    ("food_expired", "food_safety"), ("food_unlicensed", "food_safety"), ("false_ad", "fair_competition"),
    ("unlicensed", "other_market_order"), ("price", "fair_competition"), ("substandard", "quality_safety"),
    ("metrology", "consumer_rights"), ("trademark", "fair_competition"), ("equipment", "quality_safety"),
    ("consumer", "consumer_rights"),
])
def test_rule_3_11_every_enforcement_violation_type_suggests_its_serious_list_category(violation_type, category):
    from marketreg.domains.enforcement.enums import VIOLATION_TYPES

    assert rules.suggest_serious_category(violation_type, VIOLATION_TYPES[violation_type]) == category
