"""Category trees and the category suggester: hand-written complaints, the tree's shape, loading
it, and the outside evaluation on COCC telecom complaint orders (when the data is present)."""

from __future__ import annotations

import importlib.util
import os
import re
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from marketreg.domains.complaints.categories import CATEGORIES, CategoryRow, goods_or_service, load_categories
from marketreg.domains.complaints.classify import Classifier, suggest
from marketreg.domains.complaints.models import Category

BENCH = Path(__file__).resolve().parents[3] / "bench" / "category_eval.py"

# (label, text, goods/service type, problem type); None: not asserted
CASES = [
    ("过期牛奶", "在超市买的牛奶已经过期三天，孩子喝了以后拉肚子，要求退一赔十", "G0403", "P0202"),
    ("健身房跑路", "健身房突然关门，我办的会员卡还有8000元余额没有消费，老板联系不上", "G1601", "P1201"),
    ("被开通彩铃", "手机号码被开通了彩铃业务，我从未订购，每月扣费5元", "G1303", "P0502"),
    ("宽带网速慢", "家里的宽带网速很慢，晚上经常断网，信号很差", "G1302", "P0103"),
    ("结账价格与标价不符", "在饭店吃饭结账时，菜单标价38元的菜收了58元", "G1101", "P0302"),
    ("空调退货被拒", "新买的空调安装后就不制冷，要求退货，商家拒绝退货", "G0104", "P0601"),
    ("快递丢件", "寄的快递包裹丢失了，快递公司拒绝赔偿", "G1401", "P0501"),
    ("骚扰电话", "最近每天接到好几个骚扰电话和垃圾短信，推销贷款", None, "P1002"),
    ("店员辱骂", "在商场买衣服时店员辱骂我，还动手推我", "G0201", "P0901"),
    ("活动赠品未兑现", "营业厅宣传办理套餐赠送话费200元，办理后至今没有返还", "G1301", "P0702"),
    ("黄金克重不足", "在金店买的黄金项链回家称重发现克重不足，少了0.5克", "G1001", "P0401"),
    ("假冒运动鞋", "网上买的运动鞋经鉴定是假货，不是正品", "G0202", "P0801"),
    ("装修拖延工期", "装修公司合同约定60天完工，已经拖延了两个月还没有完工", "G1901", "P0501"),
    ("手机维修", "手机在保修期内屏幕出现问题，送修三次都修不好", "G0101", "P0602"),
    ("霸王条款", "美容院合同写着最终解释权归本店所有，概不退款", "G1103", "P1101"),
    ("外卖有异物", "点的外卖饭菜里吃出了头发和苍蝇", "G1101", "P0202"),
    ("燃气费", "燃气公司这个月多收了燃气费，燃气表读数不对", "G2203", None),
    ("辅导班不退费", "给孩子报的辅导班不想上了，培训机构拒绝退款", "G1502", "P1202"),
    ("个人信息泄露", "在售楼处登记后接到大量电话，怀疑开发商泄露了我的个人信息", "G0601", "P1001"),
    ("电动车起火", "新买的电动自行车充电时电池起火，差点烧了房子", "G0803", "P0201"),
]


