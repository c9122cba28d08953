"""The demo seeding of enforcement: cases at every stage, idempotent."""

from __future__ import annotations

from sqlalchemy import func, select

from marketreg.app import demo
from marketreg.domains.enforcement import service
from marketreg.domains.enforcement.models import Case, Transfer
from marketreg.kernel import clock


def test_demo_cases_reach_their_stages_and_seeding_twice_adds_nothing(db):
    demo.seed_entities(db, n=60)
    assert demo.seed_enforcement(db) == 8
    assert demo.seed_enforcement(db) == 0
    with db.read() as s:
        stages = dict(s.execute(select(Case.status, func.count()).group_by(Case.status)).all())
        assert stages == {"investigating": 1, "reviewing": 1, "notified": 1, "executing": 2, "closed": 1,
                          "transferred": 1}
        assert s.scalar(select(func.count()).select_from(Transfer)) == 1
        published = service.public_penalties(s, today=clock.today())
        assert len(published) == 3 and all(c.decision_no for c in published)
