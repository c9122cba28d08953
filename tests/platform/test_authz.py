"""The jurisdiction chokepoint: an index range both databases answer from the org-path index, the
same answer as "starts with", one get-in-scope helper, and row locks that make the second of two
conflicting state changes meet the state the first left."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import delete, func, inspect, select, text

from marketreg.app.models import metadata
from marketreg.domains.org.models import OrgUnit
from marketreg.domains.registry.models import Entity
from marketreg.kernel import clock
from marketreg.kernel.errors import DomainError, NotFound
from marketreg.platform.authz import (
    PUBLIC,
    SYSTEM,
    Actor,
    get_in_scope,
    in_subtree,
    scope,
    upper_bound,
)


def _county_actor(path: str = "/370000/370100/370102/") -> Actor:
    return Actor(1, "t", "测试", 1, path, permissions=frozenset({"*"}))


def _entities(session, n: int) -> None:
    from marketreg.domains.reference import service as reference
    from marketreg.domains.registry import seed as registry_seed

    counties = [registry_seed.County(*row) for row in reference.county_rows(session)]
    rows = list(registry_seed.generate_entities(n, counties=counties, seed=5, start=40_000_000,
                                                industries=reference.industry_leaves_by_section(session)))
    for row in rows:
        row["created_at"] = row["updated_at"] = clock.now()
    session.execute(Entity.__table__.insert(), rows)
    session.flush()


def test_upper_bound_increments_the_last_character():
    assert upper_bound("/370000/370100/") == "/370000/3701000"
    assert "/370000/370100/370102/" < upper_bound("/370000/370100/") <= "/370000/370101/"


@pytest.mark.both_backends
def test_scope_range_selects_exactly_the_subtree(session):
    paths = list(session.scalars(select(OrgUnit.path).where(OrgUnit.level != "police")))
    for prefix in ("/370000/", "/370000/370100/", "/370000/370100/370102/", "/370000/370200/"):
        inside = set(session.scalars(scope(select(OrgUnit.path), OrgUnit.path, _county_actor(prefix))))
        assert inside == {p for p in paths if p.startswith(prefix)}
        assert inside  # each prefix names a real subtree
    assert session.scalar(scope(select(func.count()).select_from(OrgUnit), OrgUnit.path, PUBLIC)) == 0


@pytest.mark.both_backends
def test_scoped_query_on_a_big_table_uses_the_org_path_index(session):
    _entities(session, 3000)
    stmt = select(Entity.id).where(in_subtree(Entity.org_path, "/370000/370100/370102/"))
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("ANALYZE market_entity"))
        collation = session.scalar(text("SELECT collation_name FROM information_schema.columns "
                                        "WHERE table_schema = current_schema() AND table_name = 'market_entity' "
                                        "AND column_name = 'org_path'"))
        assert collation == "C"  # the range is "starts with" only in byte order
        compiled = stmt.compile(session.get_bind(), compile_kwargs={"literal_binds": True})
        plan = "\n".join(session.scalars(text(f"EXPLAIN {compiled}")))
        assert "ix_market_entity_org_path_status" in plan and "Seq Scan" not in plan, plan
    else:
        compiled = stmt.compile(session.get_bind(), compile_kwargs={"literal_binds": True})
        plan = " ".join(r[-1] for r in session.execute(text(f"EXPLAIN QUERY PLAN {compiled}")))
        assert "USING COVERING INDEX ix_market_entity_org_path_status (org_path>? AND org_path<?)" in plan \
            or "USING INDEX ix_market_entity_org_path_status (org_path>? AND org_path<?)" in plan, plan


def test_every_org_path_column_leads_an_index():
    """Scoped reads of every table can use the range: each org-path column is the first column of
    an index (or unique)."""
    unindexed = [f"{t.name}.{c.name}" for t in metadata.sorted_tables for c in t.columns
                 if c.name.endswith("org_path") and not c.unique
                 and not any(next(iter(i.columns)) is c for i in t.indexes)]
    assert unindexed == ["domain_event.org_path"]  # the outbox is read by id, never by jurisdiction


@pytest.mark.parametrize("bad_id", [0, -1, 2**31, 2**63, 2**70], ids=str)
def test_get_in_scope_answers_404_for_ids_outside_the_key_range(session, bad_id):
    from marketreg.domains.complaints.models import Item

    with pytest.raises(NotFound) as refused:
        get_in_scope(session, Item, bad_id, actor=SYSTEM, what="投诉举报")
    assert refused.value.code == "auth.not_found"


def test_get_in_scope_gives_the_same_answer_for_missing_and_foreign_rows(session):
    _entities(session, 40)
    foreign = session.scalar(select(Entity).where(~in_subtree(Entity.org_path, "/370000/370100/")).limit(1))
    missing_id = (session.scalar(select(func.max(Entity.id))) or 0) + 1000
    answers = []
    for row_id in (foreign.id, missing_id):
        with pytest.raises(NotFound) as refused:
            get_in_scope(session, Entity, row_id, actor=_county_actor("/370000/370100/"), what="市场主体")
        answers.append((refused.value.code, refused.value.message_zh))
    assert answers[0] == answers[1] == ("auth.not_found", "市场主体不存在或不在您的管辖范围内")
    assert get_in_scope(session, Entity, foreign.id, actor=SYSTEM).id == foreign.id
    enterprise = Actor(None, "ent", "企业", None, "/", kind="enterprise", entity_uscc=foreign.uscc)
    with pytest.raises(NotFound):  # an enterprise holds no jurisdiction, whatever its path
        get_in_scope(session, Entity, foreign.id, actor=enterprise)


# ----------------------------------------------------------------------------- conflicting state changes


def _committed_complaint(sessions) -> int:
    from marketreg.domains.complaints import actions
    from marketreg.domains.complaints.schemas import IntakeIn

    with sessions.transaction() as s:
        [item] = actions.do_intake(s, actor=PUBLIC, data=IntakeIn(
            kind="complaint", complainant_name="并发测试", complainant_phone="13900139000",
            complainant_address="济南市历下区泉城路100号", respondent_name="并发测试超市",
            respondent_address="济南市历下区泉城路1号", title="并发受理测试", facts="买到过期的牛奶。",
            request="退货"))
        return item.id


def _delete_complaint(sessions, item_id: int) -> None:
    from marketreg.domains.complaints.models import DuplicateLink, Item, Step

    with sessions.transaction() as s:
        s.execute(delete(Step).where(Step.item_id == item_id))
        s.execute(delete(DuplicateLink).where((DuplicateLink.item_id == item_id) | (DuplicateLink.other_id == item_id)))
        s.execute(delete(Item).where(Item.id == item_id))


def _wait_until_blocked(engine, deadline_s: float = 30.0) -> None:
    """PostgreSQL: until another backend waits on a lock (the second writer reached its lock)."""
    import time

    end = time.monotonic() + deadline_s
    with engine.connect() as conn:
        while time.monotonic() < end:
            if conn.execute(text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                                 "AND datname = current_database()")).scalar():
                return
            conn.rollback()
            time.sleep(0.02)
    raise AssertionError("the second writer never waited for the first")


@pytest.mark.both_backends
def test_two_handlers_accepting_and_refusing_at_once_one_wins_the_other_gets_409(engine):
    """Handler A accepts and holds its transaction open; handler B refuses the same item meanwhile.
    B waits for A's row lock (PostgreSQL) or write transaction (SQLite), then meets the accepted
    state: a coded 409, and the item is accepted, not both accepted and closed."""
    from marketreg.domains.complaints import actions
    from marketreg.domains.complaints.models import Item
    from marketreg.domains.org import service as org
    from marketreg.platform.db import Sessions

    sessions = Sessions(engine)
    item_id = _committed_complaint(sessions)
    with sessions.read() as s:
        handler = org.acting_as(s, username="lx_handler")
    a_acted, a_may_commit = threading.Event(), threading.Event()
    postgres = engine.dialect.name == "postgresql"

    def accept() -> str:
        with sessions.transaction() as s:
            actions.do_accept(s, actor=handler, item_id=item_id)
            a_acted.set()
            assert a_may_commit.wait(60)
        return "accepted"

    def refuse() -> str:
        assert a_acted.wait(60)
        try:
            with sessions.transaction() as s:
                actions.do_refuse(s, actor=handler, item_id=item_id, ground="not_consumer")
        except DomainError as exc:
            return f"{exc.status} {exc.code}"
        return "refused"

    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            first, second = pool.submit(accept), pool.submit(refuse)
            assert a_acted.wait(60)
            if postgres:
                _wait_until_blocked(engine)
            a_may_commit.set()
            outcomes = [first.result(), second.result()]
        with sessions.read() as s:
            item = s.get(Item, item_id)
            assert (item.status, item.outcome) == ("accepted", None)
            assert [step.action for step in item.steps] == ["received", "accepted"]
        assert outcomes == ["accepted", "409 complaints.wrong_state"]
    finally:
        a_may_commit.set()
        _delete_complaint(sessions, item_id)


def test_ids_are_checked_before_the_database_sees_them(client):
    from conftest import login

    login(client, "lx_handler")
    for path in (f"/staff/complaints/{2**64}", f"/api/v1/complaints/{2**63}"):
        response = client.get(path, headers={"Accept": "application/json"})
        assert (response.status_code, response.json()["code"]) == (404, "auth.not_found")
    assert inspect(Entity).primary_key[0].name == "id"
