"""``marketreg inspections …``: run a batch's draw, and verify any published draw record."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from marketreg.domains.inspections import draw

inspections_app = typer.Typer(help="双随机、一公开", no_args_is_help=True)


def _fail(message: str, code: int = 2) -> None:
    typer.echo(message, err=True)
    raise typer.Exit(code)


@inspections_app.command("verify-draw")
def verify_draw(file: Path) -> None:
    """Re-run the draw from a downloaded record; exit 1 unless the result is identical."""
    try:
        record = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        _fail(f"inspections.bad_record\t无法读取摇号记录文件：{exc}")
    outcome = draw.verify_record(record if isinstance(record, dict) else {})
    typer.echo(f"{'identical' if outcome.ok else 'mismatch'}\t{outcome.reason}\t{outcome.message}")
    if not outcome.ok:
        raise typer.Exit(1)


@inspections_app.command("draw")
def draw_batch(batch: Annotated[int, typer.Option("--batch", help="batch id")],
               out: Annotated[Path, typer.Option("--out", help="where to write the draw record (JSON)")],
               as_user: Annotated[str, typer.Option("--as", help="acting staff username")] = "") -> None:
    """Freeze (if still a draft), draw and publish the seed of a batch; write its draw record."""
    from marketreg.domains.inspections import actions, service
    from marketreg.domains.org import service as org
    from marketreg.platform.authz import SYSTEM
    from marketreg.platform.db import get_sessions

    sessions = get_sessions()
    with sessions.transaction() as session:
        actor = org.acting_as(session, username=as_user) if as_user else SYSTEM
        actor.require("inspections.plan")
        found = service.get_batch(session, actor=actor, batch_id=batch)
        if found.status == "draft":
            actions.do_commit_batch(session, actor=actor, batch_id=batch)
        actions.do_draw_batch(session, actor=actor, batch_id=batch)
        actions.do_publish_seed(session, actor=actor, batch_id=batch)
        record = service.draw_record(session, batch=found)
    out.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    typer.echo(f"{found.batch_no}\tdrawn={len(record['result'])}\tcommitment={record['commitment']}\t{out}")


@inspections_app.command("targeting")
def targeting(batch: Annotated[int, typer.Option("--batch", help="batch id")],
              as_user: Annotated[str, typer.Option("--as", help="acting staff username")] = "") -> None:
    """Print the batch's problem-finding rate by class and the lift over a uniform draw."""
    from marketreg.domains.inspections import service
    from marketreg.domains.org import service as org
    from marketreg.platform.authz import SYSTEM
    from marketreg.platform.db import get_sessions

    with get_sessions().read() as session:
        actor = org.acting_as(session, username=as_user) if as_user else SYSTEM
        report = service.batch_targeting(session, batch=service.get_batch(session, actor=actor, batch_id=batch))
    for row in report.classes:
        rate = "-" if row.rate is None else f"{row.rate:.3f}"
        typer.echo(f"{row.risk_class}\tdirectory={row.directory}\tinspected={row.inspected}\tfound={row.found}\t"
                   f"rate={rate}")
    lift = "-" if report.lift is None else f"{report.lift:.2f}"
    typer.echo(f"observed={report.observed_rate}\tuniform={report.uniform_rate}\tlift={lift}")
