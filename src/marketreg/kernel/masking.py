"""Masking of personal data for display (PIPL Art. 51: minimum necessary disclosure)."""

from __future__ import annotations


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
