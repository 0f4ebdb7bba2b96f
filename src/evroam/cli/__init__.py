"""The `evroam` command: thin commands over the services, Rich output, errors that say what next."""

import asyncio
import importlib
import logging
import os
import pkgutil
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, NoReturn, TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.logging import RichHandler
from rich.markup import escape

from evroam.errors import EvroamError
from evroam.platform import Platform
from evroam.settings import Settings, load_settings

T = TypeVar("T")

out = Console()
err = Console(stderr=True, soft_wrap=True)  # paths in errors must stay copyable

app = typer.Typer(
    name="evroam",
    help=(
        "evroam: an open OCPI roaming platform (CPO, eMSP, Hub…).\n\n"
        "Settings come from a TOML file (--config or EVROAM_CONFIG) and EVROAM_* environment"
        " variables; see README.md for a complete example."
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)


@app.callback()
def main_options(
    ctx: typer.Context,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            "-c",
            envvar="EVROAM_CONFIG",
            help="Settings file (TOML).",
            show_default=False,
        ),
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show info log lines.")] = False,
) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(message)s",
        handlers=[RichHandler(console=err, show_path=False)],
    )
    ctx.obj = config


def settings_of(ctx: typer.Context) -> Settings:
    """Build the Settings, turning a bad file into a message instead of a traceback."""
    try:
        path = ctx.find_root().obj
        return load_settings(path if isinstance(path, Path) else None)
    except ValidationError as exc:
        fail(f"The settings are invalid:\n{exc}\nFix the settings file or EVROAM_* variables.")
    except EvroamError as exc:
        fail(str(exc))


def fail(message: str, code: int = 1) -> NoReturn:
    err.print(f"[bold red]error:[/] {escape(message)}", highlight=False)
    raise typer.Exit(code)


def run(settings: Settings, work: Callable[[Platform], Awaitable[T]]) -> T:
    """Open the platform (migrating a fresh database), run one service call, close."""

    async def go() -> T:
        platform = await Platform.open(settings)
        try:
            return await work(platform)
        finally:
            await platform.close()

    try:
        return asyncio.run(go())
    except EvroamError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"{exc}. Is the database reachable? Check database.url in the settings.")


def load_commands() -> typer.Typer:
    """Import every module of this package: each registers its commands on `app`."""
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
    return app


def main() -> None:
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    load_commands()()
