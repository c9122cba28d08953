"""The events the registry publishes (one typed payload each)."""

from __future__ import annotations

import datetime as dt

from marketreg.platform.events import EventPayload


class EntitiesImported(EventPayload):
    """A chunk of an import committed (subject: the import's line range)."""

    name = "registry.entities_imported"
    inserted: int
    updated: int
    since: dt.datetime
