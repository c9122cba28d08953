"""GB 32100-2015 (USCC) and GB 11643-1999 (resident ID) structural checks."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marketreg.kernel.codes import check_resident_id, check_uscc, make_uscc, normalize_code

TODAY = dt.date(2026, 11, 28)
VALID = make_uscc("9", "1", "370102", "MA3C4D5E")


def test_gb32100_valid_code_parts():
    check = check_uscc(VALID)
    assert check.valid
    parts = (check.registration_authority, check.entity_type, check.region_code)
    assert parts == ("工商（市场监管）", "企业", "370102")


def test_gb32100_spaces_hyphens_and_lower_case_are_normalised():
    messy = " " + VALID[:6].lower() + " - " + VALID[6:].lower() + "\u3000"
    assert normalize_code(messy) == VALID
    assert check_uscc(messy).valid


@pytest.mark.parametrize("authority", ["A", "N", "Y"])
def test_gb32100_letter_authorities_that_stdnum_rejects_are_valid(authority):
    from stdnum.cn import uscc as stdnum_uscc

    code = make_uscc(authority, "1", "370102", "12345678")
    assert not stdnum_uscc.is_valid(code)
    assert check_uscc(code).valid


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "empty"),
        (VALID[:17], "length"),
        (VALID[:10] + "I" + VALID[11:], "charset"),
        ("Z" + VALID[1:], "charset"),
        ("B" + VALID[1:], "authority"),
        ("94" + VALID[2:], "entity_type"),
        (VALID[:2] + "37010A" + VALID[8:], "region_format"),
        (VALID[:-1] + ("0" if VALID[-1] != "0" else "1"), "checksum"),
    ],
)
def test_gb32100_invalid_codes_give_a_reason(raw, reason):
    check = check_uscc(raw)
    assert not check.valid
    assert check.reason == reason


def test_gb11714_embedded_organisation_code_checksum():
    bad_org = VALID[:16] + ("0" if VALID[16] != "0" else "1") + VALID[17]
    assert check_uscc(bad_org).reason == "org_code_checksum"


@given(st.text(max_size=30))
def test_gb32100_check_never_raises(raw):
    assert isinstance(check_uscc(raw).valid, bool)


def test_gb11643_valid_id():
    check = check_resident_id("11010519491231002X", today=TODAY)
    assert check.valid and check.birth_date == dt.date(1949, 12, 31)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("1101051949123100", "length"),
        ("1101051949A231002X", "format"),
        ("110105194912310021", "checksum"),
        ("370116197001010010", "region"),  # 莱芜区 code did not exist in 1970
    ],
)
def test_gb11643_invalid_ids(raw, reason):
    from stdnum.cn import ric

    if reason in ("region",):
        raw = raw[:17] + ric.calc_check_digit(raw)
    assert check_resident_id(raw, today=TODAY).reason == reason


def test_gb11643_future_birth_date_is_rejected():
    from stdnum.cn import ric

    body = "37010220300101001"
    assert check_resident_id(body + ric.calc_check_digit(body + "0"), today=TODAY).reason == "birth_date"


def test_gb11643_unknown_county_in_known_province_does_not_crash():
    from stdnum.cn import ric

    body = "37999919800101001"
    assert check_resident_id(body + ric.calc_check_digit(body + "0"), today=TODAY).reason == "region"
