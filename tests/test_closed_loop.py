"""The closed loop across inspections, credit and enforcement (双随机 → 信用 → 执法 → 信用修复), on
both backends: every step goes through the domains' real actions, every check through their
service reads, so the wiring (event names, payload keys, handlers) is what is under test."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
import time_machine
from sqlalchemy import select

from marketreg.domains.credit import actions as credit_actions
from marketreg.domains.credit import service as credit
from marketreg.domains.enforcement import actions as enforcement_actions
from marketreg.domains.enforcement import service as enforcement
from marketreg.domains.enforcement.models import Benchmark, Case
from marketreg.domains.enforcement.schemas import ClueIn, FilingIn, StepIn
from marketreg.domains.inspections import actions as inspection_actions
from marketreg.domains.inspections import seed as inspection_seed
from marketreg.domains.inspections import service as inspections
from marketreg.domains.org import service as org
from marketreg.domains.reference import service as reference
from marketreg.domains.registry import seed as registry_seed
from marketreg.domains.registry.models import Entity
from marketreg.kernel import clock
from marketreg.kernel.errors import DomainError
from marketreg.platform.authz import Actor
from marketreg.platform.events import drain

CST = dt.timezone(dt.timedelta(hours=8))
D = dt.date
UNREACHABLE_GROUND = "通过登记的住所或者经营场所无法联系"
_serial = itertools.count(1)


def at(y: int, m: int, d: int):
    return time_machine.travel(dt.datetime(y, m, d, 10, tzinfo=CST), tick=False)


def settle(session) -> None:
    """Run the other domains' reactions, as the dispatcher does after a commit (this test works
    in one uncommitted session), at the step's date; none may fail."""
    report = drain(session)
    assert report.failed == 0 and report.waiting == 0, report


def staff(session, username: str) -> Actor:
    return org.actor_for(session, user=org.get_user_by_username(session, username=username))


def enterprise(entity: Entity) -> Actor:
    return Actor(None, f"ent_{entity.uscc}", entity.name, None, "/", kind="enterprise", entity_uscc=entity.uscc)


def make_entities(session, n: int) -> list[Entity]:
    """``n`` active enterprises in 历下区 (370102), set up in 2020."""
    counties = [registry_seed.County(*r) for r in reference.county_rows(session) if r[0] == "370102"]
    rows = list(registry_seed.generate_entities(n, counties=counties, seed=71,
                                                industries=reference.industry_leaves_by_section(session),
                                                start=40_000_000 + 100 * next(_serial)))
    for row in rows:
        row.update(entity_type="enterprise", status="active", established_on=D(2020, 5, 1),
                   created_at=clock.now(), updated_at=clock.now())
    session.execute(Entity.__table__.insert(), rows)
    session.flush()
    return list(session.scalars(select(Entity).where(Entity.uscc.in_([r["uscc"] for r in rows]))))


# ----------------------------------------------------------------------------- inspections → credit, enforcement


def inspector_of(session, task) -> Actor:
    """The first inspector the draw assigned to ``task``, as a signed-in staff actor."""
    inspector = inspections.get_inspector(session, actor=staff(session, "sd_admin"),
                                          inspector_id=task.inspectors[0].inspector_id)
    return org.actor_for(session, user=org.get_user(session, user_id=inspector.user_id))


def drawn_tasks(session, registrar: Actor, size: int) -> list:
    plan = inspection_actions.do_create_plan(session, actor=registrar, year=2026, title="2026年度抽查计划")
    data = inspection_actions.BatchIn(title="企业公示信息抽查", item_codes=["XY-001"], size=size, scope={},
                                      starts_on=clock.today() - dt.timedelta(days=5),
                                      ends_on=clock.today() + dt.timedelta(days=30))
    batch = inspection_actions.do_create_batch(session, actor=registrar, plan_id=plan.id, data=data)
    inspection_actions.do_file_plan(session, actor=registrar, plan_id=plan.id)
    inspection_actions.do_commit_batch(session, actor=registrar, batch_id=batch.id)
    inspection_actions.do_draw_batch(session, actor=registrar, batch_id=batch.id)
    return inspections.tasks_of(session, batch_id=batch.id)


