"""Import files: storing an upload, starting its job, and the files a finished job left
(the rejected-rows report), read back only inside the reader's jurisdiction."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketreg.domains.registry import tasks
from marketreg.kernel.errors import DomainError, NotFound
from marketreg.platform import audit, jobs
from marketreg.platform.authz import Actor, scope
from marketreg.platform.db import Sessions

MAX_UPLOAD_BYTES = 512 * 1024 * 1024
SUFFIXES = {".csv", ".xlsx", ".xls"}
JOB_KIND = "registry.import"


def start_import(sessions: Sessions, *, actor: Actor, filename: str, stream: BinaryIO) -> int:
    """Store the upload and queue its import as ``actor``; returns the job id."""
    actor.require("registry.import")
    suffix = Path(filename or "").suffix.lower()
    if suffix not in SUFFIXES:
        raise DomainError("import.bad_type", "仅支持 CSV 或 Excel（.xlsx/.xls）文件")
    target = tasks.upload_path(f"{secrets.token_hex(8)}{suffix}")
    target.parent.mkdir(parents=True, exist_ok=True)
    size = 0
    with target.open("wb") as out:
        while chunk := stream.read(1 << 20):
            size += len(chunk)
            if size > MAX_UPLOAD_BYTES:
                out.close()
                target.unlink(missing_ok=True)
                raise DomainError("import.too_large", "文件超过 512MB 上限")
            out.write(chunk)
    job_id = jobs.create_job(sessions, kind=JOB_KIND, title=f"导入市场主体：{Path(filename).name}", actor=actor)
    tasks.import_entities_task(job_id, target.name)
    return job_id


def import_job(session: Session, *, actor: Actor, job_id: int) -> jobs.Job:
    """An import job inside the actor's jurisdiction (404 otherwise)."""
    stmt = scope(select(jobs.Job).where(jobs.Job.id == job_id, jobs.Job.kind == JOB_KIND), jobs.Job.org_path, actor)
    job = session.scalar(stmt)
    if job is None:
        raise NotFound("registry.import_not_found", "导入任务不存在或不在您的管辖范围内")
    return job


def error_report(session: Session, *, actor: Actor, job_id: int) -> Path:
    """The rejected-rows report of an import (original values, ID numbers included): the
    read is audited like any unmasked read."""
    actor.require("registry.import")
    job = import_job(session, actor=actor, job_id=job_id)
    name = (job.result or {}).get("error_file")
    path = Path(name).resolve() if name else None
    if path is None or not path.is_file() or path.parent != tasks.upload_path("x").parent.resolve():
        raise NotFound("registry.no_error_report", "该导入任务没有被拒绝的行")
    audit.record(session, actor=actor, action="registry.import_errors_downloaded", subject_type="job",
                 subject_id=job.id, new={"file": path.name})
    return path
