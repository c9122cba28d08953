"""The one PII scrubber for public text, on a corpus of the forms people really write: international,
spaced, hyphenated and full-width phones, 15- and 18-digit IDs, e-mails, bank cards, names next to
phones — and lawful text that must stay as written (dates, amounts, order numbers, enterprise codes)."""

from __future__ import annotations

import pytest

from marketreg.kernel.codes import make_uscc
from marketreg.kernel.masking import mask_id_number, mask_name, mask_phone, scrub

ID_18 = "370102199001011231"    # valid GB 11643 (region 历下区, 1990-01-01, check digit)
ID_18_X = "37010219850611109X"  # valid, check character X
ID_15 = "370102900101123"       # first-generation ID: region, YYMMDD, sequence
CARD = "6217000000000006"       # Luhn-valid, 16 digits
CARD_19 = "6222020200001234505"  # Luhn-valid 19 digits
USCC = make_uscc("9", "1", "370102", "MA3C4D5E")

PERSONAL = [
    ("请拨打+86-138-0013-8000联系", "请拨打***联系"),
    ("电话138 0013 8000", "电话***"),
    ("电话１３８００１３８０００", "电话***"),
    ("手机0086 138 0013 8000。", "手机***。"),
    ("邮箱zhang＠example.com", "邮箱***"),
    ("邮箱ｚｈａｎｇ＠ｅｘａｍｐｌｅ．ｃｏｍ", "邮箱***"),
    ("座机0531-88886666转人工", "座机***转人工"),
    ("座机(0531)88886666", "座机***"),
    (f"身份证{ID_15}", "身份证***"),
    (f"身份证号码：{ID_18}", "身份证号码：***"),
    (f"证件 {ID_18[:6]} {ID_18[6:14]} {ID_18[14:]}", "证件 ***"),
    (f"号码{ID_18[:6]}-{ID_18[6:10]}-{ID_18[10:14]}-{ID_18[14:]}", "号码***"),
    (f"{ID_18_X.lower()}已核实", "***已核实"),
    ("身份证370102199001011234已核实", "身份证***已核实"),  # wrong check digit, but written as an ID
    (f"卡号{CARD}", "卡号***"),
    (f"退至 {CARD[:4]} {CARD[4:8]} {CARD[8:12]} {CARD[12:]}", "退至 ***"),
    ("联系人张三13800138000", "联系人***"),
    ("请联系王小明，手机13912345678", "请联系***，手机***"),
    ("李四：zhang@example.com", "***：***"),
    ("张女士您好，已退款", "消费者您好，已退款"),
]

LAWFUL = [
    "2026年11月1日购买，2026-11-01至2026-11-30期间",
    "退款1280.50元，另赔偿3000元",
    f"订单号{CARD}已退款",
    f"订单号：{ID_15}",
    f"快递单号 {CARD_19}",
    f"统一社会信用代码{USCC}",
    "客服热线400-800-8888（企业热线不是个人信息）",
    "案号鲁济市监罚〔2026〕12号，依据《消费者权益保护法》第五十六条",
    "发票号码12345678，20261101",
    "已与消费者协商一致，全额退款。",
]


@pytest.mark.parametrize(("text", "expected"), PERSONAL, ids=[t for t, _ in PERSONAL])
def test_scrub_removes_personal_data_in_every_written_form(text, expected):
    assert scrub(text) == expected


@pytest.mark.parametrize("text", LAWFUL)
def test_scrub_keeps_lawful_text_as_written(text):
    assert scrub(text) == text


def test_scrub_removes_known_values_of_the_person_concerned():
    assert scrub("李雷住济南市历下区泉城路1号", known=("李雷", "济南市历下区泉城路1号", None, "")) == "***住***"


def test_scrub_of_nothing_is_nothing():
    assert scrub("") is None and scrub(None) is None


def test_masks_keep_only_the_allowed_parts():
    assert (mask_id_number(ID_18), mask_phone("13800138000"), mask_name("王小明")) == \
        ("370102********1231", "138****8000", "王**")
