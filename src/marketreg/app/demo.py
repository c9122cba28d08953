"""The demo province: demo staff, synthetic entities and demo records of every domain.

The base data every installation needs (reference data, org tree, roles, category trees, police
units, default benchmarks) is ``bootstrap.setup_base``; this module only adds demo records."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from marketreg.analytics.complaints import rebuild_complaint_publicity
from marketreg.analytics.marts import rebuild_entity_counts
from marketreg.app import wiring  # noqa: F401 - the demo's events reach their handlers, as in every process
from marketreg.domains.complaints import seed as complaints_seed
from marketreg.domains.enforcement import seed as enforcement_seed
from marketreg.domains.inspections import seed as inspections_seed
from marketreg.domains.org import actions as org_actions
from marketreg.domains.org import service as org
from marketreg.domains.org.enums import UserKind
from marketreg.domains.reference import service as reference
from marketreg.domains.registry import seed as registry_seed
from marketreg.platform.authz import SYSTEM
from marketreg.platform.db import Sessions

DEMO_PASSWORD = "Demo@2026"  # noqa: S105 - printed at `make run`; development data only
# (username, display name, unit code, roles)
DEMO_USERS = [
    ("sd_admin", "省局管理员", "370000", ["admin"]),
    ("sd_leader", "省局领导", "370000", ["leader"]),
    ("jn_registrar", "济南市局登记员", "370100", ["registrar"]),
    ("lx_registrar", "历下区局登记员", "370102", ["registrar"]),
    ("sn_registrar", "青岛市南区局登记员", "370202", ["registrar"]),
    ("lx_inspector", "历下区局执法人员", "370102", ["inspector"]),
    ("sd_sysadmin", "省局运维管理员", "370000", ["sysadmin"]),
    ("lx_handler", "历下区局12315办理员", "370102", ["handler"]),
    ("sn_handler", "市南区局12315办理员", "370202", ["handler"]),
    ("jn_supervisor", "济南市局12315督办员", "370100", ["supervisor"]),
    ("sd_12315", "省12315指挥中心", "370000", ["supervisor", "handler"]),
    ("lx_officer", "历下区局执法人员（二）", "370102", ["inspector"]),
    ("sn_officer", "市南区局执法人员", "370202", ["inspector"]),
    ("jn_police", "济南市公安局经侦支队", "GA370100", ["police"]),
]
def setup_demo_users(sessions: Sessions) -> list[tuple[str, str, str]]:
    created = []
    with sessions.transaction() as session:
        for username, display, unit, roles in DEMO_USERS:
            if org.get_user_by_username(session, username=username) is None:
                org_actions.do_create_user(session, actor=SYSTEM, username=username, password=DEMO_PASSWORD,
                                           display_name=display, unit_code=unit, roles=roles)
            created.append((username, display, unit))
        enforcement_seed.ensure_officers(session)
    return created


def seed_entities(sessions: Sessions, *, n: int, seed: int = 2021,
                  progress: Callable[[int], None] | None = None) -> int:
    with sessions.read() as session:
        counties = [registry_seed.County(*row) for row in reference.county_rows(session)]
        industries = reference.industry_leaves_by_section(session)
    rows = registry_seed.generate_entities(n, counties=counties, industries=industries, seed=seed)
    inserted = registry_seed.insert_generated(sessions, rows, progress=progress)
    with sessions.transaction() as session:
        rebuild_entity_counts(session)
    return inserted


DEMO_ENTERPRISE_USER = "ent_demo"


def seed_complaints(sessions: Sessions, *, n: int, seed: int = 2026,
                    progress: Callable[[int], None] | None = None) -> complaints_seed.SeedReport:
    """Demo 12315 items (needs entities), the ODR enterprise user, and a fresh publicity mart."""
    report = complaints_seed.seed_complaints(sessions, n=n, seed=seed, progress=progress)
    with sessions.transaction() as session:
        if report.enterprise_uscc and org.get_user_by_username(session, username=DEMO_ENTERPRISE_USER) is None:
            org_actions.do_create_user(session, actor=SYSTEM, username=DEMO_ENTERPRISE_USER, password=DEMO_PASSWORD,
                                       display_name="演示企业用户", unit_code=None, roles=[], kind=UserKind.enterprise,
                                       entity_uscc=report.enterprise_uscc)
        _align_demo_clues(session)
        rebuild_complaint_publicity(session)
    return report


def seed_inspections(sessions: Sessions, *, seed: int = 2026) -> list[str]:
    """Random-inspection demo: item list, inspectors, drawn and partly executed batches."""
    return inspections_seed.seed_inspections(sessions, seed=seed)


def seed_credit(sessions: Sessions):
    """Annual reports, the abnormal-list sweep and a classification run; the demo enterprise is left
    without its report, so that it is listed and can file late and apply for removal."""
    from marketreg.domains.credit import seed as credit_seed

    with sessions.read() as session:
        user = org.get_user_by_username(session, username=DEMO_ENTERPRISE_USER)
    return credit_seed.seed_credit(sessions, keep_unfiled=user.entity_uscc if user else None)


def seed_enforcement(sessions: Sessions) -> int:
    """Demo enforcement cases at every stage (needs entities and demo users); idempotent."""
    with sessions.transaction() as session:
        return enforcement_seed.seed_cases(session)


def _align_demo_clues(session) -> int:
    """The clue register dates a report's clue from the event, which the demo raised today;
    move the clues of demo reports to their reports' (simulated) receipt dates."""
    from marketreg.domains.complaints.models import Item
    from marketreg.domains.enforcement import rules as enforcement_rules
    from marketreg.domains.enforcement.models import Clue
    from marketreg.platform.calendar import load_calendar

    calendar = load_calendar(session)
    moved = 0
    rows = session.execute(select(Clue, Item.received_on, Item.received_at, Item.closed_at)
                           .join(Item, Clue.source_ref == "report:" + Item.query_code)
                           .where(Item.idempotency_key.like("demo%"), Clue.received_on != Item.received_on))
    for clue, received_on, received_at, closed_at in rows:
        clue.received_on, clue.created_at = received_on, received_at
        clue.check_due_on = enforcement_rules.clue_check_due(calendar, received_on).due_on
        if clue.decided_at is not None and closed_at is not None:
            clue.decided_at = closed_at
        moved += 1
    return moved
