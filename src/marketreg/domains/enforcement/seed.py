"""Demo data of enforcement: credentialed officers and cases at every stage."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import Decimal

from sqlalchemy.orm import Session

from marketreg.domains.enforcement import actions, rules, service
from marketreg.domains.enforcement.enums import VIOLATION_TYPES
from marketreg.domains.enforcement.models import Officer
from marketreg.domains.enforcement.schemas import ClueIn, FilingIn, StepIn, TransferIn
from marketreg.domains.org import service as org
from marketreg.domains.registry import service as registry
from marketreg.kernel import clock
from marketreg.platform.authz import Actor

# (username, credential number) of the demo users holding enforcement credentials
DEMO_OFFICERS = [("lx_inspector", "37010200101"), ("lx_officer", "37010200102"), ("sn_officer", "37020200101"),
                 ("sn_handler", "37020200102"), ("sd_admin", "37000000001")]


def ensure_officers(session: Session, officers: list[tuple[str, str]] = DEMO_OFFICERS) -> int:
    """Register the enforcement credentials of existing users; idempotent."""
    added = 0
    for username, credential in officers:
        user = org.get_user_by_username(session, username=username)
        if user is None or session.get(Officer, username) is not None:
            continue
        unit_path = user.org_unit.path if user.org_unit else "/"
        session.add(Officer(username=username, display_name=user.display_name, credential_no=credential,
                            org_path=unit_path, valid_until=dt.date(2030, 12, 31)))
        added += 1
    session.flush()
    return added


# ----------------------------------------------------------------------------- demo cases
@dataclass(frozen=True, slots=True)
class DemoCase:
    """One demo case: how far it goes and how many days ago it was filed."""

    key: str
    county: str
    violation_type: str
    stage: str  # clue | investigating | reviewing | notified_hearing | published | closed | transferred
    filed_days_ago: int
    fine: int = 0


DEMO_CASES = [
    DemoCase("d1", "370102", "food_expired", "clue", 3),
    DemoCase("d2", "370102", "price", "investigating", 12),
    DemoCase("d3", "370102", "substandard", "reviewing", 45),
    DemoCase("d4", "370102", "food_expired", "notified_hearing", 60, 120_000),
    DemoCase("d5", "370102", "food_expired", "published", 85, 30_000),
    DemoCase("d6", "370102", "false_ad", "closed", 120, 450_000),
    DemoCase("d7", "370102", "trademark", "transferred", 20),
    DemoCase("d8", "370202", "metrology", "published", 70, 5_000),
]


def seed_cases(session: Session, *, today: dt.date | None = None) -> int:
    """Demo cases at various stages (idempotent by clue reference ``demo:<key>``); returns how many
    were created. Dates are back-dated so that each stage's clocks look real."""
    today = today or clock.today()
    created = 0
    for spec in DEMO_CASES:
        if service.clue_for(session, source_ref=f"demo:{spec.key}") is not None:
            continue
        actor = _county_actor(session, spec.county)
        if actor is None:
            continue
        entities = list(registry.iter_entities(session, actor=actor, filters=registry.EntityFilter(),
                                               limit=len(DEMO_CASES)))
        entity = entities[DEMO_CASES.index(spec) % len(entities)] if entities else None
        _run_demo_case(session, actor, spec, entity, today)
        created += 1
    return created


def _county_actor(session: Session, county: str) -> Actor | None:
    user = org.get_user_by_username(session, username="lx_inspector" if county == "370102" else "sn_officer")
    return org.actor_for(session, user=user) if user else None


def _run_demo_case(session: Session, actor: Actor, spec: DemoCase, entity, today: dt.date) -> None:
    back = lambda days: today - dt.timedelta(days=days)  # noqa: E731
    name = entity.name if entity is not None else f"演示商户{spec.key}"
    uscc = entity.uscc if entity is not None else None
    clue = actions.do_register_clue(session, actor=actor, data=ClueIn(
        source="inspection" if spec.key in {"d1", "d3"} else "report", source_ref=f"demo:{spec.key}",
        respondent_uscc=uscc, respondent_name=name, summary=f"{VIOLATION_TYPES[spec.violation_type]}线索（演示）",
        received_on=back(spec.filed_days_ago + 5)))
    if spec.stage == "clue":
        return
    officers = ["lx_inspector", "lx_officer"] if spec.county == "370102" else ["sn_officer", "sn_handler"]
    case = actions.do_file_case(session, actor=_demo_actor(actor), clue_id=clue.id, data=FilingIn(
        conditions=[g.code for g in rules.FILING_CONDITIONS], officers=officers, violation_type=spec.violation_type,
        major=spec.fine >= 300_000, filed_on=back(spec.filed_days_ago), facts=clue.summary))
    step = _stepper(session, case)
    step("add_evidence", back(spec.filed_days_ago - 2), kind="questioning", description="询问当事人，制作询问笔录")
    if spec.stage == "investigating":
        step("add_evidence", back(spec.filed_days_ago - 3), kind="seizure", description="扣押涉案物品")
        return
    if spec.stage == "transferred":
        actions.do_transfer(session, actor=_demo_actor(actor), case_id=case.id, data=TransferIn(
            target_code="GA370100", reason="涉案货值超过刑事立案追诉标准，涉嫌犯罪"))
        return
    step("end_investigation", back(spec.filed_days_ago - 20), note="调查终结")
    if spec.stage == "reviewing":
        return
    step("complete_review", back(spec.filed_days_ago - 25), note="事实清楚，证据确凿，适用依据正确")
    notice_on = back(2) if spec.stage == "notified_hearing" else back(spec.filed_days_ago - 30)
    step("serve_notice", notice_on, penalty_kinds=["fine"], fine=Decimal(spec.fine))
    if spec.stage == "notified_hearing":
        return
    bench = next(b for b in service.benchmarks(session, violation_type=spec.violation_type)
                 if b.fine_min <= spec.fine <= b.fine_max)
    decided_on = back(spec.filed_days_ago - 40)
    step("decide", decided_on, penalty_kinds=["fine"], fine=Decimal(spec.fine), legal_basis=bench.legal_basis,
         benchmark_id=bench.id, collective_discussed=case.major)
    step("deliver", decided_on + dt.timedelta(days=1))
    step("publish", decided_on + dt.timedelta(days=3))
    if spec.stage == "closed":
        step("record_payment", decided_on + dt.timedelta(days=10), amount=Decimal(spec.fine))
        step("close", decided_on + dt.timedelta(days=12))


def _demo_actor(actor: Actor) -> Actor:
    """The demo acts with every permission inside the county's jurisdiction (review and decide too)."""
    return replace(actor, permissions=frozenset({"*"}), username="demo", display_name=f"{actor.org_name}（演示）")


def _stepper(session: Session, case):
    def step(name: str, on: dt.date, **fields) -> None:
        actions.do_step(session, actor=_demo_actor(_case_actor(session, case)), case_id=case.id, step=name,
                        data=StepIn(on=on, **fields))

    return step


def _case_actor(session: Session, case) -> Actor:
    return _county_actor(session, "370102" if "/370102/" in case.org_path else "370202")
