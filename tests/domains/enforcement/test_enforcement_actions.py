"""The case workflow through its actions, on both databases: clue → filing → investigation →
review → prior notice → hearing → decision → delivery → payment → closure → publicity."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest
import time_machine
from pypdf import PdfReader
from sqlalchemy import func, select

from marketreg.domains.enforcement import actions, service
from marketreg.domains.enforcement.models import Benchmark, Case, Clue, Document
from marketreg.domains.enforcement.schemas import (
    ClueIn,
    ConflictIn,
    DeclineIn,
    FeedbackIn,
    FilingIn,
    SimplifiedIn,
    StepIn,
    TransferIn,
)
from marketreg.domains.org import service as org
from marketreg.domains.reference import service as reference
from marketreg.domains.registry import seed as registry_seed
from marketreg.domains.registry.models import Entity
from marketreg.kernel import clock
from marketreg.kernel.errors import Conflict, DomainError, NotFound
from marketreg.platform.audit import AuditEvent
from marketreg.platform.authz import SYSTEM
from marketreg.platform.events import DomainEvent, drain, payload_type, publish

CST = dt.timezone(dt.timedelta(hours=8))
D = dt.date
ALL_CONDITIONS = ["evidence", "penalty_due", "jurisdiction", "limitation"]


def at(y, m, d, h=10):
    return time_machine.travel(dt.datetime(y, m, d, h, tzinfo=CST), tick=False)


def staff(session, username):
    return org.actor_for(session, user=org.get_user_by_username(session, username=username))


@pytest.fixture
def entity(session) -> Entity:
    counties = [registry_seed.County(*r) for r in reference.county_rows(session) if r[0] == "370102"]
    row = next(registry_seed.generate_entities(1, counties=counties,
                                               industries=reference.industry_leaves_by_section(session), seed=43))
    row["created_at"] = row["updated_at"] = clock.now()
    session.execute(Entity.__table__.insert(), [row])
    return session.scalar(select(Entity).where(Entity.uscc == row["uscc"]))


def new_clue(session, entity, *, on=D(2026, 3, 2)) -> Clue:
    return actions.do_register_clue(session, actor=staff(session, "lx_inspector"), data=ClueIn(
        source="monitoring", source_ref=f"monitoring:{entity.uscc}", respondent_uscc=entity.uscc,
        respondent_name=entity.name, summary="网络监测发现销售过期食品", received_on=on))


def filed_case(session, entity, *, major=False) -> Case:
    with at(2026, 3, 2):
        clue = new_clue(session, entity)
        return actions.do_file_case(session, actor=staff(session, "lx_inspector"), clue_id=clue.id, data=FilingIn(
            conditions=ALL_CONDITIONS, officers=["lx_inspector", "lx_officer"], violation_type="food_expired",
            major=major, facts="当事人经营超过保质期的食品。"))


def step(session, case, name, username="lx_inspector", **fields) -> Case:
    return actions.do_step(session, actor=staff(session, username), case_id=case.id, step=name, data=StepIn(**fields))


def benchmark(session, circumstance="ordinary") -> Benchmark:
    return session.scalar(select(Benchmark).where(Benchmark.violation_type == "food_expired",
                                                  Benchmark.circumstance == circumstance))


def to_notice(session, case, *, fine=Decimal(150000)) -> Case:
    with at(2026, 3, 20):
        step(session, case, "end_investigation", note="调查终结")
    with at(2026, 3, 23):
        step(session, case, "complete_review", "sd_leader", note="事实清楚，证据确凿")
    with at(2026, 3, 24):
        return step(session, case, "serve_notice", penalty_kinds=["fine", "confiscation"], fine=fine,
                    confiscated=Decimal(2000))


def pdf_text(doc: Document) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(doc.pdf)).pages)


def test_clue_is_filed_as_a_case_with_its_clock_number_and_document(session, entity):
    case = filed_case(session, entity)
    assert case.status == "investigating"
    assert (case.filed_on, case.decision_due_on, case.rule_version) == (D(2026, 3, 2), D(2026, 6, 1), "samr61-2022")
    assert case.calendar_version.startswith("cc")
    assert case.case_no == "历下市监立〔2026〕1号"
    assert case.next_due_on == D(2026, 6, 1)
    clue = session.get(Clue, case.id and service.clue_for(session, source_ref=f"monitoring:{entity.uscc}").id)
    assert (clue.status, clue.case_id) == ("filed", case.id)
    [doc] = case.documents
    text = pdf_text(doc)
    assert "立案审批表" in text and case.case_no in text and entity.name in text and "lx_officer" in text
    event = session.scalar(select(DomainEvent).where(DomainEvent.name == "enforcement.case_filed"))
    assert event.payload == {"case_no": case.case_no, "filed_on": "2026-03-02", "violation_type": "food_expired",
                             "violation_label": "经营超过保质期的食品"}
    assert session.scalar(select(func.count()).select_from(AuditEvent)
                          .where(AuditEvent.action == "enforcement.case_filed")) == 1


def test_full_ordinary_procedure_with_hearing_decision_delivery_payment_closure(session, entity):
    case = filed_case(session, entity)
    with at(2026, 3, 5):
        step(session, case, "add_evidence", kind="seizure", description="扣押过期牛奶20箱")
        step(session, case, "add_evidence", kind="questioning", description="当事人承认销售过期牛奶")
    assert case.evidence[0].due_on == D(2026, 4, 7)  # 30 days → Sat 4 Apr; 4–6 Apr Qingming → Tue 7 Apr
    to_notice(session, case)
    assert (case.status, case.hearing_rights) == ("notified", True)
    assert (case.statement_due_on, case.hearing_request_due_on) == (D(2026, 3, 31), D(2026, 3, 31))
    assert {d.kind for d in case.documents} >= {"notice", "hearing_notice"}
    with at(2026, 3, 27):
        step(session, case, "request_hearing", hearing_on=D(2026, 4, 10))
    assert (case.status, case.paused_since, case.next_due_label) == ("hearing", D(2026, 3, 27), "期限暂停计算")
    with at(2026, 4, 10):
        step(session, case, "hold_hearing", "sd_leader", note="当事人到场陈述")
    assert case.paused_days == 14 and case.decision_due_on == D(2026, 6, 15)  # 90+14 days from 2 Mar
    with at(2026, 4, 13):
        step(session, case, "decide", "sd_leader", penalty_kinds=["fine", "confiscation"], fine=Decimal(60000),
             confiscated=Decimal(2000), legal_basis="食品安全法第一百二十四条", benchmark_id=benchmark(session).id)
    assert case.status == "decided" and case.decision_no == "历下市监处罚〔2026〕1号"
    assert (case.delivery_due_on, case.publicity_due_on, case.publicity_period) == (D(2026, 4, 22), D(2026, 5, 13),
                                                                                    "3y")
    decided = session.scalar(select(DomainEvent).where(DomainEvent.name == "enforcement.penalty_decided"))
    assert decided.payload["fine_amount"] == "60000.00" and decided.payload["publicity"] is True
    assert decided.payload["penalty_kinds"] == ["fine", "confiscation"] and decided.payload["simplified"] is False
    decision = next(d for d in case.documents if d.kind == "decision")
    text = pdf_text(decision)
    assert "行政处罚决定书" in text and case.decision_no in text and "60,000.00" in text
    with at(2026, 4, 15):
        step(session, case, "deliver")
        step(session, case, "publish")
    assert (case.status, case.payment_due_on, case.publicity_until) == ("executing", D(2026, 4, 30), D(2029, 4, 15))
    with at(2026, 4, 20):
        step(session, case, "record_payment", amount=Decimal(60000))
        step(session, case, "close")
        step(session, case, "archive")
    assert (case.status, case.outcome) == ("archived", "executed")
    closed = session.scalar(select(DomainEvent).where(DomainEvent.name == "enforcement.case_closed"))
    assert closed.payload == {"case_no": case.case_no, "closed_on": "2026-04-20", "outcome": "executed"}
    assert [d.kind for d in case.documents].count("closure") == 1
    assert len(case.steps) >= 13


def test_steps_out_of_order_are_refused_and_change_nothing(session, entity):
    case = filed_case(session, entity)
    steps_before = len(case.steps)
    with pytest.raises(Conflict) as caught:
        step(session, case, "deliver")
    assert caught.value.code == "enforcement.wrong_state"
    assert (case.status, len(case.steps)) == ("investigating", steps_before)


def test_decision_without_prior_notice_is_refused(session, entity):
    case = filed_case(session, entity)
    with at(2026, 3, 20):
        step(session, case, "end_investigation")
    with pytest.raises(DomainError) as caught, at(2026, 3, 21):
        step(session, case, "decide", "sd_leader", penalty_kinds=["fine"], fine=Decimal(30000), legal_basis="x",
             benchmark_id=benchmark(session).id)
    assert caught.value.code == "enforcement.notice_required"
    assert case.decision_no is None and case.status == "reviewing"


def test_decision_before_the_statement_window_ends_or_heavier_than_notice_is_refused(session, entity):
    case = to_notice(session, filed_case(session, entity), fine=Decimal(30000))
    assert case.hearing_rights is False and case.hearing_request_due_on is None
    with pytest.raises(DomainError) as early, at(2026, 3, 26):
        step(session, case, "decide", "sd_leader", penalty_kinds=["fine"], fine=Decimal(30000), legal_basis="x",
             benchmark_id=benchmark(session).id)
    assert early.value.code == "enforcement.statement_window_open"
    with pytest.raises(DomainError) as heavier, at(2026, 4, 1):
        step(session, case, "decide", "sd_leader", penalty_kinds=["fine"], fine=Decimal(40000), legal_basis="x",
             benchmark_id=benchmark(session).id)
    assert heavier.value.code == "enforcement.heavier_than_notice"
    assert case.status == "notified" and case.decision_no is None


def test_hearing_request_after_its_window_is_refused(session, entity):
    case = to_notice(session, filed_case(session, entity))
    with pytest.raises(DomainError) as caught, at(2026, 4, 1):
        step(session, case, "request_hearing", hearing_on=D(2026, 4, 20))
    assert caught.value.code == "enforcement.hearing_window_closed"
    assert (case.status, case.hearing_requested_on, case.paused_since) == ("notified", None, None)


def test_fine_outside_the_benchmark_needs_a_recorded_reason(session, entity):
    case = to_notice(session, filed_case(session, entity), fine=Decimal(90000))
    with pytest.raises(DomainError) as caught, at(2026, 4, 1):
        step(session, case, "decide", "sd_leader", penalty_kinds=["fine"], fine=Decimal(90000), legal_basis="x",
             benchmark_id=benchmark(session).id)
    assert caught.value.code == "enforcement.outside_benchmark" and case.decision_no is None
    with at(2026, 4, 1):
        step(session, case, "decide", "sd_leader", penalty_kinds=["fine"], fine=Decimal(90000), legal_basis="x",
             benchmark_id=benchmark(session).id, outside_range_reason="多次违法，从重处罚")
    assert case.status == "decided" and case.outside_range_reason == "多次违法，从重处罚"


def test_handler_with_a_declared_conflict_is_refused(session, entity):
    inspector = staff(session, "lx_inspector")
    actions.do_declare_conflict(session, actor=staff(session, "lx_officer"), data=ConflictIn(
        username="lx_officer", party=entity.uscc, relation="近亲属任该企业股东"))
    with at(2026, 3, 2):
        clue = new_clue(session, entity)
        with pytest.raises(DomainError) as caught:
            actions.do_file_case(session, actor=inspector, clue_id=clue.id, data=FilingIn(
                conditions=ALL_CONDITIONS, officers=["lx_inspector", "lx_officer"], violation_type="food_expired"))
    assert caught.value.code == "enforcement.conflict_of_interest"
    assert clue.status == "checking" and session.scalar(select(func.count()).select_from(Case)) == 0


@pytest.mark.parametrize(("officers", "conditions", "code"), [
    (["lx_inspector"], ALL_CONDITIONS, "enforcement.too_few_officers"),
    (["lx_inspector", "lx_handler"], ALL_CONDITIONS, "enforcement.officer_not_credentialed"),
    (["lx_inspector", "sn_officer"], ALL_CONDITIONS, "enforcement.officer_not_credentialed"),
    (["lx_inspector", "lx_officer"], ALL_CONDITIONS[:3], "enforcement.filing_conditions"),
], ids=["one-officer", "no-credential", "other-county", "condition-missing"])
def test_filing_refusals(session, entity, officers, conditions, code):
    with at(2026, 3, 2):
        clue = new_clue(session, entity)
        with pytest.raises(DomainError) as caught:
            actions.do_file_case(session, actor=staff(session, "lx_inspector"), clue_id=clue.id, data=FilingIn(
                conditions=conditions, officers=officers, violation_type="food_expired"))
    assert caught.value.code == code and clue.status == "checking"


def test_major_case_needs_collective_discussion(session, entity):
    case = to_notice(session, filed_case(session, entity, major=True), fine=Decimal(30000))
    with pytest.raises(DomainError) as caught, at(2026, 4, 1):
        step(session, case, "decide", "sd_leader", penalty_kinds=["fine"], fine=Decimal(30000), legal_basis="x",
             benchmark_id=benchmark(session).id)
    assert caught.value.code == "enforcement.collective_required"


def test_clock_pause_resume_and_extensions(session, entity):
    case = filed_case(session, entity)
    with at(2026, 3, 10):
        step(session, case, "pause", reason="testing", note="送检")
    with at(2026, 3, 20):
        step(session, case, "resume")
    assert (case.paused_days, case.decision_due_on) == (10, D(2026, 6, 10))
    with at(2026, 3, 21):
        step(session, case, "extend_decision", "sd_leader")
        assert case.decision_due_on == D(2026, 7, 10)
        with pytest.raises(DomainError) as caught:
            step(session, case, "extend_decision", "sd_leader")
        assert caught.value.code == "enforcement.extension_needs_collective"
        step(session, case, "extend_decision", "sd_leader", collective_discussed=True, until=D(2026, 9, 1))
    assert case.decision_due_on == D(2026, 9, 1)


def test_decline_clue_with_a_ground_and_extension_once(session, entity):
    inspector = staff(session, "lx_inspector")
    with at(2026, 3, 2):
        clue = new_clue(session, entity)
        actions.do_extend_clue_check(session, actor=inspector, clue_id=clue.id)
        assert clue.check_due_on == D(2026, 4, 14)
        with pytest.raises(Conflict):
            actions.do_extend_clue_check(session, actor=inspector, clue_id=clue.id)
        with pytest.raises(DomainError):
            actions.do_decline_clue(session, actor=inspector, clue_id=clue.id, data=DeclineIn(ground="whatever"))
        actions.do_decline_clue(session, actor=inspector, clue_id=clue.id, data=DeclineIn(ground="first_minor"))
    assert (clue.status, clue.non_filing_ground) == ("not_filed", "first_minor")


def test_simplified_procedure_within_limits_only(session, entity):
    inspector = staff(session, "lx_inspector")
    data = dict(respondent_name="张某", party_kind="natural", violation_type="unlicensed", facts="流动摊贩无照经营",
                penalty_kinds=["fine"], legal_basis="无证无照经营查处办法第十三条",
                officers=["lx_inspector", "lx_officer"])
    with at(2026, 5, 6):
        with pytest.raises(DomainError) as caught:
            actions.do_simplified_case(session, actor=inspector, data=SimplifiedIn(**data, fine=Decimal(500)))
        assert caught.value.code == "enforcement.simplified_not_allowed"
        case = actions.do_simplified_case(session, actor=inspector, data=SimplifiedIn(**data, fine=Decimal(200)))
    assert (case.procedure, case.status, case.publicity, case.payment_due_on) == ("simplified", "executing", False,
                                                                                   D(2026, 5, 21))
    event = session.scalar(select(DomainEvent).where(DomainEvent.name == "enforcement.penalty_decided"))
    assert event.payload["simplified"] is True and event.payload["publicity"] is False


def emit(session, name: str, entity: Entity, **payload) -> None:
    """Another domain's event with its typed payload, and the handlers run (as after a commit)."""
    publish(session, payload_type(name)(**payload), subject_type="market_entity", subject_key=entity.uscc,
            org_path=entity.org_path)
    assert drain(session).failed == 0


