"""Query results straight into NumPy arrays, for set-based bulk work over millions of rows.

SQLAlchemy compiles the statement and binds its parameters; the rows are then read from the
DBAPI cursor in batches and converted by NumPy, so no per-row ``Row`` object is built (measured:
4× faster than converting ``Row`` objects). PostgreSQL streams through a named (server-side)
cursor of its own — SQLAlchemy's ``stream_results`` would pre-read a row into its own buffer —
so memory holds one batch of tuples besides the arrays.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import numpy as np
from sqlalchemy import Select
from sqlalchemy.orm import Session

_names = itertools.count()


def fetch_array(session: Session, stmt: Select, dtype, *, batch: int = 100_000,
                progress: Callable[[int], None] | None = None) -> np.ndarray:
    """All rows of ``stmt`` as one array of ``dtype`` (a plain dtype gives an n × columns matrix,
    a structured dtype one record per row); ``progress(rows so far)`` after each batch."""
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        # Bulk work runs the same statement per range many times: JIT compilation (triggered by
        # the estimated cost) took about a third of each range's time, so it is off here.
        conn.exec_driver_sql("SET LOCAL jit = off")
        compiled = stmt.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
        cursor = conn.connection.cursor(name=f"fetch_array_{next(_names)}")
        cursor.execute(str(compiled), compiled.params)
    else:
        cursor = conn.execute(stmt).cursor
    parts: list[np.ndarray] = []
    done = 0
    try:
        while rows := cursor.fetchmany(batch):
            parts.append(np.array(rows, dtype=dtype))
            done += len(rows)
            if progress:
                progress(done)
    finally:
        cursor.close()
    if parts:
        return np.concatenate(parts)
    dtype = np.dtype(dtype)
    return np.zeros(0 if dtype.names else (0, len(stmt.selected_columns)), dtype=dtype)
