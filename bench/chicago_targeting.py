"""Outside evaluation of the risk targeting model on Chicago's public food inspections.

    python bench/chicago_targeting.py --data PATH [--tables DIR] [--scores-out FILE]

``--data`` is ``30_xgboost_data.Rds`` from github ``Chicago/food-inspections-evaluation`` (read
with ``rdata``: it keeps data.table ``IDate`` columns as days since 1970) or a CSV of the same
columns with ISO dates. The model trains on the rows marked ``Train`` and scores every row marked
``Test`` (2014-09-02 to 2014-10-31); ``--scores-out`` gets ``Inspection_ID,score``.

The history behind the features comes from the other tables of the same folder (``--tables``,
default the folder of ``--data``): ``23_food_insp_features.Rds`` (every canvass inspection with
its critical count) and ``24_bus_features.Rds`` (postcode, ward, police district, licence start).
Outcomes count only when dated before the row's ``known`` day: the day of the inspection for a
training row, the first day of the test period for every test row, so no test outcome (not even
an earlier test row's) reaches a test row's features. ``Inspector_Assigned`` and every outcome
column are never read into the features (``targeting.guard_features`` checks it).

The data is a test set only: nothing of it is copied into the repository. Output: the features
used, the published ``score`` column run through the same metric (sanity check only), then ours;
the last line is ``days_earlier=<mean>``. ``--validate`` first prints the same metric on three 60-day
folds inside ``Train`` (each scored by a model trained on the rows before it), the figures the
feature set was chosen on.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")  # one core: the machine is shared (read before sklearn loads)

import argparse
import datetime as dt
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import polars as pl
from sklearn.metrics import roc_auc_score

from marketreg.analytics import targeting

# Chicago's own evaluation script (CODE/31_xgboost_model_evaluation.R) records this for the score column.
CHICAGO_XGBOOST_DAYS = 7.790698
# Past findings other than critical violations (23_food_insp_features), summed per operator.
FINDINGS = ("serious", "minor", "failed")
# 60-day folds inside Train for choosing features (--validate); like the test, each is frozen at its first day.
VALIDATION_FOLDS = ((dt.date(2013, 9, 2), dt.date(2013, 10, 31)), (dt.date(2013, 12, 1), dt.date(2014, 1, 31)),
                    (dt.date(2014, 2, 15), dt.date(2014, 4, 16)))
# (area column in 24_bus_features, window in days); each becomes an ``area_history`` feature.
AREAS = (("ZIP_CODE", 90), ("ZIP_CODE", 365), ("WARD", 90), ("WARD", 365), ("POLICE_DISTRICT", 90),
         ("POLICE_DISTRICT", 365))
# Licence kinds the operator holds besides food retail (0/1 columns of 30_xgboost_data).
LICENCE_KINDS = (
    "consumption_on_premises_incidental_activity", "tobacco_retail_over_counter", "package_goods",
    "limited_business_license", "outdoor_patio", "public_place_of_amusement",
    "childrens_services_facility_license", "tavern", "regulated_business_license", "filling_station",
    "caterers_liquor_license", "mobile_food_license",
)


def read_table(path: Path) -> pl.DataFrame:
    """An .Rds data.table or a CSV; R date columns (days since 1970) and ISO strings both become dates."""
    if path.suffix.lower() == ".csv":
        frame = pl.read_csv(path, try_parse_dates=True, infer_schema_length=None)
    else:
        import rdata

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # rdata warns that it has no data.table/IDate class
            frame = pl.from_pandas(rdata.read_rds(path))
    dates = [c for c in frame.columns if c.endswith("_Date") or c in ("minDate", "maxDate")]
    return frame.with_columns(
        pl.col(c).cast(pl.Int32).cast(pl.Date) if frame.schema[c].is_integer() else pl.col(c).cast(pl.Date)
        for c in dates)


def load(data: Path, tables: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The rows to train on and score, and the inspection history with areas."""
    rows = read_table(data).with_columns(pl.col("Inspection_ID").cast(pl.Int64), pl.col("License").cast(pl.Int64))
    rows = rows.filter(pl.col("Train") | pl.col("Test"))
    inspections = read_table(tables / "23_food_insp_features.Rds").select(
        pl.col("Inspection_ID").cast(pl.Int64), pl.col("License").cast(pl.Int64).alias("entity"),
        pl.col("Inspection_Date").alias("date"), (pl.col("criticalCount") > 0).cast(pl.Int8).alias("critical"),
        pl.col("seriousCount").alias("serious"), pl.col("minorCount").alias("minor"),
        (pl.col("Results") == "Fail").cast(pl.Int8).alias("failed"))
    business = read_table(tables / "24_bus_features.Rds").select(
        pl.col("Inspection_ID").cast(pl.Int64), pl.col("ZIP_CODE").cast(pl.String),
        pl.col("WARD").cast(pl.String), pl.col("POLICE_DISTRICT").cast(pl.String), "minDate")
    history = inspections.join(business, on="Inspection_ID", how="left")
    rows = rows.join(business, on="Inspection_ID", how="left")
    return rows, history