def test_inspection_problem_becomes_a_clue_once(session, entity):
    payload = {"batch_no": "SJ2026-01", "task_no": "T0001", "item_code": "food", "item_name": "食品经营",
               "department": "市场监管", "result_code": "problem", "result_label": "发现问题并责令整改",
               "problem": True, "unreachable": False, "inspected_on": "2026-03-02"}
    for _ in range(2):
        emit(session, "inspections.result_recorded", entity, **payload)
    emit(session, "inspections.result_recorded", entity, **{**payload, "task_no": "T0002", "problem": False})
    clues = list(session.scalars(select(Clue).where(Clue.source == "inspection")))
    assert [(c.source_ref, c.respondent_name, c.check_due_on) for c in clues] == [
        ("inspection:T0001", entity.name, D(2026, 3, 23))]


def decided_published(session, entity) -> Case:
    case = to_notice(session, filed_case(session, entity), fine=Decimal(30000))
    with at(2026, 4, 1):
        step(session, case, "decide", "sd_leader", penalty_kinds=["fine"], fine=Decimal(30000), legal_basis="x",
             benchmark_id=benchmark(session).id)
        step(session, case, "publish")
    return case


def test_credit_repair_ends_penalty_publicity(session, entity):
    case = decided_published(session, entity)
    assert (case.publicity_period, case.publicity_until) == ("3m", D(2026, 7, 1))
    for _ in range(2):  # replayed
        emit(session, "credit.repair_granted", entity, target="penalty_publicity", ref=case.decision_no,
             granted_on="2026-05-01")
    assert (case.publicity_ended_on, case.publicity_end_reason) == (D(2026, 5, 1), "repaired")
    ended = list(session.scalars(select(DomainEvent).where(DomainEvent.name == "enforcement.penalty_publicity_ended")))
    assert [e.payload for e in ended] == [{"decision_no": case.decision_no, "ended_on": "2026-05-01",
                                           "reason": "repaired"}]
    assert service.public_penalties(session, today=D(2026, 5, 2)) == []


