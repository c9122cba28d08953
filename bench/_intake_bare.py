"""The framework's floor for bench/complaint_intake.py: a bare FastAPI app doing ONE insert per request.

``POST /bare`` takes the same JSON filing and ``Idempotency-Key`` header as the real intake
endpoint, inserts one row into a one-table database and commits before it answers 201 with a
query code. No middleware, no validation model, no rate limiter, no ORM session. The endpoint
is a plain ``def`` like the real one, so both run in Starlette's thread pool. The engine is the
project's ``make_engine`` (same SQLite pragmas — WAL, ``synchronous=NORMAL``, ``BEGIN
IMMEDIATE`` for writes — and the same PostgreSQL pool), so both sides commit the same way.

    BENCH_BARE_DATABASE_URL=sqlite:///bench/out/intake_bare.db \\
        .venv/bin/python -m uvicorn _intake_bare:app --app-dir bench --port 8098
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
from functools import cache
from typing import Annotated, Any

from fastapi import Body, FastAPI, Header, Response
from sqlalchemy import Column, DateTime, Engine, Integer, MetaData, String, Table, Text, insert, select
from sqlalchemy.exc import IntegrityError

from marketreg.platform.db import make_engine

URL_ENV = "BENCH_BARE_DATABASE_URL"

metadata = MetaData()
bare_filing = Table(
    "bare_filing", metadata,
    Column("id", Integer, primary_key=True),
    Column("idempotency_key", String(80), unique=True),
    Column("query_code", String(16), nullable=False),
    Column("body", Text, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
)


@cache
def write_engine() -> Engine:
    return make_engine(os.environ[URL_ENV]).execution_options(sqlite_immediate=True)


app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)


@app.get("/bare/ready")
def ready() -> dict:
    return {"ok": True}


@app.post("/bare", status_code=201)
def bare(response: Response, body: Annotated[dict[str, Any], Body()],
         idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=80)] = None) -> dict:
    code = secrets.token_hex(5).upper()
    try:
        with write_engine().begin() as conn:
            conn.execute(insert(bare_filing).values(
                idempotency_key=idempotency_key, query_code=code, body=json.dumps(body, ensure_ascii=False),
                received_at=dt.datetime.now(dt.UTC)))
    except IntegrityError:  # a replay (never on the measured path: keys are unique per filing)
        with write_engine().connect() as conn:
            code = conn.execute(select(bare_filing.c.query_code)
                                .where(bare_filing.c.idempotency_key == idempotency_key)).scalar_one()
        response.status_code = 200
    return {"items": [{"query_code": code}]}
