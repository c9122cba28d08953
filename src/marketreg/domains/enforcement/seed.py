"""Demo data of enforcement: discretion benchmarks, credentialed officers, and cases at every stage."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketreg.domains.enforcement.enums import VIOLATION_TYPES
from marketreg.domains.enforcement.models import Benchmark, Officer
from marketreg.domains.org import service as org
from marketreg.kernel import clock

# (violation type, circumstance, min, max, basis) — ranges follow the statutes' fine bands
DEFAULT_BENCHMARKS = [
    ("food_expired", "lighter", 5_000, 20_000, "《中华人民共和国食品安全法》第一百二十四条第一款第（五）项"),
    ("food_expired", "ordinary", 20_000, 80_000, "《中华人民共和国食品安全法》第一百二十四条第一款第（五）项"),
    ("food_expired", "heavier", 80_000, 150_000, "《中华人民共和国食品安全法》第一百二十四条第一款第（五）项"),
    ("false_ad", "lighter", 200_000, 400_000, "《中华人民共和国广告法》第五十五条第一款"),
    ("false_ad", "ordinary", 400_000, 700_000, "《中华人民共和国广告法》第五十五条第一款"),
    ("false_ad", "heavier", 700_000, 1_000_000, "《中华人民共和国广告法》第五十五条第一款"),
    ("unlicensed", "ordinary", 0, 10_000, "《无证无照经营查处办法》第十三条"),
    ("price", "ordinary", 5_000, 50_000, "《价格违法行为行政处罚规定》第十三条"),
    ("substandard", "ordinary", 1_000, 50_000, "《中华人民共和国产品质量法》第四十九条"),
    ("metrology", "ordinary", 1_000, 10_000, "《中华人民共和国计量法实施细则》第四十六条"),
    ("trademark", "ordinary", 50_000, 250_000, "《中华人民共和国商标法》第六十条第二款"),
    ("equipment", "ordinary", 30_000, 300_000, "《中华人民共和国特种设备安全法》第八十四条"),
    ("consumer", "ordinary", 0, 500_000, "《中华人民共和国消费者权益保护法》第五十六条"),
    ("food_unlicensed", "ordinary", 50_000, 100_000, "《中华人民共和国食品安全法》第一百二十二条"),
]

# (username, credential number) of the demo users holding enforcement credentials
DEMO_OFFICERS = [("lx_inspector", "37010200101"), ("lx_officer", "37010200102"), ("sn_officer", "37020200101"),
                 ("sd_admin", "37000000001")]


def load_benchmarks(session: Session) -> int:
    """The default discretion benchmarks (staff edit them afterwards); idempotent."""
    have = set(session.execute(select(Benchmark.violation_type, Benchmark.circumstance)).all())
    added = 0
    for code, circumstance, low, high, basis in DEFAULT_BENCHMARKS:
        if (code, circumstance) in have:
            continue
        session.add(Benchmark(violation_type=code, violation_label=VIOLATION_TYPES[code], circumstance=circumstance,
                              fine_min=Decimal(low), fine_max=Decimal(high), legal_basis=basis,
                              updated_at=clock.now(), updated_by="system"))
        added += 1
    session.flush()
    return added


def ensure_officers(session: Session, officers: list[tuple[str, str]] = DEMO_OFFICERS) -> int:
    """Register the enforcement credentials of existing users; idempotent."""
    added = 0
    for username, credential in officers:
        user = org.get_user_by_username(session, username=username)
        if user is None or session.get(Officer, username) is not None:
            continue
        unit_path = user.org_unit.path if user.org_unit else "/"
        session.add(Officer(username=username, display_name=user.display_name, credential_no=credential,
                            org_path=unit_path, valid_until=dt.date(2030, 12, 31)))
        added += 1
    session.flush()
    return added
