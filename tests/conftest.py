"""Test fixtures: database tests run on SQLite; those whose dialect matters run on PostgreSQL too.

A test (or module, via ``pytestmark``) marked ``both_backends`` runs on SQLite and PostgreSQL:
locking, concurrency, raw SQL, migrations, the audit chain, bulk paths. Everything else runs on
SQLite only, so the suite stays fast; ``MARKETREG_TEST_BACKENDS=both`` runs every test on both.

PostgreSQL comes from MARKETREG_TEST_PG_URL (default: the local ``test`` database); each
run uses its own schema. An unreachable PostgreSQL fails the run, unless
MARKETREG_TEST_PG=off is set on purpose. Each test runs inside a transaction that is rolled
back (SAVEPOINTs for the code under test), over a schema built by the real migrations and
loaded with the reference data, org tree, roles and demo users once per backend.
"""

from __future__ import annotations

import hashlib
import os

os.environ.setdefault("MARKETREG_ENVIRONMENT", "test")
os.environ.setdefault("MARKETREG_TASK_BACKEND", "immediate")
os.environ.setdefault("MARKETREG_PUBLIC_RATE_LIMIT", "1000/minute")
os.environ.setdefault("MARKETREG_ARGON2_TIME_COST", "1")
os.environ.setdefault("MARKETREG_ARGON2_MEMORY_KIB", "1024")

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from marketreg.platform.db import make_engine

PG_URL = os.environ.get("MARKETREG_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PG_ENABLED = os.environ.get("MARKETREG_TEST_PG", "on").lower() != "off"
BACKENDS = ["sqlite", "postgresql"] if PG_ENABLED else ["sqlite"]
ALL_ON_BOTH = os.environ.get("MARKETREG_TEST_BACKENDS", "").lower() == "both"


def pytest_generate_tests(metafunc) -> None:
    """Parametrize the session-scoped ``backend`` fixture: both databases where the dialect
    matters (marker ``both_backends``), SQLite elsewhere."""
    if "backend" not in metafunc.fixturenames:
        return
    both = ALL_ON_BOTH or metafunc.definition.get_closest_marker("both_backends") is not None
    metafunc.parametrize("backend", BACKENDS if both else ["sqlite"], indirect=True, scope="session")


def _worker() -> str:
    """The xdist worker plus a short tag of this checkout, so that concurrent runs from two
    checkouts (git worktrees) never share a PostgreSQL schema."""
    checkout = hashlib.blake2s(os.path.dirname(os.path.abspath(__file__)).encode(), digest_size=3).hexdigest()
    return f"{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{checkout}"


def pg_schema_url(schema: str) -> str:
    """The PG URL with a search_path, creating the schema afresh."""
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:
        pytest.fail(f"PostgreSQL unreachable at {PG_URL} ({exc}); set MARKETREG_TEST_PG=off to run SQLite only",
                    pytrace=False)
    finally:
        admin.dispose()
    sep = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{sep}options=-csearch_path%3D{schema}"


def database_url(backend: str, tmp_path_factory, name: str) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp(name) / 'test.db'}"
    return pg_schema_url(f"mr_{name}_{_worker()}")


def build_database(url: str) -> Engine:
    """Migrate with Alembic and load the base data (reference, org tree, roles, demo users)."""
    from marketreg.app import demo, wiring  # noqa: F401 - event handlers, as in every process
    from marketreg.app.bootstrap import setup_base
    from marketreg.app.migrations_runner import upgrade
    from marketreg.platform.db import Sessions

    engine = make_engine(url)
    upgrade("head", engine=engine)
    sessions = Sessions(engine)
    setup_base(sessions)
    demo.setup_demo_users(sessions)
    return engine


@pytest.fixture(autouse=True)
def storage_dir(tmp_path, monkeypatch):
    """Each test its own shared storage (uploads, attachments, the audit chain's anchored head)."""
    from marketreg.platform.settings import get_settings

    path = tmp_path / "storage"
    monkeypatch.setattr(get_settings(), "storage_dir", str(path))
    return path


@pytest.fixture(scope="session")
def backend(request) -> str:
    return request.param


@pytest.fixture(scope="session")
def engine(backend, tmp_path_factory) -> Iterator[Engine]:
    eng = build_database(database_url(backend, tmp_path_factory, "unit"))
    yield eng
    eng.dispose()


class BoundSessions:
    """A ``platform.db.Sessions`` look-alike whose sessions all join one outer transaction."""

    def __init__(self, connection):
        self.engine = connection.engine
        factory = sessionmaker(bind=connection, join_transaction_mode="create_savepoint",
                               expire_on_commit=False)
        self.read = factory
        self.write = factory

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        with self.write() as session, session.begin():
            yield session

    @contextmanager
    def pinned(self) -> Iterator[BoundSessions]:
        yield self


@pytest.fixture
def db(engine) -> Iterator[BoundSessions]:
    connection = engine.connect()
    outer = connection.begin()
    try:
        yield BoundSessions(connection)
    finally:
        outer.rollback()
        connection.close()


@pytest.fixture
def tasks_db(db) -> Iterator[BoundSessions]:
    """Background tasks and the CLI code paths (``get_sessions()``) use the test transaction."""
    from marketreg.platform import db as platform_db

    previous = platform_db._current
    platform_db.use_sessions(db)
    yield db
    platform_db._current = previous


@pytest.fixture
def session(db) -> Iterator[Session]:
    with db.write() as s:
        yield s


@pytest.fixture
def app(tasks_db):
    from marketreg.app.main import create_app
    from marketreg.web.ratelimit import limiter, login_throttle

    limiter.reset()
    login_throttle.reset()
    return create_app(sessions=tasks_db, start_workers=False)


@pytest.fixture
def client(app):
    from starlette.testclient import TestClient

    with TestClient(app) as c:
        yield c


def login(client, username: str, password: str = "Demo@2026") -> str:
    """Sign in through the real form; returns the CSRF token for later writes."""
    response = client.post("/staff/login", data={"username": username, "password": password},
                           follow_redirects=False)
    assert response.status_code == 303, response.text
    from marketreg.domains.org import service as org

    with client.app.state.sessions.read() as s:
        found = org.session_for_token(s, token=client.cookies.get("mr_session"))
    assert found is not None
    return found[1]


def make_staff(db, username: str, unit_code: str, roles: list[str]) -> str:
    """A staff user of a unit holding exactly these roles (through the org domain's actions);
    returns the username. Idempotent within a test."""
    from marketreg.domains.org import actions
    from marketreg.domains.org import service as org
    from marketreg.platform.authz import SYSTEM

    with db.transaction() as s:
        if org.get_user_by_username(s, username=username) is None:
            actions.do_create_user(s, actor=SYSTEM, username=username, password="Demo@2026",
                                   display_name=username, unit_code=unit_code, roles=roles)
    return username