def build_features(rows: pl.DataFrame, history: pl.DataFrame, prior_rate: float) -> pl.DataFrame:
    """One feature row per inspection, in ``rows`` order, from what was known on its ``known`` day."""
    keyed = rows.select(pl.col("Inspection_ID").alias("id"), pl.col("License").alias("entity"), "known")
    own = targeting.own_history(keyed, history, prior_rate=prior_rate, findings=FINDINGS)
    frame = keyed.select("id").join(own, on="id", how="left")
    for column, window in AREAS:
        area_rows = keyed.with_columns(rows[column].alias("area"))
        area = targeting.area_history(area_rows, history.select("entity", pl.col(column).alias("area"), "date",
                                                                "critical"),
                                      window_days=window, prior_rate=prior_rate,
                                      name=f"{column.lower()}_{window}d")
        frame = frame.join(area, on="id", how="left")
    static = rows.select(
        pl.col("Inspection_ID").alias("id"),
        pl.col("Facility_Type").cast(pl.Categorical).to_physical().alias("facility_type"),
        (pl.col("known") - pl.col("minDate")).dt.total_days().alias("licence_age_days"),
        *LICENCE_KINDS)
    return frame.join(static, on="id", how="left").drop("id")


def score_period(rows: pl.DataFrame, history: pl.DataFrame, scored: pl.Series) -> tuple[np.ndarray, list[str]]:
    """Train on the rows not ``scored`` and score the others, their features as known on the period's first day.

    Returns the scores and the names of the features used."""
    start = rows.filter(scored)["Inspection_Date"].min()
    rows = rows.with_columns(pl.when(scored).then(pl.lit(start)).otherwise(pl.col("Inspection_Date")).alias("known"))
    features = build_features(rows, history, float(rows.filter(~scored)["criticalFound"].mean()))
    model = targeting.fit_risk_model(features.filter(~scored), rows.filter(~scored)["criticalFound"].to_numpy(),
                                     categorical=("facility_type",))
    return targeting.risk_scores(model, features.filter(scored)), features.columns


def validate(rows: pl.DataFrame, history: pl.DataFrame) -> None:
    """Time-based validation inside ``Train``: each fold is scored by a model trained on what came before it."""
    train = rows.filter(pl.col("Train"))
    results = []
    for start, end in VALIDATION_FOLDS:
        fold = train.filter(pl.col("Inspection_Date") <= end)
        scored = fold["Inspection_Date"] >= start
        held = fold.filter(scored)
        scores, _ = score_period(fold, history, scored)
        result = targeting.days_earlier(held["Inspection_Date"].to_numpy(), scores, held["criticalFound"].to_numpy())
        results.append(result)
        print(f"validation fold {start} to {end}: days_earlier={result:.2f}", flush=True)
    print(f"validation mean: days_earlier={np.mean(results):.2f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="30_xgboost_data.Rds or a CSV of its columns")
    parser.add_argument("--tables", type=Path, help="folder of the other .Rds tables (default: that of --data)")
    parser.add_argument("--scores-out", type=Path, help="write Inspection_ID,score of the test rows here")
    parser.add_argument("--validate", action="store_true", help="first run the time-based folds inside Train")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    rows, history = load(args.data, args.tables or args.data.parent)
    if args.validate:
        validate(rows, history)
    test = rows.filter(pl.col("Test"))
    print(f"rows: train {rows.height - test.height}, test {test.height} "
          f"({test['Inspection_Date'].min()} to {test['Inspection_Date'].max()}, "
          f"{int(test['criticalFound'].sum())} with a critical violation); test rows see outcomes "
          f"before {test['Inspection_Date'].min()} only")
    scores, names = score_period(rows, history, rows["Test"])
    print(f"features ({len(names)}): {', '.join(names)}")
    found = test["criticalFound"].to_numpy()
    dates = test["Inspection_Date"].to_numpy()
    if args.scores_out:
        args.scores_out.parent.mkdir(parents=True, exist_ok=True)
        pl.DataFrame({"Inspection_ID": test["Inspection_ID"], "score": scores}).write_csv(args.scores_out)
        print(f"scores written to {args.scores_out}")

    published = targeting.days_earlier(dates, test["score"].to_numpy(), found)
    print(f"sanity check, Chicago's published score column (with inspector identity): "
          f"days_earlier={published:.4f} (their evaluation script records {CHICAGO_XGBOOST_DAYS})")
    print(f"ours: AUC {roc_auc_score(found, scores):.3f}, {time.perf_counter() - started:.1f} s")
    print(f"days_earlier={targeting.days_earlier(dates, scores, found):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
