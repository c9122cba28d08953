"""Standard case documents (执法文书): numbered gap-free by organ, kind and year, rendered to PDF.

fpdf2 embeds the system's WenQuanYi Micro Hei (Debian ``fonts-wqy-microhei``, installed by
``.ci/run``) as a subset, so nothing is downloaded and the PDF's text can be extracted again.

The font is parsed once per process: fpdf2's ``add_font`` decompiles the whole 5 MB TTF (its
49,531 glyphs, 1–3 s) every time, and its subsetter then prunes that parsed font *in place* when
the PDF is written. So a template FPDF holds the parsed font; each document is a copy of it
(fpdf2 shares the parsed font between copies) given a table-by-table shallow copy of the parsed
font for the subsetter to prune — about 0.2 s a document instead of 1–3 s.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import io
import threading
import zipfile
from functools import lru_cache
from pathlib import Path

from fontTools.ttLib import TTFont
from fpdf import FPDF
from sqlalchemy import select
from sqlalchemy.orm import Session

from marketreg.domains.enforcement.enums import EVIDENCE_KINDS, PENALTY_KINDS, STATUS_LABELS
from marketreg.domains.enforcement.models import Case, DocCounter, Document, Transfer
from marketreg.domains.enforcement.service import organ_for
from marketreg.kernel import clock
from marketreg.platform.db import advisory_lock

FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")

# kind → (title, number word); "case" numbers the case itself (立案审批表 carries it)
KINDS: dict[str, tuple[str, str]] = {
    "case": ("立案审批表", "立"),
    "filing": ("立案审批表", "立"),
    "questioning": ("询问笔录", "询"),
    "notice": ("行政处罚告知书", "罚告"),
    "hearing_notice": ("行政处罚听证告知书", "听告"),
    "decision": ("行政处罚决定书", "处罚"),
    "delivery": ("送达回证", "送"),
    "closure": ("结案审批表", "结"),
    "transfer": ("涉嫌犯罪案件移送书", "移"),
    # issue 11 item 14: every step that decides something produces its document
    "seizure": ("实施行政强制措施决定书（查封、扣押）", "强"),
    "seizure_extension": ("延长行政强制措施期限决定书", "延"),
    "seizure_release": ("解除行政强制措施决定书", "解"),
    "investigation_report": ("案件调查终结报告", "终"),
    "legal_review": ("法制审核意见书", "审"),
}


def _lock_key(organ_code: str, kind: str, year: int) -> int:
    return int.from_bytes(hashlib.sha256(f"{organ_code}/{kind}/{year}".encode()).digest()[:4], "big")


def next_number(session: Session, organ, kind: str, year: int) -> str:
    """Take the next number of the organ's sequence for ``kind`` and ``year``.

    The counter row is changed in the caller's transaction (advisory lock on PostgreSQL,
    BEGIN IMMEDIATE on SQLite), so two concurrent writers never share a number and a rolled-back
    write returns its number: the sequence stays gap-free.
    """
    counter_kind = "case" if kind == "filing" else kind
    # Platform lock order (platform.db): domain rows first, counters last; audit takes no lock.
    advisory_lock(session, _lock_key(organ.code, counter_kind, year))
    row = session.scalar(select(DocCounter).where(DocCounter.organ_code == organ.code, DocCounter.kind == counter_kind,
                                                  DocCounter.year == year).with_for_update())
    if row is None:
        row = DocCounter(organ_code=organ.code, kind=counter_kind, year=year, last=0)
        session.add(row)
    row.last += 1
    session.flush()
    return f"{organ.short}{KINDS[counter_kind][1]}〔{year}〕{row.last}号"


def _seq_of(number: str) -> int:
    return int(number.rsplit("〕", 1)[1].rstrip("号"))


def issue(session: Session, case: Case, kind: str, *, extra: dict | None = None,
          sealed_on: dt.date | None = None) -> Document:
    """Produce the step's document from the case data and store it with the case; ``sealed_on`` is the
    date printed under the seal — the step's own date (a decision's seal date is its decision date)."""
    organ = organ_for(session, org_path=case.org_path)
    year = clock.today().year
    if kind == "filing":
        number = case.case_no
    elif kind == "decision":
        number = case.decision_no or next_number(session, organ, kind, year)
    else:
        number = next_number(session, organ, kind, year)
    title = KINDS[kind][0]
    doc = Document(kind=kind, title=title, organ_code=organ.code, year=_year_of(number), seq=_seq_of(number),
                   number=number, pdf=render(title, number, case.organ_name, _fields(case, kind, extra or {}),
                                             sealed_on=sealed_on or clock.today()),
                   created_at=clock.now())
    case.documents.append(doc)
    session.flush()
    return doc


def _year_of(number: str) -> int:
    return int(number.split("〔", 1)[1][:4])


def _money(value) -> str:
    return f"{value:,.2f} 元" if value is not None else "—"


def _kinds(kinds) -> str:
    return "、".join(PENALTY_KINDS.get(k, k) for k in kinds or ()) or "—"


def _fields(case: Case, kind: str, extra: dict) -> list[tuple[str, str]]:
    """The filled fields of each document (label, value)."""
    head = [("案号", case.case_no), ("当事人", case.respondent_name),
            ("统一社会信用代码", case.respondent_uscc or "—"), ("案由", case.violation_label)]
    today = clock.today().isoformat()
    by_kind: dict[str, list[tuple[str, str]]] = {
        "filing": [("立案日期", case.filed_on.isoformat()), ("违法事实", case.facts),
                   ("办案人员", "、".join(case.officers)), ("处理期限", _date(case.decision_due_on)),
                   ("立案依据", "《市场监督管理行政处罚程序规定》第十九条")],
        "questioning": [("询问日期", today), ("询问内容", extra.get("content", "")),
                        ("询问人", "、".join(case.officers))],
        # 行政处罚法 Art. 44; 程序规定 Art. 57: facts, evidence, legal basis and the proposed penalty
        "notice": [("违法事实", case.facts), ("证据", _evidence(case)), ("法律依据", case.legal_basis or ""),
                   ("拟作出的行政处罚", _kinds(case.proposed_kinds)), ("拟罚款金额", _money(case.proposed_fine)),
                   ("拟没收金额", _money(case.proposed_confiscation)), ("陈述申辩期限", _date(case.statement_due_on)),
                   ("权利告知", "你（单位）有权在收到本告知书之日起五个工作日内进行陈述和申辩，逾期视为放弃。")],
        "hearing_notice": [("拟作出的行政处罚", _kinds(case.proposed_kinds)),
                           ("拟罚款金额", _money(case.proposed_fine)),
                           ("听证申请期限", _date(case.hearing_request_due_on)),
                           ("权利告知", "你（单位）有权在收到本告知书之日起五个工作日内要求举行听证，逾期视为放弃。")],
        "decision": [("决定书文号", case.decision_no or ""), ("违法事实", case.facts),
                     ("处罚依据", case.legal_basis or ""), ("处罚种类", _kinds(case.penalty_kinds)),
                     ("罚款金额", _money(case.fine_amount)), ("没收金额", _money(case.confiscated_amount)),
                     ("决定日期", _date(case.decided_on)),
                     ("履行方式", "自收到本决定书之日起十五日内缴纳罚款，逾期每日按罚款数额的百分之三加处罚款。"),
                     ("救济途径",
                      "如不服本决定，可在收到本决定书之日起六十日内申请行政复议，或者六个月内提起行政诉讼。")],
        "delivery": [("送达文书", f"行政处罚决定书 {case.decision_no}"), ("送达日期", _date(case.delivered_on)),
                     ("受送达人", case.respondent_name)],
        "closure": [("结案情形", case.outcome or ""), ("决定书文号", case.decision_no or "—"),
                    ("罚款缴纳", _money(case.paid_amount)), ("结案日期", _date(case.closed_on)),
                    ("办理环节", STATUS_LABELS.get(case.status, case.status))],
        "transfer": [("接收机关", extra.get("target", "")), ("移送理由", extra.get("content", "")),
                     ("证据材料", _evidence(case))],
        "seizure": [("查封、扣押的财物", extra.get("content", "")),
                    ("期限", f"{extra.get('from', '')}至{extra.get('due', '')}（三十日）"),
                    ("依据", "《中华人民共和国行政强制法》第二十四条、第二十五条；程序规定第三十八条"),
                    ("救济途径", "如不服本决定，可依法申请行政复议或者提起行政诉讼。")],
        "seizure_extension": [("查封、扣押的财物", extra.get("content", "")), ("延长至", extra.get("due", "")),
                              ("依据", "《中华人民共和国行政强制法》第二十五条（延长不得超过三十日）")],
        "seizure_release": [("解除查封、扣押的财物", extra.get("content", "")), ("解除日期", extra.get("on", "")),
                            ("依据", "《中华人民共和国行政强制法》第二十八条")],
        "investigation_report": [("违法事实", case.facts), ("证据", _evidence(case)),
                                 ("调查终结日期", _date(case.investigation_ended_on)),
                                 ("处理意见", extra.get("content", "")), ("审核期限", _date(case.legal_review_due_on)),
                                 ("依据", "程序规定第四十九条至第五十四条")],
        "legal_review": [("审核人员", extra.get("reviewer", "")), ("审核日期", _date(case.reviewed_on)),
                         ("审核意见", case.review_opinion or ""), ("依据", "程序规定第五十五条")],
    }
    return head + by_kind[kind]


def _evidence(case: Case) -> str:
    return "；".join(f"{EVIDENCE_KINDS.get(e.kind, e.kind)}：{e.description}" for e in case.evidence) or "见案卷"


def _date(value: dt.date | None) -> str:
    return value.isoformat() if value else "—"


_rendering = threading.Lock()  # the subsetter and fontTools' lazy glyph expansion touch shared glyphs


@lru_cache(maxsize=1)
def _template() -> FPDF:
    pdf = FPDF(format="A4")
    pdf.add_font("wqy", fname=str(FONT), collection_font_number=0)
    pdf.fonts["wqy"].ttfont.ensureDecompiled()  # every table now, once, rather than lazily inside a copy
    return pdf


def _unpruned(parsed: TTFont) -> TTFont:
    """A font whose tables the subsetter may replace without touching the template's."""
    fresh = copy.copy(parsed)
    fresh.tables = {tag: copy.copy(table) for tag, table in parsed.tables.items()}
    return fresh


