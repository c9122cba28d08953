"""The collaborative-office workbench (工作台): one registry of work-item kinds across domains.

Each domain registers, in its public surface (``<domain>/workitems.py``), one ``WorkItemKind`` per
kind of open work it creates, with the permission needed to open it and a query that returns
typed ``WorkItem`` rows scoped through ``platform.authz.scope``. The workbench only calls those
queries: it never reads a domain's tables, and a kind the actor may not open is never asked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from marketreg.platform.authz import Actor

# Due within this many calendar days (today included) counts as due soon; the 12315 queue uses the same.
SOON_DAYS = 2
# Each kind contributes at most this many items, nearest deadline first; the count says when there are more.
PER_KIND = 200


@dataclass(frozen=True, slots=True)
class WorkItem:
    kind: str
    title: str
    org_path: str
    link: str
    status: str                 # the item's state, in Chinese
    due_on: dt.date | None      # the statutory (or instructed) deadline of the next step
    due_label: str = ""         # what is due then, in Chinese
    assignee: str = ""          # the person or unit it waits on, in Chinese
    provisional: bool = False   # the deadline rests on a year without an official calendar


Query = Callable[..., Sequence[WorkItem]]  # query(session, *, actor, limit) -> nearest deadline first


@dataclass(frozen=True, slots=True)
class WorkItemKind:
    kind: str
    label_zh: str
    permission: str
    query: Query


_KINDS: dict[str, WorkItemKind] = {}


def register(kind: WorkItemKind) -> WorkItemKind:
    """Add a kind (idempotent for the same kind code)."""
    _KINDS[kind.kind] = kind
    return kind


def kinds_for(actor: Actor) -> list[WorkItemKind]:
    return [k for k in _KINDS.values() if actor.can(k.permission)]


def due_mark(due_on: dt.date | None, today: dt.date) -> str:
    """``overdue`` | ``soon`` | ``""``."""
    if due_on is None:
        return ""
    if due_on < today:
        return "overdue"
    return "soon" if due_on <= today + dt.timedelta(days=SOON_DAYS) else ""


@dataclass(frozen=True, slots=True)
class KindCount:
    kind: str
    label_zh: str
    total: int
    overdue: int
    soon: int
    more: bool  # the kind has more open items than were fetched


@dataclass(frozen=True, slots=True)
class Workbench:
    items: list[WorkItem]
    counts: list[KindCount]


def _sort_key(item: WorkItem) -> tuple:
    return (item.due_on is None, item.due_on or dt.date.max, item.kind, item.title)


def collect(session: Session, *, actor: Actor, today: dt.date, kind: str = "", due: str = "",
            per_kind: int = PER_KIND) -> Workbench:
    """Every open item of the actor's jurisdiction, nearest deadline first, with counts per kind
    (the counts ignore the ``kind`` and ``due`` filters, so they also say what the filters hide)."""
    items: list[WorkItem] = []
    counts: list[KindCount] = []
    for registered in kinds_for(actor):
        rows = list(registered.query(session, actor=actor, limit=per_kind + 1))
        more, rows = len(rows) > per_kind, rows[:per_kind]
        marks = [due_mark(r.due_on, today) for r in rows]
        counts.append(KindCount(registered.kind, registered.label_zh, len(rows), marks.count("overdue"),
                                marks.count("soon"), more))
        if kind and registered.kind != kind:
            continue
        items.extend(r for r, m in zip(rows, marks, strict=True) if not due or m == due)
    return Workbench(sorted(items, key=_sort_key), counts)


def label_of(kind: str) -> str:
    found = _KINDS.get(kind)
    return found.label_zh if found else ""
