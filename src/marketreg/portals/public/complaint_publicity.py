"""投诉公示 (/complaints/publicity): per-enterprise complaint figures after the publication
delay, with the enterprise's reply, no personal data, and a CSV download (RULES 1.18, 1.37)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from marketreg.analytics.complaints import (
    NOT_RANKING,
    PUBLICITY_HEADER,
    PublicitySettings,
    iter_publicity,
    publicity_page,
)
from marketreg.web.deps import ReadSession
from marketreg.web.pages import csv_download, render
from marketreg.web.ratelimit import public_limit

router = APIRouter()
SearchQ = Annotated[str, Query(max_length=100)]
PAGE_SIZE = 20


@router.get("/complaints/publicity")
@public_limit
def complaint_publicity_page(request: Request, session: ReadSession, q: SearchQ = "",
                             page: Annotated[int, Query(ge=1, le=1000)] = 1) -> Response:
    result = publicity_page(session, q=q, page=page, page_size=PAGE_SIZE)
    return render(request, "public/complaint_publicity.html", {
        "q": q, "result": result, "page": page, "pages": max(1, -(-result.total // PAGE_SIZE)),
        "not_ranking": NOT_RANKING, "delay_days": PublicitySettings().delay_days,
    })


@router.get("/complaints/publicity.csv")
@public_limit
def complaint_publicity_csv(request: Request, session: ReadSession, q: SearchQ = "") -> Response:
    rows = list(iter_publicity(session, q=q))  # read before the session closes
    return csv_download("投诉公示.csv", PUBLICITY_HEADER, rows)
