"""Bulk import of market entities from CSV or XLSX (the registration system's exports).

File-level problems (not a table, unknown or missing columns, unreadable workbook) refuse
the whole file before anything is written. Row-level problems put the row, with its row
number and a reason code, into the error report; valid rows load. Each chunk of rows is one
transaction, and re-importing the same file changes nothing: rows are upserted on USCC and
only rows whose content differs are touched.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import queue
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import phonenumbers
from sqlalchemy import Engine, String, and_, bindparam, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from marketreg.domains.reference import service as reference
from marketreg.domains.registry import service
from marketreg.domains.registry.enums import ENTITY_TYPE_ALIASES, STATUS_ALIASES
from marketreg.domains.registry.events import EntitiesImported
from marketreg.domains.registry.models import Entity
from marketreg.domains.registry.names import initials
from marketreg.kernel import clock
from marketreg.kernel.codes import check_resident_id, check_uscc
from marketreg.kernel.errors import DomainError
from marketreg.kernel.regions import org_path_for_region
from marketreg.kernel.text import has_control_chars, has_markup
from marketreg.platform import audit, events
from marketreg.platform.authz import Actor
from marketreg.platform.db import Sessions

# field → (required, accepted header names)
COLUMNS: dict[str, tuple[bool, tuple[str, ...]]] = {
    "uscc": (True, ("统一社会信用代码", "uscc", "信用代码")),
    "name": (True, ("名称", "企业名称", "主体名称", "name")),
    "entity_type": (True, ("主体类型", "类型", "entity_type")),
    "status": (False, ("登记状态", "经营状态", "状态", "status")),
    "legal_rep_name": (True, ("法定代表人", "经营者", "负责人", "legal_rep_name")),
    "legal_rep_id_number": (False, ("法定代表人证件号码", "证件号码", "身份证号", "legal_rep_id_number")),
    "legal_rep_phone": (False, ("联系电话", "电话", "legal_rep_phone")),
    "address": (True, ("住所", "经营场所", "地址", "住所（经营场所）", "address")),
    "region_code": (False, ("行政区划代码", "区划代码", "region_code")),
    "industry_code": (True, ("行业代码", "国民经济行业代码", "industry_code")),
    "established_on": (True, ("成立日期", "establish_date", "established_on")),
    "registered_capital": (False, ("注册资本（万元）", "注册资本", "registered_capital")),
}
MAX_LENGTHS = {"name": 200, "legal_rep_name": 60, "address": 300, "legal_rep_phone": 20}
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y年%m月%d日", "%Y.%m.%d")
# A plain mainland mobile number, which phonenumbers returns unchanged; 179xx is not one of
# them (phonenumbers strips it as an IP-dialling prefix), so it takes the full path.
_MOBILE = re.compile(r"1[3-9][0-9]{9}")
MAX_CAPITAL = Decimal("100000000000")  # 万元


@dataclass(slots=True)
class ImportReport:
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    error_file: str | None = None

    def as_dict(self) -> dict:
        return {"rows": self.rows, "inserted": self.inserted, "updated": self.updated,
                "unchanged": self.unchanged, "rejected": self.rejected, "reasons": self.reasons,
                "error_file": self.error_file}


class RowError(Exception):
    def __init__(self, reason: str, detail: str = ""):
        super().__init__(reason)
        self.reason, self.detail = reason, detail


# ---------------------------------------------------------------- reading


class _CountingReader(io.RawIOBase):
    """Counts bytes read so progress can be shown for a streamed text file."""

    def __init__(self, raw):
        self.raw, self.count = raw, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = self.raw.readinto(buffer)
        self.count += n or 0
        return n


def sniff_encoding(sample: bytes) -> str:
    """UTF-8 (with or without BOM) if the sample decodes as such, else GB18030 (a superset of GBK)."""
    cut = sample.rfind(b"\n")
    sample = sample[: cut + 1] if cut > 0 else sample
    try:
        sample.decode("utf-8")
        return "utf-8-sig"
    except UnicodeDecodeError:
        try:
            sample.decode("gb18030")
        except UnicodeDecodeError:
            raise DomainError("import.encoding", "无法识别文件编码（支持 UTF-8 与 GBK）") from None
        return "gb18030"


@dataclass
class Table:
    header: list[str]
    rows: Iterator[tuple[int, list[str]]]
    size: int
    position: Callable[[], int]


def open_table(path: Path) -> Table:
    """Open a CSV or XLSX file as (header, numbered rows); refuse what is not a table."""
    if not path.is_file():
        raise DomainError("import.no_file", f"文件不存在：{path}")
    size = path.stat().st_size
    with path.open("rb") as fh:
        head = fh.read(1 << 20)
    if not head.strip():
        raise DomainError("import.empty", "文件为空")
    if head[:4] == b"PK\x03\x04" or head[:8] == bytes.fromhex("D0CF11E0A1B11AE1"):
        return _open_workbook(path, size)
    if b"\x00" in head[:4096]:
        raise DomainError("import.not_tabular", "文件不是 CSV 或 Excel 表格")
    encoding = sniff_encoding(head)
    counter = _CountingReader(path.open("rb"))
    text = io.TextIOWrapper(io.BufferedReader(counter, 1 << 16), encoding=encoding, errors="replace", newline="")
    reader = csv.reader(text)
    try:
        header = next(reader)
    except (csv.Error, StopIteration):
        raise DomainError("import.not_tabular", "无法读取表头") from None

    def rows() -> Iterator[tuple[int, list[str]]]:
        line = 1
        try:
            for line, row in enumerate(reader, start=2):
                yield line, row
        except csv.Error as exc:
            raise DomainError("import.malformed", f"第{line + 1}行附近格式错误：{exc}") from None
        finally:
            text.close()

    return Table(header, rows(), size, lambda: counter.count)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _open_workbook(path: Path, size: int) -> Table:
    from python_calamine import CalamineWorkbook

    try:
        sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
        iterator = iter(sheet.iter_rows())
        header = [_cell(v) for v in next(iterator)]
    except StopIteration:
        raise DomainError("import.empty", "工作表为空") from None
    except Exception as exc:  # calamine raises its own error types for corrupt files
        raise DomainError("import.bad_workbook", f"无法读取 Excel 文件：{type(exc).__name__}") from None
    total = max(sheet.total_height, 1)
    state = {"line": 1}

    def rows() -> Iterator[tuple[int, list[str]]]:
        for line, row in enumerate(iterator, start=2):
            state["line"] = line
            yield line, [_cell(v) for v in row]

    return Table(header, rows(), size, lambda: int(size * state["line"] / total))


def map_header(header: list[str]) -> dict[str, int]:
    """Map our fields to column positions; unknown or missing columns refuse the file."""
    by_name = {alias: name for name, (_, aliases) in COLUMNS.items() for alias in aliases}
    positions: dict[str, int] = {}
    unknown = []
    for index, raw in enumerate(header):
        label = raw.strip().lstrip("\ufeff")
        if not label:
            continue
        name = by_name.get(label)
        if name is None:
            unknown.append(label)
        elif name in positions:
            raise DomainError("import.duplicate_column", f"列重复：{label}")
        else:
            positions[name] = index
    if unknown:
        raise DomainError("import.unknown_columns", f"无法识别的列：{'、'.join(unknown[:10])}", columns=unknown)
    missing = [COLUMNS[n][1][0] for n, (required, _) in COLUMNS.items() if required and n not in positions]
    if missing:
        raise DomainError("import.missing_columns", f"缺少必需的列：{'、'.join(missing)}", columns=missing)
    return positions


# ---------------------------------------------------------------- validating


class RowValidator:
    """Turns one raw row into insertable values or raises RowError(reason)."""

    def __init__(self, session: Session, *, today: dt.date):
        self.today = today
        self.counties = reference.county_codes(session)
        self.sections = reference.industry_sections(session)
        self.resolver = reference.get_resolver(session)
        self.successors = reference.current_successors(session)
        self.seen: set[str] = set()

    def text(self, raw: str, name: str, *, required: bool) -> str:
        value = raw.strip()
        if not value:
            if required:
                raise RowError(f"missing_{name}")
            return ""
        if has_control_chars(value):
            raise RowError("bad_characters", name)
        if has_markup(value):
            raise RowError("markup_not_allowed", name)
        if len(value) > MAX_LENGTHS.get(name, 200):
            raise RowError("too_long", name)
        return value

    def region(self, raw_code: str, address: str, uscc_region: str) -> str:
        code = raw_code.strip()
        if code:
            code = self.successors.get(code, code)
            if code not in self.counties:
                raise RowError("region_unknown", raw_code)
            return code
        found = self.resolver.resolve(address)
        if found.kind == "county" and found.code:
            return found.code
        if found.kind == "outside":
            raise RowError("region_outside", found.code or "")
        from_uscc = self.successors.get(uscc_region, uscc_region)
        if from_uscc in self.counties:
            return from_uscc
        raise RowError("region_unresolved", address[:40])

    def date(self, raw: str) -> dt.date:
        value = raw.strip()
        day = _iso_date(value)
        if day is not None:
            if day > self.today or day.year < 1949:
                raise RowError("date_out_of_range", value)
            return day
        for fmt in _DATE_FORMATS:
            try:
                day = dt.datetime.strptime(value, fmt).date()  # noqa: DTZ007 - a calendar date, no time
            except ValueError:
                continue
            if day > self.today or day.year < 1949:
                raise RowError("date_out_of_range", value)
            return day
        raise RowError("date_invalid", value[:20])

    def validate(self, cells: list[str], positions: dict[str, int]) -> dict:
        def get(name: str) -> str:
            index = positions.get(name)
            return cells[index] if index is not None and index < len(cells) else ""

        if len(cells) < len(positions):
            raise RowError("truncated_row")
        uscc_check = check_uscc(get("uscc"))
        if not uscc_check.valid:
            raise RowError(f"uscc_{uscc_check.reason}", uscc_check.code[:20])
        uscc = uscc_check.code
        if uscc in self.seen:
            raise RowError("duplicate_in_file", uscc)
        name = self.text(get("name"), "name", required=True)
        entity_type = ENTITY_TYPE_ALIASES.get(get("entity_type").strip())
        if entity_type is None:
            raise RowError("entity_type_unknown", get("entity_type")[:20])
        raw_status = get("status").strip()
        status = STATUS_ALIASES.get(raw_status) if raw_status else "active"
        if status is None:
            raise RowError("status_unknown", raw_status[:20])
        rep = self.text(get("legal_rep_name"), "legal_rep_name", required=True)
        id_number = get("legal_rep_id_number").strip().upper() or None
        if id_number:
            ric = check_resident_id(id_number, today=self.today)
            if not ric.valid:
                raise RowError("id_number_invalid", ric.reason or "")
            id_number = ric.code
        phone = self.text(get("legal_rep_phone"), "legal_rep_phone", required=False) or None
        if phone:
            phone = _phone(phone)
        address = self.text(get("address"), "address", required=True)
        region = self.region(get("region_code"), address, uscc_check.region_code or "")
        industry = get("industry_code").strip()
        section = self.sections.get(industry)
        if section is None:
            raise RowError("industry_unknown", industry[:10])
        capital = _capital(get("registered_capital"))
        self.seen.add(uscc)
        return {
            "uscc": uscc, "name": name, "name_initials": initials(name)[:200], "entity_type": entity_type,
            "status": status, "legal_rep_name": rep, "legal_rep_id_number": id_number,
            "legal_rep_phone": phone, "address": address, "region_code": region,
            "city_code": region[:4] + "00", "org_path": org_path_for_region(region),
            "industry_code": industry, "industry_section": section,
            "established_on": self.date(get("established_on")), "registered_capital": capital,
        }


def _iso_date(value: str) -> dt.date | None:
    """``YYYY-MM-DD`` (the first accepted format, and nearly every row) without strptime."""
    if len(value) == 10 and value[4] == "-" == value[7] and value.isascii():
        year, month, day = value[:4], value[5:7], value[8:]
        if year.isdigit() and month.isdigit() and day.isdigit():
            try:
                return dt.date(int(year), int(month), int(day))
            except ValueError:
                return None
    return None


def _phone(raw: str) -> str:
    if len(raw) == 11 and not raw.startswith("179") and _MOBILE.fullmatch(raw):
        return raw
    try:
        number = phonenumbers.parse(raw, "CN")
    except phonenumbers.NumberParseException:
        raise RowError("phone_invalid", raw[:20]) from None
    if not phonenumbers.is_possible_number(number):
        raise RowError("phone_invalid", raw[:20])
    return str(number.national_number)


def _capital(raw: str) -> Decimal | None:
    value = raw.strip().replace(",", "")
    if not value:
        return None
    try:
        capital = Decimal(value).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise RowError("capital_invalid", value[:20]) from None
    if capital < 0 or capital > MAX_CAPITAL:
        raise RowError("capital_invalid", value[:20])
    return capital


# ---------------------------------------------------------------- writing

_SKIP = {"id", "created_at", "updated_at"}
_CONTENT_COLUMNS = [c.name for c in Entity.__table__.columns if c.name not in _SKIP]


def upsert_statement(engine_or_session: Engine | Session):
    """INSERT … ON CONFLICT (uscc) DO UPDATE only where some content column differs."""
    dialect = engine_or_session.get_bind().dialect.name if isinstance(engine_or_session, Session) \
        else engine_or_session.dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return _on_conflict_update(insert(Entity.__table__))


def _on_conflict_update(stmt):
    excluded = stmt.excluded
    table = Entity.__table__
    changed = or_(*(table.c[c].is_distinct_from(excluded[c]) for c in _CONTENT_COLUMNS if c != "uscc"))
    return stmt.on_conflict_do_update(
        index_elements=[table.c.uscc],
        set_={**{c: excluded[c] for c in _CONTENT_COLUMNS if c != "uscc"}, "updated_at": excluded.updated_at},
        where=and_(changed),
    )


_ARRAY_COLUMNS = [*_CONTENT_COLUMNS, "created_at", "updated_at"]


def _array_type(column):
    # Arrays of unbounded varchar: an explicit cast to varchar(n) would truncate silently,
    # the assignment to the column raises for too-long values as a VALUES list does.
    return postgresql.ARRAY(String() if isinstance(column.type, String) else column.type)


def _pg_array_upsert():
    """PostgreSQL: the same upsert over one array parameter per column (``unnest``).

    With RETURNING, SQLAlchemy sends an executemany as multi-row VALUES batches of ~1000
    rows, i.e. ~100 KB of SQL per batch that psycopg re-parses client-side every time (too
    long for its cache); that was two thirds of a PostgreSQL import. This statement is short,
    so it is parsed once, and each chunk is a single round trip.
    """
    table = Entity.__table__
    rows = select(*(func.unnest(bindparam(c, type_=_array_type(table.c[c]))) for c in _ARRAY_COLUMNS))
    return _on_conflict_update(postgresql.insert(table).from_select(_ARRAY_COLUMNS, rows)).returning(table.c.uscc)


def _upsert_changed(session: Session, rows: list[dict], existing: set[str]) -> int:
    """Upsert the rows; returns how many were inserted or really updated."""
    if session.get_bind().dialect.name == "postgresql":
        arrays = {c: [r[c] for r in rows] for c in _ARRAY_COLUMNS}
        return len(session.execute(_pg_array_upsert(), arrays).all())
    # SQLite: the write transaction began IMMEDIATE, so no other writer can add a USCC between
    # the existence check and here; new rows take the plain executemany path (about 3x faster
    # than an upsert with RETURNING), known ones the conditional upsert.
    fresh = [r for r in rows if r["uscc"] not in existing]
    known = [r for r in rows if r["uscc"] in existing]
    if fresh:
        session.execute(Entity.__table__.insert(), fresh)
    if not known:
        return len(fresh)
    return len(fresh) + len(session.execute(upsert_statement(session).returning(Entity.__table__.c.uscc), known).all())


def write_chunk(session: Session, rows: list[dict], *, actor: Actor, first_line: int, last_line: int,
                report: ImportReport) -> None:
    """Upsert one chunk in the caller's transaction, with its audit row and event."""
    existing = service.existing_usccs(session, usccs=[r["uscc"] for r in rows])
    now = clock.now()
    for row in rows:
        row["created_at"] = row["updated_at"] = now
    # RETURNING lists the rows inserted or really updated (executemany rowcount is not
    # reliable across drivers); unchanged rows are filtered out by the WHERE clause.
    changed = _upsert_changed(session, rows, existing)
    inserted = len(rows) - len(existing)
    updated = max(changed - inserted, 0)
    report.inserted += inserted
    report.updated += updated
    report.unchanged += len(rows) - inserted - updated
    if inserted or updated:
        audit.record(session, actor=actor, action="registry.import_chunk", subject_type="import",
                     subject_id=f"{first_line}-{last_line}", new={"inserted": inserted, "updated": updated})
        events.publish(session, EntitiesImported(inserted=inserted, updated=updated, since=now), subject_type="import",
                       subject_key=f"{first_line}-{last_line}", org_path="/370000/")


