"""Risk targeting: Chicago's days-earlier metric on hand-checkable cases, history features that see only
the past, the guard against inspector identity and outcomes, and a model that learns a planted risk."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest

from marketreg.analytics import targeting
from marketreg.kernel.errors import DomainError

D = np.datetime64


def test_days_earlier_moves_the_one_finding_from_the_last_day_to_the_first():
    dates = np.array([D("2014-09-01"), D("2014-09-02"), D("2014-09-03"), D("2014-09-04")])
    found = np.array([0, 0, 0, 1])
    assert targeting.days_earlier(dates, np.array([0.1, 0.2, 0.3, 0.9]), found) == 3.0
    assert targeting.days_earlier(dates, np.array([0.9, 0.8, 0.7, 0.1]), found) == 0.0


def test_days_earlier_keeps_the_real_number_of_inspections_per_day():
    # Two visits on the 1st, one on the 2nd, one on the 5th. The findings (2nd and 5th) ranked first
    # take both slots of the 1st: 1 and 4 days earlier, mean 2.5.
    dates = np.array([D("2014-09-01"), D("2014-09-01"), D("2014-09-02"), D("2014-09-05")])
    found = np.array([0, 0, 1, 1])
    assert targeting.days_earlier(dates, np.array([0.1, 0.2, 0.8, 0.9]), found) == 2.5


def test_days_earlier_is_negative_when_the_ranking_delays_findings():
    dates = np.array([D("2014-09-01"), D("2014-09-02"), D("2014-09-03")])
    assert targeting.days_earlier(dates, np.array([0.1, 0.5, 0.9]), np.array([1, 0, 0])) == -2.0


def test_days_earlier_without_findings_is_refused():
    with pytest.raises(DomainError) as refused:
        targeting.days_earlier(np.array([D("2014-09-01")]), np.array([0.5]), np.array([0]))
    assert refused.value.code == "targeting.no_findings"


@pytest.mark.parametrize("column", ["Inspector_Assigned", "sanitarian", "inspector_id"])
def test_model_refuses_inspector_identity(column):
    features = pl.DataFrame({"hist_critical": [0, 1, 0, 1], column: [1, 2, 1, 2]})
    with pytest.raises(DomainError) as refused:
        targeting.fit_risk_model(features, np.array([0, 1, 0, 1]))
    assert refused.value.code == "targeting.inspector_feature"


@pytest.mark.parametrize("column", ["criticalFound", "criticalCount", "score", "Results", "critical"])
def test_model_refuses_outcome_columns(column):
    features = pl.DataFrame({"hist_critical": [0, 1, 0, 1], column: [0, 1, 0, 1]})
    with pytest.raises(DomainError) as refused:
        targeting.fit_risk_model(features, np.array([0, 1, 0, 1]))
    assert refused.value.code == "targeting.outcome_feature"


def test_risk_scores_refuse_a_forbidden_column_too():
    model = targeting.fit_risk_model(pl.DataFrame({"hist_critical": [0, 1] * 50}), np.array([0, 1] * 50))
    with pytest.raises(DomainError):
        targeting.risk_scores(model, pl.DataFrame({"criticalFound": [0, 1]}))


def _day(n: int) -> dt.date:
    return dt.date(2014, 1, 1) + dt.timedelta(days=n)


def test_own_history_counts_only_outcomes_before_the_known_day():
    history = pl.DataFrame({"entity": [7, 7, 7, 8], "date": [_day(0), _day(10), _day(20), _day(5)],
                            "critical": [1, 0, 1, 1], "minor": [2, 3, 4, 0]})
    # Row 1 is planned on day 20: the day-20 visit is its own and must not count.
    rows = pl.DataFrame({"id": [1, 2], "entity": [7, 9], "known": [_day(20), _day(20)]})
    out = targeting.own_history(rows, history, prior_rate=0.25, findings=("minor",)).sort("id")
    first, never = out.row(0, named=True), out.row(1, named=True)
    assert (first["hist_inspections"], first["hist_critical"], first["hist_minor"]) == (2, 1, 5)
    assert (first["hist_last_critical"], first["hist_last_minor"], first["hist_days_since_last"]) == (0, 3, 10)
    assert first["hist_critical_rate"] == pytest.approx((1 + 0.25 * 2) / (2 + 2))
    assert (never["hist_inspections"], never["hist_critical_rate"], never["hist_days_since_last"]) == (0, 0.25, None)


def test_area_history_uses_other_operators_in_the_window_only():
    history = pl.DataFrame({
        "entity": [1, 2, 3, 4, 5],
        "area": ["A", "A", "A", "A", "B"],
        "date": [_day(50), _day(40), _day(5), _day(60), _day(50)],
        "critical": [1, 1, 1, 1, 1],
    })
    # Operator 1 in area A on day 60 with a 30-day window: entity 2 counts; itself, entity 3 (too old),
    # entity 4 (on the known day) and entity 5 (area B) do not.
    rows = pl.DataFrame({"id": [1], "entity": [1], "area": ["A"], "known": [_day(60)]})
    out = targeting.area_history(rows, history, window_days=30, prior_rate=0.0, prior_weight=1.0, name="zip")
    assert out.row(0, named=True) == {"id": 1, "zip_rate": 0.5, "zip_n": 1}


def test_model_ranks_a_planted_risk_first():
    rng = np.random.default_rng(0)
    past = rng.integers(0, 2, 600)
    found = (rng.random(600) < np.where(past == 1, 0.6, 0.1)).astype(int)
    features = pl.DataFrame({"hist_critical": past, "noise": rng.random(600)})
    model = targeting.fit_risk_model(features, found)
    scores = targeting.risk_scores(model, pl.DataFrame({"hist_critical": [0, 1], "noise": [0.5, 0.5]}))
    assert scores[1] > scores[0] + 0.3
