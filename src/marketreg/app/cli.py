"""The ``marketreg`` command line. Errors print their reason and exit non-zero."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Annotated

import typer

from marketreg.kernel import clock
from marketreg.kernel.errors import DomainError

app = typer.Typer(help="智慧市场监管一体化平台 — marketreg", no_args_is_help=True, add_completion=False,
                  pretty_exceptions_enable=False)
import_app = typer.Typer(help="批量导入", no_args_is_help=True)
calendar_app = typer.Typer(help="工作日历", no_args_is_help=True)
audit_app = typer.Typer(help="审计日志", no_args_is_help=True)
app.add_typer(import_app, name="import")
app.add_typer(calendar_app, name="calendar")
app.add_typer(audit_app, name="audit")


def _fail(message: str, code: int = 2) -> None:
    typer.echo(message, err=True)
    raise typer.Exit(code)


def _sessions():
    from marketreg.platform.db import get_sessions

    return get_sessions()


AsUser = Annotated[str, typer.Option("--as", help="acting staff username (default: the system)")]


def _acting_as(sessions, username: str):
    """The staff actor ``--as`` names (their jurisdiction, audited as them), or None without it."""
    from marketreg.domains.org import service as org

    if not username:
        return None
    with sessions.read() as session:
        try:
            return org.acting_as(session, username=username)
        except DomainError as exc:
            _fail(f"{exc.code}\t{exc.message_zh}")


@app.command()
def migrate(revision: str = "head") -> None:
    """Upgrade the database schema (Alembic) and load reference data."""
    from marketreg.app.bootstrap import setup_base
    from marketreg.app.migrations_runner import upgrade

    upgrade(revision)
    counts = setup_base(_sessions())
    typer.echo(f"migrated to {revision}; reference data: {counts}")


@app.command()
def seed(entities: Annotated[int, typer.Option(min=0, help="number of synthetic entities")] = 20_000,
         seed: Annotated[int, typer.Option(help="random seed")] = 2021,
         users: Annotated[bool, typer.Option(help="create demo staff accounts")] = True,
         complaints: Annotated[int, typer.Option(min=0, help="number of demo 12315 items")] = 300) -> None:
    """Generate the demo province (idempotent for the same seed)."""
    from tqdm import tqdm

    from marketreg.app import demo
    from marketreg.app.bootstrap import setup_base
    from marketreg.domains.sysadmin.tasks import check_calendar_coverage

    sessions = _sessions()
    setup_base(sessions)
    if users:
        for username, display, unit in demo.setup_demo_users(sessions):
            typer.echo(f"demo login: {username} / {demo.DEMO_PASSWORD}  ({display}, {unit})")
    with tqdm(total=entities, unit="row", desc="entities", disable=not sys.stderr.isatty()) as bar:
        inserted = demo.seed_entities(sessions, n=entities, seed=seed, progress=bar.update)
    typer.echo(f"entities inserted: {inserted} (requested {entities})")
    if complaints:
        with tqdm(total=complaints, unit="item", desc="complaints", disable=not sys.stderr.isatty()) as bar:
            report = demo.seed_complaints(sessions, n=complaints, seed=seed, progress=bar.update)
        typer.echo(f"complaints filed: {report.created} (skipped {report.skipped}, failed {report.failed}, "
                   f"closed {report.closed})")
        if report.enterprise_uscc:
            typer.echo(f"demo enterprise login: {demo.DEMO_ENTERPRISE_USER} / {demo.DEMO_PASSWORD}  "
                       f"({report.enterprise_uscc}, ODR)")
    if users:
        typer.echo(f"enforcement demo cases: {demo.seed_enforcement(sessions)}")
    credit = demo.seed_credit(sessions)
    typer.echo(f"credit: {credit.reports} annual reports for {credit.report_year}, {credit.listed} listed, "
               f"{credit.classified} classified")
    if users and entities:  # after credit: the draws read the risk classes
        typer.echo(f"inspection batches drawn: {demo.seed_inspections(sessions, seed=seed)}")
    if users and complaints:
        typer.echo(f"workbench demo items (overdue, due soon, 督办): {demo.seed_workbench(sessions)}")
    # the workbench's calendar alert now rather than at the next 07:00 run
    covered = check_calendar_coverage(clock.today())
    typer.echo(f"next year's holiday arrangement: {'loaded' if covered else 'missing (alert on the workbench)'}")


@app.command()
def serve(host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve both portals and the API."""
    import uvicorn

    from marketreg.app.main import create_app

    # uvicorn would rewrite the client address from X-Forwarded-For of any local peer; the app
    # decides itself, from MARKETREG_TRUSTED_PROXIES only (web.ratelimit.client_address).
    uvicorn.run(create_app(), host=host, port=port, log_level="info", proxy_headers=False)


@app.command()
def worker(workers: int = 2, periodic: bool = True) -> None:
    """A task worker process (Redis backend). Run --periodic on exactly one worker."""
    import marketreg.app.main  # noqa: F401 - registers every task
    from marketreg.platform.tasks import run_worker

    run_worker(workers=workers, periodic_tasks=periodic)


