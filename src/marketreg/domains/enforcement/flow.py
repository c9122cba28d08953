"""The case state machine: which step each state allows (程序规定 ch. 3, RULES 2.11)."""

from __future__ import annotations

from marketreg.domains.enforcement.enums import CaseStatus as S
from marketreg.kernel.errors import Conflict

_OPEN = frozenset({S.investigating, S.reviewing, S.reviewed, S.notified, S.hearing})

# step → states it may start from
ALLOWED: dict[str, frozenset[str]] = {
    "add_evidence": frozenset({S.investigating}),
    "extend_seizure": frozenset({S.investigating, S.reviewing, S.reviewed, S.notified, S.hearing}),
    "release_evidence": _OPEN,
    "end_investigation": frozenset({S.investigating}),
    "complete_review": frozenset({S.reviewing}),
    "serve_notice": frozenset({S.reviewed}),
    "record_statement": frozenset({S.notified}),
    "request_hearing": frozenset({S.notified}),
    "hold_hearing": frozenset({S.hearing}),
    "decide": frozenset({S.notified}),
    "deliver": frozenset({S.decided}),
    "record_payment": frozenset({S.executing}),
    "grant_deferral": frozenset({S.executing}),
    "urge_payment": frozenset({S.executing}),
    "record_remedy": frozenset({S.executing}),
    "close": frozenset({S.executing}),
    "archive": frozenset({S.closed}),
    "pause": _OPEN,
    "resume": _OPEN,
    "extend_decision": _OPEN,
    "transfer_police": frozenset({S.investigating, S.reviewing, S.reviewed}),
    "publish": frozenset({S.decided, S.executing, S.closed, S.archived}),
    "end_publicity": frozenset({S.decided, S.executing, S.closed, S.archived}),
}

NEXT_STEP_LABELS = {
    S.investigating: "调查终结", S.reviewing: "完成审核", S.reviewed: "送达告知书", S.notified: "作出决定",
    S.hearing: "举行听证", S.decided: "送达决定书", S.executing: "执行完毕结案", S.closed: "归档",
}


def check(step: str, status: str) -> None:
    if status not in ALLOWED[step]:
        raise Conflict("enforcement.wrong_state", f"案件当前环节不能执行此操作（{step}）", step=step, state=status)
