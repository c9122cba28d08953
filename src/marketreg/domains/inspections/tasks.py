"""Background jobs of random inspections: freezing a batch's directory (a province-wide batch
extracts millions of rows)."""

from __future__ import annotations

from marketreg.domains.inspections import actions
from marketreg.domains.org import service as org
from marketreg.kernel.errors import DomainError
from marketreg.platform.db import get_sessions
from marketreg.platform.jobs import JobReporter
from marketreg.platform.tasks import task


@task()
def freeze_batch_task(job_id: int, batch_id: int, user_id: int) -> dict:
    """Freeze a batch as the staff user who started it: the extraction, trial draw and
    serialisation in a read transaction (progress by extracted rows), then the snapshots and the
    commitment in one short write transaction, so the writer is never held for the extraction."""
    sessions = get_sessions()
    reporter = JobReporter(sessions, job_id)
    with sessions.read() as session:
        user = org.get_user(session, user_id=user_id)
        actor = org.actor_for(session, user=user) if user is not None else None
    if actor is None:
        reporter.fail(message="用户不存在")
        return {}
    reporter.start()
    try:
        with sessions.read() as session:
            frozen = actions.prepare_freeze(session, actor=actor, batch_id=batch_id, progress=lambda done: (
                reporter.progress(done, message=f"已提取名录 {done:,} 户")))
        reporter.progress(frozen.directory_size, frozen.directory_size, message="正在保存快照", force=True)
        with sessions.transaction() as session:
            batch = actions.do_commit_batch(session, actor=actor, batch_id=batch_id, frozen=frozen)
            out = {"batch_no": batch.batch_no, "directory_size": batch.directory_size,
                   "commitment": batch.commitment}
    except DomainError as exc:
        reporter.fail(message=f"{exc.code}：{exc.message_zh}")
        return {}
    reporter.finish(result=out, message=f"名录 {out['directory_size']:,} 户已冻结，承诺值 {out['commitment'][:16]}…")
    return out