def test_inspection_results_feed_the_abnormal_list_proposal_the_credit_file_and_a_clue(session):
    with at(2026, 8, 3):
        inspection_seed.load_items(session)
        inspection_seed.register_inspectors(session)
        make_entities(session, 6)
        registrar = staff(session, "lx_registrar")
        unreachable, problem = drawn_tasks(session, registrar, size=2)
        for task, code in ((unreachable, "unreachable"), (problem, "pending_follow_up")):
            inspection_actions.do_record_result(session, actor=inspector_of(session, task), task_id=task.id,
                                                inspected_on=D(2026, 8, 3), results={"XY-001": (code, "现场检查")})
        settle(session)

    # 1. unreachable → an abnormal-list proposal for staff, and the result in the credit file (not public yet)
    [entry] = credit.entries_of(session, uscc=unreachable.entity_uscc)
    assert (entry.list_type, entry.status, entry.ground_label, entry.source_ref) == (
        "abnormal", "proposed", UNREACHABLE_GROUND, f"inspection:{unreachable.task_no}")
    proposals = credit.list_entries(session, actor=registrar, filters=credit.EntryFilter(status="proposed"))
    assert [e.entity_uscc for e in proposals] == [unreachable.entity_uscc]
    assert credit.entries_of(session, uscc=unreachable.entity_uscc, public_only=True) == []
    [line] = credit.timeline(session, uscc=unreachable.entity_uscc)
    assert (line.name, line.category, line.ref, line.flag, line.occurred_on) == (
        "inspections.result_recorded", "inspection", unreachable.task_no, "unreachable", D(2026, 8, 3))
    assert "通过登记的住所（经营场所）无法联系" in line.title
    assert credit.timeline(session, uscc=unreachable.entity_uscc, public_only=True, today=D(2026, 8, 4)) == []

    # 2. problem → a clue in the enforcement register (and no listing proposal); unreachable is no clue
    clues = [c for c in enforcement.list_clues(session, actor=staff(session, "lx_inspector"))
             if c.source == "inspection"]
    assert [(c.respondent_uscc, c.source_ref, c.status, c.org_path) for c in clues] == [
        (problem.entity_uscc, f"inspection:{problem.task_no}", "checking", problem.org_path)]  # the entity's unit
    assert credit.entries_of(session, uscc=problem.entity_uscc) == []
    assert [line.flag for line in credit.timeline(session, uscc=problem.entity_uscc)] == ["problem"]

    # publishing the results (一公开) makes the recorded result public in the credit file
    with at(2026, 8, 5):
        inspection_actions.do_publish_results(session, actor=registrar, task_ids=[unreachable.id])
        settle(session)
    public = credit.timeline(session, uscc=unreachable.entity_uscc, public_only=True, today=D(2026, 8, 6))
    assert {line.name for line in public} == {"inspections.result_recorded", "inspections.result_published"}


# ----------------------------------------------------------------------------- enforcement → credit → enforcement


def step(session, case: Case, name: str, username: str = "lx_inspector", **fields) -> Case:
    done = enforcement_actions.do_step(session, actor=staff(session, username), case_id=case.id, step=name,
                                       data=StepIn(**fields))
    settle(session)
    return done


def decided_case(session, entity: Entity, *, kinds: tuple[str, ...] = ("fine",), fine=Decimal(60000),
                 serious: bool = False) -> Case:
    """Clue → filing → investigation → review → prior notice → decision (13 Apr 2026) → delivery →
    publication (15 Apr 2026), with two credentialed officers and the discretion benchmark."""
    inspector = staff(session, "lx_inspector")
    bench = session.scalar(select(Benchmark).where(Benchmark.violation_type == "food_expired",
                                                   Benchmark.circumstance == "ordinary"))
    with at(2026, 3, 2):
        clue = enforcement_actions.do_register_clue(session, actor=inspector, data=ClueIn(
            source="monitoring", source_ref=f"monitoring:{entity.uscc}", respondent_uscc=entity.uscc,
            respondent_name=entity.name, summary="网络监测发现销售过期食品", received_on=D(2026, 3, 2)))
        case = enforcement_actions.do_file_case(session, actor=inspector, clue_id=clue.id, data=FilingIn(
            conditions=["evidence", "penalty_due", "jurisdiction", "limitation"],
            officers=["lx_inspector", "lx_officer"], violation_type="food_expired",
            facts="当事人经营超过保质期的食品。"))
        settle(session)
    with at(2026, 3, 20):
        step(session, case, "end_investigation", note="调查终结")
    with at(2026, 3, 23):
        step(session, case, "complete_review", "sd_leader", note="事实清楚，证据确凿")
    with at(2026, 3, 24):
        # RULES C4: a serious listing is notified together with the penalty (Order 44 Art. 13)
        step(session, case, "serve_notice", penalty_kinds=list(kinds), fine=Decimal(150000),
             serious_candidate=serious)
    with at(2026, 4, 13):
        step(session, case, "decide", "sd_leader", penalty_kinds=list(kinds), fine=fine,
             legal_basis="食品安全法第一百二十四条", benchmark_id=bench.id, serious_candidate=serious)
    with at(2026, 4, 15):
        step(session, case, "deliver")
        step(session, case, "publish")
    assert case.status == "executing" and case.decision_no
    return case


