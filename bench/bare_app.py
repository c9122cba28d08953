"""The framework's floor for bench/public_lookup.py: a bare FastAPI app, no middleware, no database.

``GET /bare?q=`` returns a constant small JSON list shaped like a public lookup result. The
endpoint is a plain ``def`` like the real one, so both run in Starlette's thread pool.

    .venv/bin/python -m uvicorn bare_app:app --app-dir bench --port 8099
"""

from __future__ import annotations

from typing import Annotated

from fastapi import FastAPI, Query

RESULT = [
    {"uscc": "91370102MA0000001X", "name": "济南鑫盛商贸有限公司", "entity_type_label": "企业",
     "status_label": "存续（在业）", "legal_rep_name": "张*", "address": "山东省济南市历下区人民路1号",
     "established_on": "2015-06-01", "registered_capital": "100.00"},
]

app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)


@app.get("/bare")
def bare(q: Annotated[str, Query(max_length=100)] = "") -> list[dict]:
    return RESULT
