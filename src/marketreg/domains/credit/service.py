"""Reads of the credit domain that other domains consume."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy.orm import Session


def risk_classes(session: Session) -> Iterator[tuple[int, str]]:
    """Yield ``(market_entity.id, "A"|"B"|"C"|"D")`` for every entity with a current class.

    Placeholder until the credit branch lands; the lead replaces it at merge.
    """
    yield from ()