ProgressFn = Callable[[int, int, ImportReport], None]


def import_entities(sessions: Sessions, *, path: Path, actor: Actor, chunk_rows: int = 5000,
                    progress: ProgressFn | None = None, error_path: Path | None = None) -> ImportReport:
    """Import a file; returns the report. Raises DomainError for file-level problems.

    Validation runs in a reader thread while this thread writes the previous chunk: the
    database drivers release the GIL while a statement runs, so the two overlap.
    """
    table = open_table(path)
    positions = map_header(table.header)
    with sessions.read() as session:
        validator = RowValidator(session, today=clock.today())
    report = ImportReport()
    error_path = error_path or path.with_name(path.name + ".errors.csv")
    error_path.parent.mkdir(parents=True, exist_ok=True)
    chunks: queue.Queue = queue.Queue(maxsize=2)
    stop = threading.Event()
    reader = threading.Thread(target=_validate_chunks, name="import-validate", daemon=True,
                              args=(table, positions, validator, report, error_path, chunk_rows, chunks, stop))
    reader.start()
    try:
        while (item := chunks.get()) is not _DONE:
            if isinstance(item, BaseException):
                raise item
            rows, first_line, last_line = item
            _flush(sessions, rows, actor, first_line, last_line, report)
            if progress:
                progress(table.position(), table.size, report)
    finally:
        stop.set()
        while reader.is_alive():  # unblock a reader waiting on a full queue, then let it finish
            with contextlib.suppress(queue.Empty):
                chunks.get(timeout=0.1)
        reader.join()
    if progress:
        progress(table.size, table.size, report)
    if report.rejected:
        report.error_file = str(error_path)
    else:
        error_path.unlink(missing_ok=True)
    return report


