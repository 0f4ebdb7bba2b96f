"""`evroam sync`: pull partners' Locations and Tariffs now, with a progress bar per partner."""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn
from rich.table import Table

from evroam.cli import app, err, out, run, settings_of
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
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


HELP = {
    "locations": "Pull Locations (with EVSEs and Connectors) from the partners' Sender interface.",
    "tariffs": "Pull Tariffs from the partners' Sender interface.",
}


def register_command(module: PullModule[Any]) -> None:
    """`evroam sync <module>`: the same options for every module that is pulled."""

    def command(
        ctx: typer.Context,
        partner: PartnerOption = None,
        full: FullOption = False,
        as_json: JsonOption = False,
    ) -> None:
        pull_module(ctx, module, partner, full=full, as_json=as_json)

    sync_app.command(module.name, help=HELP[module.name])(command)


def pull_module(
    ctx: typer.Context,
    module: PullModule[Any],
    partner: str | None,
    *,
    full: bool,
    as_json: bool,
) -> None:
    """Pull, show progress, print a summary; exit 1 when a partner failed."""

    async def work(platform: Platform) -> list[SyncReport]:
        with progress_bar(enabled=not as_json) as on_page:
            return await pull_all(platform, module, partner=partner, full=full, on_page=on_page)

    reports = run(settings_of(ctx), work)
    show(module.name, reports, as_json=as_json)
    if any(r.error for r in reports):
        raise typer.Exit(1)


def show(module: str, reports: list[SyncReport], *, as_json: bool) -> None:
    """The summary (table or JSON) on stdout; each failure in full on stderr."""
    if as_json:
        out.print_json(json.dumps([report_json(r) for r in reports]))
    elif not reports:
        out.print(f"No connected partner publishes a {module} Sender interface.")
    else:
        out.print(summary(module, reports))
    for failed in reports:
        if failed.error:
            err.print(f"[bold red]error:[/] {escape(failed.partner)}: {escape(failed.error)}")


@contextmanager
def progress_bar(*, enabled: bool = True) -> Iterator[OnPage]:
    """A Rich progress bar, one line per partner: objects received of X-Total-Count."""
    tasks: dict[str, TaskID] = {}
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[counts]}"),
        console=err,
        transient=True,
        disable=not enabled,
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
    """One row per partner; failures are named in full below the table."""
    table = Table(title=f"Pulled {module}")
    columns = ("Partner", "Pull", "Pages", "Stored", "Unchanged", "Skipped", "Removed")
    for column in columns:
        table.add_column(column, justify="left" if column in ("Partner", "Pull") else "right")
    table.add_column("Watermark")
    table.add_column("Result")
    for r in reports:
        table.add_row(
            escape(r.partner),
            "full" if r.full else "incremental",
            *(str(n) for n in (r.pages, r.stored, r.unchanged, r.skipped, r.removed)),
            _moment(r.watermark_after),
            "[red]failed[/]" if r.error else "[green]ok[/]",
        )
    return table


def report_json(report: SyncReport) -> dict[str, Any]:
    """A report for scripts: counts, the date_from asked, watermarks, duration, error."""
    numbers = ("pages", "received", "stored", "unchanged", "skipped", "removed", "total")
    return {
        "partner": report.partner,
        "module": report.module,
        "full": report.full,
        **{name: getattr(report, name) for name in numbers},
        "date_from": _iso(report.date_from),
        "watermark_before": _iso(report.watermark_before),
        "watermark_after": _iso(report.watermark_after),
        "duration_ms": report.duration // timedelta(milliseconds=1),
        "error": report.error,
    }


def _iso(moment: datetime | None) -> str | None:
    return format_datetime(moment) if moment else None


def _moment(moment: datetime | None) -> str:
    return format_datetime(moment) if moment else "-"


for _module in MODULES.values():
    register_command(_module)
