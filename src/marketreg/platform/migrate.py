"""Alembic driven from settings (the composition root passes the scripts and metadata)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, MetaData


def alembic_config(engine: Engine, script_location: Path, metadata: MetaData) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(script_location))
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    cfg.attributes["engine"] = engine
    cfg.attributes["target_metadata"] = metadata
    return cfg


def upgrade(cfg: Config, revision: str = "head") -> None:
    command.upgrade(cfg, revision)


def downgrade(cfg: Config, revision: str = "base") -> None:
    command.downgrade(cfg, revision)
