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


def test_rule_c2_cli_prints_the_hearing_notice_latest_day(tasks_db):
    result = CliRunner().invoke(app, ["enforcement", "clocks", "--filed", "2026-09-01", "--hearing", "2026-10-16"])
    assert result.exit_code == 0, result.output
    [line] = [x for x in result.output.splitlines() if x.startswith("hearing_notice\t")]
    # back from Fri 16 Oct 2026: 15, 14, 13, 12, Sat 10 (worked), 9, 8 Oct — the 1–7 Oct holiday is skipped
    assert line.split("\t")[:2] == ["hearing_notice", "2026-10-08"] and "听证办法第二十条" in line
    assert not line.endswith("provisional")
    later = CliRunner().invoke(app, ["enforcement", "clocks", "--filed", "2026-09-01", "--hearing", "2027-01-15"])
    [line] = [x for x in later.output.splitlines() if x.startswith("hearing_notice\t")]
    assert line.startswith("hearing_notice\t2027-01-06\t") and line.endswith("\tprovisional")
