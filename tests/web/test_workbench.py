"""工作台: open items of every domain, scoped to the user's unit and sub-units, nearest deadline first."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import update

from conftest import login
from marketreg.kernel import clock


@pytest.fixture
def work(db):
    """In 历下区 (370102): an overdue complaint with a 督办 from the city, a clue due tomorrow and
    a drawn inspection batch; the ids of the complaint and the clue."""
    from marketreg.domains.complaints import actions as complaints
    from marketreg.domains.complaints.models import Item
    from marketreg.domains.enforcement import actions as enforcement
    from marketreg.domains.enforcement.models import Clue
    from marketreg.domains.enforcement.schemas import ClueIn
    from marketreg.domains.org import service as org
    from web.records import _complaint_ids, _inspection_ids

    today = clock.today()
    with db.transaction() as s:
        item_id = int(_complaint_ids(s)["item_id"])
        _inspection_ids(s)
        inspector = org.actor_for(s, user=org.get_user_by_username(s, username="lx_inspector"))
        clue = enforcement.do_register_clue(s, actor=inspector, data=ClueIn(
            source="assignment", respondent_name="某商行", summary="上级交办：无照经营"))
        s.execute(update(Item).where(Item.id == item_id).values(next_due_on=today - dt.timedelta(days=1)))
        s.execute(update(Clue).where(Clue.id == clue.id).values(check_due_on=today + dt.timedelta(days=1)))
        supervisor = org.actor_for(s, user=org.get_user_by_username(s, username="jn_supervisor"))
        complaints.do_supervise(s, actor=supervisor, item_id=item_id, instruction="请三日内办结",
                                due_on=today + dt.timedelta(days=5))
    return {"item_id": item_id, "clue_id": clue.id}


def _board(client, **params) -> dict:
    response = client.get("/api/v1/workbench", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_handler_sees_the_units_complaint_and_clue_sorted_by_deadline_with_marks(client, work):
    login(client, "lx_handler")
    board = _board(client)
    kinds = [i["kind"] for i in board["items"]]
    assert kinds[:3] == ["complaints.item", "enforcement.clue", "complaints.supervision"]
    assert [i["due_mark"] for i in board["items"][:3]] == ["overdue", "soon", ""]
    assert board["items"][0]["link"] == f"/staff/complaints/{work['item_id']}"
    # a handler may not open cases or inspection tasks, so none are listed
    assert not {"enforcement.case", "inspections.task"} & set(kinds)
    counts = {c["kind"]: c for c in board["counts"]}
    assert counts["complaints.item"]["overdue"] == 1 and counts["enforcement.clue"]["soon"] == 1


def test_filters_by_kind_and_due_keep_the_counts(client, work):
    login(client, "lx_handler")
    only = _board(client, kind="enforcement.clue")
    assert {i["kind"] for i in only["items"]} == {"enforcement.clue"}
    assert {c["kind"] for c in only["counts"]} >= {"complaints.item", "enforcement.clue"}
    overdue = _board(client, due="overdue")
    assert [i["kind"] for i in overdue["items"]] == ["complaints.item"]


def test_unknown_kind_is_refused_with_a_code(client, work):
    login(client, "lx_handler")
    response = client.get("/api/v1/workbench", params={"kind": "enforcement.case"})
    assert response.status_code == 400 and response.json()["code"] == "workbench.kind_unknown"


def test_supervisor_sees_sub_units_items_and_other_counties_see_none(client, work):
    login(client, "jn_supervisor")
    assert f"/staff/complaints/{work['item_id']}" in {i["link"] for i in _board(client)["items"]}
    client.cookies.clear()
    login(client, "sn_handler")
    links = {i["link"] for i in _board(client)["items"]}
    assert f"/staff/complaints/{work['item_id']}" not in links
    assert f"/staff/enforcement/clues/{work['clue_id']}" not in links


def test_inspector_sees_the_units_inspection_tasks(client, work):
    login(client, "lx_inspector")
    items = _board(client)["items"]
    kinds = {i["kind"] for i in items}
    assert {"inspections.task", "enforcement.clue"} <= kinds and "complaints.item" not in kinds
    assert all(i["assignee"] for i in items if i["kind"] == "inspections.task")


def test_open_case_names_its_officers_not_their_usernames(client, db):
    from marketreg.domains.enforcement import actions as enforcement
    from marketreg.domains.enforcement.schemas import ClueIn, FilingIn
    from marketreg.domains.org import service as org

    with db.transaction() as s:
        actor = org.actor_for(s, user=org.get_user_by_username(s, username="lx_inspector"))
        clue = enforcement.do_register_clue(s, actor=actor, data=ClueIn(
            source="assignment", respondent_name="某公司", summary="上级交办线索"))
        enforcement.do_file_case(s, actor=actor, clue_id=clue.id, data=FilingIn(
            conditions=["evidence", "penalty_due", "jurisdiction", "limitation"],
            officers=["lx_inspector", "lx_officer"], violation_type="price"))
    login(client, "lx_inspector")
    [case] = [i for i in _board(client)["items"] if i["kind"] == "enforcement.case"]
    assert "历下区局执法人员" in case["assignee"] and "lx_" not in case["assignee"]


def test_workbench_page_shows_marks_and_links(client, work):
    login(client, "lx_handler")
    html = client.get("/staff/").text
    assert 'data-mark="overdue"' in html and 'data-mark="soon"' in html
    assert f'href="/staff/enforcement/clues/{work["clue_id"]}"' in html and "督办" in html


def test_demo_seed_puts_overdue_due_soon_and_supervised_work_on_the_handlers_workbench(client, db):
    from marketreg.app import demo

    assert demo.seed_workbench(db) == 3
    assert demo.seed_workbench(db) == 0  # idempotent
    login(client, "lx_handler")
    items = _board(client)["items"]
    marks = {(i["kind"], i["due_mark"]) for i in items}
    assert {("complaints.item", "overdue"), ("complaints.item", "soon"), ("enforcement.clue", "soon"),
            ("complaints.supervision", "soon")} <= marks
    dues = [i["due_on"] for i in items if i["due_on"]]
    assert dues == sorted(dues)
