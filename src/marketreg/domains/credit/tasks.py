"""Background and periodic jobs of credit: the annual-report sweep, the list clocks and the
monthly classification. All idempotent (keyed by report year / stored dates / run)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from marketreg.domains.credit import actions, classify
from marketreg.domains.credit.classify import due_report_year
from marketreg.domains.org import service as org
from marketreg.kernel import clock
from marketreg.kernel.errors import DomainError
from marketreg.platform.authz import SYSTEM, Actor
from marketreg.platform.db import get_sessions
from marketreg.platform.jobs import JobReporter
from marketreg.platform.tasks import crontab, periodic, task


def sweep_in_chunks(report_year: int, *, actor: Actor, today: dt.date | None = None,
                    progress: Callable[[int, int], None] | None = None) -> tuple[int, int]:
    """(listed now, listed before) in the actor's jurisdiction: one transaction per chunk, so a
    province-wide sweep neither holds one huge transaction nor blocks the progress writes;
    idempotent, so a crash resumes."""
    sessions = get_sessions()
    listed = already = 0
    while True:
        with sessions.transaction() as session:
            result = actions.sweep_annual_reports(session, actor=actor, report_year=report_year, today=today,
                                                  limit=actions.SWEEP_CHUNK)
        already = already or result.already
        listed += result.listed
        if progress:
            progress(listed, listed + result.remaining)
        if not result.remaining or not result.listed:
            return listed, already


@task()
def sweep_annual_reports_task(job_id: int, report_year: int, username: str) -> dict:
    """The staff sweep as a job with progress, run as the staff user who started it: within their
    jurisdiction, audited as them."""
    reporter = JobReporter(get_sessions(), job_id)
    reporter.start()
    try:
        with get_sessions().read() as session:
            actor = org.acting_as(session, username=username)
        listed, already = sweep_in_chunks(report_year, actor=actor, progress=lambda done, total: reporter.progress(
            done, total, message=f"已列入 {done:,} 户"))
    except DomainError as exc:
        reporter.fail(message=f"{exc.code}：{exc.message_zh}")
        return {}
    out = {"report_year": report_year, "listed": listed, "already": already}
    reporter.progress(max(listed, 1), max(listed, 1), force=True)
    reporter.finish(result=out, message=f"新列入 {listed:,} 户，此前已列入 {already:,} 户")
    return out


@task()
def classify_task(job_id: int) -> dict:
    """The on-demand classification: a short write transaction per id range, progress between them."""
    sessions = get_sessions()
    reporter = JobReporter(sessions, job_id)
    reporter.start()
    result = classify.run_in_ranges(sessions, job_id=job_id, progress=reporter.progress)
    out = {"run_id": result.run_id, "entities": result.entities, "counts": result.counts}
    reporter.progress(result.entities, result.entities, force=True)
    reporter.finish(result=out, message="、".join(f"{k}类 {v:,}" for k, v in result.counts.items()))
    return out


@periodic(crontab(hour="2", minute="10"))
def sweep_daily() -> dict:
    """Daily from 1 July: list missing annual reports (a re-run lists nothing new); list clocks."""
    today = clock.today()
    listed, _ = sweep_in_chunks(due_report_year(today), actor=SYSTEM, today=today)
    with get_sessions().transaction() as session:
        swept = actions.sweep_list_deadlines(session, actor=SYSTEM, today=today)
    return {"listed": listed, "transferred": swept.transferred, "expired": swept.expired}


@periodic(crontab(day="1", hour="3", minute="0"))
def classify_monthly() -> dict:
    """RULES 4.4: classes are updated monthly."""
    result = classify.run_in_ranges(get_sessions())
    return {"run_id": result.run_id, "entities": result.entities}
