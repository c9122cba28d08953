"""Menus from permissions: every link a demo user is shown leads to a page they may open.

The crawl follows every same-portal link from the staff home as one user per demo role and
fails on any 403 or 404; pages of the same shape (``/staff/complaints/12`` and ``/13``) are
visited once, so the crawl stays small."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest

from conftest import login
from marketreg.web.nav import Menu, NavItem
from web.records import _complaint_ids, _enforcement_ids, _inspection_ids

# one user per demo role (src/marketreg/app/demo.py)
ROLE_USERS = ["sd_admin", "sd_leader", "lx_registrar", "lx_inspector", "sd_sysadmin", "lx_handler",
              "jn_supervisor", "jn_police"]
DOWNLOAD = re.compile(r"\.(xlsx|csv|pdf|docx)$|/attachments?/|/download")


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href")
        if tag == "a" and href and not href.startswith(("#", "mailto:", "javascript:")):
            self.hrefs.append(href)


def _links(base: str, html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return [urljoin(base, h) for h in parser.hrefs]


def _shape(url: str) -> str:
    """A URL's shape: numbers and codes replaced, query keys kept (their values not)."""
    parts = urlsplit(url)
    path = re.sub(r"/[0-9A-Z][0-9A-Za-z-]{0,40}(?=/|$)", "/:id", parts.path)
    keys = sorted({q.split("=")[0] for q in parts.query.split("&") if q})
    return path + ("?" + "&".join(keys) if keys else "")


def crawl(client, start: str, prefix: str) -> tuple[set[str], list[tuple[str, str, int]]]:
    """Visit every link under ``prefix`` reachable from ``start``; return the shapes visited
    and the (page, link, status) of every link answering 403 or 404."""
    queue, seen, bad = [(start, start)], {_shape(start)}, []
    while queue:
        source, url = queue.pop()
        response = client.get(url, follow_redirects=True)
        if response.status_code in (403, 404):
            bad.append((source, url, response.status_code))
            continue
        if DOWNLOAD.search(urlsplit(url).path) or "text/html" not in response.headers.get("content-type", ""):
            continue
        for link in _links(str(response.url), response.text):
            parts = urlsplit(link)
            if parts.netloc not in ("", "testserver") or not parts.path.startswith(prefix):
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if _shape(target) not in seen:
                seen.add(_shape(target))
                queue.append((url, target))
    return seen, bad


@pytest.fixture
def records(db):
    """A complaint, a clue with its case and a drawn inspection batch in 历下区 (370102)."""
    for build in (_complaint_ids, _enforcement_ids, _inspection_ids):
        with db.transaction() as s:
            build(s)


@pytest.mark.parametrize("username", ROLE_USERS)
def test_no_staff_link_answers_403_or_404(client, records, username):
    login(client, username)
    seen, bad = crawl(client, "/staff/", "/staff/")
    assert bad == []
    assert len(seen) > 1


def test_public_links_from_the_home_page_all_open(client):
    seen, bad = crawl(client, "/", "/")
    assert bad == []
    assert {"/enterprise/credit", "/credit", "/complaints/new", "/penalties"} <= seen


def test_staff_menu_is_grouped_by_the_four_sectors(client):
    login(client, "sd_admin")
    html = client.get("/staff/").text
    sectors = re.findall(r'<details class="menu" data-sector="(\w+)"><summary>([^<]+)</summary>', html)
    assert [label for _, label in sectors][:4] == ["协同办公", "政务服务", "行政监管", "数据慧治"]


def test_a_handler_sees_only_the_pages_of_the_handlers_role(client):
    login(client, "lx_handler")
    html = client.get("/staff/").text
    assert 'href="/staff/complaints"' in html
    assert 'href="/staff/enforcement/cases"' not in html and 'href="/staff/credit"' not in html


def test_a_menu_entry_without_a_route_fails_at_start_up(app):
    from marketreg.web.nav import STAFF_SECTORS, resolve
    from marketreg.web.routes import iter_routes

    with pytest.raises(LookupError, match="no GET route"):
        resolve([NavItem("office", "不存在", "/staff/no-such-page")], iter_routes(app))
    with pytest.raises(ValueError, match="unknown menu sectors"):
        Menu(STAFF_SECTORS, [NavItem("nowhere", "x", "/staff/")])
