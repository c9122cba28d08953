"""Long-running jobs as rows with progress (the staff job monitor reads these).

Progress is written in its own short transactions so the monitor sees it while the job's
own work is still running, and is throttled so a 15-million-row import does not spend its
time reporting.
"""

from __future__ import annotations

import datetime as dt
import time

from sqlalchemy import JSON, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from marketreg.kernel import clock
from marketreg.platform.authz import Actor, org_path_type, scope
from marketreg.platform.db import Base, Sessions

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
                  else "/370000/", created_by=actor.username, created_at=clock.now())
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
