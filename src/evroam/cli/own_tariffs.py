"""`evroam tariffs import`, `list` and `delete`: our own Tariffs, added to the `tariffs` group.

That group is defined in `evroam.cli.tariffs` (pricing); this module imports it first, so the
commands register whatever order `load_commands` imports the modules in.
"""

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

import evroam.cli.tariffs  # noqa: F401  (defines the `tariffs` group this module extends)
from evroam.cli import app, fail, out, run, settings_of
from evroam.cli.locations import Kind, LimitOption, OffsetOption, import_command, print_listing
from evroam.errors import EvroamError
from evroam.modules.locations.publish import parse_party
from evroam.modules.tariffs import publish
from evroam.modules.tariffs.model import Tariff
from evroam.platform import Platform
from evroam.protocol.timestamps import format_datetime
from evroam.settings import Role
from evroam.storage.documents import ObjectKey


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


@tariffs_app.command("delete")
def delete_tariff(
    ctx: typer.Context,
    tariff_id: Annotated[str, typer.Argument(metavar="TARIFF", help="Our Tariff's id.")],
    party: Annotated[
        str | None,
        typer.Option("--party", help="COUNTRY*PARTY owning the Tariff; needed with several."),
    ] = None,
) -> None:
    """Delete one of our Tariffs here and at every partner (a DELETE is pushed).

    Refused while one of our Connectors still names it in tariff_ids: import those Locations
    with their new tariff first.
    """
    settings = settings_of(ctx)
    try:
        ours = [(p.country_code, p.party_id) for p in settings.parties if p.role is Role.CPO]
        owner = publish_party(party, ours)
    except ValueError as exc:
        fail(str(exc), code=2)

    async def work(platform: Platform) -> None:
        await publish.delete_tariff(platform, ObjectKey(owner[0], owner[1], tariff_id))

    run(settings, work)
    out.print(f"Deleted Tariff [bold]{escape(tariff_id)}[/] of {owner[0]}*{owner[1]}.")


def publish_party(text: str | None, ours: list[tuple[str, str]]) -> tuple[str, str]:
    """The party named by --party, or our only CPO party."""
    if text:
        try:
            return parse_party(text)
        except EvroamError as exc:
            raise ValueError(str(exc)) from exc
    if len(ours) == 1:
        return ours[0]
    if not ours:
        raise ValueError("This platform has no CPO party, so it has no Tariffs of its own.")
    names = ", ".join(f"{c}*{p}" for c, p in ours)
    raise ValueError(f"Several CPO parties ({names}): name one with --party.")


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
