"""Outside evaluation of the complaint category suggester on COCC telecom complaint orders.

    python bench/category_eval.py [--path PATH] [--show-errors N]

Data: ``shared/data/eval-public/cocc_complaint_orders/COCC.txt`` beside the repository
(github ``zhng1200/COCC``: 2,400 ``text<TAB>label`` lines, 8 balanced classes of 300). Its
licence allows research use only: it is read here as a *test set* and nothing of it is
copied into the repository or used to build the suggester. ``suggest()`` is built from our own
category tree alone (``marketreg.domains.complaints.categories``); this script only maps its answer.

The COCC classes are telecom-operator problem classes; our problem tree (``P..``) is the
general 12315 one. Each COCC class maps to a set of our problem types, the sets disjoint, so
that an 8-way accuracy can be read against chance (1/8 = 0.125):

| COCC class      | our problem types                                                      |
|-----------------|------------------------------------------------------------------------|
| 网络问题        | P0103 通信网络质量差                                                   |
| 业务使用问题    | P0104 服务中断或无法正常使用                                           |
| 业务办理问题    | P0603 业务办理受阻                                                     |
| 信息安全问题    | P10 个人信息 (P1001 泄露或滥用, P1002 骚扰电话及垃圾短信, P1003 被盗用封停) |
| 费用问题        | P03 价格 (P0301 乱收费, P0302 价格欺诈, P0303 计费或账单争议, P0304 涨价) |
| 营销活动问题    | P07 虚假宣传 (P0701 虚假宣传, P0702 促销活动承诺不兑现)                  |
| 不知情定制问题  | P0502 未经同意订购或强制交易                                           |
| 服务问题        | P0102 服务质量不达标, P0604 服务态度及客服问题, P0901 侮辱殴打及搜身     |

A suggestion outside the class's set, or no suggestion at all, counts as wrong.

Output: per-class accuracy and the most frequent suggestions, coverage, then the overall
accuracy; the last line is ``accuracy=<x.xxx>``.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_PATH = REPO.parent / "shared" / "data" / "eval-public" / "cocc_complaint_orders" / "COCC.txt"

MAPPING: dict[str, frozenset[str]] = {
    "网络问题": frozenset({"P0103"}),
    "业务使用问题": frozenset({"P0104"}),
    "业务办理问题": frozenset({"P0603"}),
    "信息安全问题": frozenset({"P1001", "P1002", "P1003"}),
    "费用问题": frozenset({"P0301", "P0302", "P0303", "P0304"}),
    "营销活动问题": frozenset({"P0701", "P0702"}),
    "不知情定制问题": frozenset({"P0502"}),
    "服务问题": frozenset({"P0102", "P0604", "P0901"}),
}


@dataclass
class Report:
    total: int = 0
    correct: int = 0
    covered: int = 0
    per_class: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    predicted: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    errors: list[tuple[str, str, str | None]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0

    def class_accuracy(self, label: str) -> float:
        right, n = self.per_class[label]
        return right / n if n else 0.0


def read_orders(path: Path) -> list[tuple[str, str]]:
    orders = []
    for line in path.read_text(encoding="utf-8").splitlines():
        text, _, label = line.rpartition("\t")
        if text and label in MAPPING:
            orders.append((text, label))
    return orders


def evaluate(path: Path = DEFAULT_PATH) -> Report:
    from marketreg.domains.complaints.classify import default_classifier

    classifier = default_classifier()
    report = Report()
    started = time.perf_counter()
    for text, label in read_orders(path):
        code = classifier.suggest(text).problem_code
        hit = code in MAPPING[label]
        report.total += 1
        report.correct += hit
        report.covered += code is not None
        report.per_class[label][0] += hit
        report.per_class[label][1] += 1
        report.predicted[label][code or "—"] += 1
        if not hit:
            report.errors.append((label, text, code))
    report.seconds = time.perf_counter() - started
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--path", type=Path, default=DEFAULT_PATH, help="COCC.txt")
    parser.add_argument("--show-errors", type=int, default=0, help="print N misclassified orders (local use only)")
    args = parser.parse_args(argv)
    if not args.path.is_file():
        print(f"not found: {args.path}", file=sys.stderr)
        return 2
    from marketreg.domains.complaints.categories import CATEGORY_NAMES

    report = evaluate(args.path)
    print(f"orders={report.total} classes={len(report.per_class)} seconds={report.seconds:.1f} "
          f"coverage={report.covered / max(report.total, 1):.3f}")
    for label in MAPPING:
        right, n = report.per_class[label]
        common = ", ".join(f"{code}{CATEGORY_NAMES.get(code, '')}:{k}"
                           for code, k in report.predicted[label].most_common(4))
        print(f"{label}\t{right}/{n}\t{report.class_accuracy(label):.3f}\t[{common}]")
    for label, text, code in report.errors[:args.show_errors]:
        print(f"  ✗ {label} → {code}: {text[:80]}")
    print(f"overall\t{report.correct}/{report.total}\t(chance 0.125)")
    print(f"accuracy={report.accuracy:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