@import_app.command("entities")
def import_entities(file: Path, chunk: Annotated[int, typer.Option(min=100, max=100_000)] = 50_000,
                    as_user: AsUser = "") -> None:
    """Import market entities from CSV/XLSX; invalid rows go to FILE.errors.csv."""
    from tqdm import tqdm

    from marketreg.domains.registry.importer import import_entities as run_import
    from marketreg.platform import jobs
    from marketreg.platform.authz import SYSTEM

    sessions = _sessions()
    actor = _acting_as(sessions, as_user) or SYSTEM
    job_id = jobs.create_job(sessions, kind="registry.import", title=f"导入市场主体：{file.name}", actor=actor)
    reporter = jobs.JobReporter(sessions, job_id)
    reporter.start()
    with tqdm(total=file.stat().st_size if file.exists() else 0, unit="B", unit_scale=True,
              desc="import", disable=not sys.stderr.isatty()) as bar:
        def progress(done: int, total: int, report) -> None:
            bar.update(done - bar.n)
            bar.set_postfix(rows=report.rows, rejected=report.rejected)
            reporter.progress(done, total, message=f"已处理 {report.rows:,} 行")

        try:
            report = run_import(sessions, path=file, actor=actor, chunk_rows=chunk, progress=progress)
        except DomainError as exc:
            reporter.fail(message=f"{exc.code}：{exc.message_zh}")
            _fail(f"{exc.code}\t{exc.message_zh}")
        except Exception as exc:  # the job must not stay "running" in the monitor
            reporter.fail(message=f"内部错误（{type(exc).__name__}）：{exc}")
            raise
    reporter.progress(1, 1, force=True)
    reporter.finish(result=report.as_dict(), message=f"共 {report.rows:,} 行，拒绝 {report.rejected:,}")
    typer.echo(f"rows={report.rows} inserted={report.inserted} updated={report.updated} "
               f"unchanged={report.unchanged} rejected={report.rejected}")
    if report.rejected:
        typer.echo(f"errors: {report.error_file} {report.reasons}")


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        _fail(f"invalid date: {value!r} (expected YYYY-MM-DD)")
        raise


@calendar_app.command("add-workdays")
def add_workdays(date: str, n: int) -> None:
    """Print the N-th working day after DATE (DATE not counted); TAB provisional if unofficial."""
    from marketreg.domains.sysadmin.actions import note_provisional
    from marketreg.platform.calendar import load_calendar

    start = _date(date)
    if n < 0 or n > 3650:
        _fail("N must be between 0 and 3650")
    with _sessions().transaction() as session:
        due = load_calendar(session).add_workdays(start, n)
        note_provisional(session, due=due, start=start)
    typer.echo(due.due_on.isoformat() + ("\tprovisional" if due.provisional else ""))


@calendar_app.command("import")
def calendar_import(file: Path, source: str = "", as_user: AsUser = "") -> None:
    """Load one year's State Council arrangement (CSV: date,type,name; type holiday|workday)."""
    from marketreg.domains.sysadmin.actions import do_import_arrangement
    from marketreg.platform.authz import SYSTEM

    if not file.is_file():
        _fail(f"file not found: {file}")
    actor = _acting_as(_sessions(), as_user) or SYSTEM
    try:
        text = file.read_text(encoding="utf-8-sig")
        with _sessions().transaction() as session:
            year, days = do_import_arrangement(session, actor=actor, text=text, source=source or file.name)
    except (DomainError, UnicodeDecodeError) as exc:
        _fail(f"{getattr(exc, 'code', 'calendar.encoding')}\t{getattr(exc, 'message_zh', str(exc))}")
    typer.echo(f"{year}\t{days} days loaded")


@audit_app.command("verify")
def audit_verify() -> None:
    """Walk the sealed chain against the key and the anchored head; exit 1 naming the first
    problem (altered, deleted, broken_link, recomputed, truncated, anchor_*)."""
    from marketreg.platform.audit import verify

    with _sessions().read() as session:
        result = verify(session)
    anchored = "none" if result.anchored_seq is None else str(result.anchored_seq)
    if result.ok:
        typer.echo(f"ok\t{result.rows} rows sealed\t{result.pending} pending\tanchored seq={anchored}")
        return
    typer.echo(f"broken\tseq={result.first_bad_seq}\t{result.problem}\t{result.problem_label}")
    raise typer.Exit(1)


@audit_app.command("seal")
def audit_seal() -> None:
    """Seal the pending rows now (the sealer job does this every minute) and anchor the head."""
    from marketreg.platform.audit import seal

    typer.echo(f"sealed\t{seal(_sessions())} rows")


@audit_app.command("head")
def audit_head() -> None:
    """Print the chain's signed head as JSON (keep a copy outside this machine)."""
    import json

    from marketreg.platform.audit import as_dict, current_head

    with _sessions().read() as session:
        head = current_head(session)
    if head is None:
        _fail("审计链尚未封存（先运行 marketreg audit seal）")
    typer.echo(json.dumps(as_dict(head), ensure_ascii=False))


def _mount_domain_clis() -> None:
    from marketreg.domains.complaints.cli import complaints_app
    from marketreg.domains.credit.cli import credit_app
    from marketreg.domains.enforcement.cli import enforcement_app
    from marketreg.domains.inspections.cli import inspections_app
    from marketreg.domains.reference.cli import codes_app

    app.add_typer(codes_app, name="codes")
    app.add_typer(complaints_app, name="complaints")
    app.add_typer(inspections_app, name="inspections")
    app.add_typer(credit_app, name="credit")
    app.add_typer(enforcement_app, name="enforcement")


_mount_domain_clis()


def main() -> None:
    """Entry point: every refusal prints its reason and exits non-zero, without a traceback."""
    from sqlalchemy.exc import OperationalError, ProgrammingError

    try:
        app()
    except DomainError as exc:
        typer.echo(f"{exc.code}\t{exc.message_zh}", err=True)
        sys.exit(2)
    except (OperationalError, ProgrammingError) as exc:
        missing = "no such table" in str(exc) or "does not exist" in str(exc)
        typer.echo("数据库未初始化，请先运行 marketreg migrate" if missing else f"数据库错误：{exc.orig}", err=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
