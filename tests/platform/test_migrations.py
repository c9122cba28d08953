"""Alembic migrations run on both databases: up, down, up again, and match the models."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from conftest import database_url
from marketreg.app.migrations_runner import downgrade, upgrade
from marketreg.app.models import metadata
from marketreg.platform.db import make_engine

pytestmark = pytest.mark.both_backends


def test_upgrade_downgrade_upgrade_has_no_drift(backend, tmp_path_factory):
    engine = make_engine(database_url(backend, tmp_path_factory, "mig"))
    try:
        upgrade("head", engine=engine)
        downgrade("base", engine=engine)
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        upgrade("head", engine=engine)
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(context, metadata)
        assert diff == []
        assert {"market_entity", "audit_event", "region", "industry", "org_unit"} <= set(
            inspect(engine).get_table_names())
    finally:
        engine.dispose()
