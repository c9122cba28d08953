"""The base data every installation needs, loaded after each migration (``marketreg migrate``):
reference data, the org tree, the default roles, the complaint category trees, the police units
that receive transferred cases and the default discretion benchmarks. Idempotent; no demo data."""

from __future__ import annotations

from sqlalchemy import select

from marketreg.app import wiring  # noqa: F401 - events of the base data reach their handlers, as in every process
from marketreg.domains.complaints import categories as complaint_categories
from marketreg.domains.enforcement import actions as enforcement_actions
from marketreg.domains.org import actions as org_actions
from marketreg.domains.org.enums import UnitLevel
from marketreg.domains.org.models import OrgUnit
from marketreg.domains.org.permissions import DEFAULT_ROLES
from marketreg.domains.reference import loader as reference_loader
from marketreg.platform.db import Sessions

# 行刑衔接: the police departments that receive transferred cases (outside the SAMR org tree,
# so no SAMR unit's jurisdiction contains them): (code, name, city region code)
POLICE_UNITS = [("GA370100", "济南市公安局", "370100"), ("GA370200", "青岛市公安局", "370200")]


def setup_base(sessions: Sessions) -> dict:
    """Reference data, org tree and default roles; idempotent."""
    with sessions.transaction() as session:
        counts = reference_loader.load_reference_data(session)
    with sessions.transaction() as session:
        counts["org_units_created"] = org_actions.do_build_org_tree(session)
        for code, (name, description, permissions) in DEFAULT_ROLES.items():
            org_actions.do_ensure_role(session, code=code, name=name, description=description,
                                       permissions=permissions)
        counts["complaint_categories"] = complaint_categories.load_categories(session)
        counts["police_units"] = _ensure_police_units(session)
        counts["enforcement_benchmarks"] = enforcement_actions.load_benchmarks(session)
    return counts


def _ensure_police_units(session) -> int:
    have = set(session.scalars(select(OrgUnit.code).where(OrgUnit.level == UnitLevel.police)))
    new = [OrgUnit(code=code, name=name, level=UnitLevel.police, path=f"/police/{region}/", region_code=region)
           for code, name, region in POLICE_UNITS if code not in have]
    session.add_all(new)
    session.flush()
    return len(new)
