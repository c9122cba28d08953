"""Pure types for law as data (DESIGN §6): a statutory figure and a listed ground, each carrying
its source, shared by every domain's ``rules.py``."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Figure:
    """A statutory figure (deadline, threshold, period) with its basis and RULES.md confidence."""

    value: int | Decimal
    unit: str  # workdays | days | hours | months | years | yuan | count | percent
    basis: str
    confidence: str  # CONFIRMED | PARTIAL | UNCONFIRMED

    @property
    def editable(self) -> bool:
        """Figures RULES.md does not confirm may be corrected by staff (audited)."""
        return self.confidence != "CONFIRMED"


@dataclass(frozen=True, slots=True)
class Ground:
    """A ground in a closed statutory list (grounds for not accepting, listing, not filing …)."""

    code: str
    label: str
    basis: str
