"""Staff pages of enforcement (clue register, case work queue, case page with its steps,
benchmarks, police transfers, dashboard) and the public penalty-publicity page."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from functools import partial
from pathlib import Path
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from marketreg.domains.enforcement import actions, flow, rules, service
from marketreg.domains.enforcement.api import pdf_response
from marketreg.domains.enforcement.enums import (
    CIRCUMSTANCES,
    CLUE_SOURCES,
    CLUE_STATUS,
    EVIDENCE_KINDS,
    OUTCOMES,
    PENALTY_KINDS,
    REVIEW_CHECKLIST,
    STATUS_LABELS,
    STEP_LABELS,
    VIOLATION_TYPES,
)
from marketreg.domains.enforcement.schemas import (
    BenchmarkIn,
    CaseOut,
    ClueIn,
    ClueOut,
    ClueTransferIn,
    DeclineIn,
    FeedbackIn,
    FilingIn,
    PublicPenaltyOut,
    StepIn,
    TransferIn,
)
from marketreg.kernel import clock
from marketreg.kernel.errors import DomainError
from marketreg.web.deps import PostedForm, ReadSession, WriteSession, staff
from marketreg.web.nav import NavItem
from marketreg.web.pages import NO_STORE, page_action, render, xlsx_download
from marketreg.web.ratelimit import public_limit
from marketreg.web.templating import register_templates

register_templates(Path(__file__).parent / "templates")
staff_pages = APIRouter(prefix="/enforcement")
public_pages = APIRouter()

# This domain's entries in the portals' menus (web.nav; permissions come from the routes).
NAV = [
    NavItem("supervision", "案件线索", "/staff/enforcement/clues"),
    NavItem("supervision", "行政处罚案件", "/staff/enforcement/cases"),
    NavItem("supervision", "案卷评查", "/staff/enforcement/reviews"),
    NavItem("supervision", "裁量基准", "/staff/enforcement/benchmarks"),
    NavItem("supervision", "办案规则", "/staff/enforcement/rules"),
    NavItem("office", "移送反馈", "/staff/enforcement/transfers"),
    NavItem("office", "移送案件接收", "/staff/enforcement/police"),
]
PUBLIC_NAV = [
    NavItem("disclosure", "行政处罚公示", "/penalties", "行政处罚决定信息公示"),
]
StatusQ = Annotated[str, Query(pattern="^(|checking|filing|filed|not_filed)$")]
CaseStatusQ = Annotated[str, Query(max_length=20)]
SearchQ = Annotated[str, Query(max_length=60)]
_LABELS = {"status_labels": STATUS_LABELS, "penalty_kinds": PENALTY_KINDS, "evidence_kinds": EVIDENCE_KINDS,
           "outcomes": OUTCOMES, "violation_types": VIOLATION_TYPES, "circumstances": CIRCUMSTANCES,
           "clue_sources": CLUE_SOURCES, "step_labels": STEP_LABELS, "excluded_periods": rules.EXCLUDED_PERIODS,
           "non_filing_grounds": rules.NON_FILING_GROUNDS, "filing_conditions": rules.FILING_CONDITIONS}


def _form_model(form: FormData, model, *, lists: tuple[str, ...] = (), flags: tuple[str, ...] = ()):
    """A pydantic input from a posted form: blanks dropped, multi-value and checkbox fields kept."""
    data: dict = {k: v for k, v in form.items() if k != "csrf_token" and v != "" and k not in lists}
    for name in lists:
        data[name] = [v for v in form.getlist(name) if v]
    for name in flags:
        data[name] = name in form
    try:
        return model(**data)
    except ValidationError as exc:
        field = ".".join(str(p) for p in exc.errors()[0]["loc"])
        raise DomainError("enforcement.bad_input", f"输入有误：{field}", field=field) from None


def _submit(form: FormData, session, do, model, *, refused, done, lists: tuple[str, ...] = (),
            flags: tuple[str, ...] = ()) -> Response:
    """A form post: ``do(data=<the form as model>)`` through ``page_action``; the fields are checked
    inside it, so bad input re-renders the page with its coded reason like any other refusal."""
    return page_action(session, lambda: do(data=_form_model(form, model, lists=lists, flags=flags)),
                       refused=refused, done=done)


# ----------------------------------------------------------------------------- clues


def _clues(request: Request, session, actor, status: str = "", error: DomainError | None = None) -> Response:
    today = clock.today()
    clues = [ClueOut.of(c, today=today) for c in service.list_clues(session, actor=actor, status=status)]
    return render(request, "enforcement/clues.html", {
        "clues": clues, "status": status, "clue_status": CLUE_STATUS, "today": today, "error": error,
        "check_days": rules.CLUE_CHECK_WORKDAYS, **_LABELS,
    }, status_code=error.status if error else 200)


@staff_pages.get("/clues")
def clues_page(request: Request, session: ReadSession, actor: staff("enforcement.clues"),
               status: StatusQ = "") -> Response:
    return _clues(request, session, actor, status)


@staff_pages.post("/clues")
def register_clue(request: Request, form: PostedForm, session: WriteSession,
                  actor: staff("enforcement.clues")) -> Response:
    """Manual registration: inspection, sampling, monitoring, transfer or assignment."""
    return _submit(form, session, partial(actions.do_register_clue, session, actor=actor), ClueIn,
                   refused=lambda exc: _clues(request, session, actor, error=exc),
                   done=lambda clue: f"/staff/enforcement/clues/{clue.id}")


@staff_pages.get("/clues.xlsx")
def clues_export(session: ReadSession, actor: staff("enforcement.clues"), status: StatusQ = "") -> Response:
    today = clock.today()
    clues = (ClueOut.of(c, today=today) for c in service.list_clues(session, actor=actor, status=status, limit=20_000))
    rows = ((c.id, c.source_label, c.source_ref, c.respondent_name, c.respondent_uscc or "", c.summary,
             c.received_on.isoformat(), c.check_due_on.isoformat(), c.basis, c.status_label,
             "已超期" if c.overdue else "") for c in clues)
    header = ["编号", "来源", "来源编号", "当事人", "统一社会信用代码", "线索内容", "登记日期", "核查期限", "依据",
              "状态", "期限提示"]
    return xlsx_download("案件线索.xlsx", header, rows)


def _clue(request: Request, session, actor, clue_id: int, error: DomainError | None = None) -> Response:
    clue = service.get_clue(session, actor=actor, clue_id=clue_id)
    return render(request, "enforcement/clue.html", {
        "clue": ClueOut.of(clue, today=clock.today()), "error": error, "units": service.bureaus(session),
        "officers": service.officers_in_scope(session, actor=actor), **_LABELS,
    }, status_code=error.status if error else 200)


@staff_pages.get("/clues/{clue_id}")
def clue_page(request: Request, session: ReadSession, actor: staff("enforcement.clues"), clue_id: int) -> Response:
    return _clue(request, session, actor, clue_id)


@staff_pages.post("/clues/{clue_id}/file")
def file_case(request: Request, form: PostedForm, session: WriteSession, actor: staff("enforcement.handle"),
              clue_id: int) -> Response:
    return _submit(form, session, partial(actions.do_file_case, session, actor=actor, clue_id=clue_id),
                   FilingIn, lists=("conditions", "officers"), flags=("major",),
                   refused=lambda exc: _clue(request, session, actor, clue_id, error=exc),
                   done=lambda case: f"/staff/enforcement/cases/{case.id}")


@staff_pages.post("/clues/{clue_id}/decline")
def decline_clue(request: Request, form: PostedForm, session: WriteSession, actor: staff("enforcement.handle"),
                 clue_id: int) -> Response:
    return _submit(form, session, partial(actions.do_decline_clue, session, actor=actor, clue_id=clue_id),
                   DeclineIn, refused=lambda exc: _clue(request, session, actor, clue_id, error=exc),
                   done=f"/staff/enforcement/clues/{clue_id}")


@staff_pages.post("/clues/{clue_id}/transfer")
def transfer_clue(request: Request, form: PostedForm, session: WriteSession, actor: staff("enforcement.transfer"),
                  clue_id: int) -> Response:
    return _submit(form, session, partial(actions.do_transfer_clue, session, actor=actor, clue_id=clue_id),
                   ClueTransferIn, refused=lambda exc: _clue(request, session, actor, clue_id, error=exc),
                   done="/staff/enforcement/transfers")


def _transfers(request: Request, session, actor, error: DomainError | None = None) -> Response:
    return render(request, "enforcement/transfers.html", {
        "transfers": service.transfers_sent(session, actor=actor), "today": clock.today(), "error": error,
    }, status_code=error.status if error else 200)


@staff_pages.get("/transfers")
def transfers_page(request: Request, session: ReadSession, actor: staff("enforcement.transfer")) -> Response:
    """Transfers sent (clue notices, cases to the police, other bureaus and departments) and their feedback."""
    return _transfers(request, session, actor)


@staff_pages.post("/transfers/{transfer_id}/feedback")
def department_feedback(request: Request, form: PostedForm, session: WriteSession, actor: staff("enforcement.transfer"),
                        transfer_id: int) -> Response:
    return _submit(form, session, partial(actions.do_record_department_feedback, session, actor=actor,
                   transfer_id=transfer_id), FeedbackIn,
                   refused=lambda exc: _transfers(request, session, actor, error=exc),
                   done="/staff/enforcement/transfers")


# ----------------------------------------------------------------------------- cases


@staff_pages.get("/cases")
def cases_page(request: Request, session: ReadSession, actor: staff("enforcement.view"),
               status: CaseStatusQ = "open", q: SearchQ = "") -> Response:
    """The work queue: nearest statutory deadline first, days left shown."""
    today = clock.today()
    cases = [CaseOut.of(c, today=today) for c in service.list_cases(session, actor=actor, status=status, q=q)]
    return render(request, "enforcement/cases.html", {"cases": cases, "status": status, "q": q, **_LABELS})


@staff_pages.get("/cases.xlsx")
def cases_export(session: ReadSession, actor: staff("enforcement.view"), status: CaseStatusQ = "open",
                 q: SearchQ = "") -> Response:
    today = clock.today()
    rows = ((c.case_no, c.respondent_name, c.respondent_uscc or "", c.violation_label, c.status_label,
             c.filed_on.isoformat(), c.next_due_label or "", c.next_due_on.isoformat() if c.next_due_on else "",
             c.days_left if c.days_left is not None else "", c.decision_no or "", str(c.fine_amount or ""))
            for c in (CaseOut.of(x, today=today)
                      for x in service.list_cases(session, actor=actor, status=status, q=q, limit=20_000)))
    header = ["案号", "当事人", "统一社会信用代码", "案由", "环节", "立案日期", "当前期限", "期限日期", "剩余天数",
              "决定书文号", "罚款金额"]
    return xlsx_download("行政处罚案件.xlsx", header, rows)


def _case(request: Request, session, actor, case_id: int, error: DomainError | None = None,
          done: str = "") -> Response:
    case = service.get_case(session, actor=actor, case_id=case_id)
    allowed = {name for name, states in flow.ALLOWED.items() if case.status in states}
    return render(request, "enforcement/case.html", {
        "case": case, "out": CaseOut.of(case, today=clock.today()), "allowed": allowed, "error": error,
        "done": done, "benchmarks": service.benchmarks(session, violation_type=case.violation_type),
        "police_units": service.police_units(session, actor=actor), **_LABELS,
        "decide_blocker": service.decide_blocker(case, actor=actor, today=clock.today()),
    }, status_code=error.status if error else 200)


@staff_pages.get("/cases/{case_id}")
def case_page(request: Request, session: ReadSession, actor: staff("enforcement.view"), case_id: int,
              done: Annotated[str, Query(max_length=30)] = "") -> Response:
    return _case(request, session, actor, case_id, done=done)


@staff_pages.post("/cases/{case_id}/steps/{step}")
def case_step(request: Request, form: PostedForm, session: WriteSession, actor: staff("enforcement.view"), case_id: int,
              step: str) -> Response:
    """One step; a refusal re-renders the case page with the coded reason and changes nothing."""
    return _submit(form, session, partial(actions.do_step, session, actor=actor, case_id=case_id, step=step),
                   StepIn, lists=("penalty_kinds",), flags=("collective_discussed", "serious_candidate"),
                   refused=lambda exc: _case(request, session, actor, case_id, error=exc),
                   done=f"/staff/enforcement/cases/{case_id}?done={quote(step)}")


@staff_pages.post("/cases/{case_id}/transfer")
def transfer_case(request: Request, form: PostedForm, session: WriteSession, actor: staff("enforcement.transfer"),
                  case_id: int) -> Response:
    return _submit(form, session, partial(actions.do_transfer, session, actor=actor, case_id=case_id),
                   TransferIn, refused=lambda exc: _case(request, session, actor, case_id, error=exc),
                   done=f"/staff/enforcement/cases/{case_id}?done=transfer_police")


@staff_pages.get("/documents/{document_id}")
def document(session: ReadSession, actor: staff("enforcement.view"), document_id: int) -> Response:
    return pdf_response(service.get_document(session, actor=actor, document_id=document_id))


# ----------------------------------------------------------------------------- benchmarks


def _benchmarks(request: Request, session, error: DomainError | None = None, saved: bool = False) -> Response:
    return render(request, "enforcement/benchmarks.html", {
        "rows": service.benchmarks(session), "error": error, "saved": saved, **_LABELS,
    }, status_code=error.status if error else 200)


@staff_pages.get("/benchmarks")
def benchmarks_page(request: Request, session: ReadSession, actor: staff("enforcement.view")) -> Response:
    return _benchmarks(request, session)


@staff_pages.post("/benchmarks")
def save_benchmark(request: Request, form: PostedForm, session: WriteSession,
                   actor: staff("enforcement.benchmarks")) -> Response:
    return _submit(form, session, partial(actions.do_save_benchmark, session, actor=actor), BenchmarkIn,
                   refused=lambda exc: _benchmarks(request, session, error=exc),
                   done=lambda _: _benchmarks(request, session, saved=True))


# ----------------------------------------------------------------------------- rule figures


def _rules(request: Request, session, error: DomainError | None = None, saved: str = "") -> Response:
    return render(request, "enforcement/rules.html", {"rows": service.rule_rows(session), "error": error,
                                                      "saved": saved}, status_code=error.status if error else 200)


@staff_pages.get("/rules")
def rules_page(request: Request, session: ReadSession, actor: staff("enforcement.view")) -> Response:
    """Every statutory clock and threshold with its article and confidence; unconfirmed ones editable."""
    return _rules(request, session)


@staff_pages.post("/rules/{key}")
def set_rule_figure(request: Request, form: PostedForm, session: WriteSession, actor: staff("enforcement.benchmarks"),
                    key: str) -> Response:

    def set_figure():
        try:
            value = Decimal(str(form.get("value", "")).strip())
        except InvalidOperation:
            raise DomainError("enforcement.rule_value", "参数值无效") from None
        actions.do_set_rule_figure(session, actor=actor, key=key, value=value, note=str(form.get("note", "")))

    return page_action(session, set_figure, refused=lambda exc: _rules(request, session, error=exc),
                       done=lambda _: _rules(request, session, saved=key))


# ----------------------------------------------------------------------------- case-file review


def _reviews(request: Request, session, actor, error: DomainError | None = None) -> Response:
    return render(request, "enforcement/reviews.html", {
        "reviews": service.list_reviews(session, actor=actor), "checklist": REVIEW_CHECKLIST, "error": error,
        "scores": service.review_scores(session, actor=actor), **_LABELS,
    }, status_code=error.status if error else 200)


@staff_pages.get("/reviews")
def reviews_page(request: Request, session: ReadSession, actor: staff("enforcement.review")) -> Response:
    """案卷评查: sampled closed cases, the scoring checklist, average scores by unit and officer."""
    return _reviews(request, session, actor)


@staff_pages.post("/reviews/sample")
def sample_reviews(request: Request, form: PostedForm, session: WriteSession,
                   actor: staff("enforcement.review")) -> Response:

    def sample():
        try:
            share = float(str(form.get("share") or "0.2"))
        except ValueError:
            raise DomainError("enforcement.share_invalid", "抽取比例无效") from None
        actions.do_sample_reviews(session, actor=actor, share=share)

    return page_action(session, sample, refused=lambda exc: _reviews(request, session, actor, error=exc),
                       done="/staff/enforcement/reviews")


@staff_pages.post("/reviews/{review_id}")
def score_review(request: Request, form: PostedForm, session: WriteSession, actor: staff("enforcement.review"),
                 review_id: int) -> Response:

    def score():
        try:
            scores = {key: int(str(form.get(f"score_{key}", ""))) for key in REVIEW_CHECKLIST}
        except ValueError:
            raise DomainError("enforcement.review_score", "请逐项填写整数分值") from None
        actions.do_score_review(session, actor=actor, review_id=review_id, scores=scores)

    return page_action(session, score, refused=lambda exc: _reviews(request, session, actor, error=exc),
                       done="/staff/enforcement/reviews")


# ----------------------------------------------------------------------------- police (行刑衔接)


def _police(request: Request, session, actor, error: DomainError | None = None) -> Response:
    transfers = service.transfers_for_police(session, actor=actor)
    cases = {t.case_id: service.case_for_transfer(session, transfer=t) for t in transfers}
    return render(request, "enforcement/police.html", {"transfers": transfers, "cases": cases, "error": error,
                                                       "today": clock.today(), **_LABELS},
                  status_code=error.status if error else 200)


@staff_pages.get("/police")
def police_page(request: Request, session: ReadSession, actor: staff("enforcement.police")) -> Response:
    """A police unit's inbox: only the cases transferred to it."""
    return _police(request, session, actor)


