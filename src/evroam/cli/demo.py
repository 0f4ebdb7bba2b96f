"""`evroam demo`: the roaming story between two live platforms on loopback."""

from pathlib import Path
from typing import Annotated

import typer

from evroam.cli import app, fail
from evroam.errors import EvroamError


@app.command()
def demo(
    workdir: Annotated[
        Path | None,
        typer.Option(
            help="Keep the databases, settings and server logs here (default: temporary)."
        ),
    ] = None,
) -> None:
    """Start a CPO and an eMSP as separate servers and play the roaming story between them.

    Each platform has its own SQLite file; every step uses the real CLI and real HTTP.
    """
    from evroam.sim.demo import run_demo

    try:
        run_demo(workdir)
    except EvroamError as exc:
        fail(f"{exc}\nThe demo stopped; rerun with --workdir DIR to keep the server logs.")
