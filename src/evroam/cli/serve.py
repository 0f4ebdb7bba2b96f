"""`evroam serve`: run the platform's HTTP server."""

import gc
from typing import Annotated

import typer

from evroam.cli import app, fail, settings_of
from evroam.errors import EvroamError


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port to listen on.")] = 8000,
    access_log: Annotated[bool, typer.Option(help="Log every request line.")] = False,
) -> None:
    """Serve OCPI (versions, credentials and the modules of your parties) and the docs at /docs.

    Pending migrations are applied at start-up unless database.auto_migrate is false.
    """
    import uvicorn  # the server and the whole app: only this command needs them

    from evroam.app import create_app

    settings = settings_of(ctx)
    try:
        application = create_app(settings)
    except EvroamError as exc:
        fail(str(exc))
    # What is built so far (modules, routes, models) lives as long as the server: set it aside
    # so the collector's full passes do not walk it again every few hundred requests.
    gc.collect()
    gc.freeze()
    uvicorn.run(
        application,
        host=host,
        port=port,
        access_log=access_log,
        log_level=settings.log_level.lower(),
        server_header=False,
    )
