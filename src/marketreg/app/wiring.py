"""Imports the modules that register event handlers, tasks and periodic jobs, so that every
process (web, worker, CLI, tests) reacts to events the same way."""

from marketreg.analytics import marts  # noqa: F401
from marketreg.domains.complaints import tasks as complaints_tasks  # noqa: F401
from marketreg.domains.credit import handlers as credit_handlers  # noqa: F401
from marketreg.domains.credit import tasks as credit_tasks  # noqa: F401
from marketreg.domains.enforcement import handlers as enforcement_handlers  # noqa: F401
from marketreg.domains.enforcement import tasks as enforcement_tasks  # noqa: F401
from marketreg.domains.inspections import tasks as inspections_tasks  # noqa: F401
from marketreg.domains.registry import tasks as registry_tasks  # noqa: F401
from marketreg.domains.sysadmin import tasks as sysadmin_tasks  # noqa: F401
