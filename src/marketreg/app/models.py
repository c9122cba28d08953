"""Imports every model module so that Base.metadata holds the whole schema (Alembic, tests)."""

from marketreg.analytics import complaints as complaints_analytics  # noqa: F401
from marketreg.analytics import marts  # noqa: F401
from marketreg.domains.complaints import models as complaints_models  # noqa: F401
from marketreg.domains.credit import models as credit_models  # noqa: F401
from marketreg.domains.enforcement import models as enforcement_models  # noqa: F401
from marketreg.domains.inspections import models as inspections_models  # noqa: F401
from marketreg.domains.org import models as org_models  # noqa: F401
from marketreg.domains.reference import models as reference_models  # noqa: F401
from marketreg.domains.registry import models as registry_models  # noqa: F401
from marketreg.platform import alerts, audit, calendar, events, jobs, notify  # noqa: F401
from marketreg.platform.db import Base

metadata = Base.metadata
