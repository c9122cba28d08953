"""Architecture rules that import-linter's layer contract does not express (DESIGN §3–4)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "marketreg"
DOMAINS = sorted(p.name for p in (SRC / "domains").iterdir() if p.is_dir() and (p / "__init__.py").exists())
# DESIGN §4: the file names a domain may use, each for its one job.
SHAPE = {"__init__.py", "models.py", "schemas.py", "enums.py", "rules.py", "flow.py", "service.py", "actions.py",
         "events.py", "handlers.py", "tasks.py", "permissions.py", "api.py", "pages.py", "seed.py", "cli.py",
         "importer.py", "address.py", "loader.py", "names.py", "classify.py", "uploads.py", "draw.py", "documents.py"}
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
    files = {p.name for p in (SRC / "domains" / domain).glob("*.py")}
    assert files <= SHAPE, files - SHAPE
    assert "__init__.py" in files


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
        Settings(environment="production", secret_key="x" * 40, argon2_time_cost=1)
    assert Settings(environment="production", secret_key="x" * 40, **strong).secret_key == "x" * 40


def test_openapi_is_served(client):
    spec = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/reference/uscc/{code}" in spec["paths"]
    assert "/api/v1/registry/entities" in spec["paths"]


def test_every_response_carries_the_security_headers(client):
    for path in ("/", "/api/v1/openapi.json", "/staff/login", "/no-such-page"):
        headers = client.get(path).headers
        assert headers["x-frame-options"] == "DENY" and "frame-ancestors 'none'" in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"
