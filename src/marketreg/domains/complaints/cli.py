"""``marketreg complaints …``: the statutory clocks, computed by the workflow's own code."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from marketreg.domains.complaints import rules, service
from marketreg.domains.complaints.enums import Kind

complaints_app = typer.Typer(help="12315 投诉举报", no_args_is_help=True)


def _date(value: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        typer.echo(f"invalid {option}: {value!r} (expected YYYY-MM-DD)", err=True)
        raise typer.Exit(2) from None


@complaints_app.command("clocks")
def clocks_command(
    kind: Annotated[str, typer.Option(help="complaint | report")],
    received: Annotated[str, typer.Option(help="receipt date YYYY-MM-DD")],
    accepted: Annotated[str | None, typer.Option(help="acceptance date YYYY-MM-DD (complaints)")] = None,
    harm_known: Annotated[str | None, typer.Option(
        "--harm-known", help="day the complainant knew of the harm YYYY-MM-DD (complaints)")] = None,
) -> None:
    """Print STEP<TAB>DUE_DATE<TAB>RULE_VERSION<TAB>BASIS for every statutory step; with --harm-known also
    ``time_limit``: the last day within the 3-year limit, rolled past holidays (RULES C8);
    ``<TAB>provisional`` where a year has no official arrangement."""
    if kind not in (Kind.complaint, Kind.report):
        typer.echo("--kind must be complaint or report", err=True)
        raise typer.Exit(2)
    received_on = _date(received, "--received")
    accepted_on = _date(accepted, "--accepted") if accepted else None
    if accepted_on and accepted_on < received_on:
        typer.echo("--accepted cannot be before --received", err=True)
        raise typer.Exit(2)
    harm_known_on = _date(harm_known, "--harm-known") if harm_known else None
    if harm_known_on and (kind != Kind.complaint or harm_known_on > received_on):
        typer.echo("--harm-known applies to complaints and cannot be after --received", err=True)
        raise typer.Exit(2)
    from marketreg.platform.calendar import load_calendar
    from marketreg.platform.db import get_sessions

    with get_sessions().read() as session:
        calendar = load_calendar(session)
        rule_set = rules.ruleset_for(received_on, service.rule_overrides(session))
    steps = rules.clocks(calendar, kind=kind, received_on=received_on, accepted_on=accepted_on, rules=rule_set)
    if harm_known_on:
        steps.append(rules.time_limit(calendar, rule_set, harm_known_on=harm_known_on))
    for clock in steps:
        flag = "\tprovisional" if clock.provisional else ""
        typer.echo(f"{clock.step}\t{clock.due_on.isoformat()}\t{clock.rule_version}\t{clock.basis}{flag}")
