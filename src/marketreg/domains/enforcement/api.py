"""JSON API of enforcement: clues, cases and their steps, transfers, benchmarks, penalty publicity."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel

from marketreg.domains.enforcement import actions, service
from marketreg.domains.enforcement.schemas import (
    BenchmarkIn,
    BenchmarkOut,
    CaseOut,
    ClueIn,
    ClueOut,
    ClueTransferIn,
    ConflictIn,
    DeclineIn,
    FeedbackIn,
    FilingIn,
    PublicPenaltyOut,
    SimplifiedIn,
    StepIn,
    TransferIn,
)
from marketreg.kernel import clock
from marketreg.web.deps import ReadSession, WriteSession, staff
from marketreg.web.ratelimit import public_limit

staff_router = APIRouter(prefix="/enforcement", tags=["enforcement"])
public_router = APIRouter(prefix="/public/penalties", tags=["public"])


class TransferOut(BaseModel):
    id: int
    kind: str
    case_id: int | None
    clue_id: int | None
    target_name: str
    reason: str
    sent_on: str
    receipt_due_on: str
    received_on: str | None
    feedback_due_on: str
    feedback_on: str | None
    feedback: str | None

    @classmethod
    def of(cls, t) -> TransferOut:
        iso = lambda d: d.isoformat() if d else None  # noqa: E731
        return cls(id=t.id, kind=t.kind, case_id=t.case_id, clue_id=t.clue_id, target_name=t.target_name,
                   reason=t.reason, sent_on=iso(t.sent_on),
                   receipt_due_on=iso(t.receipt_due_on), received_on=iso(t.received_on),
                   feedback_due_on=iso(t.feedback_due_on), feedback_on=iso(t.feedback_on), feedback=t.feedback)


@staff_router.get("/clues", response_model=list[ClueOut])
def clues(session: ReadSession, actor: staff("enforcement.clues"),
          status: Annotated[str, Query(pattern="^(|checking|filed|not_filed)$")] = "") -> list[ClueOut]:
    """Clues in the actor's jurisdiction, nearest check deadline first."""
    today = clock.today()
    return [ClueOut.of(c, today=today) for c in service.list_clues(session, actor=actor, status=status)]


@staff_router.post("/clues", response_model=ClueOut, status_code=201)
def register_clue(session: WriteSession, actor: staff("enforcement.clues"), data: ClueIn) -> ClueOut:
    return ClueOut.of(actions.do_register_clue(session, actor=actor, data=data), today=clock.today())


@staff_router.post("/clues/{clue_id}/file", response_model=CaseOut, status_code=201)
def file_case(session: WriteSession, actor: staff("enforcement.handle"), clue_id: int, data: FilingIn) -> CaseOut:
    return CaseOut.of(actions.do_file_case(session, actor=actor, clue_id=clue_id, data=data), today=clock.today())


@staff_router.post("/clues/{clue_id}/decline", response_model=ClueOut)
def decline_clue(session: WriteSession, actor: staff("enforcement.handle"), clue_id: int, data: DeclineIn) -> ClueOut:
    return ClueOut.of(actions.do_decline_clue(session, actor=actor, clue_id=clue_id, data=data), today=clock.today())


@staff_router.post("/clues/{clue_id}/extend", response_model=ClueOut)
def extend_clue(session: WriteSession, actor: staff("enforcement.handle"), clue_id: int) -> ClueOut:
    return ClueOut.of(actions.do_extend_clue_check(session, actor=actor, clue_id=clue_id), today=clock.today())


@staff_router.post("/clues/{clue_id}/transfer", response_model=TransferOut, status_code=201)
def transfer_clue(session: WriteSession, actor: staff("enforcement.transfer"), clue_id: int,
                  data: ClueTransferIn) -> TransferOut:
    """Send a clue to another bureau (it becomes a clue there) or to another department."""
    return TransferOut.of(actions.do_transfer_clue(session, actor=actor, clue_id=clue_id, data=data))