def test_publicity_expires_by_the_periodic_sweep(session, entity):
    case = decided_published(session, entity)
    assert service.public_penalties(session, today=D(2026, 7, 1)) == [case]
    assert actions.do_expire_publicity(session, today=D(2026, 7, 2)) == 1
    assert actions.do_expire_publicity(session, today=D(2026, 7, 3)) == 0
    assert case.publicity_end_reason == "expired"


def test_early_stop_of_publicity_needs_all_conditions(session, entity):
    case = decided_published(session, entity)
    with pytest.raises(DomainError) as caught, at(2026, 4, 10):
        step(session, case, "end_publicity", penalty_kinds=["duties", "harm"])
    assert caught.value.code == "enforcement.early_stop_refused" and case.publicity_ended_on is None
    with at(2026, 4, 10):
        step(session, case, "end_publicity", penalty_kinds=["duties", "harm", "no_repeat", "lists"])
    assert case.publicity_end_reason == "revoked"


def test_transfer_to_police_is_seen_only_by_that_police_unit(session, entity):
    case = filed_case(session, entity)
    with at(2026, 3, 3):
        transfer = actions.do_transfer(session, actor=staff(session, "lx_inspector"), case_id=case.id,
                                       data=TransferIn(target_code="GA370100", reason="涉案金额巨大，涉嫌犯罪"))
    # RULES C5 changed this: no receipt deadline (Art. 7); evidence within 3 days (Art. 12) → Fri 6 Mar
    assert (case.status, transfer.receipt_due_on, transfer.feedback_due_on, transfer.evidence_due_on) == (
        "transferred", None, None, D(2026, 3, 6))
    names = zipfile.ZipFile(io.BytesIO(transfer.package)).namelist()
    assert "移送案件摘要.txt" in names and any("涉嫌犯罪案件移送书" in n for n in names)
    police = staff(session, "jn_police")
    assert service.transfers_for_police(session, actor=police) == [transfer]
    with pytest.raises(NotFound):
        service.get_case(session, actor=police, case_id=case.id)
    with pytest.raises(DomainError) as caught:
        actions.do_transfer_feedback(session, actor=police, transfer_id=transfer.id,
                                     data=FeedbackIn(feedback="已立案"))
    assert caught.value.code == "enforcement.not_received"
    with at(2026, 3, 9):
        actions.do_acknowledge_transfer(session, actor=police, transfer_id=transfer.id)
    # the police's 3 days (Art. 8) run from their receipt: Mon 9 Mar → Thu 12 Mar
    assert (transfer.received_on, transfer.feedback_due_on) == (D(2026, 3, 9), D(2026, 3, 12))


