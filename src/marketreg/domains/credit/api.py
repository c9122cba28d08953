"""JSON API of credit (mounted under /api/v1): staff, enterprise and public routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import ValidationError
from sqlalchemy.orm import Session

from marketreg.domains.credit import actions, classify, service
from marketreg.domains.credit.enums import ITEM7_FIELDS
from marketreg.domains.credit.models import AnnualReport
from marketreg.domains.credit.schemas import (
    AnnualReportIn,
    ClassOut,
    CreditEventOut,
    DecisionIn,
    EntryOut,
    ListIn,
    MeasureOut,
    ObjectionIn,
    OverrideIn,
    PublicCreditOut,
    RepairIn,
    RepairOut,
    VerdictIn,
)
from marketreg.domains.registry import service as registry
from marketreg.kernel import clock
from marketreg.kernel.errors import DomainError, NotFound
from marketreg.web.deps import EnterpriseActor, PostedJson, ReadSession, WriteSession, staff
from marketreg.web.ratelimit import public_limit

staff_router = APIRouter(prefix="/credit", tags=["credit"])
enterprise_router = APIRouter(prefix="/enterprise/credit", tags=["public", "enterprise"])
public_router = APIRouter(prefix="/public/credit", tags=["public"])
Filter = Annotated[str, Query(max_length=40)]


def public_report(report: AnnualReport) -> dict:
    """Items 1–6 always; item 7 only where the enterprise chose to publish it (RULES 3.2)."""
    out = {"report_year": report.report_year, "filed_on": report.filed_on.isoformat(), "late": report.late,
           **report.public_items}
    if report.item7_public:
        out.update({k: report.item7.get(k, "") for k in ITEM7_FIELDS})
    return out


def class_out(session: Session, entity_id: int) -> ClassOut | None:
    row = service.risk_class_of(session, entity_id=entity_id)
    if row is None:
        return None
    factors = classify.explain(classify.entity_features(session, entity_id, today=clock.today()))
    return ClassOut(risk_class=row.override_class or row.computed_class, computed_class=row.computed_class,
                    score=row.score, computed_on=row.computed_on, override_reason=row.override_reason,
                    factors=[{"code": c, "label": label, "value": v, "points": p} for c, label, v, p in factors])


def public_credit(session: Session, uscc: str) -> PublicCreditOut:
    entity = registry.find_respondent(session, uscc=uscc)
    if entity is None:
        raise NotFound("credit.entity_not_found", "未找到该市场主体")
    return PublicCreditOut(
        uscc=entity.uscc, name=entity.name,
        entries=[EntryOut.of(e, public=True) for e in service.entries_of(session, uscc=entity.uscc, public_only=True)],
        annual_reports=[public_report(r) for r in service.annual_reports(session, uscc=entity.uscc)],
        publicity=[CreditEventOut.of(e) for e in service.timeline(session, uscc=entity.uscc, public_only=True)
                   if e.category in ("penalty", "inspection")],
        last_updated=service.last_updated(session, uscc=entity.uscc))


# ----------------------------------------------------------------------------- staff


@staff_router.get("/entities/{uscc}/timeline", response_model=list[CreditEventOut])
def timeline(session: ReadSession, actor: staff("credit.view"), uscc: str) -> list[CreditEventOut]:
    """The full credit file (一户一档) of an entity in the actor's jurisdiction."""
    entity = registry.get_entity(session, actor=actor, uscc=uscc)
    return [CreditEventOut.of(e) for e in service.timeline(session, uscc=entity.uscc)]


@staff_router.get("/entities/{uscc}/class", response_model=ClassOut | None)
def risk_class(session: ReadSession, actor: staff("credit.view"), uscc: str) -> ClassOut | None:
    entity = registry.get_entity(session, actor=actor, uscc=uscc)
    return class_out(session, entity.id)


