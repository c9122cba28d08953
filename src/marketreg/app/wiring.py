"""Imports the modules that register event handlers, tasks and periodic jobs, so that every
process (web, worker, CLI, tests) reacts to events the same way; every domain's work-item kinds
reach the collaborative-office workbench (platform.workitems); and the job runner learns how to
rebuild the actor who started a job."""

from marketreg.analytics import marts  # noqa: F401
from marketreg.domains.complaints import tasks as complaints_tasks  # noqa: F401
from marketreg.domains.complaints import workitems as complaints_workitems  # noqa: F401
from marketreg.domains.credit import handlers as credit_handlers  # noqa: F401
from marketreg.domains.credit import tasks as credit_tasks  # noqa: F401
from marketreg.domains.credit import workitems as credit_workitems  # noqa: F401
from marketreg.domains.enforcement import handlers as enforcement_handlers  # noqa: F401
from marketreg.domains.enforcement import tasks as enforcement_tasks  # noqa: F401
from marketreg.domains.enforcement import workitems as enforcement_workitems  # noqa: F401
from marketreg.domains.inspections import tasks as inspections_tasks  # noqa: F401
from marketreg.domains.inspections import workitems as inspections_workitems  # noqa: F401
from marketreg.domains.org import service as org
from marketreg.domains.registry import tasks as registry_tasks  # noqa: F401
from marketreg.domains.sysadmin import tasks as sysadmin_tasks  # noqa: F401
from marketreg.platform import jobs

jobs.use_actor_loader(lambda session, user_id: org.active_actor(session, user_id=user_id))