def test_document_numbers_are_gap_free_and_a_rolled_back_write_returns_its_number(db, entity):
    with db.transaction() as s, at(2026, 3, 2):
        first = filed_case(s, s.merge(entity))
        assert first.case_no == "历下市监立〔2026〕1号"
    with db.transaction() as s:
        s.execute(select(1))
        nested = s.begin_nested()
        with at(2026, 3, 2):
            clue = actions.do_register_clue(s, actor=staff(s, "lx_inspector"), data=ClueIn(
                source="assignment", source_ref="assignment:X", respondent_name="某公司", summary="上级交办"))
            second = actions.do_file_case(s, actor=staff(s, "lx_inspector"), clue_id=clue.id, data=FilingIn(
                conditions=ALL_CONDITIONS, officers=["lx_inspector", "lx_officer"], violation_type="price"))
        assert second.case_no == "历下市监立〔2026〕2号"
        nested.rollback()
    with db.transaction() as s, at(2026, 3, 2):
        clue = actions.do_register_clue(s, actor=staff(s, "lx_inspector"), data=ClueIn(
            source="assignment", source_ref="assignment:Y", respondent_name="某公司", summary="上级交办"))
        third = actions.do_file_case(s, actor=staff(s, "lx_inspector"), clue_id=clue.id, data=FilingIn(
            conditions=ALL_CONDITIONS, officers=["lx_inspector", "lx_officer"], violation_type="price"))
        assert third.case_no == "历下市监立〔2026〕2号"
    assert SYSTEM.can("enforcement.handle")