@staff_router.get("/transfers/sent", response_model=list[TransferOut])
def transfers_sent(session: ReadSession, actor: staff("enforcement.transfer")) -> list[TransferOut]:
    """Clues and cases this jurisdiction transferred, with receipt and feedback against their deadlines."""
    return [TransferOut.of(t) for t in service.transfers_sent(session, actor=actor)]


@staff_router.post("/transfers/{transfer_id}/department-feedback", response_model=TransferOut)
def department_feedback(session: WriteSession, actor: staff("enforcement.transfer"), transfer_id: int,
                        data: FeedbackIn) -> TransferOut:
    return TransferOut.of(actions.do_record_department_feedback(session, actor=actor, transfer_id=transfer_id,
                                                                data=data))


@staff_router.get("/cases", response_model=list[CaseOut])
def cases(session: ReadSession, actor: staff("enforcement.view"),
          status: Annotated[str, Query(max_length=20)] = "", q: Annotated[str, Query(max_length=60)] = ""
          ) -> list[CaseOut]:
    """The work queue: nearest statutory deadline first."""
    today = clock.today()
    return [CaseOut.of(c, today=today) for c in service.list_cases(session, actor=actor, status=status, q=q)]


@staff_router.post("/cases/simplified", response_model=CaseOut, status_code=201)
def simplified(session: WriteSession, actor: staff("enforcement.handle"), data: SimplifiedIn) -> CaseOut:
    return CaseOut.of(actions.do_simplified_case(session, actor=actor, data=data), today=clock.today())


@staff_router.get("/cases/{case_id}", response_model=CaseOut)
def case(session: ReadSession, actor: staff("enforcement.view"), case_id: int) -> CaseOut:
    return CaseOut.of(service.get_case(session, actor=actor, case_id=case_id), today=clock.today())


@staff_router.post("/cases/{case_id}/steps/{step}", response_model=CaseOut)
def case_step(session: WriteSession, actor: staff("enforcement.view"), case_id: int, step: str,
              data: StepIn) -> CaseOut:
    """One step of the case (state machine: refused with ``enforcement.wrong_state`` out of order);
    the step's own permission (handle / review / decide) is checked by the action."""
    found = actions.do_step(session, actor=actor, case_id=case_id, step=step, data=data)
    return CaseOut.of(found, today=clock.today())


@staff_router.post("/cases/{case_id}/transfer", response_model=TransferOut, status_code=201)
def transfer(session: WriteSession, actor: staff("enforcement.transfer"), case_id: int,
             data: TransferIn) -> TransferOut:
    return TransferOut.of(actions.do_transfer(session, actor=actor, case_id=case_id, data=data))


@staff_router.get("/documents/{document_id}")
def document(session: ReadSession, actor: staff("enforcement.view"), document_id: int) -> Response:
    doc = service.get_document(session, actor=actor, document_id=document_id)
    return pdf_response(doc)


def pdf_response(doc) -> Response:
    return Response(doc.pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f"inline; filename*=UTF-8''{quote(doc.number)}.pdf"})


@staff_router.get("/transfers", response_model=list[TransferOut])
def transfers(session: ReadSession, actor: staff("enforcement.police")) -> list[TransferOut]:
    """Transfers addressed to the actor's police unit."""
    return [TransferOut.of(t) for t in service.transfers_for_police(session, actor=actor)]


@staff_router.post("/transfers/{transfer_id}/receive", response_model=TransferOut)
def receive(session: WriteSession, actor: staff("enforcement.police"), transfer_id: int) -> TransferOut:
    return TransferOut.of(actions.do_acknowledge_transfer(session, actor=actor, transfer_id=transfer_id))


@staff_router.post("/transfers/{transfer_id}/feedback", response_model=TransferOut)
def feedback(session: WriteSession, actor: staff("enforcement.police"), transfer_id: int,
             data: FeedbackIn) -> TransferOut:
    return TransferOut.of(actions.do_transfer_feedback(session, actor=actor, transfer_id=transfer_id, data=data))


