"""``marketreg codes``: check USCCs and resolve addresses from the command line.

    marketreg codes uscc CODE…     → CODE<TAB>valid | CODE<TAB>invalid<TAB>reason
    marketreg codes region "地址"   → CODE<TAB>NAME | ambiguous<TAB>C1,C2 | outside<TAB>C | unknown

Exit status 0 when every code is valid / the address gives one county, else 1; 2 when the
reference data is not loaded.
"""

from __future__ import annotations

import typer
from sqlalchemy.orm import Session

from marketreg.domains.reference import service
from marketreg.kernel.errors import DomainError

codes_app = typer.Typer(help="统一社会信用代码校验与地址区划解析", no_args_is_help=True)


def _session() -> Session:
    from marketreg.platform.db import get_sessions

    return get_sessions().read()


def _fail(error: DomainError) -> typer.Exit:
    typer.echo(error.message_zh, err=True)
    return typer.Exit(2)


@codes_app.command("uscc")
def uscc_command(codes: list[str] = typer.Argument(..., help="一个或多个统一社会信用代码")) -> None:
    """Check unified social credit codes (GB 32100-2015), including the region part."""
    all_valid = True
    with _session() as session:
        for raw in codes:
            try:
                info = service.describe_uscc(session, raw=raw)
            except DomainError as error:
                raise _fail(error) from None
            if info["valid"]:
                typer.echo(f"{info['code']}\tvalid")
            else:
                all_valid = False
                typer.echo(f"{info['code']}\tinvalid\t{info['reason']}")
    raise typer.Exit(0 if all_valid else 1)


@codes_app.command("region")
def region_command(address: str = typer.Argument(..., help="地址文本")) -> None:
    """Resolve an address to a current Shandong county-level code (GB/T 2260)."""
    with _session() as session:
        try:
            found = service.resolve_address(session, text=address)
        except DomainError as error:
            raise _fail(error) from None
    if found.kind == "county":
        typer.echo(f"{found.code}\t{found.name}")
        raise typer.Exit(0)
    if found.kind == "ambiguous":
        typer.echo(f"ambiguous\t{','.join(found.candidates)}")
    elif found.kind == "outside":
        typer.echo(f"outside\t{found.code}")
    else:
        typer.echo("unknown")
    raise typer.Exit(1)
