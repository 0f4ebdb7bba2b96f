"""`evroam sync`: pull partners' Locations and Tariffs now, with a progress bar per partner."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn
from rich.table import Table

from evroam.cli import app, out, run, settings_of
from evroam.platform import Platform
from evroam.protocol.timestamps import format_datetime
from evroam.sync.pull import OnPage, SyncReport
from evroam.sync.schedule import MODULES, pull_all
from evroam.sync.store import PullModule

sync_app = typer.Typer(
    help="Pull partners' objects from their Sender interfaces (incremental, or --full).",
    no_args_is_help=True,
)
app.add_typer(sync_app, name="sync")

PartnerOption = Annotated[
    str | None,
    typer.Option("--partner", "-p", help="Only this partner (default: every one publishing it)."),
]
FullOption = Annotated[
    bool,
    typer.Option("--full", help="Ask for everything and remove what the partner no longer lists."),
]


@sync_app.command("locations")
def sync_locations(
    ctx: typer.Context, partner: PartnerOption = None, full: FullOption = False
) -> None:
    """Pull Locations (with EVSEs and Connectors) from the partners' Sender interface."""
    pull_module(ctx, MODULES["locations"], partner, full=full)


@sync_app.command("tariffs")
def sync_tariffs(
    ctx: typer.Context, partner: PartnerOption = None, full: FullOption = False
) -> None:
    """Pull Tariffs from the partners' Sender interface."""
    pull_module(ctx, MODULES["tariffs"], partner, full=full)


def pull_module(
    ctx: typer.Context, module: PullModule[Any], partner: str | None, *, full: bool
) -> None:
    """Pull, show progress, print a summary; exit 1 when a partner failed."""

    async def work(platform: Platform) -> list[SyncReport]:
        with progress_bar() as on_page:
            return await pull_all(platform, module, partner=partner, full=full, on_page=on_page)

    reports = run(settings_of(ctx), work)
    if not reports:
        out.print(f"No connected partner publishes a {module.name} Sender interface.")
        return
    out.print(summary(module.name, reports))
    if any(r.error for r in reports):
        raise typer.Exit(1)


@contextmanager
def progress_bar() -> Iterator[OnPage]:
    """A Rich progress bar, one line per partner: objects received of X-Total-Count."""
    tasks: dict[str, TaskID] = {}
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[counts]}"),
        console=out,
        transient=True,
    ) as bar:

        def on_page(report: SyncReport) -> None:
            if report.partner not in tasks:
                tasks[report.partner] = bar.add_task(escape(report.partner), counts="")
            bar.update(
                tasks[report.partner],
                completed=report.received,
                total=max(report.total or 0, report.received) or None,
                counts=counts(report),
            )

        yield on_page


def counts(report: SyncReport) -> str:
    return (
        f"pages {report.pages} · stored {report.stored} · unchanged {report.unchanged}"
        f" · skipped {report.skipped} · removed {report.removed}"
    )


def summary(module: str, reports: list[SyncReport]) -> Table:
    table = Table(title=f"Pulled {module}")
    columns = ("Partner", "Kind", "Pages", "Stored", "Unchanged", "Skipped", "Removed", "Watermark")
    for column in columns:
        table.add_column(column, justify="left" if column in ("Partner", "Kind") else "right")
    table.add_column("Result")
    for r in reports:
        table.add_row(
            escape(r.partner),
            "full" if r.full else "incremental",
            *(str(n) for n in (r.pages, r.stored, r.unchanged, r.skipped, r.removed)),
            format_datetime(r.watermark_after) if r.watermark_after else "-",
            f"[red]{escape(r.error)}[/]" if r.error else f"[green]ok[/] in {_seconds(r)}",
        )
    return table


def _seconds(report: SyncReport) -> str:
    return f"{report.duration.total_seconds():.1f} s"
