"""Background jobs through the huey facade: inline, SQLite queue with embedded workers,
and Redis with a separate consumer; the job monitor shows progress."""

from __future__ import annotations

import time
import uuid

import pytest
from sqlalchemy import select

from conftest import login
from marketreg.platform.jobs import Job
from marketreg.platform.settings import Settings
from marketreg.platform.tasks import EmbeddedWorkers, make_huey


def _run_through(instance, value: int) -> int:
    @instance.task()
    def double(x: int) -> int:
        return 2 * x

    workers = EmbeddedWorkers(instance, workers=1)
    workers.start()
    try:
        return double(value).get(blocking=True, timeout=20)
    finally:
        workers.stop()


def test_sqlite_queue_runs_tasks_on_embedded_workers(tmp_path):
    instance = make_huey(Settings(task_backend="sqlite", task_sqlite_path=str(tmp_path / "q.db")))
    assert _run_through(instance, 21) == 42


def test_redis_queue_runs_tasks_on_a_consumer():
    settings = Settings(task_backend="redis", redis_url="redis://127.0.0.1:6379/0")
    instance = make_huey(settings, name=f"marketreg-test-{uuid.uuid4().hex[:8]}")
    instance.storage.conn.ping()  # a missing Redis must fail this test
    try:
        assert _run_through(instance, 50) == 100
    finally:
        instance.storage.flush_all()


def test_upload_import_runs_as_a_job_with_progress(client, db, tmp_path):
    from marketreg.domains.reference import service as reference
    from marketreg.domains.registry import seed as registry_seed

    with db.read() as s:
        counties = [registry_seed.County(*r) for r in reference.county_rows(s) if r[0] == "370102"]
        rows = list(registry_seed.generate_entities(25, counties=counties,
                                                    industries=reference.industry_leaves_by_section(s), seed=3))
    path = tmp_path / "up.csv"
    registry_seed.write_csv(path, iter(rows))
    csrf = login(client, "lx_registrar")
    with path.open("rb") as fh:
        response = client.post("/staff/registry/import", files={"file": ("主体.csv", fh, "text/csv")},
                               data={"csrf_token": csrf}, follow_redirects=False)
    assert response.status_code == 303
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with db.read() as s:
            job = s.scalars(select(Job).order_by(Job.id.desc())).first()
        if job.status in ("succeeded", "failed"):
            break
        time.sleep(0.2)
    assert job.status == "succeeded", job.message
    assert job.result["inserted"] == 25 and job.percent == 100
    page = client.get("/staff/sysadmin/jobs")
    assert f'id="job-{job.id}"' in page.text and 'aria-valuenow="100"' in page.text


@pytest.mark.parametrize("name", ["evil.exe", "data.txt"])
def test_upload_refuses_other_file_types(client, name):
    csrf = login(client, "lx_registrar")
    response = client.post("/staff/registry/import", files={"file": (name, b"x", "application/octet-stream")},
                           data={"csrf_token": csrf})
    assert response.status_code == 400
    assert "仅支持" in response.text


def test_periodic_schedules_run_on_china_time():
    """huey asks with a naive UTC timestamp: "02:10" is 18:10 UTC the day before (it used to run
    at 10:10 Beijing time)."""
    import datetime as dt

    from marketreg.app import wiring  # noqa: F401 - every periodic job
    from marketreg.platform.tasks import huey

    def due(*utc: int) -> set[str]:
        return {t.name for t in huey.read_periodic(dt.datetime(*utc))}

    assert "sweep_daily" in due(2026, 7, 1, 18, 10)  # 02:10 on 2 July in Beijing
    assert "sweep_daily" not in due(2026, 7, 2, 2, 10)  # 10:10 in Beijing
