"""`evroam tariffs import` and `list`: our own Tariffs, added to the `tariffs` group.

That group is defined in `evroam.cli.tariffs` (pricing); this module imports it first, so the
commands register whatever order `load_commands` imports the modules in.
"""

import typer
from rich.markup import escape
from rich.table import Table

import evroam.cli.tariffs  # noqa: F401  (defines the `tariffs` group this module extends)
from evroam.cli import app, run, settings_of
from evroam.cli.locations import Kind, LimitOption, OffsetOption, import_command, print_listing
from evroam.modules.tariffs import publish
from evroam.modules.tariffs.model import Tariff
from evroam.platform import Platform
from evroam.protocol.timestamps import format_datetime


def group(name: str) -> typer.Typer:
    """The registered sub-app called `name`."""
    for registered in app.registered_groups:
        if registered.name == name and registered.typer_instance is not None:
            return registered.typer_instance
    raise LookupError(f"No `evroam {name}` command group is registered.")


tariffs_app = group("tariffs")
TARIFFS = Kind("Tariffs", Tariff, publish.check_ours, publish.save_tariffs)


tariffs_app.command("import")(import_command(TARIFFS, "tariffs"))


@tariffs_app.command("list")
def list_tariffs(
    ctx: typer.Context,
    offset: OffsetOption = 0,
    limit: LimitOption = 50,
) -> None:
    """Our Tariffs, oldest first: currency, type, elements and last update."""

    async def work(platform: Platform) -> tuple[list[Tariff], int]:
        return await publish.own_tariffs(platform, offset=offset, limit=limit)

    found, total = run(settings_of(ctx), work)
    table = tariffs_table(found, offset, total)
    print_listing(table, shown=len(found), total=total, offset=offset, group="tariffs")


def tariffs_table(found: list[Tariff], offset: int, total: int) -> Table:
    table = Table(title=f"Our Tariffs {offset + 1}–{offset + len(found)} of {total}")
    for column in ("id", "party", "currency", "type", "elements", "last_updated"):
        table.add_column(column, no_wrap=column in ("id", "last_updated"))
    for tariff in found:
        table.add_row(
            escape(tariff.id),
            escape(f"{tariff.country_code}*{tariff.party_id}"),
            escape(tariff.currency),
            tariff.type or "-",
            str(len(tariff.elements)),
            format_datetime(tariff.last_updated),
        )
    return table
