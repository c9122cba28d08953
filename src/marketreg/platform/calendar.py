"""Statutory working-day calendar.

Order of authority for a day: a staff-entered override (e.g. a State Council notice loaded
with ``marketreg calendar import``) → the ``chinese-calendar`` package (official arrangements
2004–2026 in v1.11) → Monday–Friday, flagged *provisional* because no official
arrangement for that year is loaded (RULES 0.2, DESIGN §6).

Period counting follows RULES 0.3 (程序规定 Arts. 80, 84; Order 121 Art. 45): the start day is
not counted; a working-day period counts working days only; a calendar-day period whose last
day is a statutory holiday ends on the next working day.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from dataclasses import dataclass
from functools import lru_cache

import chinese_calendar
from sqlalchemy import Boolean, Date, Integer, String, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from marketreg.kernel import clock
from marketreg.kernel.errors import DomainError
from marketreg.platform.db import Base


class CalendarOverride(Base):
    __tablename__ = "calendar_override"

    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    is_workday: Mapped[bool] = mapped_column(Boolean)
    name: Mapped[str] = mapped_column(String(64), default="")
    source: Mapped[str] = mapped_column(String(200), default="")
    updated_at: Mapped[dt.datetime]
    updated_by: Mapped[str] = mapped_column(String(64))


class CalendarYear(Base):
    """A year whose official arrangement has been loaded by staff."""

    __tablename__ = "calendar_year"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    source: Mapped[str] = mapped_column(String(200))
    imported_at: Mapped[dt.datetime]
    imported_by: Mapped[str] = mapped_column(String(64))


@lru_cache(maxsize=256)
def package_covers(year: int) -> bool:
    """Whether chinese-calendar holds the official arrangement for ``year``."""
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


@dataclass(frozen=True, slots=True)
class DueDate:
    due_on: dt.date
    provisional: bool
    calendar_version: str


class WorkCalendar:
    """Pure, in-memory calendar; build it with :func:`load_calendar`."""

    def __init__(self, overrides: dict[dt.date, bool] | None = None, official_years: set[int] | None = None):
        self.overrides = dict(overrides or {})
        self.official_years = set(official_years or ())
        digest = hashlib.sha256(
            repr((sorted(self.overrides.items()), sorted(self.official_years))).encode()
        ).hexdigest()[:10]
        self.version = f"cc{chinese_calendar.__version__}+{digest}"

    def is_official(self, year: int) -> bool:
        return year in self.official_years or package_covers(year)

    def is_workday(self, day: dt.date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        if day.year not in self.official_years and package_covers(day.year):
            return chinese_calendar.is_workday(day)
        return day.weekday() < 5

    def add_workdays(self, start: dt.date, n: int) -> DueDate:
        """The n-th working day after ``start`` (start itself not counted)."""
        if n < 0:
            raise DomainError("calendar.negative_period", "期限天数不能为负数")
        day, counted, provisional = start, 0, False
        while counted < n:
            day += dt.timedelta(days=1)
            provisional |= not self.is_official(day.year)
            if self.is_workday(day):
                counted += 1
        return DueDate(day, provisional, self.version)

    def add_days(self, start: dt.date, n: int) -> DueDate:
        """A calendar-day period; if it ends on a rest day it moves to the next working day."""
        day = start + dt.timedelta(days=n)
        provisional = any(not self.is_official(y) for y in range(start.year, day.year + 1))
        while not self.is_workday(day):
            day += dt.timedelta(days=1)
            provisional |= not self.is_official(day.year)
        return DueDate(day, provisional, self.version)

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in (start, end]."""
        count, day = 0, start
        while day < end:
            day += dt.timedelta(days=1)
            count += self.is_workday(day)
        return count


def load_calendar(session: Session) -> WorkCalendar:
    overrides = dict(session.execute(select(CalendarOverride.day, CalendarOverride.is_workday)).all())
    years = set(session.scalars(select(CalendarYear.year)))
    return WorkCalendar(overrides, years)


def set_override(session: Session, *, day: dt.date, is_workday: bool, name: str, source: str, by: str) -> None:
    row = session.get(CalendarOverride, day)
    if row is None:
        row = CalendarOverride(day=day)
        session.add(row)
    row.is_workday, row.name, row.source = is_workday, name, source
    row.updated_at, row.updated_by = clock.now(), by
    session.flush()


def remove_override(session: Session, *, day: dt.date) -> bool:
    return session.execute(delete(CalendarOverride).where(CalendarOverride.day == day)).rowcount > 0


def parse_arrangement(text: str) -> tuple[int, list[tuple[dt.date, bool, str]]]:
    """Parse a year's arrangement (CSV ``date,type,name``; type ``holiday`` or ``workday``).

    All dates must fall in one year. Raises DomainError with a line number on bad input.
    """
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if reader.fieldnames is None or not {"date", "type"} <= {f.strip() for f in reader.fieldnames}:
        raise DomainError("calendar.bad_header", "日历文件必须包含 date,type[,name] 表头")
    days: list[tuple[dt.date, bool, str]] = []
    for lineno, row in enumerate(reader, start=2):
        raw_date, kind = (row.get("date") or "").strip(), (row.get("type") or "").strip().lower()
        try:
            day = dt.date.fromisoformat(raw_date)
        except ValueError:
            raise DomainError("calendar.bad_date", f"第{lineno}行日期无效：{raw_date!r}", line=lineno) from None
        if kind not in {"holiday", "workday"}:
            raise DomainError("calendar.bad_type", f"第{lineno}行类型必须是 holiday 或 workday", line=lineno)
        days.append((day, kind == "workday", (row.get("name") or "").strip()[:64]))
    years = {d.year for d, _, _ in days}
    if len(years) != 1:
        raise DomainError("calendar.one_year", "一个文件只能包含同一年度的安排")
    return years.pop(), days


def import_arrangement(session: Session, *, text: str, source: str, by: str) -> tuple[int, int]:
    """Replace one year's overrides with an official arrangement; returns (year, days)."""
    year, days = parse_arrangement(text)
    session.execute(
        delete(CalendarOverride).where(
            CalendarOverride.day >= dt.date(year, 1, 1), CalendarOverride.day <= dt.date(year, 12, 31)
        )
    )
    now = clock.now()
    session.add_all(
        CalendarOverride(day=d, is_workday=w, name=n, source=source, updated_at=now, updated_by=by)
        for d, w, n in days
    )
    row = session.get(CalendarYear, year) or CalendarYear(year=year)
    row.source, row.imported_at, row.imported_by = source, now, by
    session.add(row)
    session.flush()
    return year, len(days)
