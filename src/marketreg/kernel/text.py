"""Checks on free text that people type into the platform.

Markup is refused rather than escaped at intake: no company name, address or complaint
needs HTML, and refusing keeps stored text safe for every later consumer (exports, SMS,
other departments' systems), not only for our own auto-escaping templates.
"""

from __future__ import annotations

import re

_MARKUP = re.compile(r"<\s*[a-zA-Z/!?]|javascript:|on\w+\s*=", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def has_markup(value: str) -> bool:
    return _MARKUP.search(value) is not None


def has_control_chars(value: str) -> bool:
    """Control characters other than tab, newline and carriage return (or a decoding error)."""
    return _CONTROL.search(value) is not None or "\ufffd" in value