_DONE = object()


def _validate_chunks(table: Table, positions: dict[str, int], validator: RowValidator, report: ImportReport,
                     error_path: Path, chunk_rows: int, chunks: queue.Queue, stop: threading.Event) -> None:
    """Reader thread: validate rows, write rejects to the error file, hand over full chunks."""
    try:
        with error_path.open("w", encoding="utf-8-sig", newline="") as err_fh:
            errors = csv.writer(err_fh)
            errors.writerow(["行号", "统一社会信用代码", "原因代码", "说明"])
            chunk: list[dict] = []
            first_line = line = 2
            uscc_index = positions.get("uscc")
            for line, cells in table.rows:
                if stop.is_set():
                    return
                if not any(c.strip() for c in cells):
                    continue
                report.rows += 1
                try:
                    chunk.append(validator.validate(cells, positions))
                except RowError as exc:
                    report.rejected += 1
                    report.reasons[exc.reason] = report.reasons.get(exc.reason, 0) + 1
                    raw_uscc = cells[uscc_index] if uscc_index is not None and uscc_index < len(cells) else ""
                    errors.writerow([line, raw_uscc[:30], exc.reason, exc.detail])
                if len(chunk) >= chunk_rows:
                    chunks.put((chunk, first_line, line))
                    chunk, first_line = [], line + 1
            if chunk:
                chunks.put((chunk, first_line, line))
        chunks.put(_DONE)
    except BaseException as exc:
        chunks.put(exc)


def _flush(sessions: Sessions, chunk: list[dict], actor: Actor, first: int, last: int, report: ImportReport) -> None:
    with sessions.transaction() as session:
        write_chunk(session, chunk, actor=actor, first_line=first, last_line=last, report=report)
