"""Background jobs of the registry."""

from __future__ import annotations

from pathlib import Path

from marketreg.domains.registry import importer
from marketreg.platform.authz import Actor
from marketreg.platform.db import get_sessions
from marketreg.platform.jobs import JobReporter, run_job
from marketreg.platform.settings import get_settings
from marketreg.platform.tasks import task


@task()
def import_entities_task(job_id: int, stored_name: str) -> dict:
    """Run an uploaded import (``stored_name`` under the shared storage's ``uploads``) as the
    staff user who started it; idempotent (a retried run upserts the same rows again)."""
    return run_job(job_id, lambda actor, reporter: _import(actor, reporter, stored_name))


def upload_path(stored_name: str) -> Path:
    """Where an uploaded import lives: the shared storage, reachable from every worker."""
    return get_settings().storage_path("uploads", Path(stored_name).name)


def _import(actor: Actor, reporter: JobReporter, stored_name: str) -> dict:
    report = importer.import_entities(
        get_sessions(), path=upload_path(stored_name), actor=actor, chunk_rows=get_settings().import_chunk_rows,
        progress=lambda done, total, r: reporter.progress(done, total, message=f"已处理 {r.rows:,} 行"),
    )
    reporter.progress(1, 1, force=True)
    reporter.finish(result=report.as_dict(),
                    message=f"共 {report.rows:,} 行：新增 {report.inserted:,}，更新 {report.updated:,}，"
                            f"未变 {report.unchanged:,}，拒绝 {report.rejected:,}{importer.reasons_zh(report)}")
    return report.as_dict()
