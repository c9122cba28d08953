"""``marketreg enforcement …``: a case's statutory clocks from its dates, computed by the rules the
workflow uses, and the publicity expiry sweep."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from marketreg.domains.enforcement import rules, service

enforcement_app = typer.Typer(help="行政处罚案件", no_args_is_help=True)


def _date(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        typer.echo(f"invalid {option}: {value!r} (expected YYYY-MM-DD)", err=True)
        raise typer.Exit(2) from None


def case_clocks(calendar, *, filed: dt.date, notice: dt.date | None = None, decided: dt.date | None = None,
                paused_days: int = 0) -> list[tuple[str, rules.DueDate, str]]:
    """(clock, due date, basis) of a case with the given dates."""
    out = [("decision", rules.decision_due(calendar, filed, paused_days=paused_days), "程序规定第六十四条"),
           ("decision_extended", rules.decision_due(calendar, filed, extensions=1, paused_days=paused_days),
            "程序规定第六十四条")]
    if notice:
        out += [("statement", rules.statement_due(calendar, notice), "程序规定第五十七条"),
                ("hearing_request", rules.hearing_request_due(calendar, notice), "行政处罚法第六十四条")]
    if decided:
        out += [("delivery", rules.delivery_due(calendar, decided), "程序规定第八十一条"),
                ("publicity", rules.publicity_due(calendar, decided), "行政处罚信息公示规定第九条")]
    return out


@enforcement_app.command("clocks")
def clocks_command(
    filed: Annotated[str, typer.Option(help="filing date YYYY-MM-DD")],
    notice: Annotated[str | None, typer.Option(help="date the prior notice was served")] = None,
    decided: Annotated[str | None, typer.Option(help="decision date")] = None,
    hearing: Annotated[str | None, typer.Option(help="hearing date")] = None,
    paused_days: Annotated[int, typer.Option(min=0, help="days of excluded periods (Art. 64)")] = 0,
) -> None:
    """Print CLOCK<TAB>DUE_DATE<TAB>BASIS for a case's statutory clocks; with --hearing also
    ``hearing_notice``: the latest day to serve the hearing notice, the 7th working day before the
    hearing (听证办法 Art. 20, RULES C2); ``<TAB>provisional`` where a year has no official arrangement."""
    filed_on, notice_on, decided_on = _date(filed, "--filed"), _date(notice, "--notice"), _date(decided, "--decided")
    hearing_on = _date(hearing, "--hearing")
    if any(d is not None and d < filed_on for d in (notice_on, decided_on, hearing_on)):
        typer.echo("--notice, --decided and --hearing cannot be before --filed", err=True)
        raise typer.Exit(2)
    from marketreg.platform.calendar import load_calendar
    from marketreg.platform.db import get_sessions

    with get_sessions().read() as session:
        calendar = load_calendar(session)
    clocks = case_clocks(calendar, filed=filed_on, notice=notice_on, decided=decided_on, paused_days=paused_days)
    if hearing_on:
        clocks.append(("hearing_notice", rules.hearing_notice_latest(calendar, hearing_on),
                       rules.FIGURES["hearing_notice"].basis))
    for name, due, basis in clocks:
        flag = "\tprovisional" if due.provisional else ""
        typer.echo(f"{name}\t{due.due_on.isoformat()}\t{basis}{flag}")


@enforcement_app.command("expire-publicity")
def expire_publicity_command() -> None:
    """End the penalty publications whose period has run out (idempotent)."""
    from marketreg.domains.enforcement import actions
    from marketreg.kernel import clock
    from marketreg.platform.db import get_sessions

    with get_sessions().transaction() as session:
        ended = actions.do_expire_publicity(session, today=clock.today())
        remaining = len(service.public_penalties(session, today=clock.today(), limit=100_000))
    typer.echo(f"ended\t{ended}\ton_display\t{remaining}")
