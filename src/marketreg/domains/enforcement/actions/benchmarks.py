"""Discretion benchmarks (and their defaults, ``data/benchmarks.yaml``), conflict-of-interest declarations
and the editable rule figures."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from marketreg.domains.enforcement import rules
from marketreg.domains.enforcement.actions.common import _violation_label
from marketreg.domains.enforcement.enums import VIOLATION_TYPES
from marketreg.domains.enforcement.models import Benchmark, ConflictDeclaration, RuleOverride
from marketreg.domains.enforcement.schemas import BenchmarkIn, ConflictIn
from marketreg.kernel import clock
from marketreg.kernel.errors import DomainError, NotFound
from marketreg.platform import audit
from marketreg.platform.authz import Actor, require_province

DEFAULT_BENCHMARKS = Path(__file__).parents[1] / "data" / "benchmarks.yaml"


def load_benchmarks(session: Session) -> int:
    """The default discretion benchmarks (staff edit them afterwards); idempotent."""
    have = set(session.execute(select(Benchmark.violation_type, Benchmark.circumstance)).all())
    added = 0
    for code, bands in yaml.safe_load(DEFAULT_BENCHMARKS.read_text(encoding="utf-8")).items():
        for circumstance, (low, high, basis) in bands.items():
            if (code, circumstance) in have:
                continue
            session.add(Benchmark(violation_type=code, violation_label=VIOLATION_TYPES[code],
                                  circumstance=circumstance, fine_min=Decimal(low), fine_max=Decimal(high),
                                  legal_basis=basis, updated_at=clock.now(), updated_by="system"))
            added += 1
    session.flush()
    return added

def do_save_benchmark(session: Session, *, actor: Actor, data: BenchmarkIn) -> Benchmark:
    """Create or change a discretion benchmark; the old and new ranges go to the audit log."""
    actor.require("enforcement.benchmarks")
    require_province(actor, "全省统一的裁量基准")
    _violation_label(data.violation_type)
    if data.fine_min > data.fine_max:
        raise DomainError("enforcement.range_invalid", "罚款下限不能高于上限")
    row = session.scalar(select(Benchmark).where(Benchmark.violation_type == data.violation_type,
                                                 Benchmark.circumstance == data.circumstance))
    old = None
    if row is None:
        row = Benchmark(violation_type=data.violation_type, circumstance=data.circumstance)
        session.add(row)
    else:
        old = {"fine_min": str(row.fine_min), "fine_max": str(row.fine_max), "legal_basis": row.legal_basis}
    row.violation_label, row.fine_min, row.fine_max = data.violation_label, data.fine_min, data.fine_max
    row.legal_basis, row.updated_at, row.updated_by = data.legal_basis, clock.now(), actor.username
    session.flush()
    audit.record(session, actor=actor, action="enforcement.benchmark_saved", subject_type="enforcement_benchmark",
                 subject_id=row.id, old=old, new=data.model_dump(mode="json"))
    return row


def do_declare_conflict(session: Session, *, actor: Actor, data: ConflictIn) -> ConflictDeclaration:
    """An officer (or the unit head for them) declares a relation to a party (Art. 4)."""
    actor.require("enforcement.handle")
    if data.username != actor.username:
        actor.require("enforcement.decide")
    existing = session.scalar(select(ConflictDeclaration).where(ConflictDeclaration.username == data.username,
                                                                ConflictDeclaration.party == data.party))
    if existing is not None:
        return existing
    row = ConflictDeclaration(username=data.username, party=data.party.strip(), relation=data.relation.strip(),
                              declared_at=clock.now())
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="enforcement.conflict_declared", subject_type="enforcement_conflict",
                 subject_id=row.id, new=data.model_dump())
    return row


def do_set_rule_figure(session: Session, *, actor: Actor, key: str, value: Decimal, note: str) -> RuleOverride:
    """Enter the in-force value of a figure RULES.md does not confirm (e.g. a Shandong amount)."""
    actor.require("enforcement.benchmarks")
    require_province(actor)
    fig = rules.FIGURES.get(key)
    if fig is None:
        raise NotFound("enforcement.rule_unknown", "规则参数不存在")
    if not fig.editable:
        raise DomainError("enforcement.rule_confirmed", "该参数已经两处权威来源确认，不能修改")
    if value <= 0 or (fig.unit != "yuan" and (value != int(value) or value > 365)):
        raise DomainError("enforcement.rule_value", "参数值无效")
    row = session.get(RuleOverride, key) or RuleOverride(key=key)
    old = None if row.value is None else str(row.value)
    row.value, row.note, row.updated_by, row.updated_at = value, (note or "")[:200], actor.username, clock.now()
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="enforcement.rule_figure_set", subject_type="rule", subject_id=key,
                 old={"value": old}, new={"value": str(value), "note": note})
    return row