def closed_case(session, entity) -> Case:
    case = decided_published(session, entity)
    with at(2026, 4, 2):
        step(session, case, "deliver")
        step(session, case, "record_payment", amount=Decimal(30000))
        step(session, case, "close")
    return case


def test_case_file_review_samples_closed_cases_and_scores_them(session, entity):
    case = closed_case(session, entity)
    leader = staff(session, "sd_leader")
    [review] = actions.do_sample_reviews(session, actor=leader, share=0.5, seed=1)
    assert review.case_id == case.id
    assert actions.do_sample_reviews(session, actor=leader, share=1.0) == []  # already sampled
    scores = {"filing": 10, "evidence": 20, "procedure": 25, "law": 18, "documents": 10, "closure": 9}
    with pytest.raises(DomainError) as too_high:
        actions.do_score_review(session, actor=leader, review_id=review.id, scores={**scores, "filing": 11})
    assert too_high.value.code == "enforcement.review_score" and review.total is None
    actions.do_score_review(session, actor=leader, review_id=review.id, scores=scores)
    assert review.total == 92
    tables = service.review_scores(session, actor=leader)
    assert tables["review_units"].rows == [("历下区市场监督管理局", 1, 92.0)]
    assert ("lx_officer", 1, 92.0) in tables["review_officers"].rows


def test_a_case_officer_cannot_review_their_own_case_file(session, entity):
    closed_case(session, entity)
    admin = staff(session, "sd_admin")
    [review] = actions.do_sample_reviews(session, actor=admin, share=1.0)
    case = session.get(Case, review.case_id)
    case.officers = ["sd_admin", "lx_officer"]
    with pytest.raises(DomainError) as caught:
        actions.do_score_review(session, actor=admin, review_id=review.id, scores={k: 1 for k in (
            "filing", "evidence", "procedure", "law", "documents", "closure")})
    assert caught.value.code == "enforcement.reviewer_is_investigator"


