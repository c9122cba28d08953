"""Alembic against the configured database, with the full metadata."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from marketreg.app.models import metadata
from marketreg.platform import migrate
from marketreg.platform.db import get_engine

SCRIPTS = Path(__file__).parent / "migrations"


def config(engine: Engine | None = None):
    return migrate.alembic_config(engine or get_engine(), SCRIPTS, metadata)


def upgrade(revision: str = "head", engine: Engine | None = None) -> None:
    migrate.upgrade(config(engine), revision)


def downgrade(revision: str = "base", engine: Engine | None = None) -> None:
    migrate.downgrade(config(engine), revision)
