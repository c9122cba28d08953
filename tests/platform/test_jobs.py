"""Jobs: any exception marks the job failed with the error; a job runs as the person who
started it, rebuilt from their current roles (a disabled starter stops it)."""

from __future__ import annotations

from sqlalchemy import update

from marketreg.domains.org import service as org
from marketreg.domains.org.models import User
from marketreg.platform import jobs
from marketreg.platform.jobs import Job


def _registrar(db):
    with db.read() as s:
        return org.actor_for(s, user=org.get_user_by_username(s, username="lx_registrar"))


def _job(db, job_id: int) -> Job:
    with db.read() as s:
        return s.get(Job, job_id)


def test_an_unexpected_error_marks_the_job_failed_with_the_error(tasks_db):
    job_id = jobs.create_job(tasks_db, kind="test.boom", title="测试任务", actor=_registrar(tasks_db))

    def body(actor, reporter):
        reporter.progress(1, 10, force=True)
        raise KeyError("缺少列")

    assert jobs.run_job(job_id, body) == {}
    job = _job(tasks_db, job_id)
    assert job.status == "failed" and job.finished_at is not None
    assert "KeyError" in job.message and "缺少列" in job.message


def test_a_job_runs_as_its_starter_and_stops_when_they_are_disabled(tasks_db):
    registrar = _registrar(tasks_db)
    job_id = jobs.create_job(tasks_db, kind="test.who", title="测试任务", actor=registrar)
    assert (_job(tasks_db, job_id).created_by_id, _job(tasks_db, job_id).created_by_name) == (
        registrar.user_id, "历下区局登记员")
    ran_as = jobs.run_job(job_id, lambda actor, reporter: {"user": actor.username, "org": actor.org_path,
                                                           "can_list": actor.can("credit.list")})
    assert ran_as == {"user": "lx_registrar", "org": "/370000/370100/370102/", "can_list": True}

    with tasks_db.transaction() as s:
        s.execute(update(User).where(User.id == registrar.user_id).values(is_active=False))
    job_id = jobs.create_job(tasks_db, kind="test.who", title="测试任务", actor=registrar)
    assert jobs.run_job(job_id, lambda actor, reporter: {"ran": True}) == {}
    job = _job(tasks_db, job_id)
    assert job.status == "failed" and job.message.startswith("job.actor_gone")
