"""Pinyin initials of entity names, for search by initials (e.g. "jnsd" → 济南顺达…).

pypinyin gives each character's initial; we cache per character, because converting whole
names costs ~20 µs each and imports run over millions of rows. Per-character conversion
loses phrase context for a few polyphones (e.g. 行 in 银行); search by name covers those.
"""

from __future__ import annotations

from functools import lru_cache

from pypinyin import Style, pinyin


@lru_cache(maxsize=65536)
def _initial(char: str) -> str:
    if char.isascii():
        return char.lower() if char.isalnum() else ""
    result = pinyin(char, style=Style.FIRST_LETTER, errors="ignore")
    return result[0][0].lower() if result and result[0] else ""


def initials(name: str) -> str:
    return "".join(_initial(c) for c in name)
