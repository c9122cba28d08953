"""One Jinja2 environment (with jinja2-fragments for HTMX partials) for every page.

Domains register their own ``templates/`` folders at import; the portals' shells and the
shared base layout live here and in the portals.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from jinja2 import ChoiceLoader, FileSystemLoader
from jinja2_fragments.fastapi import Jinja2Blocks

from marketreg.kernel.clock import BUSINESS_TZ
from marketreg.kernel.labels import label

_BASE = Path(__file__).parent / "templates"
_loaders: list[FileSystemLoader] = [FileSystemLoader(_BASE)]
templates = Jinja2Blocks(directory=str(_BASE))
templates.env.loader = ChoiceLoader(_loaders)


def register_templates(folder: Path) -> None:
    """Add a domain's or portal's template folder (searched after those added before)."""
    if all(Path(loader.searchpath[0]) != folder for loader in _loaders):
        _loaders.append(FileSystemLoader(folder))


def _local_time(value: dt.datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    if value is None:
        return ""
    return value.astimezone(BUSINESS_TZ).strftime(fmt)


def _thousands(value: int | float | None) -> str:
    return "" if value is None else f"{value:,}"


def set_menu(name: str, menu) -> None:
    """Expose a portal's ``web.nav.Menu`` to templates as ``name(actor)`` (its groups for that actor)."""
    templates.env.globals[name] = menu.for_actor


templates.env.filters["local_time"] = _local_time
templates.env.filters["thousands"] = _thousands
templates.env.filters["label"] = label  # {{ code|label("table") }}: kernel.labels
