"""Fixtures of the credit tests: entities in known counties, enterprise actors, event helpers."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from sqlalchemy import select

from marketreg.domains.credit import rules
from marketreg.domains.reference import service as reference
from marketreg.domains.registry import seed as registry_seed
from marketreg.domains.registry.models import Entity
from marketreg.kernel import clock
from marketreg.platform.authz import Actor
from marketreg.platform.events import drain, payload_type, publish

_counter = itertools.count(1)


@pytest.fixture
def make_entity(session):
    """An enterprise in a county (370102 历下区 by default), set up in 2020, active."""
    counties = {c[0]: registry_seed.County(*c) for c in reference.county_rows(session)}
    industries = reference.industry_leaves_by_section(session)

    def make(county: str = "370102", **overrides) -> Entity:
        row = next(registry_seed.generate_entities(1, counties=[counties[county]], industries=industries,
                                                   seed=31, start=20_000_000 + next(_counter)))
        row.update({"entity_type": "enterprise", "status": "active", "established_on": dt.date(2020, 5, 1),
                    "created_at": clock.now(), "updated_at": clock.now(), **overrides})
        session.execute(Entity.__table__.insert(), [row])
        session.flush()
        return session.scalar(select(Entity).where(Entity.uscc == row["uscc"]))

    return make


def enterprise(entity: Entity) -> Actor:
    return Actor(None, f"ent_{entity.uscc}", entity.name, None, "/", kind="enterprise", entity_uscc=entity.uscc)


def emit(session, name: str, entity: Entity, **payload):
    """Publish another domain's event with its typed payload, and run the handlers (after-commit
    work, run here in SAVEPOINTs of the test's one session)."""
    event = publish(session, payload_type(name)(**payload), subject_type="market_entity", subject_key=entity.uscc,
                    org_path=entity.org_path)
    report = drain(session)
    assert report.failed == 0 and report.waiting == 0, report
    return event


def penalty(session, entity: Entity, decision_no: str, *, decided_on: str = "2026-03-01", kinds=("fine",),
            serious: bool = False, period: str = "3y", violation_type: str = "price", label: str = "价格违法",
            published: bool = True):
    """A penalty decision as enforcement reports it, and (unless ``published`` is False) its
    publication the same day for the period's length."""
    decided = emit(session, "enforcement.penalty_decided", entity, case_no=f"C-{decision_no}",
                   decision_no=decision_no, decided_on=decided_on, organ_name="历下区市场监督管理局",
                   violation_type=violation_type, violation_label=label, penalty_kinds=list(kinds),
                   fine_amount="50000.00", confiscated_amount="0", legal_basis="《价格法》第四十条", simplified=False,
                   publicity=True, publicity_period=period, publicity_until=None, serious_candidate=serious)
    if published and set(kinds) - {"warning"}:
        until = rules.penalty_public_until(decided_on=dt.date.fromisoformat(decided_on), penalty_kinds=list(kinds),
                                           period=period, until=None)
        emit(session, "enforcement.penalty_published", entity, case_no=f"C-{decision_no}", decision_no=decision_no,
             published_on=decided_on, publicity_until=until.isoformat())
    return decided