@pytest.mark.parametrize(("text", "goods", "problem"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_suggests_the_category_of_a_hand_written_complaint(text, goods, problem):
    found = suggest(text)
    if goods:
        assert found.category_code == goods, found.category
    if problem:
        assert found.problem_code == problem, found.problem
    assert found.problem is None or found.problem.terms  # the suggestion says which words it rests on


def test_no_evidence_no_suggestion():
    found = suggest("您好，请问今天天气怎么样")
    assert found.category_code is None and found.problem_code is None
    assert found.category_score == found.problem_score == 0.0
    assert suggest("").problem is None


def test_scores_rank_the_alternatives():
    found = suggest("网购的羽绒服掉色起球，商家拒绝退货")
    assert found.category_code == "G0201"
    ranked = [found.problem, *found.problem_alternatives]
    assert [s.score for s in ranked] == sorted((s.score for s in ranked), reverse=True)
    assert found.problem_code in {"P0601", "P0101"}


def test_classifier_knows_only_the_category_rows_it_is_built_from():
    rows = [CategoryRow("G01", "水果", None, "goods", ()), CategoryRow("G0101", "苹果", "G01", "goods", ("苹果",)),
            CategoryRow("G0102", "榴莲", "G01", "goods", ("榴莲",)),
            CategoryRow("P01", "质量", None, "problem", ()), CategoryRow("P0101", "腐烂", "P01", "problem", ("烂",))]
    tiny = Classifier(rows)
    assert tiny.suggest("买的榴莲烂了").category_code == "G0102"
    assert tiny.suggest("买的榴莲烂了").problem_code == "P0101"
    assert tiny.suggest("手机话费多收了").category_code is None


def test_category_trees_have_two_levels_with_keywords():
    codes = [row.code for row in CATEGORIES]
    assert len(codes) == len(set(codes))
    by_code = {row.code: row for row in CATEGORIES}
    for row in CATEGORIES:
        prefix = "G" if row.axis == "goods" else "P"
        if row.parent_code is None:
            assert re.fullmatch(rf"{prefix}\d\d", row.code), row.code
        else:
            assert re.fullmatch(rf"{prefix}\d{{4}}", row.code), row.code
            assert row.parent_code == row.code[:3] and by_code[row.parent_code].parent_code is None
            assert row.keywords or row.code in {"G9901", "G9902", "P1301"}, row.code
    groups = {row.name for row in CATEGORIES if row.parent_code is None}
    assert {"家用电子电器", "食品", "服装鞋帽", "电信服务", "互联网服务", "教育培训服务", "金融服务"} <= groups
    assert {"质量", "安全", "价格", "计量", "合同", "售后服务", "虚假宣传", "假冒", "人格尊严", "个人信息",
            "不公平格式条款", "预付卡及退费", "其他"} <= groups
    assert (goods_or_service("G0101"), goods_or_service("G1301"), goods_or_service("P0101")) == ("商品", "服务", "")


def test_load_categories_is_idempotent_and_keeps_staff_rows(session):
    session.add(Category(code="G9903", name="工作人员新增", parent_code="G99", axis="goods", keywords=""))
    session.get(Category, "P0101").name = "被改过的名称"
    session.flush()
    assert load_categories(session) == 1  # the changed row is restored
    assert load_categories(session) == 0
    assert session.get(Category, "P0101").name == "商品质量不合格或性能故障"
    assert session.get(Category, "G9903") is not None
    assert session.scalar(select(func.count()).select_from(Category)) == len(CATEGORIES) + 1


def _bench():
    if "category_eval" in sys.modules:
        return sys.modules["category_eval"]
    spec = importlib.util.spec_from_file_location("category_eval", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules["category_eval"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_outside_evaluation_on_cocc_is_well_above_chance(capsys):
    """COCC (2,400 telecom complaint orders, 8 classes; research licence: a test set only) lies
    beside the repository where CI has ``shared/``. Measured 0.590 overall, the weakest class
    0.367 (业务办理问题); chance is 0.125. The floors below leave room for segmentation noise."""
    bench = _bench()
    if not bench.DEFAULT_PATH.is_file():
        if os.environ.get("CI"):  # CI always has shared/ beside the clone: absence is a failure there
            pytest.fail(f"evaluation data missing in CI: {bench.DEFAULT_PATH}")
        pytest.skip(f"evaluation data not present: {bench.DEFAULT_PATH}")
    report = bench.evaluate(bench.DEFAULT_PATH)
    assert report.total == 2400
    assert report.accuracy >= 0.55
    assert min(report.class_accuracy(label) for label in bench.MAPPING) >= 0.30
    assert bench.main(["--path", str(bench.DEFAULT_PATH)]) == 0
    assert re.fullmatch(r"accuracy=0\.\d{3}", capsys.readouterr().out.strip().splitlines()[-1])


def test_cocc_mapping_targets_are_disjoint_problem_types():
    bench = _bench()
    targets = [code for codes in bench.MAPPING.values() for code in codes]
    assert len(targets) == len(set(targets))
    leaves = {row.code for row in CATEGORIES if row.axis == "problem" and row.parent_code}
    assert set(targets) <= leaves
    assert len(bench.MAPPING) == 8
