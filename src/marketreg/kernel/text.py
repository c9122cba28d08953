"""Checks on free text that people type into the platform.

Markup is refused rather than escaped at intake: no company name, address, complaint, annual
report or penalty text needs HTML, and refusing keeps stored text safe for every later consumer
(the public JSON API, exports, SMS, other departments' systems), not only for our own
auto-escaping templates. Pages and the JSON API refuse alike because both go through the same
actions. (So no HTML sanitiser is needed; the pattern below is one line and also catches
``javascript:`` and ``on…=`` fragments that an HTML parser would not call markup.)
"""

from __future__ import annotations

import re

from marketreg.kernel.errors import DomainError

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")
_MARKUP = re.compile(r"<\s*[a-zA-Z/!?]|javascript:|on\w+\s*=", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def has_markup(value: str) -> bool:
    return _MARKUP.search(value) is not None


def has_control_chars(value: str) -> bool:
    """Control characters other than tab, newline and carriage return (or a decoding error)."""
    return _CONTROL.search(value) is not None or "\ufffd" in value


def plain_text(value: str | None, *, field: str, domain: str) -> str | None:
    """``value`` stripped, or a coded refusal (``<domain>.markup_not_allowed`` /
    ``<domain>.bad_characters``) naming the field in Chinese; empty text is ``None``."""
    if value is None:
        return None
    value = value.strip()
    if has_markup(value):
        raise DomainError(f"{domain}.markup_not_allowed", f"“{field}”中不能包含网页代码", field=field)
    if has_control_chars(value):
        raise DomainError(f"{domain}.bad_characters", f"“{field}”中含有非法字符", field=field)
    return value or None


def spreadsheet_cell(value: object) -> object:
    """A cell no spreadsheet will run as a formula (OWASP "CSV Injection"): text beginning with
    ``= + - @``, tab or CR gets a leading ``'``; numbers, and text that is just a number, stay as
    they are (a negative amount is data, not a formula). No library covers both the CSV and the
    openpyxl writer, hence these few lines."""
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _NUMBER.match(value):
        return "'" + value
    return value
