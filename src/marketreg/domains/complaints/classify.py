"""Category suggestion for a complaint text: goods/service type and problem type.

Why hand-built: no maintained classifier of Chinese consumer complaints ships offline (the
public models need a download from a model hub at run time, which these machines cannot do,
and the labelled 12315 data they would be trained on is not published). So the suggester is
built *only* from this project's own category tree (``categories.CATEGORIES``, read from
``data/categories.yaml``): category names and keyword lists written from what each category
means. It never sees labelled complaints.

How it works:
1. segmentation with jieba (``cut_for_search``, which also yields the dictionary words inside
   longer words), on a private tokenizer whose dictionary is extended with every keyword so
   that keywords come out whole;
2. each keyword gets an inverse-document-frequency weight over the leaves of its axis (a word
   listed under many leaves says little), times a small bonus for longer keywords;
3. a leaf scores the weights of its keywords found in the text, plus half those of its parent
   group (and a little for the words of its own name); the best leaf wins; no evidence, no
   suggestion (``None``): staff then choose.

The result is a *suggestion* that staff confirm or change (``Item.suggested_*`` versus
``Item.category_code``/``problem_code``). ``bench/category_eval.py`` measures it on outside data.
"""

from __future__ import annotations

import logging
import math
import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace

from marketreg.domains.complaints.categories import CATEGORIES, CategoryRow

PARENT_FACTOR = 0.5   # a parent's keyword counts half towards each of its leaves
NAME_FACTOR = 0.5     # words of a leaf's own name count half a keyword
MAX_TEXT = 4000       # characters looked at (a complaint's title and facts)
# Words of category names too general to count as evidence.
GENERIC_NAME_WORDS = frozenset({"服务", "问题", "其他", "消费", "纠纷", "商品", "用品", "产品", "争议", "不达标"})


@dataclass(frozen=True, slots=True)
class Scored:
    code: str
    name: str
    score: float
    terms: tuple[str, ...]  # the keywords that matched, strongest first


@dataclass(frozen=True, slots=True)
class Suggestion:
    category: Scored | None  # goods/service type (leaf, e.g. G1301)
    problem: Scored | None   # problem type (leaf, e.g. P0303)
    category_alternatives: tuple[Scored, ...] = ()
    problem_alternatives: tuple[Scored, ...] = ()

    @property
    def category_code(self) -> str | None:
        return self.category.code if self.category else None

    @property
    def problem_code(self) -> str | None:
        return self.problem.code if self.problem else None

    @property
    def category_score(self) -> float:
        return self.category.score if self.category else 0.0

    @property
    def problem_score(self) -> float:
        return self.problem.score if self.problem else 0.0


class _Axis:
    """One tree's leaves with weighted keywords."""

    def __init__(self, rows: list[CategoryRow], tokenize):
        parents = {r.code: r for r in rows if r.parent_code is None}
        self.leaves = [r for r in rows if r.parent_code is not None]
        self.names = {r.code: r.name for r in rows}
        features: dict[str, dict[str, float]] = {}
        for leaf in self.leaves:
            weights: dict[str, float] = {}
            parent = parents.get(leaf.parent_code or "")
            for word in _name_words(leaf.name, tokenize):
                weights[word] = max(weights.get(word, 0.0), NAME_FACTOR)
            for word in parent.keywords if parent else ():
                weights[word] = max(weights.get(word, 0.0), PARENT_FACTOR)
            for word in leaf.keywords:
                weights[word] = 1.0
            features[leaf.code] = weights
        document_frequency: dict[str, int] = defaultdict(int)
        for weights in features.values():
            for word in weights:
                document_frequency[word] += 1
        n = len(self.leaves)
        self.index: dict[str, list[tuple[str, float]]] = defaultdict(list)
        for code, weights in features.items():
            for word, factor in weights.items():
                idf = math.log(1 + n / document_frequency[word])
                length_bonus = 1 + 0.2 * max(0, min(len(word), 6) - 2)
                self.index[word].append((code, factor * idf * length_bonus))

    def score(self, tokens: set[str], top: int = 3) -> list[Scored]:
        totals: dict[str, float] = defaultdict(float)
        hits: dict[str, list[tuple[float, str]]] = defaultdict(list)
        for token in tokens:
            for code, weight in self.index.get(token, ()):
                totals[code] += weight
                hits[code].append((weight, token))
        ranked = sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
        return [Scored(code, self.names[code], round(total, 3),
                       tuple(t for _, t in sorted(hits[code], reverse=True))) for code, total in ranked]


def _name_words(name: str, tokenize) -> list[str]:
    words = tokenize(name.replace("及", " ").replace("或", " "))
    return [w for w in words if len(w) >= 2 and w not in GENERIC_NAME_WORDS]


class Classifier:
    """Built from category rows (by default the seeded tree); thread-safe after construction."""

    def __init__(self, rows: Iterable[CategoryRow] = CATEGORIES):
        import jieba

        jieba.setLogLevel(logging.WARNING)
        rows = [replace(r, keywords=tuple(k.upper() for k in r.keywords)) for r in rows]
        self._tokenizer = jieba.Tokenizer()
        self._lock = threading.Lock()
        with self._lock:
            self._tokenizer.initialize()
            for row in rows:
                for word in row.keywords:
                    # A high frequency keeps the keyword whole when segmenting.
                    self._tokenizer.add_word(word, freq=max(self._tokenizer.suggest_freq(word, tune=False), 5000))
        self.goods = _Axis([r for r in rows if r.axis == "goods"], self.tokens_of)
        self.problems = _Axis([r for r in rows if r.axis == "problem"], self.tokens_of)

    def tokens_of(self, text: str) -> list[str]:
        return [t.strip() for t in self._tokenizer.cut_for_search(text[:MAX_TEXT].upper()) if t.strip()]

    def suggest(self, text: str) -> Suggestion:
        tokens = set(self.tokens_of(text or ""))
        goods = self.goods.score(tokens)
        problems = self.problems.score(tokens)
        return Suggestion(category=goods[0] if goods else None, problem=problems[0] if problems else None,
                          category_alternatives=tuple(goods[1:]), problem_alternatives=tuple(problems[1:]))


_build_lock = threading.Lock()
_default: Classifier | None = None


def default_classifier() -> Classifier:
    """Built once per process; concurrent first callers wait for the one build."""
    global _default
    if _default is None:
        with _build_lock:
            if _default is None:
                _default = Classifier()
    return _default


def suggest(text: str) -> Suggestion:
    """The best goods/service type and problem type for a complaint text (title + facts)."""
    return default_classifier().suggest(text)
