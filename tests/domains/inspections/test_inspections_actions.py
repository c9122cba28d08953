"""The random-inspection use cases on both backends: plan → batch → commitment → draw → seed →
results → publication, the verifiable record, and every refusal leaving nothing behind."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from marketreg.domains.inspections import actions, draw, seed, service
from marketreg.domains.inspections.models import Batch, BatchSnapshot, Task
from marketreg.domains.org import service as org
from marketreg.kernel import clock
from marketreg.kernel.errors import DomainError
from marketreg.platform.events import DomainEvent

COUNTY = "370102"


def add_entities(session, n: int, *, county: str = COUNTY, start: int = 20_000_000) -> list[str]:
    """``n`` generated entities in one county (timestamps set), returning their USCCs."""
    from marketreg.domains.reference import service as reference
    from marketreg.domains.registry import seed as registry_seed
    from marketreg.domains.registry.models import Entity

    counties = [registry_seed.County(*r) for r in reference.county_rows(session) if r[0] == county]
    rows = list(registry_seed.generate_entities(n, counties=counties,
                                                industries=reference.industry_leaves_by_section(session),
                                                seed=5, start=start))
    for row in rows:
        row["created_at"] = row["updated_at"] = clock.now()
        row["status"] = "active"
    session.execute(Entity.__table__.insert(), rows)
    session.flush()
    return [r["uscc"] for r in rows]


def actor(session, username: str):
    return org.actor_for(session, user=org.get_user_by_username(session, username=username))


@pytest.fixture
def county(session):
    """Items, demo inspectors and 30 entities in 历下区; returns the county registrar's actor."""
    seed.load_items(session)
    seed.register_inspectors(session)
    add_entities(session, 30)
    return actor(session, "lx_registrar")


def make_batch(session, registrar, *, size=6, items=("XY-001",), **kw) -> Batch:
    plan = actions.do_create_plan(session, actor=registrar, year=2026, title="2026年度抽查计划")
    today = clock.today()
    return actions.do_create_batch(session, actor=registrar, plan_id=plan.id, data=actions.BatchIn(
        title="企业公示信息抽查", item_codes=list(items), size=size, starts_on=today - dt.timedelta(days=5),
        ends_on=today + dt.timedelta(days=30), scope=kw.pop("scope", {}), **kw))


def drawn_batch(session, registrar, **kw) -> Batch:
    batch = make_batch(session, registrar, **kw)
    actions.do_commit_batch(session, actor=registrar, batch_id=batch.id)
    actions.do_draw_batch(session, actor=registrar, batch_id=batch.id)
    return batch


def test_plan_is_filed_with_the_city_and_visible_there(session, county):
    batch = make_batch(session, county)
    plan = actions.do_file_plan(session, actor=county, plan_id=batch.plan_id)
    assert plan.filed_with_path == "/370000/370100/" and plan.filed_at is not None
    city = actor(session, "jn_registrar")
    assert plan.id in {p.id for p in service.list_plans(session, actor=city)}
    other_city = actor(session, "sn_registrar")
    assert plan.id not in {p.id for p in service.list_plans(session, actor=other_city)}
    assert plan in service.public_plans(session)


def test_commit_draw_publish_and_the_record_verifies(session, county):
    batch = make_batch(session, county)
    actions.do_commit_batch(session, actor=county, batch_id=batch.id)
    assert batch.status == "committed" and len(batch.commitment) == 64
    with pytest.raises(DomainError):
        service.draw_record(session, batch=batch)  # nothing to download before the draw
    actions.do_draw_batch(session, actor=county, batch_id=batch.id)
    tasks = service.tasks_of(session, batch_id=batch.id)
    assert len(tasks) == 6
    assert all(len(t.inspectors) == 2 for t in tasks)
    assert service.draw_record(session, batch=batch)["seed"] is None  # secret until published
    actions.do_publish_seed(session, actor=county, batch_id=batch.id)
    record = service.draw_record(session, batch=batch)
    assert record["seed"] == batch.seed_secret
    assert draw.verify_record(record).ok
    assert [r["uscc"] for r in record["result"]] == [t.entity_uscc for t in tasks]


def test_second_draw_is_refused_and_changes_nothing(session, county):
    batch = drawn_batch(session, county)
    actions.do_publish_seed(session, actor=county, batch_id=batch.id)
    before = session.scalar(select(func.count()).select_from(Task))
    with pytest.raises(DomainError) as exc:
        actions.do_draw_batch(session, actor=county, batch_id=batch.id)
    assert exc.value.code == "inspections.already_drawn" and exc.value.status == 409
    assert session.scalar(select(func.count()).select_from(Task)) == before


def test_asking_for_more_than_the_directory_holds_stores_nothing(session, county):
    batch = make_batch(session, county, size=10_000)
    with pytest.raises(DomainError) as exc:
        actions.do_commit_batch(session, actor=county, batch_id=batch.id)
    assert exc.value.code == "inspections.too_many_requested"
    assert batch.status == "draft" and batch.commitment is None
    assert session.scalar(select(func.count()).select_from(BatchSnapshot)
                          .where(BatchSnapshot.batch_id == batch.id)) == 0


def test_pool_too_small_for_three_inspectors_is_refused(session, county):
    batch = make_batch(session, county, per_entity=3)  # only two 信用 inspectors in 历下区
    with pytest.raises(DomainError) as exc:
        actions.do_commit_batch(session, actor=county, batch_id=batch.id)
    assert exc.value.code == "inspections.pool_too_small"
    assert batch.status == "draft"