def test_clue_sent_to_another_bureau_becomes_their_clue_and_its_decision_is_the_feedback(session, entity):
    from marketreg.domains.enforcement.schemas import ClueTransferIn

    with at(2026, 3, 2):
        clue = new_clue(session, entity)
        transfer = actions.do_transfer_clue(session, actor=staff(session, "lx_inspector"), clue_id=clue.id,
                                            data=ClueTransferIn(kind="bureau", target_code="370202",
                                                                reason="当事人实际经营地在市南区"))
    assert clue.status == "transferred" and transfer.feedback_due_on == D(2026, 3, 23)
    received = service.clue_for(session, source_ref=f"transfer:{transfer.id}")
    assert received.org_path == "/370000/370200/370202/" and received.source == "transfer"
    sn = staff(session, "sn_officer")
    with pytest.raises(NotFound):
        service.get_clue(session, actor=staff(session, "lx_inspector"), clue_id=received.id)
    with at(2026, 3, 10):
        actions.do_decline_clue(session, actor=sn, clue_id=received.id, data=DeclineIn(ground="minor_corrected"))
    assert transfer.feedback_on == D(2026, 3, 10) and transfer.feedback.startswith("不予立案")
    assert service.transfers_sent(session, actor=staff(session, "lx_inspector")) == [transfer]


def test_clue_sent_to_another_department_gets_its_feedback_recorded_by_the_sender(session, entity):
    from marketreg.domains.enforcement.schemas import ClueTransferIn

    inspector = staff(session, "lx_inspector")
    with at(2026, 3, 2):
        clue = new_clue(session, entity)
        transfer = actions.do_transfer_clue(session, actor=inspector, clue_id=clue.id, data=ClueTransferIn(
            kind="department", department="历下区卫生健康局", reason="涉及医疗机构"))
        with pytest.raises(DomainError):
            actions.do_transfer_clue(session, actor=inspector, clue_id=clue.id, data=ClueTransferIn(
                kind="department", department="x", reason="again"))
    with at(2026, 3, 6):
        actions.do_record_department_feedback(session, actor=inspector, transfer_id=transfer.id,
                                              data=FeedbackIn(feedback="已受理并立案调查"))
    assert (transfer.received_on, transfer.feedback_on) == (D(2026, 3, 6), D(2026, 3, 6))


def test_periodic_job_expires_publicity(tasks_db, entity):
    from marketreg.domains.enforcement.tasks import expire_penalty_publicity

    with tasks_db.transaction() as s:
        case = decided_published(s, s.merge(entity))
        case_id = case.id
    with at(2026, 7, 2):
        assert expire_penalty_publicity.call_local() == 1
        assert expire_penalty_publicity.call_local() == 0
    with tasks_db.read() as s:
        assert s.get(Case, case_id).publicity_end_reason == "expired"


def test_rule_2_12_shandong_lower_fine_entered_by_staff_changes_the_publicity_period(session, entity):
    leader = staff(session, "sd_leader")
    with pytest.raises(DomainError) as confirmed:
        actions.do_set_rule_figure(session, actor=leader, key="publicity", value=Decimal(25), note="")
    assert confirmed.value.code == "enforcement.rule_confirmed"
    actions.do_set_rule_figure(session, actor=leader, key="lower_fine_legal", value=Decimal(20000), note="鲁市监规")
    case = decided_published(session, entity)  # a ¥30,000 fine: above Shandong's lower amount
    assert case.publicity_period == "3y"


def test_rule_2_6_shandong_hearing_amount_entered_by_staff_gives_hearing_rights(session, entity):
    actions.do_set_rule_figure(session, actor=staff(session, "sd_leader"), key="hearing_legal",
                               value=Decimal(20000), note="山东省标准（演示）")
    case = to_notice(session, filed_case(session, entity), fine=Decimal(30000))
    assert case.hearing_rights is True


@pytest.mark.both_backends
def test_document_numbers_are_unique_and_contiguous_under_concurrent_writers(engine):
    """Two writers numbering at once (real transactions on the test database) share no number."""
    import secrets
    from concurrent.futures import ThreadPoolExecutor

    from marketreg.domains.enforcement import documents
    from marketreg.domains.enforcement.models import DocCounter
    from marketreg.domains.enforcement.service import Organ
    from marketreg.platform.db import Sessions

    organ = Organ(code=f"T{secrets.token_hex(3)}", name="测试局", short="测试市监")
    sessions = Sessions(engine)  # the app's write path (BEGIN IMMEDIATE on SQLite)

    def take(_: int) -> list[str]:
        numbers = []
        for _ in range(10):
            with sessions.transaction() as s:
                numbers.append(documents.next_number(s, organ, "decision", 2026))
        return numbers

    with ThreadPoolExecutor(max_workers=2) as pool:
        taken = [n for chunk in pool.map(take, range(2)) for n in chunk]
    assert sorted(int(n.split("〕")[1].rstrip("号")) for n in taken) == list(range(1, 21))
    with sessions.transaction() as s:
        s.execute(DocCounter.__table__.delete().where(DocCounter.organ_code == organ.code))