@staff_router.get("/benchmarks", response_model=list[BenchmarkOut])
def benchmarks(session: ReadSession, actor: staff("enforcement.view"),
               violation_type: Annotated[str, Query(max_length=40)] = "") -> list[BenchmarkOut]:
    """Discretion benchmarks (裁量基准): fine range and legal basis per violation type and circumstance."""
    return [BenchmarkOut.model_validate(b, from_attributes=True)
            for b in service.benchmarks(session, violation_type=violation_type)]


@staff_router.post("/benchmarks", response_model=BenchmarkOut)
def save_benchmark(session: WriteSession, actor: staff("enforcement.benchmarks"), data: BenchmarkIn) -> BenchmarkOut:
    row = actions.do_save_benchmark(session, actor=actor, data=data)
    return BenchmarkOut.model_validate(row, from_attributes=True)


@staff_router.post("/conflicts", status_code=201)
def declare_conflict(session: WriteSession, actor: staff("enforcement.handle"), data: ConflictIn) -> dict:
    row = actions.do_declare_conflict(session, actor=actor, data=data)
    return {"id": row.id, "username": row.username, "party": row.party}


class RuleFigureOut(BaseModel):
    key: str
    value: Decimal
    table_value: Decimal
    unit: str
    basis: str
    confidence: str
    editable: bool


class RuleFigureIn(BaseModel):
    value: Decimal
    note: str = ""


@staff_router.get("/rules", response_model=list[RuleFigureOut])
def rule_figures(session: ReadSession, actor: staff("enforcement.view")) -> list[RuleFigureOut]:
    """Every statutory clock and threshold (RULES §2) with its article, confidence and value in force."""
    return [RuleFigureOut(key=key, value=Decimal(now.value), table_value=Decimal(fig.value), unit=fig.unit,
                          basis=fig.basis, confidence=now.confidence, editable=fig.editable)
            for key, fig, now in service.rule_rows(session)]


@staff_router.post("/rules/{key}", status_code=204)
def set_rule_figure(session: WriteSession, actor: staff("enforcement.benchmarks"), key: str,
                    data: RuleFigureIn) -> Response:
    actions.do_set_rule_figure(session, actor=actor, key=key, value=data.value, note=data.note)
    return Response(status_code=204)


class SampleIn(BaseModel):
    share: float
    seed: int | None = None


class ReviewOut(BaseModel):
    id: int
    case_id: int
    case_no: str
    scores: dict | None
    total: int | None
    reviewer: str | None


@staff_router.get("/reviews", response_model=list[ReviewOut])
def reviews(session: ReadSession, actor: staff("enforcement.review")) -> list[ReviewOut]:
    return [ReviewOut(id=r.id, case_id=c.id, case_no=c.case_no, scores=r.scores, total=r.total, reviewer=r.reviewer)
            for r, c in service.list_reviews(session, actor=actor)]


@staff_router.post("/reviews/sample", response_model=list[int], status_code=201)
def sample_reviews(session: WriteSession, actor: staff("enforcement.review"), data: SampleIn) -> list[int]:
    """Random sampling of closed cases for case-file review; returns the sampled case ids."""
    return [r.case_id for r in actions.do_sample_reviews(session, actor=actor, share=data.share, seed=data.seed)]


@staff_router.post("/reviews/{review_id}", response_model=ReviewOut)
def score_review(session: WriteSession, actor: staff("enforcement.review"), review_id: int,
                 scores: dict[str, int]) -> ReviewOut:
    r = actions.do_score_review(session, actor=actor, review_id=review_id, scores=scores)
    return ReviewOut(id=r.id, case_id=r.case_id, case_no=service.get_case(session, actor=actor, case_id=r.case_id)
                     .case_no, scores=r.scores, total=r.total, reviewer=r.reviewer)


@public_router.get("", response_model=list[PublicPenaltyOut])
@public_limit
def public_penalties(request: Request, session: ReadSession,
                     q: Annotated[str, Query(max_length=100)] = "") -> list[PublicPenaltyOut]:
    """Penalty decisions on public display (公示规定): warnings and expired periods excluded."""
    return [PublicPenaltyOut.of(c) for c in service.public_penalties(session, q=q.strip(), today=clock.today())]
