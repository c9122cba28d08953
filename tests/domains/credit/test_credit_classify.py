"""The classification at scale: set-based extraction, only changes written, and short write
transactions that let other writers in while a run goes on (issue 10 item 7, issue 12 item 3)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import func, select

from conftest import build_database
from marketreg.domains.complaints import actions as complaints
from marketreg.domains.complaints.models import Item
from marketreg.domains.complaints.schemas import IntakeIn
from marketreg.domains.credit import classify
from marketreg.domains.credit.models import RiskClass, RiskClassHistory
from marketreg.domains.reference import service as reference
from marketreg.domains.registry import seed as registry_seed
from marketreg.domains.registry.models import Entity
from marketreg.kernel import clock
from marketreg.platform.authz import PUBLIC
from marketreg.platform.db import Sessions

from .conftest import penalty

TODAY = dt.date(2026, 11, 1)


def add_entities(session, n: int, *, start: int) -> None:
    counties = [registry_seed.County(*r) for r in reference.county_rows(session) if r[0] == "370102"]
    rows = list(registry_seed.generate_entities(n, counties=counties, seed=5, start=start,
                                                industries=reference.industry_leaves_by_section(session)))
    for row in rows:
        row["created_at"] = row["updated_at"] = clock.now()
    session.execute(Entity.__table__.insert(), rows)


@pytest.mark.both_backends
def test_a_second_run_writes_only_the_classes_that_changed(db, session, make_entity):
    entities = [make_entity() for _ in range(5)]
    first = classify.run_in_ranges(db, today=TODAY, chunk=3)
    assert first.entities >= 5 and first.changed == 0
    penalty(session, entities[0], "D-77", serious=True, kinds=("fine", "suspend_licence"))
    second = classify.run_in_ranges(db, today=TODAY, chunk=3)
    assert first.counts == {"A": 0, "B": 5, "C": 0, "D": 0}  # no annual report: 12 points
    assert second.changed == 1 and second.counts == {"A": 0, "B": 4, "C": 1, "D": 0}  # and a penalty: 22
    runs = dict(session.execute(select(RiskClass.entity_id, RiskClass.run_id)).all())
    assert runs[entities[0].id] == second.run_id
    assert {runs[e.id] for e in entities[1:]} == {first.run_id}  # unchanged rows were not rewritten
    history = session.execute(select(RiskClassHistory.entity_id, RiskClassHistory.risk_class)).all()
    assert history == [(entities[0].id, "C")]


@pytest.mark.both_backends
def test_the_extraction_matches_the_explanation_of_each_entity(session, make_entity):
    bad = make_entity()
    penalty(session, bad, "D-78")
    ex = classify.extract_range(session, bad.id, bad.id + 1, today=TODAY)
    assert ex.ids.tolist() == [bad.id]
    features = classify.entity_features(session, bad.id, today=TODAY)
    assert features["penalties"] == 1 and features["no_annual_report"] == 1
    assert dict(zip(classify.FACTORS, ex.features[0].tolist(), strict=True)) == features


def test_an_intake_succeeds_while_the_classification_runs(tmp_path):
    """The classification pauses after its first range (inside its run, between two ranges); a
    complaint filed then must get the SQLite writer at once. A run that held one transaction
    from start to end would keep the intake waiting until the busy timeout."""
    engine = build_database(f"sqlite:///{tmp_path / 'concurrent.db'}")
    sessions = Sessions(engine)
    with sessions.transaction() as session:
        add_entities(session, 300, start=30_000_000)
    paused, filed = threading.Event(), threading.Event()
    outcome: dict = {}

    def progress(done: int, total: int) -> None:
        if not paused.is_set():
            paused.set()
            filed.wait(timeout=60)

    def run() -> None:
        outcome["result"] = classify.run_in_ranges(sessions, today=TODAY, chunk=100, progress=progress)

    worker = threading.Thread(target=run)
    worker.start()
    try:
        assert paused.wait(timeout=60)
        with sessions.transaction() as session:
            [item] = complaints.do_intake(session, actor=PUBLIC, data=IntakeIn(
                kind="complaint", complainant_name="王小明", complainant_phone="13912345678",
                complainant_address="济南市历下区泉城路1号", respondent_name="某某商店", title="购买的电饭煲无法使用",
                facts="2026年3月在该店购买电饭煲一台，使用三天后无法加热，要求退货被拒绝。", request="退货退款"))
    finally:
        filed.set()
        worker.join(timeout=120)
    with sessions.read() as session:
        assert session.scalar(select(func.count()).select_from(Item).where(Item.id == item.id)) == 1
        assert session.scalar(select(func.count()).select_from(RiskClass)) == 300
    assert outcome["result"].entities == 300
    engine.dispose()