@staff_router.post("/entities/{uscc}/class", response_model=ClassOut)
def override_class(posted: PostedJson, session: WriteSession, actor: staff("credit.classify"), uscc: str) -> ClassOut:
    """Staff override of the class, with a reason (audited). The entity is looked up in the actor's
    jurisdiction before the body is validated, so another county's entity stays invisible (404)
    whatever is posted."""
    registry.get_entity(session, actor=actor, uscc=uscc)
    try:
        body = OverrideIn.model_validate(posted)
    except ValidationError:
        raise DomainError("request.invalid", "请求内容无效：需要 risk_class 与 reason", status=422) from None
    row = actions.do_override_class(session, actor=actor, uscc=uscc, risk_class=body.risk_class, reason=body.reason)
    return class_out(session, row.entity_id)


@staff_router.get("/entries", response_model=list[EntryOut])
def entries(session: ReadSession, actor: staff("credit.view"), list_type: Filter = "", status: Filter = "",
            city: Filter = "", q: Filter = "") -> list[EntryOut]:
    filters = service.EntryFilter(list_type=list_type, status=status, city=city, q=q)
    return [EntryOut.of(e) for e in service.list_entries(session, actor=actor, filters=filters)]


@staff_router.post("/entries", response_model=EntryOut, status_code=201)
def list_entity(session: WriteSession, actor: staff("credit.list"), body: ListIn) -> EntryOut:
    """Abnormal-list listing for a ground other than the missed annual report: evidence and reason required."""
    letters = (body.first_letter_on, body.second_letter_on) if body.first_letter_on and body.second_letter_on else None
    return EntryOut.of(actions.do_list(session, actor=actor, uscc=body.uscc, ground_code=body.ground_code,
                                       evidence=body.evidence, reason=body.reason, letters=letters))


@staff_router.post("/entries/{entry_id:int}/decision", response_model=EntryOut)
def decide_proposal(session: WriteSession, actor: staff("credit.list"), entry_id: int, body: DecisionIn) -> EntryOut:
    return EntryOut.of(actions.do_decide_proposal(session, actor=actor, entry_id=entry_id, approve=body.approve,
                                                  reason=body.reason, category=body.category,
                                                  consent_ref=body.consent_ref))


@staff_router.get("/reviews", response_model=list[EntryOut])
def reviews(session: ReadSession, actor: staff("credit.view")) -> list[EntryOut]:
    """RULES C1: listings flagged for review because the 2024 条例 abolished the rule they rest on."""
    return [EntryOut.of(e) for e in service.pending_reviews(session, actor=actor)]


@staff_router.post("/entries/{entry_id:int}/review", response_model=EntryOut)
def settle_review(session: WriteSession, actor: staff("credit.list"), entry_id: int, body: VerdictIn) -> EntryOut:
    """``grant`` = remove the listing; otherwise keep it with the recorded reason."""
    return EntryOut.of(actions.do_settle_review(session, actor=actor, entry_id=entry_id, remove=body.grant,
                                                note=body.note))


@staff_router.post("/measures/false-information", response_model=MeasureOut, status_code=201)
def propose_false_information(session: WriteSession, actor: staff("credit.list"), body: ListIn) -> MeasureOut:
    """RULES C1: an enterprise's falsified published information → a fine/serious-list proposal (Art. 18(2))."""
    return MeasureOut.of(actions.do_propose_false_information(session, actor=actor, uscc=body.uscc,
                                                              evidence=body.evidence, reason=body.reason))


@staff_router.get("/measures", response_model=list[MeasureOut])
def measures(session: ReadSession, actor: staff("credit.view"), status: Filter = "proposed") -> list[MeasureOut]:
    """RULES C1: measures proposed under 条例 (2024) Art. 18."""
    return [MeasureOut.of(p) for p in service.measure_proposals(session, actor=actor, status=status)]


@staff_router.post("/measures/{proposal_id:int}/decision", response_model=MeasureOut)
def decide_measure(session: WriteSession, actor: staff("credit.list"), proposal_id: int, body: VerdictIn) -> MeasureOut:
    return MeasureOut.of(actions.do_decide_measure(session, actor=actor, proposal_id=proposal_id, accept=body.grant,
                                                   note=body.note))