def _new_document() -> FPDF:
    template = _template()
    pdf = copy.deepcopy(template)
    pdf.fonts["wqy"].ttfont = _unpruned(template.fonts["wqy"].ttfont)
    return pdf


def render(title: str, number: str, organ_name: str, fields: list[tuple[str, str]], *,
           sealed_on: dt.date) -> bytes:
    with _rendering:
        return _render(title, number, organ_name, fields, sealed_on=sealed_on)


def _render(title: str, number: str, organ_name: str, fields: list[tuple[str, str]], *,
            sealed_on: dt.date) -> bytes:
    pdf = _new_document()
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.add_page()
    pdf.set_font("wqy", size=16)
    pdf.cell(0, 10, text=organ_name, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("wqy", size=20)
    pdf.cell(0, 12, text=title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("wqy", size=11)
    pdf.cell(0, 8, text=number, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    for label, value in fields:
        pdf.multi_cell(0, 7, text=f"{label}：{value}", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
    pdf.ln(10)
    pdf.cell(0, 8, text=f"{organ_name}（印章）", align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 8, text=sealed_on.isoformat(), align="R", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def transfer_package(case: Case, transfer: Transfer) -> bytes:
    """The transfer package for the police: every case document plus a summary."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for doc in case.documents:
            zf.writestr(f"{doc.id:04d}-{doc.title}.pdf", doc.pdf)
        summary = "\n".join([
            f"案号：{case.case_no}", f"当事人：{case.respondent_name}（{case.respondent_uscc or '—'}）",
            f"案由：{case.violation_label}", f"移送机关：{case.organ_name}", f"接收机关：{transfer.target_name}",
            f"移送日期：{transfer.sent_on.isoformat()}", f"移送理由：{transfer.reason}",
            f"证据：{len(case.evidence)} 项；文书：{len(case.documents)} 份",
        ])
        zf.writestr("移送案件摘要.txt", summary)
    return buffer.getvalue()
