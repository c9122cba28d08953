"""Background and periodic jobs of credit: the annual-report sweep, the list clocks and the
monthly classification. All idempotent (keyed by report year / stored dates / run)."""

from __future__ import annotations

from marketreg.domains.credit import actions, classify
from marketreg.domains.credit.classify import due_report_year
from marketreg.kernel import clock
from marketreg.kernel.errors import DomainError
from marketreg.platform.authz import SYSTEM
from marketreg.platform.db import get_sessions
from marketreg.platform.jobs import JobReporter
from marketreg.platform.tasks import crontab, periodic, task


@task()
def sweep_annual_reports_task(job_id: int, report_year: int) -> dict:
    sessions = get_sessions()
    reporter = JobReporter(sessions, job_id)
    reporter.start()
    try:
        with sessions.transaction() as session:
            result = actions.sweep_annual_reports(session, actor=SYSTEM, report_year=report_year,
                                                  progress=lambda done, total: reporter.progress(done, total))
    except DomainError as exc:
        reporter.fail(message=f"{exc.code}：{exc.message_zh}")
        return {}
    out = {"report_year": report_year, "listed": result.listed, "already": result.already}
    reporter.progress(1, 1, force=True)
    reporter.finish(result=out, message=f"新列入 {result.listed:,} 户，此前已列入 {result.already:,} 户")
    return out


@task()
def classify_task(job_id: int) -> dict:
    sessions = get_sessions()
    reporter = JobReporter(sessions, job_id)
    reporter.start()
    with sessions.transaction() as session:
        result = classify.classify_all(session, job_id=job_id,
                                       progress=lambda done, total: reporter.progress(done, total))
    out = {"run_id": result.run_id, "entities": result.entities, "counts": result.counts}
    reporter.progress(result.entities, result.entities, force=True)
    reporter.finish(result=out, message="、".join(f"{k}类 {v:,}" for k, v in result.counts.items()))
    return out


@periodic(crontab(hour="2", minute="10"))
def sweep_daily() -> dict:
    """Daily from 1 July: list missing annual reports (a re-run lists nothing new); list clocks."""
    today = clock.today()
    out: dict = {}
    with get_sessions().transaction() as session:
        year = due_report_year(today)
        out["listed"] = actions.sweep_annual_reports(session, actor=SYSTEM, report_year=year, today=today).listed
        swept = actions.sweep_list_deadlines(session, actor=SYSTEM, today=today)
    out.update(transferred=swept.transferred, expired=swept.expired)
    return out


@periodic(crontab(day="1", hour="3", minute="0"))
def classify_monthly() -> dict:
    """RULES 4.4: classes are updated monthly."""
    with get_sessions().transaction() as session:
        result = classify.classify_all(session)
    return {"run_id": result.run_id, "entities": result.entities}
