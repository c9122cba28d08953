"""Statutory and configured rules of 双随机、一公开 (RULES §4–§5), one test per rule."""

from __future__ import annotations

import datetime as dt

import pytest

from marketreg.domains.inspections import rules
from marketreg.kernel.errors import DomainError
from marketreg.platform.calendar import WorkCalendar


def test_rule_5_1_results_are_published_within_20_working_days():
    # 2026-09-25 (Fri) + 20 working days: the National Day holiday (10-01…10-07) does not count, the
    # make-up Saturday 10-10 does.
    due = rules.publication_due(WorkCalendar(), dt.date(2026, 9, 25))
    assert rules.RESULT_PUBLICATION_WORKDAYS == 20
    assert due.due_on == dt.date(2026, 10, 29)
    assert not due.provisional
    assert "第六条" in rules.RESULT_PUBLICATION_BASIS


def test_rule_5_1_deadline_over_a_year_without_official_calendar_is_provisional():
    assert rules.publication_due(WorkCalendar(), dt.date(2027, 12, 20)).provisional


def test_rule_5_5_plan_is_filed_with_the_next_level_up():
    assert rules.filed_with("/370000/370100/370102/") == "/370000/370100/"
    assert rules.filed_with("/370000/370100/") == "/370000/"
    assert rules.filed_with("/370000/") is None


def test_rule_5_5_at_least_two_inspectors_per_entity():
    assert rules.MIN_INSPECTORS_PER_ENTITY == 2
    assert rules.inspectors_per_entity(1) == 2
    assert rules.inspectors_per_entity(3) == 3


def test_rule_4_2_class_weights_rise_with_risk_and_are_overridable():
    weights = rules.DEFAULT_CLASS_WEIGHTS
    assert weights["A"] < weights["B"] < weights["C"] < weights["D"]
    merged = rules.class_weights({"D": 10}, {"A": 0, "X": 5})
    assert merged == {"A": 0.0, "B": 1.0, "C": 2.0, "D": 10.0}
    unconfirmed = {f.key for f in rules.FIGURES if not f.confirmed}
    assert "class_weights" in unconfirmed


def test_rule_5_4_avoidance_is_cited():
    assert "回避" in rules.AVOIDANCE_BASIS


def test_rule_5_5_batch_below_two_inspectors_is_refused(session):
    from marketreg.domains.inspections import actions

    with pytest.raises(DomainError) as exc:
        actions.do_create_batch(session, actor=_county_actor(session), plan_id=_plan(session).id, data=actions.BatchIn(
            title="t", item_codes=["XY-001"], size=1, starts_on=dt.date(2026, 11, 1), ends_on=dt.date(2026, 12, 1),
            scope={}, per_entity=1))
    assert exc.value.code == "inspections.too_few_inspectors"


def _county_actor(session):
    from marketreg.domains.org import service as org

    return org.actor_for(session, user=org.get_user_by_username(session, username="lx_registrar"))


def _plan(session):
    from marketreg.domains.inspections import actions, seed

    seed.load_items(session)
    return actions.do_create_plan(session, actor=_county_actor(session), year=2026, title="计划")


def test_item_17_batch_scope_narrowed_to_the_items_scope():
    scope, error = rules.scope_within_items({}, {"XY-002": {"entity_type": ["individual"]}})
    assert (scope, error) == ({"entity_type": "individual"}, None)
    scope, error = rules.scope_within_items({"industry": "H62"}, {"SP-001": {"industry": ["F", "H"]}})
    assert error is None and scope["industry"] == "H62"
    _, error = rules.scope_within_items({}, {"SP-001": {"industry": ["F", "H"]}})
    assert "SP-001" in error and "行业" in error
    assert rules.plan_ready_to_draw(filed_with_path=None, filed_at=None)  # provincial plan: filed with SAMR
    assert not rules.plan_ready_to_draw(filed_with_path="/370000/", filed_at=None)
