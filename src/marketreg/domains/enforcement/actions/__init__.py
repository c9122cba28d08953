"""Writes of the enforcement domain (``do_*``). The caller owns the transaction.

Each step: authorise → load in scope → check the state machine → check the statutory
conditions (rules) → compute due dates with the work calendar → write → timeline step →
audit → document → publish events.

One module per part of the procedure; this package re-exports every write so callers keep
``from marketreg.domains.enforcement import actions`` and ``actions.do_x``.
"""

from marketreg.domains.enforcement.actions.benchmarks import (
    do_declare_conflict,
    do_save_benchmark,
    do_set_rule_figure,
    load_benchmarks,
)
from marketreg.domains.enforcement.actions.clues import (
    do_decline_clue,
    do_extend_clue_check,
    do_file_case,
    do_record_department_feedback,
    do_register_clue,
    do_transfer_clue,
)
from marketreg.domains.enforcement.actions.reviews import do_sample_reviews, do_score_review
from marketreg.domains.enforcement.actions.simplified import do_simplified_case
from marketreg.domains.enforcement.actions.steps import STEP_PERMISSIONS, do_expire_publicity, do_step, end_publicity
from marketreg.domains.enforcement.actions.transfers import (
    do_acknowledge_transfer,
    do_download_transfer_package,
    do_transfer,
    do_transfer_feedback,
)

__all__ = [
    "STEP_PERMISSIONS", "do_acknowledge_transfer", "do_declare_conflict", "do_decline_clue",
    "do_download_transfer_package", "do_expire_publicity",
    "do_extend_clue_check", "do_file_case", "do_record_department_feedback", "do_register_clue", "do_sample_reviews",
    "do_save_benchmark", "do_score_review", "do_set_rule_figure", "do_simplified_case", "do_step", "do_transfer",
    "do_transfer_clue", "do_transfer_feedback", "end_publicity", "load_benchmarks",
]
