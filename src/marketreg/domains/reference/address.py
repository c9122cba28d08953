"""Free-text address → Shandong county-level division (current GB/T 2260 code).

Why hand-written: complaints, reports and registrations carry addresses typed by people —
without the province, with the city shortened (济南历下…), with county-level cities written
without 市 (曲阜…), and with names of divisions that no longer exist (莱芜市莱城区, 胶南市,
即墨市, 章丘市, 垦利县). Routing a case to today's county needs the abolished names mapped
to today's codes. No maintained library does that against GB/T 2260 *including abolished
codes*: cpca, for instance, ships its own dated division table and matches current names
only. The MCA history (``mca_xzqh_history_1981_2024.csv``) gives exactly the mapping we need,
so the resolver is built from the ``region`` rows (or the packaged CSVs) and kept in memory.

The resolver is pure: build it from ``RegionRow`` values, call ``resolve(text)``.

How it reads an address (sequentially, from the start, longest name first at each position):

1. optional province (山东省 / 山东; another province → ``outside`` with that province's code);
2. optional prefecture (济南市 / 济南; also abolished ones such as 莱芜市, 烟台地区);
3. county-level division adjacent to what was read (历下区 / 历下 / 曲阜 / 胶南市 …); with a
   prefecture read, only its divisions count (so 济南市市中区 → 370103, 济宁市市中区 → 370811).

If nothing matches at the start, the first *full* name further on is used as the start
(泉城路1号历下区). Short names (the name without 区/县/市) are only accepted where an
address component is expected (at the start or right after a prefecture), never in the middle
of other words, and never when a road or building word follows (青岛市即墨路 is in 市北区,
not 即墨区). A name followed by 场 is read as 市场, not as a city (青岛市场监管局).

Outcomes: ``county`` (one current code), ``ambiguous`` (several candidates: a name shared by
several counties such as 市中区, a city without a county → its current counties, a division
that was split), ``outside`` (another province; code is the province), ``unknown``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

SHANDONG = "370000"

ResolutionKind = Literal["county", "ambiguous", "outside", "unknown"]


@dataclass(frozen=True, slots=True)
class RegionRow:
    """One GB/T 2260 code, as stored in the ``region`` table (see ``models.Region``)."""

    code: str
    name: str
    short_name: str
    level: str  # province | prefecture | county
    county_type: str
    parent_code: str | None
    province_code: str
    status: str  # current | abolished
    valid_from: int | None
    valid_to: int | None
    successor_code: str | None
    successor_codes: tuple[str, ...] = ()
    former_names: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Resolution:
    kind: ResolutionKind
    code: str | None = None
    name: str | None = None
    candidates: tuple[str, ...] = ()


UNKNOWN = Resolution("unknown")

_ETHNIC = (
    "蒙古|回|藏|维吾尔|苗|彝|壮|布依|朝鲜|满|侗|瑶|白|土家|哈尼|哈萨克|傣|黎|傈僳|佤|畲|高山|拉祜|水|东乡|纳西|"
    "景颇|柯尔克孜|土|达斡尔|仫佬|羌|布朗|撒拉|毛南|仡佬|锡伯|阿昌|普米|塔吉克|怒|乌孜别克|俄罗斯|鄂温克|德昂|"
    "保安|裕固|京|塔塔尔|独龙|鄂伦春|赫哲|门巴|珞巴|基诺|各"
)
_AUTONOMOUS = re.compile(rf"^(.{{2,}}?)(?:(?:{_ETHNIC})族?)*(?:自治州|自治县|自治旗|自治区)$")
_PLAIN_SUFFIXES = ("特别行政区", "自治区", "地区", "林区", "特区", "省", "市", "区", "县", "盟", "旗")


def short_name(name: str) -> str:
    """The name without its administrative suffix, when at least two characters remain
    (山东省→山东, 曲阜市→曲阜, 广西壮族自治区→广西, 莒县→莒县, 郊区→郊区)."""
    m = _AUTONOMOUS.match(name)
    if m:
        return m.group(1)
    for suffix in _PLAIN_SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


# Names too generic to stand alone; they count only right after a prefecture (济南市郊区).
_GENERIC = frozenset({"郊区", "市郊区", "城区", "矿区", "市区", "新区"})
# After a short name these mean it is part of a road, building or place name.
_STREETISH_2 = ("大街", "大道", "大厦", "广场", "公园", "小区", "花园", "宾馆", "饭店", "酒店", "中学",
                "小学", "医院", "商场", "大学", "学院", "机场", "银行", "街坊", "景区", "风景")
_STREETISH_1 = frozenset("路巷桥厦弄胡")
_DIRECTIONS = frozenset("东西南北中")
_LABEL = re.compile(r"^[^：:]{0,6}?(?:地址|住所|住址|场所|所在地|地点|位置)[：:]")
_NOISE = re.compile(r"[\s\u3000()（）\[\]【】,，、;；]")
_COUNTRY = ("中华人民共和国", "中国")

_Kind = Literal["province", "prefecture", "county"]


@dataclass(frozen=True, slots=True)
class _Entry:
    code: str
    kind: _Kind
    parent_code: str | None
    province_code: str
    current: bool
    short: bool
    targets: tuple[str, ...]  # current county codes (counties), the province/prefecture code otherwise
    shandong: bool


@dataclass(slots=True)
class _Token:
    end: int
    entries: list[_Entry] = field(default_factory=list)


class AddressResolver:
    """Resolve addresses to current Shandong county-level codes; see the module docstring."""

    def __init__(self, rows: Iterable[RegionRow]):
        rows = list(rows)
        self._rows = {r.code: r for r in rows}
        self._names: dict[str, list[_Entry]] = defaultdict(list)
        self._counties_of: dict[str, tuple[str, ...]] = {}
        current_counties: dict[str, list[str]] = defaultdict(list)
        historic_children: dict[str, set[str]] = defaultdict(set)
        for r in rows:
            if r.province_code == SHANDONG and r.level == "county":
                if r.status == "current":
                    current_counties[r.parent_code or ""].append(r.code)
                elif r.parent_code:
                    historic_children[r.parent_code].update(self._county_targets(r))
        for r in rows:
            if r.province_code == SHANDONG and r.level == "prefecture":
                kids = current_counties.get(r.code) or sorted(historic_children.get(r.code, ()))
                self._counties_of[r.code] = tuple(sorted(kids))
        self._build_lexicon(rows)
        self._maxlen = max((len(n) for n in self._names), default=1)

    # ---- building -------------------------------------------------------------------------

    def _county_targets(self, r: RegionRow) -> tuple[str, ...]:
        if r.status == "current":
            return (r.code,)
        targets = tuple(c for c in r.successor_codes if c in self._rows) or (
            (r.successor_code,) if r.successor_code else ()
        )
        if len(targets) > 1:
            # A split division: an address written with the old name most likely lies in the
            # part that kept the name (文登市 → 文登区, not 环翠区).
            stem = short_name(r.name)
            same = [c for c in targets if short_name(self._rows[c].name) == stem]
            if len(same) == 1:
                return (same[0],)
        return targets

    def _add(self, name: str, entry: _Entry) -> None:
        if entry not in self._names[name]:
            self._names[name].append(entry)

    def _build_lexicon(self, rows: list[RegionRow]) -> None:
        shandong_names: set[str] = set()
        for r in rows:
            if r.province_code != SHANDONG:
                continue
            kind: _Kind = r.level  # type: ignore[assignment]
            targets = self._county_targets(r) if kind == "county" else (r.code,)
            if not targets:
                continue
            current = r.status == "current"
            for full in (r.name, *r.former_names):
                shandong_names.add(full)
                self._add(full, _Entry(r.code, kind, r.parent_code, SHANDONG, current, False, targets, True))
            # Short forms: provinces, current prefectures, and county-level divisions.
            if kind == "prefecture" and not current:
                continue
            for full in (r.name, *r.former_names):
                stem = short_name(full)
                if stem != full and len(stem) >= 2 and not stem.startswith("市"):
                    shandong_names.add(stem)
                    entry = _Entry(r.code, kind, r.parent_code, SHANDONG, current, True, targets, True)
                    self._add(stem, entry)
        # Other provinces: province names (full and short), current prefecture names and county
        # names that belong to exactly one province and do not clash with a Shandong name.
        county_provinces: dict[str, set[str]] = defaultdict(set)
        for r in rows:
            if r.province_code != SHANDONG and r.status == "current" and r.level == "county":
                county_provinces[r.name].add(r.province_code)
        for r in rows:
            if r.province_code == SHANDONG or r.status != "current" or r.name in shandong_names:
                continue
            prov = r.province_code
            entry = _Entry(r.code, r.level, r.parent_code, prov, True, False, (prov,), False)  # type: ignore[arg-type]
            if r.level == "province":
                self._add(r.name, entry)
                stem = short_name(r.name)
                if stem != r.name and stem not in shandong_names:
                    self._add(stem, _Entry(r.code, "province", None, prov, True, True, (prov,), False))
            elif r.level == "prefecture" or (
                len(county_provinces[r.name]) == 1 and r.name not in _GENERIC and len(r.name) >= 3
            ):
                self._add(r.name, entry)

    # ---- matching -------------------------------------------------------------------------

    def _token_at(self, s: str, pos: int, *, short_ok: bool, after_prefecture: bool,
                  outside_ok: bool) -> _Token | None:
        """The longest name at ``pos`` that survives the false-positive rules."""
        for length in range(min(self._maxlen, len(s) - pos), 1, -1):
            name = s[pos : pos + length]
            entries = self._names.get(name)
            if not entries:
                continue
            end = pos + length
            rest = s[end:]
            if name.endswith("市") and rest.startswith("场"):
                continue  # 青岛市场… is a market, not 青岛市
            kept = []
            for e in entries:
                if e.short and (not short_ok or _streetish(rest)):
                    continue
                if not e.shandong and not outside_ok:
                    continue
                if name in _GENERIC and not after_prefecture:
                    continue
                kept.append(e)
            if kept:
                return _Token(end, kept)
        return None

    def resolve(self, text: str) -> Resolution:
        s = _normalise(text)
        if not s:
            return UNKNOWN
        result = self._parse(s, 0, anchored=True)
        if result is not None:
            return result
        # Nothing recognisable at the start: restart at the first full name further on.
        for pos in range(1, len(s) - 1):
            tok = self._token_at(s, pos, short_ok=False, after_prefecture=False, outside_ok=True)
            if tok is None:
                continue
            if not any(e.shandong for e in tok.entries) and not _is_full_province(s[pos : tok.end]):
                continue
            result = self._parse(s, pos, anchored=False)
            if result is not None:
                return result
        return UNKNOWN

    def _parse(self, s: str, pos: int, *, anchored: bool) -> Resolution | None:
        """Read province → prefecture → county from ``pos``; None if nothing was recognised."""
        province: str | None = None
        prefecture: _Entry | None = None
        short_ok = anchored
        while pos < len(s):
            tok = self._token_at(s, pos, short_ok=short_ok, after_prefecture=prefecture is not None,
                                 outside_ok=province is None and prefecture is None)
            if tok is None and prefecture is not None and s[pos - 1] == "市":
                # 济南市中区: the 市 of 济南市 doubles as the first character of 市中区.
                tok = self._token_at(s, pos - 1, short_ok=True, after_prefecture=True, outside_ok=False)
            if tok is None:
                break
            shandong = [e for e in tok.entries if e.shandong]
            if not shandong:
                if province is None and prefecture is None:
                    outside = {e.province_code for e in tok.entries}
                    if len(outside) == 1:
                        code = outside.pop()
                        row = self._rows.get(code)
                        return Resolution("outside", code, row.name if row else None)
                break
            kinds = {e.kind for e in shandong}
            if "province" in kinds and province is None and prefecture is None:
                province = SHANDONG
            elif "prefecture" in kinds and prefecture is None:
                prefs = [e for e in shandong if e.kind == "prefecture"]
                prefecture = next((e for e in prefs if e.current), prefs[0])
            elif "county" in kinds:
                county = self._pick_county([e for e in shandong if e.kind == "county"], prefecture,
                                           s[pos : tok.end])
                if county is not None:
                    return county
                break
            else:
                break
            pos = tok.end
            short_ok = True
        if prefecture is None:
            return None
        # A prefecture without an adjacent county: take a full county name of that prefecture
        # further on, else offer the prefecture's counties.
        for p in range(pos, len(s) - 1):
            tok = self._token_at(s, p, short_ok=False, after_prefecture=False, outside_ok=False)
            if tok is None:
                continue
            inside = [e for e in tok.entries if e.kind == "county" and self._within(e, prefecture)]
            if inside:
                found = self._pick_county(inside, prefecture, s[p : tok.end])
                if found is not None:
                    return found
        return Resolution("ambiguous", None, self._rows[prefecture.code].name,
                          self._counties_of.get(prefecture.code, ()))

    def _within(self, e: _Entry, prefecture: _Entry) -> bool:
        return e.parent_code == prefecture.code or bool(
            set(e.targets) & set(self._counties_of.get(prefecture.code, ())))

    def _pick_county(self, entries: list[_Entry], prefecture: _Entry | None, matched: str) -> Resolution:
        if prefecture is not None:
            inside = [e for e in entries if self._within(e, prefecture)]
            if not inside:
                # The county is not in the stated city: offer both readings.
                named = sorted({t for e in entries for t in e.targets})
                city = self._counties_of.get(prefecture.code, ())
                return Resolution("ambiguous", None, matched, tuple(dict.fromkeys([*named, *city])))
            entries = inside
            city = set(self._counties_of.get(prefecture.code, ()))
            targets = {t for e in entries for t in e.targets if t in city} or {
                t for e in entries for t in e.targets}
        else:
            current = [e for e in entries if e.current]
            entries = current or entries
            targets = {t for e in entries for t in e.targets}
        if len(targets) == 1:
            code = targets.pop()
            return Resolution("county", code, self._rows[code].name, (code,))
        return Resolution("ambiguous", None, matched, tuple(sorted(targets)))


def _streetish(rest: str) -> bool:
    """Whether the text after a short name shows it is part of a road or building name."""
    if not rest:
        return False
    if rest[0] in _STREETISH_1 or rest.startswith(_STREETISH_2):
        return True
    if rest[0] == "街" and not rest.startswith("街道"):
        return True
    return rest[0] in _DIRECTIONS and len(rest) > 1 and rest[1] in "路街大"


def _is_full_province(name: str) -> bool:
    return name.endswith(("省", "自治区", "特别行政区"))


def _normalise(text: str) -> str:
    s = _NOISE.sub("", text or "")
    s = _LABEL.sub("", s, count=1)
    for prefix in _COUNTRY:
        if s.startswith(prefix):
            s = s[len(prefix) :]
            break
    return s