def penalty_line(session, entity: Entity, decision_no: str):
    return next(line for line in credit.timeline(session, uscc=entity.uscc)
                if line.name == "enforcement.penalty_decided" and line.ref == decision_no)


def test_fine_lands_in_the_credit_file_and_a_flagged_penalty_proposes_the_serious_list(session):
    fined, closed = make_entities(session, 2)
    case = decided_case(session, fined)
    line = penalty_line(session, fined, case.decision_no)
    # public from enforcement's publication (15 Apr), for the period enforcement set
    assert (line.category, line.occurred_on, line.public) == ("penalty", D(2026, 4, 13), True)
    assert (line.payload["published_on"], line.public_until) == ("2026-04-15", case.publicity_until)
    assert (line.payload["fine_amount"], line.payload["serious_candidate"]) == ("60000.00", False)
    assert [p.ref for p in credit.penalties_in_publicity(session, uscc=fined.uscc, today=D(2026, 5, 1))] == [
        case.decision_no]
    assert credit.entries_of(session, uscc=fined.uscc) == []  # an ordinary fine proposes nothing

    heavy = decided_case(session, closed, serious=True)  # a fine the officer flags as meeting Order 44
    assert penalty_line(session, closed, heavy.decision_no).payload["serious_candidate"] is True
    [entry] = credit.entries_of(session, uscc=closed.uscc)
    assert (entry.list_type, entry.status, entry.penalty_ref, entry.ground_code) == (
        "serious", "proposed", heavy.decision_no, "food_safety")
    assert credit.entries_of(session, uscc=closed.uscc, public_only=True) == []


def test_granted_credit_repair_ends_the_penalty_publicity_in_both_domains(session):
    [entity] = make_entities(session, 1)
    case = decided_case(session, entity)
    assert case.publicity_period == "3y"
    decl = credit_actions.Declarations(duties_performed=True, harm_removed=True, pledge=True)
    with pytest.raises(DomainError) as early, at(2026, 10, 13):  # food: one year of publicity first
        credit_actions.do_apply_repair(session, actor=enterprise(entity), target="penalty_publicity",
                                       ref=case.decision_no, decl=decl)
    assert early.value.code == "credit.repair_too_early"
    assert enforcement.public_penalties(session, q=entity.uscc, today=D(2027, 4, 20)) == [case]
    assert credit.penalties_in_publicity(session, uscc=entity.uscc, today=D(2027, 4, 20))

    with at(2027, 4, 20):
        application = credit_actions.do_apply_repair(session, actor=enterprise(entity), target="penalty_publicity",
                                                     ref=case.decision_no, decl=decl)
    with at(2027, 4, 22):
        credit_actions.do_decide_repair(session, actor=staff(session, "lx_registrar"), repair_id=application.id,
                                        grant=True, note="已履行处罚决定并消除影响")
        settle(session)

    assert (case.publicity_ended_on, case.publicity_end_reason) == (D(2027, 4, 22), "repaired")
    assert enforcement.public_penalties(session, q=entity.uscc, today=D(2027, 4, 23)) == []
    assert enforcement.public_penalties(session, q=case.decision_no, today=D(2027, 4, 23)) == []
    public = credit.timeline(session, uscc=entity.uscc, public_only=True, today=D(2027, 4, 23))
    assert [line for line in public if line.category == "penalty"] == []
    recorded = {(line.name, line.ref) for line in credit.timeline(session, uscc=entity.uscc)}
    assert {("credit.repair_granted", case.decision_no),
            ("enforcement.penalty_publicity_ended", case.decision_no)} <= recorded