def test_declared_relation_makes_the_pool_too_small_for_that_entity(session, county):
    batch = make_batch(session, county, size=30)
    inspector = service.inspector_for_user(session, user_id=org.get_user_by_username(
        session, username="lx_inspector").id)
    directory, usccs = service.build_directory(session, batch=batch)
    actions.do_declare_relation(session, actor=county, inspector_id=inspector.id, uscc=usccs[0].decode(),
                                relation="近亲属")
    pool, _ = service.build_pool(session, batch=batch, directory=directory)
    assert (int(directory.entity_ids[0]), inspector.id) in set(zip(pool.conflict_entities.tolist(),
                                                                     pool.conflict_inspectors.tolist(), strict=True))
    with pytest.raises(DomainError) as exc:
        actions.do_commit_batch(session, actor=county, batch_id=batch.id)
    assert exc.value.code == "inspections.pool_too_small"


def test_entities_drawn_for_the_same_item_recently_are_excluded(session, county):
    first = drawn_batch(session, county, size=10)
    drawn = {t.entity_id for t in service.tasks_of(session, batch_id=first.id)}
    second = make_batch(session, county, size=5)
    directory, _ = service.build_directory(session, batch=second)
    excluded = set(directory.entity_ids[directory.excluded].tolist())
    assert drawn <= excluded
    other_item = make_batch(session, county, size=5, items=("DJ-001",))
    directory, _ = service.build_directory(session, batch=other_item)
    assert not (drawn & set(directory.entity_ids[directory.excluded].tolist()))


def test_deregistered_entities_are_excluded(session, county):
    from marketreg.domains.registry.models import Entity

    batch = make_batch(session, county)
    directory, usccs = service.build_directory(session, batch=batch)
    session.execute(Entity.__table__.update().where(Entity.uscc == usccs[0].decode()).values(status="cancelled"))
    directory, usccs = service.build_directory(session, batch=batch)
    assert directory.excluded[0]


def _assigned_actor(session, task):
    user_id = service.get_inspector(session, actor=actor(session, "sd_admin"),
                                    inspector_id=task.inspectors[0].inspector_id).user_id
    return org.actor_for(session, user=org.get_user(session, user_id=user_id))


def test_result_recorded_publishes_events_and_starts_the_publication_clock(session, county):
    batch = drawn_batch(session, county)
    task = service.tasks_of(session, batch_id=batch.id)[0]
    inspector = _assigned_actor(session, task)
    inspected = clock.today() - dt.timedelta(days=1)
    actions.do_record_result(session, actor=inspector, task_id=task.id, inspected_on=inspected,
                             results={"XY-001": ("unreachable", "两次上门未见经营")})
    assert task.status == "recorded" and task.publish_due_on > inspected
    event = session.scalar(select(DomainEvent).where(DomainEvent.name == "inspections.result_recorded")
                           .order_by(DomainEvent.id.desc()))
    assert event.subject_key == task.entity_uscc
    assert event.payload["unreachable"] is True and event.payload["problem"] is False
    assert event.payload["task_no"] == task.task_no and event.payload["result_label"].startswith("通过登记的住所")
    assert task in service.publication_tracker(session, actor=county)
    actions.do_publish_results(session, actor=county, task_ids=[task.id])
    assert task.status == "published" and task in service.published_tasks(session, batch_id=batch.id)


def test_result_by_an_inspector_not_assigned_is_refused(session, county):
    batch = drawn_batch(session, county)
    task = service.tasks_of(session, batch_id=batch.id)[0]
    outsider = actor(session, "lx_handler")  # an inspector, but of another department: not in the pool
    with pytest.raises(DomainError) as exc:
        actions.do_record_result(session, actor=outsider, task_id=task.id, inspected_on=clock.today(),
                                 results={"XY-001": ("no_problem", "")})
    assert exc.value.code == "inspections.not_assigned" and exc.value.status == 403
    assert task.status == "assigned" and task.results == []


def test_incomplete_or_unknown_results_are_refused(session, county):
    batch = drawn_batch(session, county)
    task = service.tasks_of(session, batch_id=batch.id)[0]
    inspector = _assigned_actor(session, task)
    cases = [({}, "inspections.results_incomplete"), ({"XY-001": ("great", "")}, "inspections.bad_result")]
    for results, code in cases:
        with pytest.raises(DomainError) as exc:
            actions.do_record_result(session, actor=inspector, task_id=task.id, inspected_on=clock.today(),
                                     results=results)
        assert exc.value.code == code
    assert task.status == "assigned"


def test_batch_of_another_county_is_not_visible(session, county):
    batch = make_batch(session, county)
    with pytest.raises(DomainError) as exc:
        actions.do_commit_batch(session, actor=actor(session, "sn_registrar"), batch_id=batch.id)
    assert exc.value.status == 404


def test_targeting_lift_against_a_uniform_draw():
    report = service.targeting({"A": 100, "B": 700, "C": 150, "D": 50}, {"A": 10, "B": 20, "C": 20, "D": 10},
                               {"A": 0, "B": 2, "C": 6, "D": 5})
    assert report.observed_rate == pytest.approx(13 / 60)
    assert report.uniform_rate == pytest.approx(0.7 * 0.1 + 0.15 * 0.3 + 0.05 * 0.5)
    assert report.lift == pytest.approx((13 / 60) / 0.14)
