"""Background and periodic jobs of credit: the annual-report sweep, the list clocks and the
monthly classification. All idempotent (keyed by report year / stored dates / run)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from marketreg.domains.credit import actions, classify, service
from marketreg.domains.credit.classify import due_report_year
from marketreg.domains.credit.enums import RISK_CLASSES
from marketreg.kernel import clock
from marketreg.platform.authz import SYSTEM, Actor
from marketreg.platform.db import get_sessions
from marketreg.platform.jobs import JobReporter, run_job
from marketreg.platform.tasks import crontab, periodic, task


def sweep_in_chunks(report_year: int, *, actor: Actor = SYSTEM, today: dt.date | None = None,
                    progress: Callable[[int, int], None] | None = None) -> tuple[int, int]:
    """(listed now, listed before): one transaction per chunk, so a province-wide sweep neither
    holds one huge transaction nor blocks the progress writes; idempotent, so a crash resumes."""
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
def sweep_annual_reports_task(job_id: int, report_year: int) -> dict:
    """The staff sweep as a job with progress, run as the staff user who started it."""
    return run_job(job_id, lambda actor, reporter: _sweep_job(actor, reporter, report_year))


def _sweep_job(actor: Actor, reporter: JobReporter, report_year: int) -> dict:
    listed, already = sweep_in_chunks(report_year, actor=actor, progress=lambda done, total: reporter.progress(
        done, total, message=f"已列入 {done:,} 户"))
    out = {"report_year": report_year, "listed": listed, "already": already}
    reporter.progress(max(listed, 1), max(listed, 1), force=True)
    reporter.finish(result=out, message=f"新列入 {listed:,} 户，此前已列入 {already:,} 户")
    return out


@task()
def classify_task(job_id: int) -> dict:
    """The on-demand classification: a transaction per id range, progress between ranges."""
    return run_job(job_id, lambda actor, reporter: _classify_job(reporter, job_id))


def _classify_job(reporter: JobReporter, job_id: int) -> dict:
    out = classify_in_chunks(job_id=job_id, progress=reporter.progress)
    reporter.finish(result=out, message="、".join(f"{k}类 {v:,}" for k, v in out["counts"].items()))
    return out


def classify_in_chunks(*, job_id: int | None = None, progress: Callable[..., None] | None = None) -> dict:
    """Every entity's class, a transaction per id range (no writer held for the whole province),
    for the business date it starts on."""
    sessions = get_sessions()
    today = clock.today()
    with sessions.transaction() as session:
        run_id = classify.start_run(session, today=today, job_id=job_id).id
        lo, hi, total = service.id_bounds(session)
    counts = dict.fromkeys(RISK_CLASSES, 0)
    done = 0
    for start in range(lo, hi + 1, classify.CHUNK):
        with sessions.transaction() as session:
            n, found, _ = classify.classify_range(session, run_id=run_id, lo=start, hi=start + classify.CHUNK,
                                                  today=today)
        done += n
        for cls, k in found.items():
            counts[cls] += k
        if progress:
            progress(done, total)
    with sessions.transaction() as session:
        classify.finish_run(session, run_id=run_id, entities=done, counts=counts)
    if progress:
        progress(done, total, force=True)
    return {"run_id": run_id, "entities": done, "counts": counts}


@periodic(crontab(hour="2", minute="10"))
def sweep_daily() -> dict:
    """Daily from 1 July: list missing annual reports (a re-run lists nothing new); list clocks."""
    today = clock.today()
    listed, _ = sweep_in_chunks(due_report_year(today), today=today)
    with get_sessions().transaction() as session:
        swept = actions.sweep_list_deadlines(session, actor=SYSTEM, today=today)
    return {"listed": listed, "transferred": swept.transferred, "expired": swept.expired}


@periodic(crontab(day="1", hour="3", minute="0"))
def classify_monthly() -> dict:
    """RULES 4.4: classes are updated monthly (range by range, like the staff job)."""
    return classify_in_chunks()
