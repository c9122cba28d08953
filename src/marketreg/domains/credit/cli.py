"""``marketreg credit …``: the annual-report sweep and the classification, from the shell.

Without ``--as`` a command runs as the province's periodic job does (the system); with it, as that
staff user, within their jurisdiction and audited as them.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

credit_app = typer.Typer(help="信用监管", no_args_is_help=True)
AsUser = Annotated[str, typer.Option("--as", help="acting staff username (default: the province's system job)")]


def _actor(session, username: str):
    from marketreg.domains.org import service as org
    from marketreg.platform.authz import SYSTEM

    return org.acting_as(session, username=username) if username else SYSTEM


def _fail(exc) -> None:
    typer.echo(f"{exc.code}: {exc.message_zh}", err=True)
    raise typer.Exit(1) from None


@credit_app.command("sweep-annual-reports")
def sweep_command(year: Annotated[int, typer.Option("--year", help="report year (filed 1 Jan–30 Jun of year+1)")],
                  today: Annotated[str | None, typer.Option(help="business date YYYY-MM-DD (default today)")] = None,
                  as_user: AsUser = "") -> None:
    """List every reporting entity without the YEAR report on the abnormal list (idempotent)."""
    from marketreg.domains.credit import actions
    from marketreg.kernel.errors import DomainError
    from marketreg.platform.db import get_sessions

    day = dt.date.fromisoformat(today) if today else None
    try:
        with get_sessions().transaction() as session:
            result = actions.sweep_annual_reports(session, actor=_actor(session, as_user), report_year=year,
                                                  today=day)
    except DomainError as exc:
        _fail(exc)
    typer.echo(f"year={result.report_year}\tlisted={result.listed}\talready={result.already}\t"
               f"listing_due_on={result.listing_due_on}")


@credit_app.command("classify")
def classify_command(as_user: AsUser = "") -> None:
    """Recompute every entity's credit risk class (A–D); with ``--as``, only a province user may."""
    from marketreg.domains.credit import actions, classify
    from marketreg.kernel.errors import DomainError
    from marketreg.platform.db import get_sessions

    try:
        if as_user:
            with get_sessions().transaction() as session:
                actions.do_request_classification(session, actor=_actor(session, as_user))
        result = classify.run_in_ranges(get_sessions())
    except DomainError as exc:
        _fail(exc)
    typer.echo(f"run={result.run_id}\tentities={result.entities}\t" +
               "\t".join(f"{k}={v}" for k, v in result.counts.items()))
