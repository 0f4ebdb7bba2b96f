"""`evroam sim`: synthetic data for the demo, the tests and the benchmarks."""

import re
import sys
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Annotated, TextIO

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from evroam.cli import app, err, fail
from evroam.sim.network import generate_tariffs, location_json
from evroam.sim.output import Format, format_for, tariffs_path_for, write_documents

sim_app = typer.Typer(
    help="Synthetic OCPI data: networks of Locations and Tariffs.", no_args_is_help=True
)
app.add_typer(sim_app, name="sim")

PROGRESS_STEP = 1000


@sim_app.command("network")
def network(
    locations: Annotated[int, typer.Option("--locations", min=0, help="How many Locations.")] = 100,
    seed: Annotated[int, typer.Option("--seed", help="Same seed, same bytes.")] = 1,
    out: Annotated[
        Path | None, typer.Option("--out", help="Locations file (default: standard output).")
    ] = None,
    fmt: Annotated[
        Format | None,
        typer.Option(
            "--format", help="ndjson or json (default: json for a .json file, else ndjson)."
        ),
    ] = None,
    tariffs_out: Annotated[
        Path | None,
        typer.Option(
            "--tariffs-out", help="Tariffs file (default: <stem>.tariffs.<format> beside --out)."
        ),
    ] = None,
    country_code: Annotated[
        str, typer.Option("--country-code", help="Owning CPO's ISO 3166 alpha-2 code.")
    ] = "NL",
    party_id: Annotated[str, typer.Option("--party-id", help="Owning CPO's party id.")] = "CPO",
) -> None:
    """Write a realistic CPO network: Locations in many countries and the Tariffs they use.

    Deterministic for a seed; streamed, so 100,000 Locations take seconds and little memory.
    """
    owner = _owner(country_code, party_id)
    chosen = format_for(out, fmt)
    tariffs_path = tariffs_out or (tariffs_path_for(out, chosen) if out else None)
    documents = (location_json(seed, n, owner) for n in range(1, locations + 1))
    with ExitStack() as files:
        stream = _open(files, out)
        written = write_documents(stream, _with_progress(documents, locations), chosen)
    err.print(f"[green]Wrote[/] {written} Locations to {out or 'standard output'}.")
    if tariffs_path is None:
        return
    tariffs = (t.model_dump_json(exclude_none=True) for t in generate_tariffs(seed, *owner))
    with ExitStack() as files:
        count = write_documents(_open(files, tariffs_path), tariffs, format_for(tariffs_path, fmt))
    err.print(f"[green]Wrote[/] {count} Tariffs to {tariffs_path}.")


def _owner(country_code: str, party_id: str) -> tuple[str, str]:
    # CredentialsRole rules: ISO 3166 alpha-2 and a 3-character party id (CiString).
    if not re.fullmatch(r"[A-Za-z]{2}", country_code):
        fail(f"--country-code must be two letters (ISO 3166 alpha-2), not {country_code!r}.")
    if not re.fullmatch(r"[A-Za-z0-9]{3}", party_id):
        fail(f"--party-id must be three letters or digits, not {party_id!r}.")
    return country_code.upper(), party_id.upper()


def _open(files: ExitStack, path: Path | None) -> TextIO:
    if path is None:
        return sys.stdout
    try:
        return files.enter_context(path.open("w", encoding="utf-8"))
    except OSError as exc:
        fail(f"Cannot write {path}: {exc.strerror}. Check the folder exists and is writable.")


def _with_progress(documents: Iterable[str], total: int) -> Iterator[str]:
    columns = (TextColumn("Locations"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err) as progress:
        task = progress.add_task("generate", total=total)
        for n, document in enumerate(documents, start=1):
            yield document
            if n % PROGRESS_STEP == 0:
                progress.update(task, completed=n)
        progress.update(task, completed=total)
