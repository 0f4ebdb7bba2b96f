"""`evroam sessions list|show`: the Sessions we hold, ours (as CPO) and received (as eMSP)."""

import json
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from evroam.cli import app, fail, out, run, settings_of
from evroam.cli.locations import LimitOption, OffsetOption
from evroam.errors import EvroamError
from evroam.modules.locations.publish import parse_party
from evroam.modules.records import Origin, query_for
from evroam.modules.sessions import records
from evroam.modules.sessions.model import SessionStatus
from evroam.modules.sessions.records import SessionRecord
from evroam.platform import Platform
from evroam.protocol.timestamps import format_datetime

sessions_app = typer.Typer(help="Sessions we hold: ours and our partners'.", no_args_is_help=True)
app.add_typer(sessions_app, name="sessions")

OriginOption = Annotated[
    Origin, typer.Option("--origin", help="own (we are the CPO), received, or all.")
]
PartnerOption = Annotated[
    str | None, typer.Option("--partner", help="Only those received from this partner.")
]
PartyOption = Annotated[
    str | None, typer.Option("--party", help="COUNTRY*PARTY owning it, when ids repeat.")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


def party_of(text: str | None) -> tuple[str, str] | None:
    try:
        return parse_party(text) if text else None
    except EvroamError as exc:
        fail(str(exc), code=2)


def whose(partner: str | None) -> str:
    return "ours" if partner is None else escape(partner)


@sessions_app.command("list")
def list_sessions(
    ctx: typer.Context,
    origin: OriginOption = Origin.ALL,
    partner: PartnerOption = None,
    status: Annotated[
        SessionStatus | None, typer.Option("--status", help="Only in this status.")
    ] = None,
    offset: OffsetOption = 0,
    limit: LimitOption = 50,
    as_json: JsonOption = False,
) -> None:
    """Stored Sessions, oldest first: status, energy, cost, periods and the token owner."""

    async def work(platform: Platform) -> tuple[list[SessionRecord], int]:
        query = await query_for(platform, origin, partner, offset=offset, limit=limit)
        return await records.list_sessions(platform, query, status)

    found, total = run(settings_of(ctx), work)
    if as_json:
        items = [r.model_dump(mode="json", exclude_none=True) for r in found]
        out.print_json(json.dumps({"total": total, "offset": offset, "items": items}))
    elif found:
        out.print(sessions_table(found, offset, total))
    else:
        out.print(f"No Sessions past offset {offset}: {total} match." if total else "No Sessions.")


def sessions_table(found: list[SessionRecord], offset: int, total: int) -> Table:
    table = Table(title=f"Sessions {offset + 1}–{offset + len(found)} of {total}")
    for column in ("id", "party", "whose", "token", "status", "kWh", "cost", "periods", "updated"):
        table.add_column(column, no_wrap=column in ("id", "updated"))
    for item in found:
        s = item.session
        cost = "-" if s.total_cost is None else f"{s.total_cost.excl_vat} {s.currency}"
        table.add_row(
            escape(s.id),
            escape(f"{s.country_code}*{s.party_id}"),
            whose(item.partner),
            escape(f"{s.cdr_token.country_code}*{s.cdr_token.party_id} {s.cdr_token.uid}"),
            s.status.value,
            str(s.kwh),
            escape(cost),
            str(len(s.charging_periods or [])),
            format_datetime(s.last_updated),
        )
    return table


@sessions_app.command("show")
def show_session(
    ctx: typer.Context,
    session_id: Annotated[str, typer.Argument(metavar="SESSION", help="The Session's id.")],
    party: PartyOption = None,
    as_json: JsonOption = False,
) -> None:
    """One stored Session with its charging periods."""
    owner = party_of(party)

    async def work(platform: Platform) -> SessionRecord:
        return await records.find_session(platform, session_id, owner)

    found = run(settings_of(ctx), work)
    if as_json:
        out.print_json(json.dumps(found.model_dump(mode="json", exclude_none=True)))
        return
    out.print(sessions_table([found], 0, 1))
    out.print(periods_table(found))


def periods_table(found: SessionRecord) -> Table:
    table = Table(title="Charging periods")
    for column in ("start", "dimensions", "tariff"):
        table.add_column(column)
    for period in found.session.charging_periods or []:
        dimensions = ", ".join(f"{d.type.value} {d.volume}" for d in period.dimensions)
        table.add_row(format_datetime(period.start_date_time), dimensions, period.tariff_id or "-")
    return table
