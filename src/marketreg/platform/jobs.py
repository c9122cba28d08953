"""Long-running jobs as rows with progress (the staff job monitor reads these).

Progress is written in its own short transactions so the monitor sees it while the job's
own work is still running, and is throttled so a 15-million-row import does not spend its
time reporting. A job records who started it and runs as that person (``run_job`` rebuilds
the actor in the worker from the user's current roles and unit); whatever it raises marks it
failed with the error, so no job stays "running" after it stopped.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable

from sqlalchemy import JSON, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from marketreg.kernel import clock
from marketreg.kernel.errors import DomainError
from marketreg.platform.authz import SYSTEM, Actor, org_path_type, scope
from marketreg.platform.db import Base, Sessions, get_sessions

log = logging.getLogger(__name__)
# user id → Actor (None when the user is gone or disabled); the composition root sets it,
# since the platform knows no user table.
ActorLoader = Callable[[Session, int], Actor | None]
_actor_loader: ActorLoader | None = None

STATUS_LABELS = {"queued": "排队中", "running": "进行中", "succeeded": "已完成", "failed": "失败"}


class Job(Base):
    __tablename__ = "job"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(64), index=True)
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    total: Mapped[int | None]
    done: Mapped[int] = mapped_column(default=0)
    message: Mapped[str] = mapped_column(Text, default="")
    result: Mapped[dict | None] = mapped_column(JSON)
    org_path: Mapped[str] = mapped_column(org_path_type(64), index=True)
    created_by: Mapped[str] = mapped_column(String(64))
    created_by_id: Mapped[int | None]
    created_by_name: Mapped[str] = mapped_column(String(64), default="", server_default="")
    created_at: Mapped[dt.datetime]
    started_at: Mapped[dt.datetime | None]
    finished_at: Mapped[dt.datetime | None]

    @property
    def percent(self) -> int | None:
        if not self.total:
            return 100 if self.status == "succeeded" else None
        return min(100, int(self.done * 100 / self.total))

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)


def create_job(sessions: Sessions, *, kind: str, title: str, actor: Actor, total: int | None = None) -> int:
    with sessions.transaction() as session:
        job = Job(kind=kind, title=title, total=total, org_path=actor.org_path if actor.org_path != "/"
                  else "/370000/", created_by=actor.username, created_by_id=actor.user_id,
                  created_by_name=actor.display_name[:64], created_at=clock.now())
        session.add(job)
        session.flush()
        return job.id


class JobReporter:
    """Writes a job's progress at most every ``interval`` seconds."""

    def __init__(self, sessions: Sessions, job_id: int, *, interval: float = 0.5):
        self.sessions, self.job_id, self.interval = sessions, job_id, interval
        self._last = 0.0

    def _update(self, **values) -> None:
        with self.sessions.transaction() as session:
            job = session.get(Job, self.job_id)
            if job is None:
                return
            for key, value in values.items():
                setattr(job, key, value)

    def start(self, total: int | None = None) -> None:
        self._update(status="running", started_at=clock.now(), total=total)

    def progress(self, done: int, total: int | None = None, *, message: str = "", force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last < self.interval:
            return
        self._last = now
        values: dict = {"done": done}
        if total is not None:
            values["total"] = total
        if message:
            values["message"] = message
        self._update(**values)

    def finish(self, *, result: dict, message: str = "") -> None:
        self._update(status="succeeded", finished_at=clock.now(), result=result, message=message)

    def fail(self, *, message: str) -> None:
        self._update(status="failed", finished_at=clock.now(), message=message[:2000])


def list_jobs(session: Session, *, actor: Actor, limit: int = 50) -> list[Job]:
    stmt = scope(select(Job), Job.org_path, actor).order_by(Job.id.desc()).limit(limit)
    return list(session.scalars(stmt))


def use_actor_loader(loader: ActorLoader) -> None:
    global _actor_loader
    _actor_loader = loader


class JobActorGone(DomainError):
    def __init__(self) -> None:
        super().__init__("job.actor_gone", "发起任务的用户不存在或已停用，任务未执行")


def job_actor(sessions: Sessions, job_id: int) -> Actor:
    """The actor the job runs as: its starter as they are now, or SYSTEM for scheduled jobs."""
    with sessions.read() as session:
        job = session.get(Job, job_id)
        if job is None or job.created_by_id is None:
            return SYSTEM
        actor = _actor_loader(session, job.created_by_id) if _actor_loader else None
    if actor is None:
        raise JobActorGone()
    return actor


def run_job(job_id: int, body: Callable[[Actor, JobReporter], dict]) -> dict:
    """Run a job's body as the person who started it. A refusal (DomainError) or any other
    exception marks the job failed with the reason; the job never stays "running"."""
    sessions = get_sessions()
    reporter = JobReporter(sessions, job_id)
    try:
        actor = job_actor(sessions, job_id)
        reporter.start()
        return body(actor, reporter)
    except DomainError as exc:
        reporter.fail(message=f"{exc.code}：{exc.message_zh}")
    except Exception as exc:
        log.exception("job %s failed", job_id)
        reporter.fail(message=f"内部错误（{type(exc).__name__}）：{exc}")
    return {}