@staff_router.post("/objections/{objection_id:int}/decision", response_model=dict)
def decide_objection(session: WriteSession, actor: staff("credit.list"), objection_id: int, body: VerdictIn) -> dict:
    objection = actions.do_decide_objection(session, actor=actor, objection_id=objection_id, upheld=body.grant,
                                            note=body.note)
    return {"id": objection.id, "status": objection.status}


@staff_router.get("/repairs", response_model=list[RepairOut])
def repairs(session: ReadSession, actor: staff("credit.repair"), status: Filter = "accepted") -> list[RepairOut]:
    return [RepairOut.of(r) for r in service.repairs(session, actor=actor, status=status)]


@staff_router.post("/repairs/{repair_id:int}/decision", response_model=RepairOut)
def decide_repair(session: WriteSession, actor: staff("credit.repair"), repair_id: int, body: VerdictIn) -> RepairOut:
    return RepairOut.of(actions.do_decide_repair(session, actor=actor, repair_id=repair_id, grant=body.grant,
                                                 note=body.note))


@staff_router.get("/annual-reports/filing-rates", response_model=list[dict])
def filing_rates(session: ReadSession, actor: staff("credit.dashboard"),
                 year: Annotated[int | None, Query(ge=2000, le=2100)] = None) -> list[dict]:
    year = year or clock.today().year - 1
    return [{"city_code": r.city_code, "entity_type": r.entity_type, "due": r.due, "filed": r.filed, "late": r.late,
             "rate": r.rate} for r in service.filing_rates(session, actor=actor, report_year=year)]


@staff_router.get("/risk-classes/distribution", response_model=dict)
def distribution(session: ReadSession, actor: staff("credit.dashboard")) -> dict:
    found = service.class_distribution(session, actor=actor)
    return {"total": dict(found["total"]),
            "by_city": [{"city_code": c, "class": k, "count": n} for (c, k), n in sorted(found["by_city"].items())],
            "by_industry": [{"section": s, "class": k, "count": n}
                            for (s, k), n in sorted(found["by_industry"].items())]}


# ----------------------------------------------------------------------------- enterprise (public portal sign-in)


@enterprise_router.post("/annual-reports", status_code=201)
def file_annual_report(session: WriteSession, actor: EnterpriseActor, body: AnnualReportIn) -> dict:
    report = actions.do_file_annual_report(session, actor=actor, report_year=body.report_year,
                                           public_items=body.public_items, item7=body.item7,
                                           item7_public=body.item7_public)
    return public_report(report)


@enterprise_router.post("/objections", status_code=201)
def object_to_listing(session: WriteSession, actor: EnterpriseActor, body: ObjectionIn) -> dict:
    o = actions.do_object(session, actor=actor, entry_id=body.entry_id, reason=body.reason)
    return {"id": o.id, "accept_due_on": o.accept_due_on.isoformat(), "verify_due_on": o.verify_due_on.isoformat()}


@enterprise_router.post("/repairs", response_model=RepairOut, status_code=201)
def apply_repair(session: WriteSession, actor: EnterpriseActor, body: RepairIn) -> RepairOut:
    decl = actions.Declarations(duties_performed=body.duties_performed, harm_removed=body.harm_removed,
                                pledge=body.pledge, statement=body.statement)
    return RepairOut.of(actions.do_apply_repair(session, actor=actor, target=body.target, ref=body.ref, decl=decl))


# ----------------------------------------------------------------------------- public


@public_router.get("/search", response_model=list[dict])
@public_limit
def search(request: Request, session: ReadSession, q: Annotated[str, Query(max_length=100)] = "") -> list[dict]:
    return [{"uscc": e.uscc, "name": e.name} for e in registry.public_lookup(session, q=q)]


@public_router.get("/entities/{uscc}", response_model=PublicCreditOut)
@public_limit
def public_entity(request: Request, session: ReadSession, uscc: str) -> PublicCreditOut:
    """What the law makes public today: list entries, annual reports (items 1–6, item 7 if chosen),
    penalties and inspection results within their publication periods; the legal representative masked."""
    return public_credit(session, uscc)
