"""Which actions each state allows (the state machine of an item)."""

from __future__ import annotations

from marketreg.domains.complaints.enums import Status
from marketreg.kernel.errors import Conflict

# action → states it may start from
ALLOWED: dict[str, frozenset[str]] = {
    "accept": frozenset({Status.received}),
    "refuse": frozenset({Status.received, Status.odr_pending}),
    "start_mediation": frozenset({Status.accepted}),
    "pause_mediation": frozenset({Status.mediating}),
    "resume_mediation": frozenset({Status.mediating}),
    "close_mediated": frozenset({Status.mediating}),
    "terminate_mediation": frozenset({Status.accepted, Status.mediating}),
    "settle": frozenset({Status.received, Status.odr_pending, Status.accepted, Status.mediating}),
    "refer": frozenset({Status.received, Status.accepted, Status.mediating, Status.verifying}),
    "transfer_to_police": frozenset({Status.received, Status.accepted, Status.mediating, Status.verifying}),
    "mark_duplicate": frozenset({Status.received, Status.verifying, Status.odr_pending}),
    "decide_report": frozenset({Status.verifying}),
    "extend_report": frozenset({Status.verifying}),
    "merge_report": frozenset({Status.verifying}),
    "answer": frozenset({Status.received}),
    "reroute": frozenset({Status.received, Status.verifying, Status.odr_pending}),
    "odr_reply": frozenset({Status.odr_pending}),
    "odr_fallback": frozenset({Status.odr_pending}),
    "raise_clue": frozenset({Status.accepted, Status.mediating}),
    "follow_up": frozenset({Status.closed}),
}


def check(action: str, status: str) -> None:
    if status not in ALLOWED[action]:
        # (the item's state goes in as ``state``: ``status`` is DomainError's HTTP status)
        raise Conflict("complaints.wrong_state", f"当前状态下不能执行此操作（{action}）", action=action, state=status)
