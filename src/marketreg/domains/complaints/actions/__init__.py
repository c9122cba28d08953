"""Writes of the complaints domain (``do_*``). The caller owns the transaction.

Each action: authorise → load in scope → check the state machine → compute due dates with
the rule version of the receipt date and the work calendar → write → add a timeline step →
audit → publish events → notify.

One module per part of the work; this package re-exports every write so callers keep
``from marketreg.domains.complaints import actions`` and ``actions.do_x``.
"""

from marketreg.domains.complaints.actions.common import RATING_WINDOW_DAYS, ROUTING_LABELS
from marketreg.domains.complaints.actions.consumers import do_odr_reply, do_odr_view, do_rate
from marketreg.domains.complaints.actions.coordination import (
    do_reroute,
    do_set_rule_figure,
    do_supervise,
    do_take_over,
    do_view_identity,
)
from marketreg.domains.complaints.actions.handling import (
    do_accept,
    do_close_mediated,
    do_mark_duplicate,
    do_pause_mediation,
    do_raise_clue,
    do_refer,
    do_refuse,
    do_resume_mediation,
    do_settle,
    do_start_mediation,
    do_terminate_mediation,
    do_transfer_to_police,
)
from marketreg.domains.complaints.actions.intake import attachment_path, do_intake
from marketreg.domains.complaints.actions.quality import (
    do_record_follow_up,
    do_resolve_duplicate_link,
    select_follow_ups,
)
from marketreg.domains.complaints.actions.reports import do_answer, do_decide_report, do_extend_report, do_merge_report
from marketreg.domains.complaints.actions.sweep import SweepResult, sweep
from marketreg.platform.uploads import Upload

__all__ = [
    "RATING_WINDOW_DAYS", "ROUTING_LABELS", "SweepResult", "Upload", "attachment_path", "do_accept", "do_answer",
    "do_close_mediated", "do_decide_report", "do_extend_report", "do_intake", "do_mark_duplicate", "do_merge_report",
    "do_odr_reply", "do_odr_view", "do_pause_mediation", "do_raise_clue", "do_rate", "do_record_follow_up",
    "do_refer", "do_refuse",
    "do_reroute", "do_resolve_duplicate_link", "do_resume_mediation", "do_set_rule_figure", "do_settle",
    "do_start_mediation", "do_supervise", "do_take_over", "do_terminate_mediation", "do_transfer_to_police",
    "do_view_identity", "select_follow_ups", "sweep",
]
