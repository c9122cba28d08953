"""JSON API of the clue register (mounted under /api/v1)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from marketreg.domains.enforcement import service
from marketreg.domains.enforcement.models import Clue
from marketreg.kernel import clock
from marketreg.web.deps import ReadSession, staff

staff_router = APIRouter(prefix="/enforcement", tags=["enforcement"])
STATUS_LABELS = {"checking": "核查中", "filed": "已立案", "not_filed": "不予立案"}
SOURCE_LABELS = {"report": "举报", "mediation": "调解中发现", "inspection": "检查发现", "sampling": "抽检发现",
                 "transfer": "移送"}


class ClueOut(BaseModel):
    id: int
    source: str
    source_label: str
    source_ref: str
    respondent_uscc: str | None
    respondent_name: str
    summary: str
    org_path: str
    received_on: dt.date
    check_due_on: dt.date
    basis: str
    status: str
    status_label: str
    overdue: bool

    @classmethod
    def of(cls, clue: Clue, *, today: dt.date) -> ClueOut:
        return cls(id=clue.id, source=clue.source, source_label=SOURCE_LABELS.get(clue.source, clue.source),
                   source_ref=clue.source_ref, respondent_uscc=clue.respondent_uscc,
                   respondent_name=clue.respondent_name, summary=clue.summary, org_path=clue.org_path,
                   received_on=clue.received_on, check_due_on=clue.check_due_on, basis=clue.basis,
                   status=clue.status, status_label=STATUS_LABELS.get(clue.status, clue.status),
                   overdue=clue.status == "checking" and clue.check_due_on < today)


@staff_router.get("/clues", response_model=list[ClueOut])
def clues(session: ReadSession, actor: staff("enforcement.clues"),
          status: Annotated[str, Query(pattern="^(|checking|filed|not_filed)$")] = "") -> list[ClueOut]:
    """Clues in the actor's jurisdiction, nearest check deadline first."""
    today = clock.today()
    return [ClueOut.of(c, today=today) for c in service.list_clues(session, actor=actor, status=status)]
