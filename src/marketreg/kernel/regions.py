"""Jurisdiction paths derived from GB/T 2260 codes (province → city → county)."""

from __future__ import annotations

SHANDONG = "370000"


def org_path_for_region(code: str) -> str:
    """``370102`` → ``/370000/370100/370102/``; a station code (8+ digits) nests under its county."""
    if len(code) > 6:
        return org_path_for_region(code[:6]) + f"{code}/"
    province, city = code[:2] + "0000", code[:4] + "00"
    if code == province:
        return f"/{province}/"
    if code == city:
        return f"/{province}/{city}/"
    return f"/{province}/{city}/{code}/"


def level_of(code: str) -> str:
    if len(code) > 6:
        return "station"
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "city"
    return "county"
