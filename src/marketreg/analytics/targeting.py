"""Risk targeting: rank operators for inspection by the chance that an inspection finds a critical violation.

Pure functions over polars frames and numpy arrays (no I/O), so the daily-check plan and the
outside benchmark (``bench/chicago_targeting.py``) run the same code. The model is scikit-learn's
``HistGradientBoostingClassifier``: it takes missing values (an operator never inspected has no
"days since last") and mixed scales without preprocessing, and trains in seconds on one core.

Features, each known *before* the inspection it scores (``known`` is the day up to which
outcomes count; for a plan drawn up today it is today, not the day of the visit):

* **The operator's own history** (``own_history``): inspections so far, how many found a critical
  violation (and lesser findings the caller names), a smoothed critical rate, days since the last
  inspection and what the last one found. Repeat offenders are the textbook risk factor (RULES 7.1
  and 7.4: inspection history is a dynamic risk factor).
* **The area's recent history** (``area_history``): the smoothed share of other operators'
  inspections in the same area (postcode, ward, district…) that found a critical violation in the
  last ``window_days``. It carries what the operator's own sparse history cannot: local conditions
  and how strictly that area is currently being checked.
* **Static properties** the caller adds: category (facility type), licence age, licence kinds
  (RULES 7.1's static factors: food category, format, scale).

Never a feature: who will inspect (an inspector is not a property of the operator, and the plan
does not know it) and any outcome of the inspections being scored. ``guard_features`` refuses
such columns by name; ``fit_risk_model`` and ``risk_scores`` call it.

``days_earlier`` is Chicago's evaluation metric (github ``Chicago/food-inspections-evaluation``,
``simulated_date_diff_mean``): keep the real number of inspections per day, visit in descending
score order instead, and average how many days earlier each critical violation is found. It is
hand-written because it is four lines of numpy and no library ships it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl
from sklearn.ensemble import HistGradientBoostingClassifier

from marketreg.kernel.errors import DomainError

# Outcomes of an inspection (Chicago's names and ours), lower-cased: a model fed any of them for the
# rows it scores would read the answer.
OUTCOME_COLUMNS = frozenset({
    "critical", "criticalfound", "criticalcount", "seriouscount", "minorcount", "pass_flag", "fail_flag",
    "results", "result", "score", "outcome",
})
INSPECTOR_PATTERN = re.compile(r"inspector|sanitarian", re.IGNORECASE)


@dataclass(frozen=True)
class ModelSettings:
    """Modest boosting: shallow trees, large leaves, so 15k rows train in seconds on one core."""

    max_iter: int = 150
    learning_rate: float = 0.05
    max_leaf_nodes: int = 15
    min_samples_leaf: int = 100
    l2_regularization: float = 1.0
    random_state: int = 0


def guard_features(columns: Iterable[str]) -> None:
    """Refuse inspector identity and outcome columns as model inputs."""
    columns = list(columns)
    inspector = [c for c in columns if INSPECTOR_PATTERN.search(c)]
    if inspector:
        raise DomainError("targeting.inspector_feature", "风险模型不得使用检查人员身份作为特征",
                          columns=inspector)
    outcome = [c for c in columns if c.lower() in OUTCOME_COLUMNS]
    if outcome:
        raise DomainError("targeting.outcome_feature", "风险模型不得使用被评分检查的结果作为特征",
                          columns=outcome)


def own_history(rows: pl.DataFrame, history: pl.DataFrame, *, prior_rate: float, prior_weight: float = 2.0,
                findings: Sequence[str] = ()) -> pl.DataFrame:
    """Per row (``id``, ``entity``, ``known``): the operator's inspections before ``known``.

    ``history`` has ``entity``, ``date`` and ``critical`` (0/1), one row per past inspection, plus
    the numeric ``findings`` columns (e.g. counts of lesser violations), each summed and its last
    value kept as ``hist_<name>`` and ``hist_last_<name>``. The critical rate is shrunk towards
    ``prior_rate`` with ``prior_weight`` pseudo-inspections, so one bad visit does not make an
    operator look certain.
    """
    counted = ["critical", *findings]
    past = (rows.select("id", "entity", "known")
            .join(history.select("entity", pl.col("date").alias("past_date"), *counted), on="entity")
            .filter(pl.col("past_date") < pl.col("known"))
            .sort("past_date")
            .group_by("id")
            .agg(pl.len().alias("hist_inspections"),
                 *(pl.col(c).sum().alias(f"hist_{c}") for c in counted),
                 *(pl.col(c).last().alias(f"hist_last_{c}") for c in counted),
                 pl.col("past_date").last().alias("last_date"),
                 pl.first("known")))
    features = past.select(
        "id", "hist_inspections", *(f"hist_{c}" for c in counted), *(f"hist_last_{c}" for c in counted),
        ((pl.col("hist_critical") + prior_rate * prior_weight) / (pl.col("hist_inspections") + prior_weight))
        .alias("hist_critical_rate"),
        (pl.col("known") - pl.col("last_date")).dt.total_days().alias("hist_days_since_last"),
    )
    return (rows.select("id").join(features, on="id", how="left")
            .with_columns(pl.col("hist_inspections", *(f"hist_{c}" for c in counted)).fill_null(0),
                          pl.col("hist_critical_rate").fill_null(prior_rate)))


def area_history(rows: pl.DataFrame, history: pl.DataFrame, *, window_days: int, prior_rate: float,
                 prior_weight: float = 10.0, name: str = "area") -> pl.DataFrame:
    """Per row (``id``, ``entity``, ``area``, ``known``): other operators' critical rate in the same area.

    Counts inspections in ``history`` (``entity``, ``area``, ``date``, ``critical``) of the same
    area within ``window_days`` before ``known``, leaving out the operator itself (its own history
    is ``own_history``'s). Returns ``<name>_rate`` (shrunk towards ``prior_rate``) and ``<name>_n``.
    """
    window = pl.duration(days=window_days)
    counts = (rows.select("id", "entity", "area", "known")
              .join(history.select(pl.col("entity").alias("other"), "area", "date", "critical"), on="area")
              .filter((pl.col("date") < pl.col("known")) & (pl.col("date") >= pl.col("known") - window)
                      & (pl.col("other") != pl.col("entity")))
              .group_by("id")
              .agg(pl.len().alias("n"), pl.col("critical").sum().alias("found")))
    return (rows.select("id").join(counts, on="id", how="left")
            .with_columns(pl.col("n", "found").fill_null(0))
            .select("id",
                    ((pl.col("found") + prior_rate * prior_weight) / (pl.col("n") + prior_weight))
                    .alias(f"{name}_rate"),
                    pl.col("n").alias(f"{name}_n")))


def fit_risk_model(features: pl.DataFrame, found: np.ndarray, *, categorical: Sequence[str] = (),
                   settings: ModelSettings | None = None) -> HistGradientBoostingClassifier:
    """Train on past inspections: ``features`` one row each, ``found`` 1 where a critical violation was found."""
    guard_features(features.columns)
    settings = settings or ModelSettings()
    model = HistGradientBoostingClassifier(
        categorical_features=[c in categorical for c in features.columns] if categorical else None,
        max_iter=settings.max_iter, learning_rate=settings.learning_rate,
        max_leaf_nodes=settings.max_leaf_nodes, min_samples_leaf=settings.min_samples_leaf,
        l2_regularization=settings.l2_regularization, random_state=settings.random_state)
    return model.fit(features.to_numpy().astype(float), np.asarray(found, dtype=int))


def risk_scores(model: HistGradientBoostingClassifier, features: pl.DataFrame) -> np.ndarray:
    """The probability that inspecting each row's operator finds a critical violation."""
    guard_features(features.columns)
    return model.predict_proba(features.to_numpy().astype(float))[:, 1]


def days_earlier(dates: np.ndarray, scores: np.ndarray, found: np.ndarray) -> float:
    """Mean days by which visiting in descending ``scores`` order finds each critical violation earlier.

    The i-th highest score takes the i-th earliest real date (so each day keeps its real number of
    inspections); ties keep their given order, as R's ``order`` does.
    """
    dates = np.asarray(dates, dtype="datetime64[D]")
    found = np.asarray(found).astype(bool)
    if not found.any():
        raise DomainError("targeting.no_findings", "评估期内没有发现严重违规的检查，无法计算提前天数")
    simulated = np.empty_like(dates)
    simulated[np.argsort(-np.asarray(scores, dtype=float), kind="stable")] = np.sort(dates)
    return float((dates - simulated)[found].astype(int).mean())
