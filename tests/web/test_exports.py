"""Spreadsheet exports neutralise formulas (OWASP CSV injection) in every writer and are never cached."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from conftest import login
from marketreg.kernel.text import spreadsheet_cell

FORMULAS = ["=1+2", "+SUM(A1:A3)", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "=HYPERLINK(\"http://x\",\"点击\")"]


@pytest.mark.parametrize("text", FORMULAS)
def test_cells_beginning_like_a_formula_get_a_leading_quote(text):
    assert spreadsheet_cell(text) == "'" + text


@pytest.mark.parametrize("value", [-5, -1.5, Decimal("-12.30"), "-5", "+86", "-0.5", "1e3", "", None, "退货 = 退款",
                                   dt.date(2026, 11, 1)])
def test_numbers_and_ordinary_text_stay_as_they_are(value):
    assert spreadsheet_cell(value) == value


def test_staff_excel_export_carries_no_live_formula(client):
    for title in ("=1+2", "@SUM(A1)", "+cmd|' /C calc'!A0"):
        client.post("/api/v1/public/complaints", json={
            "kind": "complaint", "complainant_name": "王小明", "complainant_phone": "13912345678",
            "complainant_address": "济南市历下区泉城路100号", "respondent_name": "济南泉城示范超市有限公司",
            "respondent_address": "济南市历下区泉城路1号", "title": title,
            "facts": "2026年11月在该超市购买的牛奶已过期三天。", "request": "退货"})
    login(client, "lx_handler")
    response = client.get("/staff/complaints.xlsx")
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    sheet = load_workbook(io.BytesIO(response.content)).active
    titles = {row[3].value for row in sheet.iter_rows(min_row=2)}
    assert {"'=1+2", "'@SUM(A1)", "'+cmd|' /C calc'!A0"} <= titles
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
