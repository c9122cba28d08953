"""``marketreg enforcement …`` on both databases: clocks from dates, refusals exit ≠ 0."""

from __future__ import annotations

from typer.testing import CliRunner

from marketreg.app.cli import app


def test_cli_prints_a_cases_clocks(tasks_db):
    result = CliRunner().invoke(app, ["enforcement", "clocks", "--filed", "2026-03-02", "--notice", "2026-04-30",
                                      "--decided", "2026-09-30"])
    assert result.exit_code == 0, result.output
    lines = dict(line.split("\t")[:2] for line in result.output.splitlines())
    assert lines == {"decision": "2026-06-01", "decision_extended": "2026-06-30", "statement": "2026-05-11",
                     "hearing_request": "2026-05-11", "delivery": "2026-10-15", "publicity": "2026-11-03"}


def test_cli_refuses_bad_dates_with_a_reason(tasks_db):
    bad = CliRunner().invoke(app, ["enforcement", "clocks", "--filed", "2026-13-01"])
    assert bad.exit_code == 2 and "invalid --filed" in bad.output
    before = CliRunner().invoke(app, ["enforcement", "clocks", "--filed", "2026-03-02", "--decided", "2026-03-01"])
    assert before.exit_code == 2 and "cannot be before" in before.output


def test_cli_expire_publicity_is_idempotent(tasks_db):
    result = CliRunner().invoke(app, ["enforcement", "expire-publicity"])
    assert result.exit_code == 0 and result.output.startswith("ended\t0")