def test_rule_c3_case_cannot_be_filed_past_the_limitation_without_a_recorded_ground(session, entity):
    with at(2026, 3, 2):
        clue = new_clue(session, entity)
        data = dict(conditions=ALL_CONDITIONS, officers=["lx_inspector", "lx_officer"], violation_type="food_expired",
                    act_ended_on=D(2024, 2, 29))  # continuing act ended 29 Feb 2024: 2 years end 28 Feb 2026
        with pytest.raises(DomainError) as caught:
            actions.do_file_case(session, actor=staff(session, "lx_inspector"), clue_id=clue.id,
                                 data=FilingIn(**data))
        assert caught.value.code == "enforcement.limitation_passed" and "第三十六条" in caught.value.details["basis"]
        assert clue.status == "checking" and session.scalar(select(func.count()).select_from(Case)) == 0
        # life and health safety with harmful consequences: 5 years — filed
        case = actions.do_file_case(session, actor=staff(session, "lx_inspector"), clue_id=clue.id,
                                    data=FilingIn(**data, life_health_or_financial=True))
    assert "违法行为终了于2024-02-29" in case.steps[0].note


def test_rule_c3_filing_past_the_limitation_records_its_ground(session, entity):
    with at(2026, 3, 2):
        clue = new_clue(session, entity)
        case = actions.do_file_case(session, actor=staff(session, "lx_inspector"), clue_id=clue.id, data=FilingIn(
            conditions=ALL_CONDITIONS, officers=["lx_inspector", "lx_officer"], violation_type="food_expired",
            act_ended_on=D(2023, 1, 5), limitation_ground="《税收征收管理法》第八十六条另有规定"))
    assert "立案依据：《税收征收管理法》第八十六条另有规定" in case.steps[0].note


def test_rule_c2_hearing_notice_needs_7_working_days(session, entity):
    case = to_notice(session, filed_case(session, entity))
    with at(2026, 3, 27), pytest.raises(DomainError) as caught:
        step(session, case, "request_hearing", hearing_on=D(2026, 4, 7))  # 7 wd before (4–6 Apr off): 26 Mar
    assert caught.value.code == "enforcement.hearing_date" and "七个工作日" in caught.value.message_zh
    assert case.status == "notified" and case.hearing_on is None
    with at(2026, 3, 27):
        step(session, case, "request_hearing", hearing_on=D(2026, 4, 10))
    labels = {s.action: s.due_on for s in case.steps}
    assert labels["hearing_notice"] == D(2026, 3, 31) and labels["hearing_presider"] == D(2026, 4, 1)
    assert labels["hearing_announcement"] == D(2026, 4, 7)


def test_rule_c4_serious_listing_must_be_notified_with_the_penalty(session, entity):
    case = to_notice(session, filed_case(session, entity), fine=Decimal(30000))
    with at(2026, 4, 1), pytest.raises(DomainError) as caught:
        step(session, case, "decide", "sd_leader", penalty_kinds=["fine"], fine=Decimal(30000), legal_basis="x",
             benchmark_id=benchmark(session).id, serious_candidate=True)
    assert caught.value.code == "enforcement.serious_not_notified" and "第十三条" in caught.value.details["basis"]
    assert case.status == "notified" and case.decision_no is None
    with at(2026, 3, 2):
        clue = actions.do_register_clue(session, actor=staff(session, "lx_inspector"), data=ClueIn(
            source="monitoring", source_ref=f"monitoring:{entity.uscc}:2", respondent_uscc=entity.uscc,
            respondent_name=entity.name, summary="再次发现销售过期食品", received_on=D(2026, 3, 2)))
        other = actions.do_file_case(session, actor=staff(session, "lx_inspector"), clue_id=clue.id, data=FilingIn(
            conditions=ALL_CONDITIONS, officers=["lx_inspector", "lx_officer"], violation_type="food_expired"))
    with at(2026, 3, 20):
        step(session, other, "end_investigation", note="调查终结")
    with at(2026, 3, 23):
        step(session, other, "complete_review", "sd_leader", note="同意")
    with at(2026, 3, 24):
        step(session, other, "serve_notice", penalty_kinds=["fine"], fine=Decimal(30000), serious_candidate=True)
    assert other.serious_notified and "拟列入严重违法失信名单" in other.steps[-1].label
    with at(2026, 4, 1):
        step(session, other, "decide", "sd_leader", penalty_kinds=["fine"], fine=Decimal(30000), legal_basis="x",
             benchmark_id=benchmark(session).id, serious_candidate=True)
    assert other.status == "decided"


def test_rule_c9_case_with_a_surcharge_owed_cannot_close_on_the_principal(session, entity):
    case = decided_published(session, entity)
    with at(2026, 4, 2):
        step(session, case, "deliver")
    assert case.payment_due_on == D(2026, 4, 17)
    with at(2026, 4, 20):
        step(session, case, "urge_payment")
    urged = {s.action: s.due_on for s in case.steps}
    # 10 working days after Mon 20 Apr (1–5 May off): 7 May; then within 3 months: Fri 7 Aug
    assert urged["urge_payment"] == D(2026, 5, 7) and urged["court_application_due"] == D(2026, 8, 7)
    with at(2026, 4, 21):
        step(session, case, "record_payment", amount=Decimal(30000))  # 4 days late: 3,600 owed
        with pytest.raises(DomainError) as caught:
            step(session, case, "close")
    assert caught.value.code == "enforcement.surcharge_unpaid" and case.surcharge_amount == Decimal(3600)
    assert case.status == "executing" and case.closed_on is None
    with at(2026, 4, 22):
        step(session, case, "record_payment", amount=Decimal(3600))
        step(session, case, "close")
    assert (case.status, case.outcome) == ("closed", "executed")


