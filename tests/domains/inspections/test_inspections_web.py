"""Random inspections through the API, the pages and the CLI: a county plans and draws, an
inspector records on the form with evidence, the public downloads the record and it verifies."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import func, select
from test_inspections_actions import add_entities
from typer.testing import CliRunner

from conftest import login
from marketreg.app.cli import app as cli_app
from marketreg.domains.inspections import seed, service
from marketreg.domains.inspections.models import Task
from marketreg.domains.org import service as org
from marketreg.kernel import clock

PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
                    "0000000d49444154789c63f80f00000101000518d84e0000000049454e44ae426082")


def _setup(db) -> None:
    with db.transaction() as s:
        seed.load_items(s)
        seed.register_inspectors(s)
        add_entities(s, 20, start=21_000_000)


def _drawn_via_api(client, csrf: str, **batch) -> dict:
    headers = {"X-CSRF-Token": csrf}
    plan = client.post("/api/v1/inspections/plans", json={"year": 2026, "title": "2026年度计划"}, headers=headers)
    assert plan.status_code == 201, plan.text
    today = clock.today()
    body = {"title": "公示信息抽查", "item_codes": ["XY-001"], "size": 5,
            "starts_on": str(today - dt.timedelta(days=3)),
            "ends_on": str(today + dt.timedelta(days=30)), **batch}
    created = client.post(f"/api/v1/inspections/plans/{plan.json()['id']}/batches", json=body, headers=headers)
    assert created.status_code == 201, created.text
    batch_id = created.json()["id"]
    committed = client.post(f"/api/v1/inspections/batches/{batch_id}/commit", headers=headers).json()
    assert committed["status"] == "committed" and committed["seed"] is None
    public = client.get(f"/api/v1/public/inspections/batches/{committed['batch_no']}").json()
    assert public["commitment"] == committed["commitment"] and public["seed"] is None
    assert client.get(f"/api/v1/public/inspections/batches/{committed['batch_no']}/record").status_code == 404
    assert client.post(f"/api/v1/inspections/batches/{batch_id}/draw", headers=headers).json()["status"] == "drawn"
    return client.post(f"/api/v1/inspections/batches/{batch_id}/publish-seed", headers=headers).json()


def test_draw_record_downloads_and_verifies_on_the_cli(client, db, tmp_path):
    _setup(db)
    csrf = login(client, "lx_registrar")
    batch = _drawn_via_api(client, csrf)
    again = client.post(f"/api/v1/inspections/batches/{batch['id']}/draw", headers={"X-CSRF-Token": csrf})
    assert again.status_code == 409 and again.json()["code"] == "inspections.already_drawn"
    response = client.get(f"/api/v1/public/inspections/batches/{batch['batch_no']}/record")
    assert response.status_code == 200
    record = response.json()
    assert record["seed"] == batch["seed"] and len(record["result"]) == 5
    runner = CliRunner()
    path = tmp_path / "record.json"
    path.write_text(response.text, encoding="utf-8")
    ok = runner.invoke(cli_app, ["inspections", "verify-draw", str(path)])
    assert ok.exit_code == 0 and ok.output.startswith("identical")

    tampered = json.loads(response.text)
    tampered["directory"]["usccs"] = "91370102MA00000000" + tampered["directory"]["usccs"][18:]  # another entity
    path.write_text(json.dumps(tampered), encoding="utf-8")
    bad = runner.invoke(cli_app, ["inspections", "verify-draw", str(path)])
    assert bad.exit_code == 1 and "directory_tampered" in bad.output

    tampered = json.loads(response.text)
    tampered["seed"] = "f" * 64
    path.write_text(json.dumps(tampered), encoding="utf-8")
    bad = runner.invoke(cli_app, ["inspections", "verify-draw", str(path)])
    assert bad.exit_code == 1 and "commitment_mismatch" in bad.output


def test_cli_draw_writes_a_record_that_verifies(tasks_db, tmp_path):
    _setup(tasks_db)
    with tasks_db.transaction() as s:
        registrar = org.actor_for(s, user=org.get_user_by_username(s, username="lx_registrar"))
        from marketreg.domains.inspections import actions

        plan = actions.do_create_plan(s, actor=registrar, year=2026, title="计划")
        today = clock.today()
        batch = actions.do_create_batch(s, actor=registrar, plan_id=plan.id, data=actions.BatchIn(
            title="批次", item_codes=["XY-001"], size=4, starts_on=today, ends_on=today, scope={}))
        batch_id = batch.id
    out = tmp_path / "draw.json"
    runner = CliRunner()
    result = runner.invoke(cli_app, ["inspections", "draw", "--batch", str(batch_id), "--out", str(out),
                                     "--as", "lx_registrar"])
    assert result.exit_code == 0, result.output
    assert runner.invoke(cli_app, ["inspections", "verify-draw", str(out)]).exit_code == 0
    second = runner.invoke(cli_app, ["inspections", "draw", "--batch", str(batch_id), "--out", str(out)])
    assert second.exit_code != 0


def test_inspector_records_on_the_form_and_the_public_sees_the_published_result(client, db):
    _setup(db)
    batch = _drawn_via_api(client, login(client, "lx_registrar"))
    client.cookies.clear()
    csrf = login(client, "lx_inspector")
    queue = client.get("/api/v1/inspections/tasks").json()
    mine = [t for t in queue if t["batch_no"] == batch["batch_no"]]
    assert mine, "lx_inspector is in the two-person 信用 pool and must be assigned"
    task_id = mine[0]["id"]
    page = client.get(f"/staff/inspections/tasks/{task_id}")
    assert page.status_code == 200 and "record-form" in page.text

    exe = client.post(f"/staff/inspections/tasks/{task_id}", data={
        "csrf_token": csrf, "inspected_on": str(clock.today()), "result_XY-001": "corrected", "note_XY-001": "已整改"},
        files=[("files", ("现场.jpg", b"MZ\x90\x00 not an image", "image/jpeg"))])
    assert exe.status_code == 415 and "inspections.file_type_not_allowed" in exe.text
    with db.read() as s:
        assert s.get(Task, task_id).status == "assigned"

    done = client.post(f"/staff/inspections/tasks/{task_id}", data={
        "csrf_token": csrf, "inspected_on": str(clock.today()), "result_XY-001": "corrected", "note_XY-001": "已整改"},
        files=[("files", ("现场.png", PNG, "image/png"))], follow_redirects=False)
    assert done.status_code == 303, done.text
    with db.read() as s:
        task = s.get(Task, task_id)
        assert task.status == "recorded" and task.problem and len(task.evidence) == 1

    client.cookies.clear()
    csrf = login(client, "lx_registrar")
    tracker = client.get("/staff/inspections/publication")
    assert mine[0]["task_no"] in tracker.text
    published = client.post("/staff/inspections/publication", data={"csrf_token": csrf, "task_ids": [task_id]},
                            follow_redirects=False)
    assert published.status_code == 303
    public = client.get(f"/inspections/batches/{batch['batch_no']}")
    assert "发现问题已责令改正" in public.text and batch["seed"] in public.text
    assert "已整改" not in public.text  # internal notes stay internal
    results = client.get(f"/api/v1/public/inspections/results?uscc={mine[0]['entity_uscc']}").json()
    assert [r["task_no"] for r in results] == [mine[0]["task_no"]]


def test_result_by_someone_not_assigned_is_refused_over_the_api(client, db):
    _setup(db)
    batch = _drawn_via_api(client, login(client, "lx_registrar"))
    with db.read() as s:
        task = service.tasks_of(s, batch_id=batch["id"])[0]
        before = s.scalar(select(func.count()).select_from(Task).where(Task.status == "recorded"))
    client.cookies.clear()
    with db.transaction() as s:  # lx_handler is an inspector of another department, not in this pool
        from marketreg.domains.org import actions as org_actions
        org_actions.do_ensure_role(s, code="inspector", name="执法检查人员", description="",
                                   permissions={"inspections.execute", "inspections.view"})
        user = org.get_user_by_username(s, username="lx_handler")
        if "inspector" not in {r.role_code for r in user.roles}:
            from marketreg.domains.org.models import UserRole
            s.add(UserRole(user_id=user.id, role_code="inspector"))
    csrf = login(client, "lx_handler")
    response = client.post(f"/api/v1/inspections/tasks/{task.id}/results", headers={"X-CSRF-Token": csrf},
                           json={"inspected_on": str(clock.today()), "results": {"XY-001": "no_problem"}})
    assert response.status_code == 403 and response.json()["code"] == "inspections.not_assigned"
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Task).where(Task.status == "recorded")) == before


def test_targeting_page_shows_the_chart_and_lift(client, db):
    _setup(db)
    with db.transaction() as s:
        batch = seed.demo_batch(s, seed.DemoBatch("lx_registrar", "精准度", ["XY-001"], 10, 1.0), seed=3)
    login(client, "sd_leader")
    page = client.get(f"/staff/inspections/batches/{batch.id}/targeting")
    assert page.status_code == 200
    assert 'id="chart-targeting"' in page.text and 'id="lift"' in page.text
    data = client.get(f"/api/v1/inspections/batches/{batch.id}/targeting").json()
    assert data["inspected"] == 10


def test_plan_form_takes_per_plan_class_weights(client, db):
    from marketreg.domains.inspections.models import Plan

    csrf = login(client, "lx_registrar")
    blank = {"csrf_token": csrf, "year": "2026", "title": "默认权重计划", **{f"weight_{c}": "" for c in "ABCD"}}
    assert client.post("/staff/inspections/plans", data=blank, follow_redirects=False).status_code == 303
    custom = {**blank, "title": "D类加严计划", "weight_D": "10", "weight_A": "0"}
    assert client.post("/staff/inspections/plans", data=custom, follow_redirects=False).status_code == 303
    bad = {**blank, "title": "错误权重", "weight_C": "-1"}
    assert client.post("/staff/inspections/plans", data=bad).status_code == 422
    with db.read() as s:
        plans = {p.title: p.class_weights for p in s.scalars(select(Plan))}
    assert plans == {"默认权重计划": None, "D类加严计划": {"A": 0.0, "D": 10.0}}


def test_the_freeze_page_runs_a_job_as_the_user_with_progress(client, db):
    """Freezing from the batch page runs as a job started by (and run as) the registrar."""
    from marketreg.platform.jobs import Job

    _setup(db)
    csrf = login(client, "lx_registrar")
    headers = {"X-CSRF-Token": csrf}
    plan = client.post("/api/v1/inspections/plans", json={"year": 2026, "title": "2026年度计划"}, headers=headers)
    today = clock.today()
    created = client.post(f"/api/v1/inspections/plans/{plan.json()['id']}/batches", headers=headers, json={
        "title": "公示信息抽查", "item_codes": ["XY-001"], "size": 5, "starts_on": str(today),
        "ends_on": str(today + dt.timedelta(days=30))}).json()
    response = client.post(f"/staff/inspections/batches/{created['id']}/commit", data={"csrf_token": csrf},
                           follow_redirects=False)
    assert response.status_code == 303
    with db.read() as s:
        job = s.scalar(select(Job).where(Job.kind == "inspections.freeze").order_by(Job.id.desc()))
        assert (job.status, job.created_by, job.done, job.total) == ("succeeded", "lx_registrar", 20, 20)
        batch = service.get_batch(s, actor=org.actor_for(s, user=org.get_user_by_username(s, username="lx_registrar")),
                                  batch_id=created["id"])
        assert batch.status == "committed" and batch.directory_size == 20
        assert job.result["commitment"] == batch.commitment
    again = client.post(f"/staff/inspections/batches/{created['id']}/commit", data={"csrf_token": csrf},
                        follow_redirects=False)
    assert again.status_code == 303
    with db.read() as s:
        failed = s.scalar(select(Job).where(Job.kind == "inspections.freeze").order_by(Job.id.desc()))
        assert failed.status == "failed" and "inspections.already_committed" in failed.message


def test_a_batch_being_frozen_shows_the_progress_instead_of_the_button(client, db):
    from marketreg.platform import jobs

    _setup(db)
    csrf = login(client, "lx_registrar")
    headers = {"X-CSRF-Token": csrf}
    plan = client.post("/api/v1/inspections/plans", json={"year": 2026, "title": "2026年度计划"}, headers=headers)
    today = clock.today()
    created = client.post(f"/api/v1/inspections/plans/{plan.json()['id']}/batches", headers=headers, json={
        "title": "公示信息抽查", "item_codes": ["XY-001"], "size": 5, "starts_on": str(today),
        "ends_on": str(today + dt.timedelta(days=30))}).json()
    page = client.get(f"/staff/inspections/batches/{created['id']}").text
    assert 'id="commit"' in page and 'id="freezing"' not in page
    with db.read() as s:
        registrar = org.actor_for(s, user=org.get_user_by_username(s, username="lx_registrar"))
    jobs.create_job(db, kind="inspections.freeze", title=f"冻结抽查名录（{created['batch_no']}）", actor=registrar)
    page = client.get(f"/staff/inspections/batches/{created['id']}").text
    assert 'id="freezing"' in page and 'id="commit"' not in page