@staff_pages.post("/police/{transfer_id}/receive")
def police_receive(request: Request, session: WriteSession, actor: staff("enforcement.police"),
                   transfer_id: int) -> Response:
    return page_action(session, lambda: actions.do_acknowledge_transfer(session, actor=actor, transfer_id=transfer_id),
                       refused=lambda exc: _police(request, session, actor, error=exc),
                       done="/staff/enforcement/police")


@staff_pages.post("/police/{transfer_id}/feedback")
def police_feedback(request: Request, form: PostedForm, session: WriteSession, actor: staff("enforcement.police"),
                    transfer_id: int) -> Response:
    return _submit(form, session, partial(actions.do_transfer_feedback, session, actor=actor,
                   transfer_id=transfer_id), FeedbackIn,
                   refused=lambda exc: _police(request, session, actor, error=exc),
                   done="/staff/enforcement/police")


@staff_pages.get("/police/{transfer_id}/package")
def police_package(session: WriteSession, actor: staff("enforcement.police"), transfer_id: int) -> Response:
    """The transfer package: an audited, never cached read of unmasked personal data."""
    transfer = actions.do_download_transfer_package(session, actor=actor, transfer_id=transfer_id)
    return Response(transfer.package or b"", media_type="application/zip",
                    headers={"Content-Disposition":
                             f"attachment; filename*=UTF-8''{quote('移送材料')}-{transfer.id}.zip", **NO_STORE})


# ----------------------------------------------------------------------------- public


@public_pages.get("/penalties")
@public_limit
def public_penalties(request: Request, session: ReadSession, q: Annotated[str, Query(max_length=100)] = "") -> Response:
    """行政处罚信息公示: decisions on display (warnings and ended periods excluded; persons masked)."""
    rows = [PublicPenaltyOut.of(c) for c in service.public_penalties(session, q=q.strip(), today=clock.today())]
    return render(request, "enforcement/public_penalties.html", {"rows": rows, "q": q})