def test_rule_c9_no_surcharge_while_reconsideration_runs(session, entity):
    case = decided_published(session, entity)
    with at(2026, 4, 2):
        step(session, case, "deliver")
    with at(2026, 5, 20):
        step(session, case, "record_remedy", on=D(2026, 4, 18), until=D(2026, 5, 20), note="行政复议维持")
        step(session, case, "record_payment", amount=Decimal(30000))
        step(session, case, "close")
    assert case.remedy_days == 33 and case.surcharge_amount == Decimal(0) and case.outcome == "executed"


def test_item_13_report_decided_filed_opens_the_case_filing_step(session, entity):
    with at(2026, 3, 2):
        clue = actions.do_register_clue(session, actor=staff(session, "lx_inspector"), data=ClueIn(
            source="report", source_ref="R-TEST-1", respondent_uscc=entity.uscc, respondent_name=entity.name,
            summary="举报销售过期食品", received_on=D(2026, 3, 2)))
        clue.source_ref = "report:R-TEST-1"
        emit(session, "complaints.report_decided", entity, item_id=1, query_code="R-TEST-1", kind="report",
             respondent_uscc=entity.uscc, respondent_name=entity.name, filed=True)
        assert (clue.status, clue.case_id) == ("filing", None)  # never 已立案 without a case
        with pytest.raises(DomainError) as caught:
            actions.do_file_case(session, actor=staff(session, "lx_inspector"), clue_id=clue.id, data=FilingIn(
                conditions=ALL_CONDITIONS, officers=["lx_inspector"], violation_type="food_expired"))
        assert clue.status == "filing" and caught.value.code.startswith("enforcement.")
        case = actions.do_file_case(session, actor=staff(session, "lx_inspector"), clue_id=clue.id, data=FilingIn(
            conditions=ALL_CONDITIONS, officers=["lx_inspector", "lx_officer"], violation_type="food_expired"))
    assert (clue.status, clue.case_id) == ("filed", case.id)


def test_item_14_steps_produce_their_documents_and_the_seal_date_is_the_decision_date(session, entity):
    case = filed_case(session, entity)
    with at(2026, 3, 5):
        step(session, case, "add_evidence", kind="seizure", description="扣押过期牛奶20箱")
    seizure = case.evidence[0]
    with at(2026, 3, 10):
        step(session, case, "extend_seizure", evidence_id=seizure.id)
        step(session, case, "release_evidence", evidence_id=seizure.id, note="已销毁")
        with pytest.raises(DomainError) as again:
            step(session, case, "release_evidence", evidence_id=seizure.id)
    assert again.value.code == "enforcement.already_released"
    kinds = [d.kind for d in case.documents]
    assert kinds[-3:] == ["seizure", "seizure_extension", "seizure_release"]
    text = pdf_text(case.documents[-3])
    assert "扣押过期牛奶20箱" in text and "2026-04-07" in text  # 30 days → Sat 4 Apr; 4–6 Apr off → 7 Apr
    to_notice(session, case, fine=Decimal(30000))
    assert {"investigation_report", "legal_review", "notice"} <= {d.kind for d in case.documents}
    notice = pdf_text(next(d for d in case.documents if d.kind == "notice"))
    for field in ("违法事实", "证据", "扣押过期牛奶20箱", "法律依据", "拟作出的行政处罚", "30,000.00"):
        assert field in notice
    assert case.legal_basis  # from the discretion benchmark of the violation type
    with at(2026, 4, 3):  # a back-dated decision: its seal date is its own date, not today
        step(session, case, "decide", "sd_leader", penalty_kinds=["fine"], fine=Decimal(30000), legal_basis="x",
             benchmark_id=benchmark(session).id, on=D(2026, 4, 1))
    decision = pdf_text(next(d for d in case.documents if d.kind == "decision"))
    assert "2026-04-01" in decision and "2026-04-03" not in decision


def test_periodic_expiry_is_keyed_by_the_china_date(tasks_db, entity):
    """Publicity until 1 July: at 23:59 on 1 July (China) it still runs; at 00:01 on 2 July —
    still 1 July in UTC — the daily job ends it."""
    from marketreg.domains.enforcement.tasks import expire_penalty_publicity

    with tasks_db.transaction() as s:
        case = decided_published(s, s.merge(entity))
        case_id, until = case.id, case.publicity_until
    assert until == D(2026, 7, 1)
    with time_machine.travel(dt.datetime(2026, 7, 1, 23, 59, tzinfo=CST), tick=False):
        assert expire_penalty_publicity.call_local() == 0
    with time_machine.travel(dt.datetime(2026, 7, 2, 0, 1, tzinfo=CST), tick=False):
        assert clock.now().date() == D(2026, 7, 1)
        assert expire_penalty_publicity.call_local() == 1
    with tasks_db.read() as s:
        assert s.get(Case, case_id).publicity_end_reason == "expired"
