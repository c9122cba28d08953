"""Lists with the true total (platform.paging)."""

from __future__ import annotations

from sqlalchemy import func, select

from marketreg.domains.org.models import OrgUnit
from marketreg.platform.paging import paginate


def test_a_page_carries_the_true_total_and_stays_within_the_last_page(session):
    total = session.scalar(select(func.count()).select_from(OrgUnit))
    stmt = select(OrgUnit).order_by(OrgUnit.path)
    first = paginate(session, stmt, page=1, per_page=10)
    assert first.total == total > 10 and len(first.rows) == 10 and first.pages == -(-total // 10)
    last = paginate(session, stmt, page=10_000, per_page=10)
    assert last.page == first.pages and 1 <= len(last.rows) <= 10
    assert last.rows[-1].path == session.scalars(stmt).all()[-1].path
