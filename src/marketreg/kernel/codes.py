"""Structural checks of the unified social credit code (GB 32100-2015) and the resident
identity number (GB 11643-1999), on top of python-stdnum.

python-stdnum's ``cn.uscc`` requires the first eight characters to be digits, but GB 32100
Table 1 also assigns letters to registration authorities (A 中央军委改革和编制办公室,
N 农业, Y 其他). We therefore check positions 1–2 against the standard's code tables here
and reuse stdnum's check-digit algorithm for position 18; stdnum does everything else.

Normalisation (documented in README): surrounding and inner spaces and hyphens are
removed and letters are upper-cased before checking, because codes are copied from
licences and PDFs with such noise; the normalised code is what we store and return.

Whether the region part (positions 3–8) exists is not a structural question: the
reference domain answers it from the GB/T 2260 table including abolished codes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from stdnum import exceptions as stdnum_exc
from stdnum.cn import ric as stdnum_ric
from stdnum.cn import uscc as stdnum_uscc

# GB 32100-2015 Table 1: registration authority code → (name, {entity type code: name}).
USCC_AUTHORITIES: dict[str, tuple[str, dict[str, str]]] = {
    "1": ("机构编制", {"1": "机关", "2": "事业单位", "3": "中央编办直接管理机构编制的群众团体", "9": "其他"}),
    "2": ("外交", {"1": "外国常驻新闻机构", "9": "其他"}),
    "3": ("司法行政", {"1": "律师执业机构", "2": "公证处", "3": "基层法律服务所", "4": "司法鉴定机构",
                        "5": "仲裁委员会", "9": "其他"}),
    "4": ("文化", {"1": "外国在华文化中心", "9": "其他"}),
    "5": ("民政", {"1": "社会团体", "2": "民办非企业单位", "3": "基金会", "9": "其他"}),
    "6": ("旅游", {"1": "外国旅游部门常驻代表机构", "2": "港澳台地区旅游部门常驻内地（大陆）代表机构",
                    "9": "其他"}),
    "7": ("宗教", {"1": "宗教活动场所", "2": "宗教院校", "9": "其他"}),
    "8": ("工会", {"1": "基层工会", "9": "其他"}),
    "9": ("工商（市场监管）", {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"}),
    "A": ("中央军委改革和编制办公室", {"1": "军队事业单位", "9": "其他"}),
    "N": ("农业", {"1": "组级集体经济组织", "2": "村级集体经济组织", "3": "乡镇级集体经济组织", "9": "其他"}),
    "Y": ("其他", {"1": "其他"}),
}

# GB 11714-1997 organisation code check digit weights (positions 9–17 of a USCC).
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
# GB 32100-2015 check character (positions 1–17), as in stdnum.cn.uscc.calc_check_digit.
_USCC_ALPHABET = stdnum_uscc._alphabet
_USCC_VALUES = {c: i for i, c in enumerate(_USCC_ALPHABET)}
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_NOISE = str.maketrans("", "", " \t\u3000-－")


def normalize_code(raw: str) -> str:
    """Drop spaces (also full-width) and hyphens, upper-case."""
    return raw.translate(_NOISE).upper()


@dataclass(frozen=True, slots=True)
class UsccCheck:
    code: str
    valid: bool
    reason: str | None = None
    registration_authority: str | None = None
    entity_type: str | None = None
    region_code: str | None = None


def org_code_check_digit(body8: str) -> str:
    """GB 11714 check character for the 8-character organisation code body."""
    total = sum(_ORG_ALPHABET.index(c) * w for c, w in zip(body8, _ORG_WEIGHTS, strict=True))
    value = 11 - total % 11
    return {10: "X", 11: "0"}.get(value, str(value))


def uscc_check_digit(first17: str) -> str:
    """GB 32100 check character (stdnum's algorithm; it accepts letters in any position)."""
    return stdnum_uscc.calc_check_digit(first17 + "0")


def check_uscc(raw: str) -> UsccCheck:
    """Check a USCC; the first failing rule gives ``reason``.

    Reasons: ``empty``, ``length``, ``charset``, ``authority``, ``entity_type``,
    ``region_format``, ``org_code_checksum``, ``checksum``.
    """
    code = normalize_code(raw or "")
    if not code:
        return UsccCheck(code, False, "empty")
    if len(code) != 18:
        return UsccCheck(code, False, "length")
    if any(c not in _USCC_VALUES for c in code):
        return UsccCheck(code, False, "charset")
    authority = USCC_AUTHORITIES.get(code[0])
    if authority is None:
        return UsccCheck(code, False, "authority")
    authority_name, types = authority
    type_name = types.get(code[1])
    if type_name is None:
        return UsccCheck(code, False, "entity_type", authority_name)
    region = code[2:8]
    if not region.isdigit():
        return UsccCheck(code, False, "region_format", authority_name, type_name)
    base = UsccCheck(code, True, None, authority_name, type_name, region)
    org = code[8:17]
    if any(c not in _ORG_ALPHABET for c in org) or org_code_check_digit(org[:8]) != org[8]:
        return _invalid(base, "org_code_checksum")
    # All that stdnum's validate() would still check here is the check character (the code
    # is normalised, 18 characters of its alphabet, digits where it wants digits).
    if _uscc_check_char(code) != code[17]:
        return _invalid(base, "checksum")
    return base


def _uscc_check_char(code: str) -> str:
    total = sum(_USCC_VALUES[c] * w for c, w in zip(code[:17], _USCC_WEIGHTS, strict=True))
    return _USCC_ALPHABET[(31 - total) % 31]


def _invalid(check: UsccCheck, reason: str) -> UsccCheck:
    return UsccCheck(check.code, False, reason, check.registration_authority, check.entity_type,
                     check.region_code)


@dataclass(frozen=True, slots=True)
class RicCheck:
    code: str
    valid: bool
    reason: str | None = None
    birth_date: dt.date | None = None
    region_code: str | None = None


def check_resident_id(raw: str, *, today: dt.date) -> RicCheck:
    """Check an 18-digit resident ID (GB 11643-1999).

    stdnum checks length, digits, check digit, birth date and that the address code
    existed in the birth year; it raises ``KeyError`` for a known province with an unknown
    county and accepts future birth dates, so both are handled here.
    Reasons: ``length``, ``format``, ``checksum``, ``birth_date``, ``region``.
    """
    code = normalize_code(raw or "")
    if len(code) != 18:
        return RicCheck(code, False, "length")
    if not code[:17].isdigit():
        return RicCheck(code, False, "format")
    if stdnum_ric.calc_check_digit(code) != code[17]:
        return RicCheck(code, False, "checksum")
    try:  # stdnum_ric.get_birth_date without its per-call re-cleaning of the number
        born = dt.date(int(code[6:10]), int(code[10:12]), int(code[12:14]))
    except ValueError:
        return RicCheck(code, False, "birth_date")
    if born > today or born.year < 1880:
        return RicCheck(code, False, "birth_date", born)
    if not _birth_place_known(code[:6], born.year):
        return RicCheck(code, False, "region", born, code[:6])
    return RicCheck(code, True, None, born, code[:6])


def birth_place_known(address_code: str, year: int) -> bool:
    """Whether a resident ID's address code was in use in its holder's birth year."""
    return _birth_place_known(address_code, year)


@lru_cache(maxsize=1 << 16)
def _birth_place_known(address_code: str, year: int) -> bool:
    """Whether the address code was in use in the birth year (stdnum's table).

    stdnum's answer depends on nothing else, and each of its look-ups walks the whole
    location table (~0.1 ms), which dominated bulk imports; hence the cache.
    """
    try:
        stdnum_ric.get_birth_place(f"{address_code}{year:04d}01010000")
    except (stdnum_exc.ValidationError, KeyError):
        return False
    return True


def make_uscc(authority: str, entity_type: str, region: str, org_body8: str) -> str:
    """Compose a valid USCC from its parts (demo data and tests)."""
    org = org_body8 + org_code_check_digit(org_body8)
    first17 = authority + entity_type + region + org
    return first17 + uscc_check_digit(first17)
