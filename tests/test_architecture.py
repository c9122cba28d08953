"""Architecture rules that import-linter's layer contract does not express (DESIGN §3–4)."""

from __future__ import annotations

import ast
import graphlib
from pathlib import Path

import grimp
import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "marketreg"
DOMAINS = sorted(p.name for p in (SRC / "domains").iterdir() if p.is_dir() and (p / "__init__.py").exists())
# DESIGN §4: the file names a domain uses, each for its one job (only those it needs).
SHAPE = {"__init__.py", "models.py", "schemas.py", "enums.py", "rules.py", "flow.py", "service.py", "actions.py",
         "events.py", "handlers.py", "tasks.py", "permissions.py", "api.py", "pages.py", "seed.py"}
# Folders: HTML templates, and production data files read by a module of the domain.
FOLDERS = {"templates", "data"}
# Named exceptions, each with its reason. A shape file may also become a package of the same name
# (``actions/``) when it outgrows one file; the package re-exports the file's public names.
ANY_DOMAIN = {"cli.py": "the domain's typer commands, mounted by app.cli (every domain with commands)"}
EXCEPTIONS = {
    **{(domain, "workitems.py"): "its kinds of work on the collaborative-office workbench (platform.workitems)"
       for domain in ("complaints", "credit", "enforcement", "inspections")},
    ("complaints", "categories.py"): "the category trees (production data, data/categories.yaml) and their load",
    ("complaints", "classify.py"): "the category suggester (jieba, keyword IDF) — a model, not a read or a write",
    ("complaints", "uploads.py"): "the platform's attachment check with this domain's error codes",
    ("credit", "classify.py"): "the A–D risk model over the credit file (numpy), run as a batch job",
    ("enforcement", "documents.py"): "numbered case documents rendered to PDF (fpdf2)",
    ("inspections", "draw.py"): "the verifiable random draw (双随机), a pure function over arrays",
    ("reference", "address.py"): "the free-text address → county resolver",
    ("reference", "loader.py"): "loading the packaged GB/T 2260 and GB/T 4754 tables",
    ("registry", "importer.py"): "the bulk import of registration exports (CSV/XLSX), streamed in batches",
    ("registry", "loader.py"): "the import's bulk path: staging table and set-based upsert per chunk",
    ("registry", "uploads.py"): "import files in the shared storage: the upload, its job, its rejected-rows report",
    ("registry", "names.py"): "pinyin initials of entity names, for search",
}
PUBLIC_SURFACE = {"service", "schemas", "events", "enums", "permissions"}


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.append(node.module)
            found.extend(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
    return found


@pytest.mark.parametrize("domain", DOMAINS)
def test_domain_uses_the_common_file_shape(domain):
    root = SRC / "domains" / domain
    allowed = SHAPE | set(ANY_DOMAIN) | {name for (where, name) in EXCEPTIONS if where == domain}
    files = {p.name for p in root.glob("*.py")}
    assert files <= allowed, files - allowed
    assert "__init__.py" in files
    folders = {p.name for p in root.iterdir() if p.is_dir() and p.name != "__pycache__"}
    packages = {name for name in folders if (root / name / "__init__.py").exists()}
    assert {f"{name}.py" for name in packages} <= SHAPE, packages
    assert folders - packages <= FOLDERS, folders - packages - FOLDERS


def test_every_named_exception_still_exists():
    stale = [f"{domain}/{name}" for domain, name in EXCEPTIONS if not (SRC / "domains" / domain / name).exists()]
    assert stale == []


@pytest.mark.parametrize("domain", DOMAINS)
def test_domain_uses_only_other_domains_public_surface(domain):
    offending = []
    for path in (SRC / "domains" / domain).rglob("*.py"):
        for name in _imports(path):
            parts = name.split(".")
            if parts[:2] == ["marketreg", "domains"] and len(parts) >= 4 and parts[2] != domain \
                    and parts[3] not in PUBLIC_SURFACE:
                offending.append(f"{path.name}: {name}")
    assert offending == []


def _import_cycle(graph: grimp.ImportGraph, package: str) -> list[str] | None:
    """One cycle among the package's direct children (a subpackage counts as one node), if any."""
    children = sorted(graph.find_children(package))
    order = graphlib.TopologicalSorter({a: [b for b in children if b != a and graph.direct_import_exists(
        importer=a, imported=b, as_packages=True)] for a in children})
    try:
        order.prepare()
    except graphlib.CycleError as error:
        return error.args[1]
    return None


def test_no_import_cycle_inside_any_package():
    """Every import counts, also those inside functions: a cycle deferred to call time is still one."""
    graph = grimp.build_graph("marketreg", cache_dir=None)
    cycles = {package: cycle for package in sorted(graph.modules) if graph.find_children(package)
              if (cycle := _import_cycle(graph, package))}
    assert cycles == {}


LONG_MODULE = 600  # lines


def test_long_modules_say_why():
    """A module above about 600 lines says why in its docstring (``Size: …``); migrations excepted."""
    unexplained = []
    for path in SRC.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        if text.count("\n") > LONG_MODULE and "Size:" not in (ast.get_docstring(ast.parse(text)) or ""):
            unexplained.append(str(path.relative_to(SRC)))
    assert unexplained == []
def _table_owners() -> dict[str, str]:
    """Table name → the domain whose ``models.py`` declares it (``__tablename__``)."""
    owners: dict[str, str] = {}
    for domain in DOMAINS:
        models = SRC / "domains" / domain / "models.py"
        if not models.exists():
            continue
        for node in ast.walk(ast.parse(models.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__tablename__"
                                                    for t in node.targets) and isinstance(node.value, ast.Constant):
                owners[node.value.value] = domain
    return owners


def _named_tables(path: Path) -> list[str]:
    """Table names read through a lightweight ``table("…")`` / ``Table("…")`` in a module."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant) \
                and isinstance(node.args[0].value, str):
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            if name in ("table", "Table"):
                found.append(node.args[0].value)
    return found


@pytest.mark.parametrize("package", [f"domains/{d}" for d in DOMAINS] + ["analytics"])
def test_no_package_names_another_domains_table(package):
    """Cross-domain reads go through the other domain's service (issue 18.3): a ``table("…")`` of
    a table another domain declares is invisible to import-linter, so it is caught here; analytics
    owns no domain table at all."""
    owners = _table_owners()
    own = package.removeprefix("domains/")
    offending = [f"{path.name}: {name} ({owners[name]})" for path in (SRC / package).rglob("*.py")
                 for name in _named_tables(path) if owners.get(name, own) != own]
    assert offending == []


def test_the_table_check_sees_a_bare_table_read(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text('from sqlalchemy import column, table\n_e = table("market_entity", column("id"))\n')
    assert _named_tables(sample) == ["market_entity"] and _table_owners()["market_entity"] == "registry"


def _catalogue() -> set[str]:
    import importlib

    catalogue: set[str] = set()
    for domain in DOMAINS:
        if (SRC / "domains" / domain / "permissions.py").exists():
            catalogue |= set(importlib.import_module(f"marketreg.domains.{domain}.permissions").PERMISSIONS)
    return catalogue


def test_every_permission_used_by_a_role_exists():
    from marketreg.domains.org.permissions import DEFAULT_ROLES

    catalogue = _catalogue()
    granted = set().union(*(perms for _, _, perms in DEFAULT_ROLES.values())) - {"*"}
    assert granted <= catalogue, granted - catalogue


def test_every_declared_route_permission_exists(app):
    from marketreg.web.routes import iter_routes

    catalogue = _catalogue()
    used = {i.permission for i in iter_routes(app) if i.permission}
    assert used <= catalogue, used - catalogue


def test_production_refuses_the_default_secret(monkeypatch):
    from pydantic import ValidationError

    from marketreg.platform.settings import Settings

    strong = {"argon2_time_cost": 3, "argon2_memory_kib": 65536}
    with pytest.raises(ValidationError, match="SECRET_KEY"):
        Settings(environment="production", **strong)
    with pytest.raises(ValidationError, match="argon2"):
        Settings(environment="production", secret_key="x" * 40, audit_key="k" * 40, argon2_time_cost=1)
    with pytest.raises(ValidationError, match="AUDIT_KEY"):  # the audit chain's key, kept outside the database
        Settings(environment="production", secret_key="x" * 40, **strong)
    assert Settings(environment="production", secret_key="x" * 40, audit_key="k" * 40, **strong).secret_key == "x" * 40


def test_openapi_is_served(client):
    spec = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/reference/uscc/{code}" in spec["paths"]
    assert "/api/v1/registry/entities" in spec["paths"]


def test_every_response_carries_the_security_headers(client):
    for path in ("/", "/api/v1/openapi.json", "/staff/login", "/no-such-page"):
        headers = client.get(path).headers
        assert headers["x-frame-options"] == "DENY" and "frame-ancestors 'none'" in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"
