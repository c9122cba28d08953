"""Background jobs of the registry."""

from __future__ import annotations

from pathlib import Path

from marketreg.domains.org import service as org
from marketreg.domains.registry import importer
from marketreg.kernel.errors import DomainError
from marketreg.platform.db import get_sessions
from marketreg.platform.jobs import JobReporter
from marketreg.platform.settings import get_settings
from marketreg.platform.tasks import task


@task()
def import_entities_task(job_id: int, path: str, user_id: int) -> dict:
    """Run an uploaded import; idempotent (a retried run upserts the same rows again)."""
    sessions = get_sessions()
    reporter = JobReporter(sessions, job_id)
    with sessions.read() as session:
        user = org.get_user(session, user_id=user_id)
        if user is None:
            reporter.fail(message="用户不存在")
            return {}
        actor = org.actor_for(session, user=user)
    reporter.start()
    try:
        report = importer.import_entities(
            sessions, path=Path(path), actor=actor, chunk_rows=get_settings().import_chunk_rows,
            progress=lambda done, total, r: reporter.progress(done, total, message=f"已处理 {r.rows:,} 行"),
        )
    except DomainError as exc:
        reporter.fail(message=f"{exc.code}：{exc.message_zh}")
        return {}
    reporter.progress(1, 1, force=True)
    reporter.finish(result=report.as_dict(),
                    message=f"共 {report.rows:,} 行：新增 {report.inserted:,}，更新 {report.updated:,}，"
                            f"未变 {report.unchanged:,}，拒绝 {report.rejected:,}{importer.reasons_zh(report)}")
    return report.as_dict()
