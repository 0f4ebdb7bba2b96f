"""`evroam cdrs list|show`: the CDRs we hold, ours (as CPO) and received (as eMSP)."""

import json
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from evroam.cli import app, out, run, settings_of
from evroam.cli.locations import LimitOption, OffsetOption
from evroam.cli.sessions import (
    JsonOption,
    OriginOption,
    PartnerOption,
    PartyOption,
    party_of,
    whose,
)
from evroam.modules.cdrs import records
from evroam.modules.cdrs.bill import Bill, explain_cdr
from evroam.modules.cdrs.records import CdrRecord
from evroam.modules.records import Origin, query_for
from evroam.platform import Platform
from evroam.protocol.timestamps import format_datetime
from evroam.tariffs.explain import show

cdrs_app = typer.Typer(help="CDRs we hold: ours and our partners'.", no_args_is_help=True)
app.add_typer(cdrs_app, name="cdrs")


@cdrs_app.command("list")
def list_cdrs(
    ctx: typer.Context,
    origin: OriginOption = Origin.ALL,
    partner: PartnerOption = None,
    offset: OffsetOption = 0,
    limit: LimitOption = 50,
    as_json: JsonOption = False,
) -> None:
    """Stored CDRs, oldest first: session, energy, cost, and for ours whether it was sent."""

    async def work(platform: Platform) -> tuple[list[CdrRecord], int]:
        query = await query_for(platform, origin, partner, offset=offset, limit=limit)
        return await records.list_cdrs(platform, query)

    found, total = run(settings_of(ctx), work)
    if as_json:
        items = [r.model_dump(mode="json", exclude_none=True) for r in found]
        out.print_json(json.dumps({"total": total, "offset": offset, "items": items}))
    elif found:
        out.print(cdrs_table(found, offset, total))
    else:
        out.print(f"No CDRs past offset {offset}: {total} match." if total else "No CDRs.")


def state_of(item: CdrRecord) -> str:
    """Ours: sent (when) or waiting; received: the reconciliation status."""
    if item.partner is None:
        return f"sent {format_datetime(item.pushed_at)}" if item.pushed_at else "not sent yet"
    return item.reconciliation or "not reconciled"


def cdrs_table(found: list[CdrRecord], offset: int, total: int) -> Table:
    table = Table(title=f"CDRs {offset + 1}–{offset + len(found)} of {total}")
    for column in ("id", "party", "whose", "session", "start", "kWh", "cost", "credit", "state"):
        table.add_column(column, no_wrap=column in ("id", "start"))
    for item in found:
        c = item.cdr
        table.add_row(
            escape(c.id),
            escape(f"{c.country_code}*{c.party_id}"),
            whose(item.partner),
            escape(c.session_id or "-"),
            format_datetime(c.start_date_time),
            str(c.total_energy),
            escape(f"{c.total_cost.excl_vat} {c.currency}"),
            f"of {escape(c.credit_reference_id or '')}" if c.credit else "",
            escape(state_of(item)),
        )
    return table


@cdrs_app.command("show")
def show_cdr(
    ctx: typer.Context,
    cdr_id: Annotated[str, typer.Argument(metavar="CDR", help="The CDR's id.")],
    party: PartyOption = None,
    as_json: JsonOption = False,
    explain: Annotated[
        bool,
        typer.Option(
            "--explain", help="The bill: the CDR priced again by the tariff engine, line by line."
        ),
    ] = False,
) -> None:
    """One stored CDR, and where the partner keeps it (ours) or its reconciliation."""
    owner = party_of(party)
    if explain:
        print_bill(run(settings_of(ctx), lambda platform: explain_cdr(platform, cdr_id, owner)))
        return

    async def work(platform: Platform) -> CdrRecord:
        return await records.find_cdr(platform, cdr_id, owner)

    found = run(settings_of(ctx), work)
    if as_json:
        out.print_json(json.dumps(found.model_dump(mode="json", exclude_none=True)))
        return
    out.print(cdrs_table([found], 0, 1))
    if found.pushed_location:
        out.print(f"The partner keeps it at {escape(found.pushed_location)}")
    signed = found.cdr.signed_data
    if signed is not None:
        natures = ", ".join(escape(v.nature) for v in signed.signed_values)
        out.print(
            f"Signed meter values ({escape(signed.encoding_method)}): {natures}; "
            "`--json` shows them as the meter produced them."
        )


def print_bill(bill: Bill) -> None:
    """The CDR's amounts, then one line per priced quantity (the engine's explanation)."""
    cdr, totals = bill.record.cdr, bill.result.totals
    table = Table(title=f"Bill of {escape(cdr.id)} (tariff {escape(bill.result.tariff.id)})")
    for column in ("", "CDR", "priced again"):
        table.add_column(column, justify="right")
    table.add_row("energy (kWh)", show(cdr.total_energy), show(totals.total_energy))
    table.add_row("time (h)", show(cdr.total_time), show(totals.total_time))
    table.add_row(
        f"total excl VAT ({cdr.currency})",
        show(cdr.total_cost.excl_vat),
        show(totals.total_cost.excl_vat),
    )
    table.add_row(
        f"total incl VAT ({cdr.currency})",
        show(cdr.total_cost.incl_vat),
        show(totals.total_cost.incl_vat),
    )
    out.print(table)
    lines = Table(title=f"Explanation (local time {escape(bill.time_zone)})")
    lines.add_column("line")
    for line in bill.result.explanation:
        lines.add_row(escape(line.text))
    out.print(lines)
