"""Bulk import of market entities from CSV or XLSX (the registration system's exports).

File-level problems (not a table, unknown or missing columns, unreadable workbook) refuse
the whole file before anything is written. Row-level problems put the row, with its row
number, a reason code, the reason in Chinese and the original values, into the error
report; valid rows load. Re-importing the same file changes nothing: rows are upserted on
USCC and only rows whose content differs are touched (``loader``).

Speed (15 million rows): CSV files are parsed by pyarrow and every check runs over column
batches in Polars (USCC and resident-ID check characters over NumPy arrays). A row that
any of these vectorised checks does not accept outright goes through ``RowValidator``,
the per-row definition of every check and reason code, so the two can never disagree on
a rejected row; the vectorised path only ever *accepts* rows that ``RowValidator`` would
accept with the same values (each of its conditions is at least as strict).

Size: the per-row validator and its vectorised twin belong together, so that a reader sees
each check's two forms side by side.
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

import numpy as np
import phonenumbers
import polars as pl
import pyarrow as pa
import pyarrow.csv as pa_csv

from marketreg.domains.reference import service as reference
from marketreg.domains.registry import loader
from marketreg.domains.registry.enums import ENTITY_TYPE_ALIASES, STATUS_ALIASES
from marketreg.domains.registry.names import initials_of
from marketreg.kernel import clock
from marketreg.kernel.codes import USCC_AUTHORITIES, birth_place_known, check_resident_id, check_uscc
from marketreg.kernel.errors import DomainError
from marketreg.kernel.regions import org_path_for_region
from marketreg.kernel.text import has_control_chars, has_markup
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
TEMPLATE_HEADER = [aliases[0] for _, aliases in COLUMNS.values()]
MAX_LENGTHS = {"name": 200, "legal_rep_name": 60, "address": 300, "legal_rep_phone": 20}
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y年%m月%d日", "%Y.%m.%d")
# A plain mainland mobile number, which phonenumbers returns unchanged; 179xx is not one of
# them (phonenumbers strips it as an IP-dialling prefix), so it takes the full path.
_MOBILE = re.compile(r"1[3-9][0-9]{9}")
MAX_CAPITAL = Decimal("100000000000")  # 万元

REASONS_ZH = {
    "truncated_row": "该行列数不足",
    "uscc_empty": "统一社会信用代码为空",
    "uscc_length": "统一社会信用代码长度不是18位",
    "uscc_charset": "统一社会信用代码含有无效字符",
    "uscc_authority": "统一社会信用代码登记管理部门代码无效",
    "uscc_entity_type": "统一社会信用代码机构类别代码无效",
    "uscc_region_format": "统一社会信用代码登记管理机关行政区划码格式错误",
    "uscc_org_code_checksum": "统一社会信用代码中组织机构代码校验错误",
    "uscc_checksum": "统一社会信用代码校验码错误",
    "duplicate_in_file": "文件中统一社会信用代码重复（以首次出现的行为准）",
    "missing_name": "名称为空",
    "missing_legal_rep_name": "法定代表人为空",
    "missing_address": "住所为空",
    "bad_characters": "含有控制字符或无法识别的字符",
    "markup_not_allowed": "不允许包含网页标记或脚本",
    "too_long": "内容超过长度上限",
    "entity_type_unknown": "主体类型无法识别",
    "status_unknown": "登记状态无法识别",
    "id_number_invalid": "法定代表人身份证号码无效",
    "phone_invalid": "联系电话无效",
    "region_unknown": "行政区划代码不是山东省现行县级区划",
    "region_outside": "住所不在山东省",
    "region_unresolved": "无法从住所确定行政区划",
    "industry_unknown": "行业代码无法识别",
    "date_invalid": "成立日期格式无法识别",
    "date_out_of_range": "成立日期超出合理范围",
    "capital_invalid": "注册资本无效",
    "outside_jurisdiction": "该主体不在您的管辖范围内，未作任何修改",
}
ERROR_HEADER = ["行号", "原因代码", "原因", "说明"]


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

    def reject(self, reason: str) -> None:
        self.rejected += 1
        self.reasons[reason] = self.reasons.get(reason, 0) + 1


def reasons_zh(report: ImportReport, *, top: int = 3) -> str:
    """The most frequent reasons for rejection, in Chinese (for the job monitor)."""
    if not report.reasons:
        return ""
    ranked = sorted(report.reasons.items(), key=lambda kv: -kv[1])[:top]
    return "（" + "；".join(f"{REASONS_ZH.get(code, code)} {count:,} 行" for code, count in ranked) + "）"


class RowError(Exception):
    def __init__(self, reason: str, detail: str = "", uscc: str | None = None):
        super().__init__(reason)
        self.reason, self.detail, self.uscc = reason, detail, uscc


# ---------------------------------------------------------------- reading


class _CountingReader(io.RawIOBase):
    """Counts bytes read so progress can be shown for a streamed file."""

    def __init__(self, raw):
        self.raw, self.count = raw, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = self.raw.readinto(buffer)
        self.count += n or 0
        return n

    def close(self) -> None:
        self.raw.close()
        super().close()


class _Utf8Recoder(io.RawIOBase):
    """A GB18030 byte stream as UTF-8 (undecodable bytes become U+FFFD, as before)."""

    def __init__(self, raw, encoding: str):
        self.text = io.TextIOWrapper(io.BufferedReader(raw, 1 << 20), encoding=encoding, errors="replace",
                                     newline="")
        self.pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while len(self.pending) < len(buffer):
            text = self.text.read(1 << 18)
            if not text:
                break
            self.pending += text.encode("utf-8")
        n = min(len(buffer), len(self.pending))
        buffer[:n] = self.pending[:n]
        self.pending = self.pending[n:]
        return n

    def close(self) -> None:
        self.text.close()
        super().close()


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
class Batch:
    """Rows of the file as columns: ``c0…cN`` (strings, one per header column) and ``line``
    (the row number a spreadsheet shows), plus rows with another cell count as lists."""

    frame: pl.DataFrame
    ragged: list[tuple[int, list[str]]]


@dataclass
class Table:
    header: list[str]
    batches: Iterator[Batch]
    size: int
    position: Callable[[], int]
    estimated_rows: int


def open_table(path: Path, *, batch_rows: int = 50_000) -> Table:
    """Open a CSV or XLSX file as (header, batches of numbered rows); refuse what is not a table."""
    if not path.is_file():
        raise DomainError("import.no_file", f"文件不存在：{path}")
    size = path.stat().st_size
    with path.open("rb") as fh:
        head = fh.read(1 << 20)
    if not head.strip():
        raise DomainError("import.empty", "文件为空")
    if head[:4] == b"PK\x03\x04" or head[:8] == bytes.fromhex("D0CF11E0A1B11AE1"):
        return _open_workbook(path, size, batch_rows)
    if b"\x00" in head[:4096]:
        raise DomainError("import.not_tabular", "文件不是 CSV 或 Excel 表格")
    encoding = sniff_encoding(head)
    header = _csv_header(head, encoding)
    counter = _CountingReader(path.open("rb"))
    stream = counter if encoding == "utf-8-sig" else _Utf8Recoder(counter, encoding)
    # ~200 bytes per row in the registration system's exports
    estimated = max(1, size // 200)
    return Table(header, _csv_batches(stream, len(header)), size, lambda: counter.count, estimated)


def _csv_header(head: bytes, encoding: str) -> list[str]:
    try:
        return next(csv.reader(io.StringIO(head.decode(encoding, errors="replace"), newline="")))
    except (csv.Error, StopIteration):
        raise DomainError("import.not_tabular", "无法读取表头") from None


# pyarrow holds several blocks at once (read-ahead, parse buffers): 1 MiB blocks keep that
# near 70 MiB where 11 MiB blocks took 250 MiB; ``_rechunk`` joins them into chunks.
_BLOCK_BYTES = 1 << 20


def _csv_batches(stream, width: int) -> Iterator[Batch]:
    """pyarrow's streaming CSV reader; rows with another cell count than the header come
    through its invalid-row handler with their row number and are parsed by ``csv``."""
    names = [f"c{i}" for i in range(width)]
    invalid: list[tuple[int, str]] = []
    lock = threading.Lock()

    def on_invalid(row) -> str:
        with lock:
            invalid.append((row.number, row.text))
        return "skip"

    try:
        reader = pa_csv.open_csv(
            stream,
            read_options=pa_csv.ReadOptions(use_threads=False, block_size=_BLOCK_BYTES,
                                            column_names=names, skip_rows=1),
            parse_options=pa_csv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False,
                                              invalid_row_handler=on_invalid),
            convert_options=pa_csv.ConvertOptions(column_types=dict.fromkeys(names, pa.binary()),
                                                  strings_can_be_null=False))
    except pa.ArrowInvalid as exc:
        stream.close()
        raise DomainError("import.malformed", f"文件格式错误：{exc}") from None
    next_line, used = 2, 0
    try:
        while True:
            try:
                record = reader.read_next_batch()
            except StopIteration:
                break
            except pa.ArrowInvalid as exc:
                raise DomainError("import.malformed", f"第{next_line}行附近格式错误：{exc}") from None
            with lock:
                pending = sorted(invalid[used:])
            lines, placed = _line_numbers(next_line, record.num_rows, pending)
            if record.num_rows:
                next_line = int(lines[-1]) + 1
            used += placed
            yield Batch(_frame(record, names, lines), [(n, _cells(t)) for n, t in pending[:placed]])
        with lock:
            rest = sorted(invalid[used:])
        if rest:
            yield Batch(_frame(None, names, np.empty(0, np.int64)), [(n, _cells(t)) for n, t in rest])
    finally:
        stream.close()


def _line_numbers(start: int, n: int, pending: list[tuple[int, str]]) -> tuple[np.ndarray, int]:
    """Row numbers of ``n`` regular rows from ``start`` on, skipping the numbers of the
    irregular rows (sorted); returns them and how many irregular rows fall among them."""
    lines = np.arange(start, start + n, dtype=np.int64)
    placed = 0
    while placed < len(pending) and n and pending[placed][0] <= lines[-1]:
        lines[lines >= pending[placed][0]] += 1
        placed += 1
    return lines, placed


def _cells(text: str) -> list[str]:
    return next(csv.reader(io.StringIO(text, newline="")), [])


def _frame(record: pa.RecordBatch | None, names: list[str], lines: np.ndarray) -> pl.DataFrame:
    columns = {name: _text_column(record.column(i)) if record is not None else pa.array([], pa.string())
               for i, name in enumerate(names)}
    return pl.DataFrame({**{k: pl.from_arrow(v) for k, v in columns.items()}, "line": lines})


def _text_column(column: pa.Array) -> pa.Array:
    """Bytes → text; invalid UTF-8 becomes U+FFFD (then ``bad_characters``), as a text reader would."""
    try:
        return column.cast(pa.string())
    except pa.ArrowInvalid:
        return pa.array([v.decode("utf-8", errors="replace") for v in column.to_pylist()], pa.string())


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


def _open_workbook(path: Path, size: int, batch_rows: int) -> Table:
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
    names = [f"c{i}" for i in range(len(header))]

    def batches() -> Iterator[Batch]:
        rows: list[list[str]] = []
        lines: list[int] = []
        ragged: list[tuple[int, list[str]]] = []
        for line, row in enumerate(iterator, start=2):
            state["line"] = line
            cells = [_cell(v) for v in row]
            if len(cells) == len(names):
                rows.append(cells)
                lines.append(line)
            else:
                ragged.append((line, cells))
            if len(rows) >= batch_rows:
                yield _workbook_batch(names, rows, lines, ragged)
                rows, lines, ragged = [], [], []
        if rows or ragged:
            yield _workbook_batch(names, rows, lines, ragged)

    return Table(header, batches(), size, lambda: int(size * state["line"] / total), total)


def _workbook_batch(names: list[str], rows: list[list[str]], lines: list[int], ragged) -> Batch:
    columns = {name: pl.Series(name, [r[i] for r in rows], dtype=pl.String) for i, name in enumerate(names)}
    return Batch(pl.DataFrame({**columns, "line": pl.Series("line", lines, dtype=pl.Int64)}), ragged)


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


# ---------------------------------------------------------------- validating one row


class RowValidator:
    """Turns one raw row into insertable values or raises RowError(reason): the definition
    of every check (the vectorised path in ``BatchValidator`` only accepts rows early)."""

    def __init__(self, session, *, today: dt.date):
        self.today = today
        self.counties = reference.county_codes(session)
        self.sections = reference.industry_sections(session)
        self.resolver = reference.get_resolver(session)
        self.successors = reference.current_successors(session)

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
        """The row's values; RowError carries the first failing check (and the USCC, once valid)."""
        def get(name: str) -> str:
            index = positions.get(name)
            return cells[index] if index is not None and index < len(cells) else ""

        if len(cells) < len(positions):
            raise RowError("truncated_row")
        uscc_check = check_uscc(get("uscc"))
        if not uscc_check.valid:
            raise RowError(f"uscc_{uscc_check.reason}", uscc_check.code[:20])
        try:
            return self._fields(get, uscc_check.code, uscc_check.region_code or "")
        except RowError as exc:
            exc.uscc = uscc_check.code
            raise

    def _fields(self, get: Callable[[str], str], uscc: str, uscc_region: str) -> dict:
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
        region = self.region(get("region_code"), address, uscc_region)
        industry = get("industry_code").strip()
        section = self.sections.get(industry)
        if section is None:
            raise RowError("industry_unknown", industry[:10])
        capital = _capital(get("registered_capital"))
        return {
            "uscc": uscc, "name": name, "name_initials": initials_of([name])[0][:200], "entity_type": entity_type,
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


# ---------------------------------------------------------------- validating a batch

_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = np.array((1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28), np.int64)
_ORG_WEIGHTS = np.array((3, 7, 9, 10, 5, 8, 4, 2), np.int64)
_RIC_WEIGHTS = np.array([pow(2, 17 - i, 11) for i in range(17)], np.int64)


def _byte_table(alphabet: str) -> np.ndarray:
    table = np.full(256, -1, np.int64)
    for value, char in enumerate(alphabet):
        table[ord(char)] = value
    return table


_USCC_VALUE = _byte_table(_USCC_ALPHABET)
_ORG_VALUE = _byte_table("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_AUTHORITY_TYPE = np.zeros((256, 256), bool)
for _authority, (_, _types) in USCC_AUTHORITIES.items():
    for _type in _types:
        _AUTHORITY_TYPE[ord(_authority), ord(_type)] = True
# Anything that could be markup (``<``, ``=`` of an event handler, ``:`` of ``javascript:``)
# or a control character takes the per-row path, which decides.
_SUSPECT_TEXT = r"[<=:\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x{fffd}]|^\s|\s$"
_STRIP = " \t\r\n\u3000"
_USCC_STRIP = " \t\u3000"  # what normalize_code drops; not CR/LF
TEXT_FIELDS = ("name", "legal_rep_name", "address")


def uscc_valid(codes: list[str]) -> np.ndarray:
    """GB 32100 structure and both check characters over 18-character codes of its alphabet."""
    if not codes:
        return np.zeros(0, bool)
    m = np.frombuffer("".join(codes).encode("ascii"), np.uint8).reshape(-1, 18)
    ok = _AUTHORITY_TYPE[m[:, 0], m[:, 1]]
    ok &= ((m[:, 2:8] >= ord("0")) & (m[:, 2:8] <= ord("9"))).all(axis=1)
    org = _ORG_VALUE[m[:, 8:16]] @ _ORG_WEIGHTS
    org_check = 11 - org % 11
    expected = np.where(org_check == 10, ord("X"), np.where(org_check == 11, ord("0"), org_check + ord("0")))
    ok &= expected == m[:, 16]
    total = _USCC_VALUE[m[:, :17]] @ _USCC_WEIGHTS
    alphabet = np.frombuffer(_USCC_ALPHABET.encode(), np.uint8)
    ok &= alphabet[(31 - total % 31) % 31] == m[:, 17]
    return ok


def resident_id_valid(codes: list[str], today: dt.date, place_known: Callable[[str, int], bool]) -> np.ndarray:
    """GB 11643 check character, birth date and birth place over 18-character ``\\d{17}[\\dX]`` codes."""
    if not codes:
        return np.zeros(0, bool)
    m = np.frombuffer("".join(codes).encode("ascii"), np.uint8).reshape(-1, 18).astype(np.int64)
    digits = m[:, :17] - ord("0")
    check = (1 - digits @ _RIC_WEIGHTS) % 11
    ok = np.where(check == 10, ord("X"), check + ord("0")) == m[:, 17]
    frame = pl.DataFrame({"code": codes}).with_columns(
        place=pl.col("code").str.slice(0, 6), year=pl.col("code").str.slice(6, 4).cast(pl.Int32),
        born=pl.col("code").str.slice(6, 8).str.to_date("%Y%m%d", strict=False))
    ok &= (frame["born"].is_not_null() & (frame["born"] <= today) & (frame["year"] >= 1880)).to_numpy()
    pairs = frame.filter(pl.Series(ok)).select("place", "year").unique()
    known = pairs.filter(pl.Series([place_known(p, y) for p, y in pairs.iter_rows()], dtype=pl.Boolean))
    ok &= frame.join(known.with_columns(known=pl.lit(True)), on=["place", "year"], how="left",
                     maintain_order="left")["known"].fill_null(False).to_numpy()
    return ok


Rejected = tuple[int, str, str, list[str]]  # line, reason, detail, original cells


@dataclass
class Checked:
    """One chunk, validated."""

    accepted: pl.DataFrame  # ``line`` + the loader's content columns, as text
    rejected: list[Rejected]
    rows: int  # non-blank rows
    # rejected rows with a valid USCC: ``duplicate_in_file`` if an earlier chunk loaded it
    maybe_duplicates: list[tuple[int, str]]
    frame: pl.DataFrame  # the regular rows' original cells
    slow_cells: dict[int, list[str]]

    def cells(self, lines: set[int]) -> dict[int, list[str]]:
        """Original cells of the given rows, for the error report."""
        found = {line: self.slow_cells[line] for line in lines if line in self.slow_cells}
        rest = pl.Series("line", sorted(lines - found.keys()), dtype=pl.Int64)
        if len(rest):
            picked = self.frame.filter(pl.col("line").is_in(rest.to_list()))
            for row in picked.iter_rows():
                found[row[-1]] = list(row[:-1])
        return found


class BatchValidator:
    """Vectorised checks over a batch; rows not accepted here go to ``RowValidator``."""

    def __init__(self, row: RowValidator, positions: dict[str, int], width: int):
        self.row, self.positions, self.width = row, positions, width
        self.cells = [f"c{i}" for i in range(width)]
        self.region_paths: dict[str, str] = {}

    def column(self, name: str) -> pl.Expr:
        index = self.positions.get(name)
        return pl.col(f"c{index}") if index is not None else pl.lit("", pl.String)

    def check(self, batch: Batch) -> Checked:
        blank = pl.all_horizontal(pl.col(c).str.contains(r"^\s*$") for c in self.cells)
        frame = batch.frame.select(*self.cells, "line").filter(~blank)
        fast, slow = self._fast(frame)
        rows = fast.height
        slow_cells: dict[int, list[str]] = {}
        rejected: list[Rejected] = []
        values: list[dict] = []
        maybe: list[tuple[int, str]] = []
        for line, cells in [*((r[-1], list(r[:-1])) for r in slow.select(*self.cells, "line").iter_rows()),
                            *batch.ragged]:
            if not any(c.strip() for c in cells):
                continue
            rows += 1
            slow_cells[line] = cells
            try:
                values.append({"line": line, **{k: _text(v) for k, v in self.row.validate(cells, self.positions)
                                                .items()}})
            except RowError as exc:
                rejected.append((line, exc.reason, exc.detail, cells))
                if exc.uscc is not None:
                    maybe.append((line, exc.uscc))
        schema = {"line": pl.Int64, **dict.fromkeys(loader.CONTENT_COLUMNS, pl.String)}
        accepted = pl.concat([fast, pl.DataFrame(values, schema=schema)], how="vertical").sort("line")
        return self._first_wins(Checked(accepted, rejected, rows, maybe, frame, slow_cells))

    @staticmethod
    def _first_wins(checked: Checked) -> Checked:
        """The first valid row of a USCC wins; later rows with that USCC, valid or not, are
        ``duplicate_in_file`` (for earlier chunks, the loader knows what it loaded)."""
        accepted = checked.accepted
        first = accepted.group_by("uscc").agg(pl.col("line").min().alias("first"))
        marked = accepted.join(first, on="uscc", how="left")
        late = marked.filter(pl.col("line") > pl.col("first"))
        checked.accepted = marked.filter(pl.col("line") == pl.col("first")).drop("first").sort("line")
        firsts = dict(first.iter_rows())
        late_rejected = {line for line, uscc in checked.maybe_duplicates if line > firsts.get(uscc, line)}
        rejected = [(line, "duplicate_in_file", "", cells) if line in late_rejected else (line, reason, detail, cells)
                    for line, reason, detail, cells in checked.rejected]
        late_lines = dict(late.select("line", "uscc").iter_rows())
        cells = checked.cells(set(late_lines))
        rejected.extend((line, "duplicate_in_file", uscc, cells.get(line, [])) for line, uscc in late_lines.items())
        checked.rejected = rejected
        checked.maybe_duplicates = [(line, uscc) for line, uscc in checked.maybe_duplicates
                                    if line not in late_rejected]
        return checked

    def _fast(self, frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
        """Split a batch into rows accepted here (with their values) and the rest."""
        strip = {name: self.column(name).str.strip_chars(_USCC_STRIP if name == "uscc" else _STRIP)
                 for name in COLUMNS}
        values = frame.with_columns(**{f"_{n}": e for n, e in strip.items()}).with_columns(
            _id=pl.col("_legal_rep_id_number").str.to_uppercase(),
            _capital=pl.col("_registered_capital").str.replace_all(",", "", literal=True),
            _type=pl.col("_entity_type").replace_strict(ENTITY_TYPE_ALIASES, default=None, return_dtype=pl.String),
            _status=pl.when(pl.col("_status") == "").then(pl.lit("active")).otherwise(
                pl.col("_status").replace_strict(STATUS_ALIASES, default=None, return_dtype=pl.String)),
            _region=pl.col("_region_code").replace(self.row.successors),
            _section=pl.col("_industry_code").replace_strict(self.row.sections, default=None,
                                                               return_dtype=pl.String),
            _date=pl.when(pl.col("_established_on").str.contains(r"^\d{4}-\d{2}-\d{2}$")).then(
                pl.col("_established_on").str.to_date("%Y-%m-%d", strict=False)),
        )
        ok = [
            pl.col("_uscc").str.contains(f"^[{_USCC_ALPHABET}]{{18}}$"),
            pl.col("_type").is_not_null(), pl.col("_status").is_not_null(), pl.col("_section").is_not_null(),
            pl.col("_region").is_in(list(self.row.counties)),
            pl.col("_id").str.contains(r"^(\d{17}[\dX])?$"),
            pl.col("_legal_rep_phone").str.contains(r"^(1[3-9]\d{9})?$")
            & ~pl.col("_legal_rep_phone").str.starts_with("179"),
            pl.col("_capital").str.contains(r"^(\d{1,11}(\.\d{1,2})?)?$"),
            pl.col("_date").is_not_null() & (pl.col("_date") <= self.row.today)
            & (pl.col("_date").dt.year() >= 1949),
            *(pl.col(f"_{n}").str.len_chars().is_between(1, MAX_LENGTHS[n]) for n in TEXT_FIELDS),
            *(~pl.col(f"_{n}").str.contains(_SUSPECT_TEXT) for n in TEXT_FIELDS),
        ]
        values = values.with_columns(_ok=pl.all_horizontal(ok).fill_null(False))
        good = values.filter(pl.col("_ok"))
        ids = good["_id"].to_list()
        with_id = [i for i, v in enumerate(ids) if v]
        keep = uscc_valid(good["_uscc"].to_list())
        keep[with_id] &= resident_id_valid([ids[i] for i in with_id], self.row.today, birth_place_known)
        fast = good.filter(pl.Series(keep))
        slow = pl.concat([values.filter(~pl.col("_ok")), good.filter(pl.Series(~keep))], how="vertical")
        for code in fast["_region"].unique().to_list():
            if code not in self.region_paths:
                self.region_paths[code] = org_path_for_region(code)
        accepted = fast.select(
            "line", uscc="_uscc", name="_name",
            name_initials=pl.Series([n[:200] for n in initials_of(fast["_name"].to_list())], dtype=pl.String),
            entity_type="_type", status="_status", legal_rep_name="_legal_rep_name",
            legal_rep_id_number=pl.when(pl.col("_id") != "").then(pl.col("_id")),
            legal_rep_phone=pl.when(pl.col("_legal_rep_phone") != "").then(pl.col("_legal_rep_phone")),
            address="_address", region_code="_region",
            city_code=pl.col("_region").str.slice(0, 4) + "00",
            org_path=pl.col("_region").replace_strict(self.region_paths, default=None, return_dtype=pl.String),
            industry_code="_industry_code", industry_section="_section",
            established_on=pl.col("_date").cast(pl.String),
            registered_capital=pl.when(pl.col("_capital") != "").then(pl.col("_capital")),
        )
        return accepted.select("line", *loader.CONTENT_COLUMNS), slow


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


# ---------------------------------------------------------------- the import


ProgressFn = Callable[[int, int, ImportReport], None]


def import_entities(sessions: Sessions, *, path: Path, actor: Actor, chunk_rows: int = 50_000,
                    progress: ProgressFn | None = None, error_path: Path | None = None) -> ImportReport:
    """Import a file as ``actor`` (every row must lie in the actor's jurisdiction); returns
    the report. Raises DomainError for file-level problems.

    Reading and validation run in a reader thread while this thread loads the previous
    chunk: pyarrow, Polars and the database drivers release the GIL, so the two overlap.
    """
    actor.require("registry.import")
    table = open_table(path, batch_rows=chunk_rows)
    positions = map_header(table.header)
    with sessions.read() as session:
        validator = BatchValidator(RowValidator(session, today=clock.today()), positions, len(table.header))
    report = ImportReport()
    error_path = error_path or path.with_name(path.name + ".errors.csv")
    error_path.parent.mkdir(parents=True, exist_ok=True)
    chunks: queue.Queue = queue.Queue(maxsize=1)
    stop = threading.Event()
    reader = threading.Thread(target=_check_batches, name="import-validate", daemon=True,
                              args=(table, validator, chunk_rows, chunks, stop))
    reader.start()
    try:
        with error_path.open("w", encoding="utf-8-sig", newline="") as err_fh, \
                loader.Loader(sessions, actor=actor, expected_rows=table.estimated_rows) as load:
            errors = csv.writer(err_fh)
            errors.writerow([*ERROR_HEADER, *table.header])
            while (item := chunks.get()) is not _DONE:
                if isinstance(item, BaseException):
                    raise item
                _load_chunk(load, item, errors, report)
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


def _load_chunk(load: loader.Loader, checked: Checked, errors, report: ImportReport) -> None:
    report.rows += checked.rows
    result, late = load.load(checked.accepted, checked.maybe_duplicates)
    report.inserted += result.inserted
    report.updated += result.updated
    report.unchanged += result.unchanged
    rejected = [(line, "duplicate_in_file", "", cells) if line in late else (line, reason, detail, cells)
                for line, reason, detail, cells in checked.rejected]
    cells = checked.cells(result.duplicates | result.outside)
    rejected.extend((line, "duplicate_in_file", "", cells.get(line, [])) for line in result.duplicates)
    rejected.extend((line, "outside_jurisdiction", "", cells.get(line, [])) for line in result.outside)
    for line, reason, detail, row in sorted(rejected, key=lambda r: r[0]):
        report.reject(reason)
        errors.writerow([line, reason, REASONS_ZH.get(reason, reason), detail, *(_neutral(c) for c in row)])


def _neutral(value: str) -> str:
    """Spreadsheet formula neutralisation of an original value in the error report."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


_DONE = object()


def _check_batches(table: Table, validator: BatchValidator, chunk_rows: int, chunks: queue.Queue,
                   stop: threading.Event) -> None:
    """Reader thread: read and validate batches, hand over chunks of about ``chunk_rows``."""
    try:
        for batch in _rechunk(table.batches, chunk_rows):
            if stop.is_set():
                return
            chunks.put(validator.check(batch))
        chunks.put(_DONE)
    except BaseException as exc:
        chunks.put(exc)


def _rechunk(batches: Iterator[Batch], rows: int) -> Iterator[Batch]:
    """Batches of exactly ``rows`` regular rows (the last one shorter); irregular rows go
    with the chunk whose row numbers they fall in."""
    frames: list[pl.DataFrame] = []
    ragged: list[tuple[int, list[str]]] = []
    held = 0
    for batch in batches:
        frames.append(batch.frame)
        ragged.extend(batch.ragged)
        held += batch.frame.height
        while held >= rows:
            whole = pl.concat(frames, how="vertical")
            head, tail = whole.head(rows), whole.slice(rows)
            last = int(head["line"][-1]) if head.height else 0
            yield Batch(head, [r for r in ragged if r[0] <= last])
            ragged = [r for r in ragged if r[0] > last]
            frames, held = [tail], tail.height
    if held or ragged:
        yield Batch(pl.concat(frames, how="vertical") if frames else pl.DataFrame(), ragged)
