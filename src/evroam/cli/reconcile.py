"""`evroam reconcile`: price a partner's CDRs again and print the statement (table, csv, json)."""

import csv
import io
import json
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from evroam.cli import app, out, run, settings_of
from evroam.modules.cdrs.reconciliation import Reconciliation
from evroam.modules.cdrs.statement import Statement, day_span, partner_statement
from evroam.platform import Platform
from evroam.protocol.timestamps import format_datetime


class Format(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


CSV_COLUMNS = (
    "cdr_id",
    "start_date_time",
    "currency",
    "status",
    "cdr_excl_vat",
    "cdr_incl_vat",
    "our_excl_vat",
    "our_incl_vat",
    "difference",
    "causes",
)


@app.command("reconcile")
def reconcile(
    ctx: typer.Context,
    partner: Annotated[str, typer.Option("--partner", help="The partner (CPO) whose CDRs.")],
    first: Annotated[
        datetime,
        typer.Option("--from", formats=["%Y-%m-%d"], help="First day (UTC) of session starts."),
    ],
    last: Annotated[
        datetime,
        typer.Option("--to", formats=["%Y-%m-%d"], help="Last day (UTC), included."),
    ],
    output: Annotated[Format, typer.Option("--format", help="How to print.")] = Format.table,
) -> None:
    """Price each CDR of the partner again with its tariff and explain every difference.

    Each result is stored with its CDR; the statement counts CDRs, sums the amounts, groups
    mismatches by cause and lists the worst ones.
    """
    start, end = day_span(first.date(), last.date())

    async def work(platform: Platform) -> Statement:
        return await partner_statement(platform, partner, start, end)

    statement = run(settings_of(ctx), work)
    if output is Format.json:
        out.print_json(json.dumps(statement.model_dump(mode="json")))
    elif output is Format.csv:
        print(statement_csv(statement), end="")
    else:
        print_tables(statement)


def statement_csv(statement: Statement) -> str:
    """One row per CDR, for spreadsheets."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for result in statement.cdrs:
        writer.writerow(_row(result))
    return buffer.getvalue()


def _row(result: Reconciliation) -> list[str]:
    ours = result.our_total
    return [
        result.cdr_id,
        format_datetime(result.start_date_time),
        result.currency,
        result.status.value,
        _number(result.cdr_total.excl_vat),
        _number(result.cdr_total.incl_vat),
        _number(ours.excl_vat if ours else None),
        _number(ours.incl_vat if ours else None),
        _number(result.difference),
        " ".join(result.causes),
    ]


def _number(value: Decimal | None) -> str:
    return "" if value is None else f"{value:f}"


def print_tables(statement: Statement) -> None:
    span = f"{format_datetime(statement.date_from)} – {format_datetime(statement.date_to)}"
    out.print(f"[bold]Reconciliation of {escape(statement.partner)}[/], sessions {span}")
    out.print(_summary(statement))
    if statement.by_cause:
        out.print(_causes(statement))
    if statement.worst:
        out.print(_worst(statement))


def _summary(statement: Statement) -> Table:
    table = Table(
        "currency",
        "CDRs",
        "CDR total excl",
        "CDR total incl",
        "ours excl",
        "ours incl",
        "difference",
        title="Amounts",
    )
    for a in statement.amounts:
        table.add_row(
            a.currency,
            str(a.count),
            *(_number(v) for v in (a.cdr_total.excl_vat, a.cdr_total.incl_vat)),
            *(_number(v) for v in (a.our_total.excl_vat, a.our_total.incl_vat)),
            _number(a.difference),
        )
    counts = ", ".join(f"{status.value} {n}" for status, n in statement.by_status.items())
    table.caption = f"{statement.count} CDRs: {counts or 'none'}"
    return table


def _causes(statement: Statement) -> Table:
    table = Table("cause", "CDRs", title="Mismatches and caveats by cause")
    for cause, count in statement.by_cause.items():
        table.add_row(cause.value, str(count))
    return table


def _worst(statement: Statement) -> Table:
    table = Table(
        "CDR", "start", "CDR excl", "ours excl", "difference", "causes", "why", title="Worst cases"
    )
    for r in statement.worst:
        table.add_row(
            escape(r.cdr_id),
            format_datetime(r.start_date_time),
            _number(r.cdr_total.excl_vat),
            _number(r.our_total.excl_vat if r.our_total else None),
            _number(r.difference),
            " ".join(r.causes),
            escape("; ".join(r.notes)),
        )
    return table
