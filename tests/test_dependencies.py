"""Every declared runtime dependency is imported by ``src/``, and everything ``src/`` imports is declared.

Import names map to distributions through ``importlib.metadata.packages_distributions`` (``yaml`` →
PyYAML, ``stdnum`` → python-stdnum). A few distributions are loaded by another library, never imported
by name; each is listed with the reason.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOADED_BY_ANOTHER_LIBRARY = {
    "psycopg": "SQLAlchemy's driver for postgresql+psycopg:// URLs",
    "python-multipart": "Starlette's parser of form posts and uploads (FastAPI Form/UploadFile)",
    "redis": "huey's RedisHuey, the task backend when task_backend = redis",
}


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return {_normalise(re.split(r"[<>=!~\[; ]", dep, maxsplit=1)[0]) for dep in project["dependencies"]}


def _imported_top_level_names() -> set[str]:
    names: set[str] = set()
    for path in (ROOT / "src").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {alias.name.partition(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.partition(".")[0])
    return names - set(sys.stdlib_module_names) - {"marketreg"}


def _imported() -> set[str]:
    by_name = packages_distributions()
    names = _imported_top_level_names()
    assert names <= set(by_name), f"imports of no installed distribution: {sorted(names - set(by_name))}"
    return {_normalise(dist) for name in names for dist in by_name[name]}


def test_every_declared_dependency_is_imported():
    unused = _declared() - _imported() - set(LOADED_BY_ANOTHER_LIBRARY)
    assert unused == set(), f"declared in pyproject.toml but imported nowhere in src/: {sorted(unused)}"


def test_every_imported_distribution_is_declared():
    undeclared = _imported() - _declared()
    assert undeclared == set(), f"imported by src/ but not declared in pyproject.toml: {sorted(undeclared)}"


def test_libraries_loaded_by_another_are_declared():
    assert set(LOADED_BY_ANOTHER_LIBRARY) <= _declared()
