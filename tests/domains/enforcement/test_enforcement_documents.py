"""Case documents as PDFs: the CJK font parsed once per process, documents correct after reuse,
and case lists and pages that never load the stored PDF or package bytes."""

from __future__ import annotations

import datetime as dt
import io

from pypdf import PdfReader
from sqlalchemy import event

from conftest import login
from marketreg.domains.enforcement import documents

API = "/api/v1/enforcement"


def _text(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_documents_reuse_one_parsed_font_and_each_keeps_its_own_text():
    first = documents.render("立案审批表", "济历市监立〔2026〕1号", "济南市历下区市场监督管理局",
                             [("当事人", "泉城超市")], sealed_on=dt.date(2026, 3, 2))
    second = documents.render("行政处罚决定书", "青南市监处罚〔2026〕7号", "青岛市市南区市场监督管理局",
                              [("当事人", "崂山茶庄"), ("罚款金额", "6,000.00 元")], sealed_on=dt.date(2026, 4, 1))
    assert "泉城超市" in _text(first) and "济历市监立〔2026〕1号" in _text(first)
    assert "崂山茶庄" in _text(second) and "6,000.00" in _text(second) and "泉城" not in _text(second)
    assert "2026-03-02" in _text(first) and "2026-04-01" in _text(second)  # each its own seal date (item 14)
    assert documents._template.cache_info().currsize == 1
    parsed = documents._template().fonts["wqy"].ttfont
    assert len(parsed.getGlyphOrder()) == parsed["maxp"].numGlyphs > 40_000  # never pruned by a document's subset


def test_case_lists_and_pages_never_load_pdf_or_package_bytes(client, db):
    csrf = login(client, "sd_admin")
    h = {"X-CSRF-Token": csrf}
    clue = client.post(f"{API}/clues", headers=h, json={"source": "inspection", "summary": "检查发现销售过期食品",
                                                         "respondent_name": "济南泉城示范超市有限公司"}).json()
    case = client.post(f"{API}/clues/{clue['id']}/file", headers=h, json={
        "conditions": ["evidence", "penalty_due", "jurisdiction", "limitation"],
        "officers": ["lx_inspector", "lx_officer"], "violation_type": "food_expired"}).json()
    statements: list[str] = []

    def capture(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        for path in (f"{API}/cases", f"{API}/cases/{case['id']}", "/staff/enforcement/cases",
                     f"/staff/enforcement/cases/{case['id']}", f"{API}/transfers", "/staff/enforcement/police"):
            assert client.get(path).status_code == 200, path
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)
    assert any("enforcement_document" in s for s in statements)
    assert [s for s in statements if "enforcement_document.pdf" in s or "enforcement_transfer.package" in s] == []
