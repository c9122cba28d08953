"""Personal data in display and public text (PIPL Art. 51: minimum necessary disclosure).

* ``mask_*``: one known field (an ID number, a phone, a name) shown partly.
* ``scrub``: the one scrubber for every text the public sees (complaint publicity and its CSV,
  the tracking page and the public JSON API, penalty publicity). It finds personal data in free
  text with well-kept libraries where they exist: ``phonenumbers`` (``PhoneNumberMatcher``,
  region CN, leniency VALID: mobiles and landlines in any spacing, ``+86``/``0086`` prefixes),
  ``python-stdnum`` (``cn.ric`` for 18-digit resident IDs, ``luhn`` for bank cards, ``cn.uscc``
  so that enterprise codes stay), and jieba's part-of-speech tags for a person's name written
  next to a phone or e-mail ("联系人张三13800138000"). Hand-written patterns remain only where no
  library covers the form: 15-digit (pre-1999) IDs, e-mail addresses, spaced or hyphenated number
  groups, and "X先生/女士" forms of address. Text is matched after NFKC normalisation character by
  character (full-width digits and ``＠``), so replacements land on the original text and lawful
  full-width punctuation stays as written.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import cache

import phonenumbers
from stdnum import luhn
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError

REDACTED = "***"


def mask_id_number(value: str | None) -> str | None:
    """Resident ID: keep the first 6 (region) and last 4 characters."""
    if not value:
        return value
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str | None) -> str | None:
    """Phone: keep the first 3 and last 4 digits."""
    if not value:
        return value
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_name(value: str | None) -> str | None:
    """Person name: keep the family name (first character)."""
    if not value:
        return value
    return value[0] + "*" * (len(value) - 1) if len(value) > 1 else "*"


# ----------------------------------------------------------------------------- the scrubber

# Digit runs with single spaces or hyphens between digits: ID numbers and bank cards as people type them.
_NUMBER_RUN = re.compile(r"(?<![0-9A-Za-z])\d(?:[ \-]?\d){13,18}(?:[ \-]?[Xx])?(?![0-9A-Za-z])")
_CARD_GROUPS = re.compile(r"^\d{4}(?:[ \-]\d{4}){3}(?:[ \-]\d{1,3})?$")
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
_HONORIFIC = re.compile(r"[\u4e00-\u9fff](?:先生|女士|小姐)")
# A number right after one of these words is a business reference (order, waybill, case, invoice…).
_REFERENCE_CONTEXT = re.compile(
    r"(?:订单|单号|编号|流水|运单|快递|批号|案号|文号|发票|合同|凭证|条码)[号码]?[\s:：#]*$")
_ID_CONTEXT = re.compile(r"(?:身份证|证件|公民身份)[号码]*[\s:：#]*$")
_CONTACT_LABELS = {"电话", "手机", "手机号", "联系电话", "联系方式", "号码", "邮箱", "电邮", "电子邮箱", "微信", "座机",
                   "电话号码", "手机号码", "联系", "为", "是"}
_NOT_PERSONAL = {phonenumbers.PhoneNumberType.TOLL_FREE, phonenumbers.PhoneNumberType.SHARED_COST,
                 phonenumbers.PhoneNumberType.PREMIUM_RATE, phonenumbers.PhoneNumberType.UAN}
_NAME_WINDOW = 12  # characters before a phone or e-mail searched for the person's name


def _normalise(text: str) -> str:
    """NFKC per character where it stays one character, so positions match the original text."""
    out = []
    for ch in text:
        folded = unicodedata.normalize("NFKC", ch)
        out.append(folded if len(folded) == 1 else ch)
    return "".join(out)


def _old_id(digits: str) -> bool:
    """A 15-digit (first-generation) resident ID: region, then a real YYMMDD birth date in the 1900s."""
    body = digits[:6] + "19" + digits[6:15]
    return ric.is_valid(body + ric.calc_check_digit(body + "0"))


def _birth_date_ok(number: str) -> bool:
    try:
        ric.get_birth_date(number)
    except ValidationError:
        return False
    return True


def _number_is_personal(raw: str, before: str) -> bool:
    """ID numbers (15 or 18 digits) and bank cards (16–19 digits, Luhn) — not enterprise codes,
    and not numbers written as an order, waybill or case reference."""
    digits = re.sub(r"[ \-]", "", raw).upper()
    if len(digits) == 18 and (ric.is_valid(digits) or (_ID_CONTEXT.search(before) and _birth_date_ok(digits))):
        return True
    if len(digits) == 18 and uscc.is_valid(digits):
        return False
    if _REFERENCE_CONTEXT.search(before):
        return False
    if len(digits) == 15 and digits.isdigit() and _old_id(digits):
        return True
    grouped_or_plain = raw.isdigit() or _CARD_GROUPS.match(raw) is not None
    return 16 <= len(digits) <= 19 and digits.isdigit() and grouped_or_plain and luhn.is_valid(digits)


def _phone_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    for match in phonenumbers.PhoneNumberMatcher(text, "CN", leniency=phonenumbers.Leniency.VALID):
        if phonenumbers.number_type(match.number) not in _NOT_PERSONAL:
            unbalanced = match.raw_string.startswith("(") and ")" not in match.raw_string  # "（138…）"
            spans.append((match.start + unbalanced, match.end))
    return spans


@cache
def _pos_tagger():
    import logging

    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    return jieba.posseg.dt  # jieba's default dictionary, loaded on the first name lookup (about a second)


def _name_before(text: str, start: int) -> tuple[int, int] | None:
    """The span of a person's name written just before a contact (labels and punctuation between)."""
    window_start = max(0, start - _NAME_WINDOW)
    tokens = list(_pos_tagger().cut(text[window_start:start]))
    end = start
    for token in reversed(tokens):
        word = token.word
        if token.flag.startswith("nr"):
            return end - len(word), end
        if token.flag != "x" and word.strip() and word not in _CONTACT_LABELS:
            return None
        end -= len(word)
    return None


def _merge(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _known_spans(text: str, known: Iterable[str | None]) -> list[tuple[int, int]]:
    spans = []
    for value in {k.strip() for k in known if k and len(k.strip()) >= 2}:
        spans += [(m.start(), m.end()) for m in re.finditer(re.escape(_normalise(value)), text)]
    return spans


def personal_data_spans(text: str, *, known: Iterable[str | None] = ()) -> list[tuple[int, int]]:
    """Where personal data sits in ``text`` (positions in the text as given)."""
    norm = _normalise(text)
    contacts = _phone_spans(norm) + [(m.start(), m.end()) for m in _EMAIL.finditer(norm)]
    numbers = [(m.start(), m.end()) for m in _NUMBER_RUN.finditer(norm)
               if _number_is_personal(m.group(), norm[max(0, m.start() - 12):m.start()])]
    names = [span for start, _ in contacts if (span := _name_before(norm, start)) is not None]
    return _merge(_known_spans(norm, known) + contacts + numbers + names)


def scrub(text: str | None, *, known: Iterable[str | None] = ()) -> str | None:
    """``text`` with personal data replaced by ``***`` and "X先生/女士" by "消费者"; ``known`` are
    values known to be personal here (a complainant's own name, phone, address)."""
    if not text:
        return None
    pieces, last = [], 0
    for start, end in personal_data_spans(text, known=known):
        pieces += [text[last:start], REDACTED]
        last = end
    pieces.append(text[last:])
    return _HONORIFIC.sub("消费者", "".join(pieces))
