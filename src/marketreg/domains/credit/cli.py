"""``marketreg credit …``: the annual-report sweep and the classification, from the shell."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

credit_app = typer.Typer(help="信用监管", no_args_is_help=True)


@credit_app.command("sweep-annual-reports")
def sweep_command(year: Annotated[int, typer.Option("--year", help="report year (filed 1 Jan–30 Jun of year+1)")],
                  today: Annotated[str | None, typer.Option(help="business date YYYY-MM-DD (default today)")] = None
                  ) -> None:
    """List every reporting entity without the YEAR report on the abnormal list (idempotent)."""
    from marketreg.domains.credit import actions
    from marketreg.kernel.errors import DomainError
    from marketreg.platform.authz import SYSTEM
    from marketreg.platform.db import get_sessions

    day = dt.date.fromisoformat(today) if today else None
    try:
        with get_sessions().transaction() as session:
            result = actions.sweep_annual_reports(session, actor=SYSTEM, report_year=year, today=day)
    except DomainError as exc:
        typer.echo(f"{exc.code}: {exc.message_zh}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"year={result.report_year}\tlisted={result.listed}\talready={result.already}\t"
               f"listing_due_on={result.listing_due_on}")


@credit_app.command("classify")
def classify_command() -> None:
    """Recompute every entity's credit risk class (A–D)."""
    from marketreg.domains.credit import classify
    from marketreg.platform.db import get_sessions

    result = classify.run_in_ranges(get_sessions())
    typer.echo(f"run={result.run_id}\tentities={result.entities}\t" +
               "\t".join(f"{k}={v}" for k, v in result.counts.items()))
