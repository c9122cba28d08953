"""Chinese everywhere: no code of the label table (kernel.labels) shows as text on the main pages
of either portal."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from conftest import login
from marketreg.kernel.labels import UNKNOWN, label, tables
from web.records import _complaint_ids, _enforcement_ids

STAFF_PAGES = ["/staff/", "/staff/sysadmin/audit", "/staff/reference/regions?q=济南", "/staff/complaints/rules",
               "/staff/enforcement/rules", "/staff/complaints", "/staff/enforcement/clues", "/staff/enforcement/cases",
               "/staff/credit", "/staff/inspections", "/staff/sysadmin/jobs"]
PUBLIC_PAGES = ["/", "/credit", "/penalties", "/inspections", "/complaints/publicity", "/entities?q=济南",
                "/complaints/new", "/complaints/track"]


class _Text(HTMLParser):
    """The text a person reads: element text, without scripts, styles and attributes."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("script", "style")

    def handle_endtag(self, tag):
        self._skip -= tag in ("script", "style")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(parser.parts)


def leaked_codes(text: str) -> set[str]:
    found = set()
    for mapping in tables().values():
        for code in mapping:
            if re.search(rf"(?<![\w./-]){re.escape(code)}(?![\w./-])", text):
                found.add(code)
    return found


@pytest.fixture
def records(db):
    for build in (_complaint_ids, _enforcement_ids):
        with db.transaction() as s:
            build(s)


def test_label_table_answers_chinese_and_never_the_code():
    assert label("auth.login", "audit_action") == "登录"
    assert label("PARTIAL", "confidence") == "部分确认"
    assert label("not_filed", "complaints.outcome") == "不予立案"
    assert label("clue_check", "enforcement_rule") == "线索核查期限"
    assert label("no.such.action", "audit_action") == UNKNOWN
    assert label(None, "mime") == ""


@pytest.mark.parametrize("path", STAFF_PAGES)
def test_staff_pages_show_no_codes(client, records, path):
    login(client, "sd_admin")
    response = client.get(path)
    assert response.status_code == 200
    assert leaked_codes(visible_text(response.text)) == set()


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_show_no_codes(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert leaked_codes(visible_text(response.text)) == set()


def test_complaint_page_names_the_attachment_type_in_chinese(client, db):
    with db.transaction() as s:
        item_id = _complaint_ids(s)["item_id"]
    login(client, "lx_handler")
    text = visible_text(client.get(f"/staff/complaints/{item_id}").text)
    assert "PNG 图片" in text and "image/png" not in text
