"""`evroam tariffs`: price a session timeline with a tariff, for people testing tariffs."""

import json
from pathlib import Path
from typing import Annotated, Any, TypeVar
from zoneinfo import ZoneInfo

import typer
from pydantic import BaseModel, ValidationError
from rich.table import Table

from evroam.cli import app, err, fail, out
from evroam.modules.tariffs.model import Tariff
from evroam.tariffs import (
    DayOfWeekReading,
    FlatCharging,
    PricingOptions,
    PricingResult,
    StepTotal,
    TimelineError,
    TimeRounding,
    price_session,
)
from evroam.tariffs.explain import show
from evroam.tariffs.report import json_text, period_dimensions, result_document
from evroam.tariffs.session_file import SessionFile, load_json
from evroam.tariffs.timeline import SessionTimeline

M = TypeVar("M", bound=BaseModel)

tariffs_app = typer.Typer(help="Price sessions with OCPI 2.2.1 tariffs.", no_args_is_help=True)
app.add_typer(tariffs_app, name="tariffs")


@tariffs_app.command("price")
def price(
    tariff_file: Annotated[Path, typer.Argument(help="One OCPI 2.2.1 Tariff object (JSON).")],
    session_file: Annotated[Path, typer.Argument(help="The session timeline (JSON).")],
    tz: Annotated[
        str | None,
        typer.Option("--tz", help="The Location's IANA time zone, e.g. Europe/Amsterdam."),
    ] = None,
    explain: Annotated[bool, typer.Option("--explain", help="Show every priced line.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the CDR fields as JSON.")] = False,
    day_of_week: Annotated[
        DayOfWeekReading, typer.Option(help="A3: weekday of a window past midnight.")
    ] = DayOfWeekReading.INSTANT,
    step_total: Annotated[StepTotal, typer.Option(help="A5: what step_size rounds.")] = (
        StepTotal.PRICED
    ),
    time_rounding: Annotated[
        TimeRounding, typer.Option(help="A6: TIME and PARKING_TIME rounding.")
    ] = TimeRounding.PARKING_ONLY,
    flat: Annotated[FlatCharging, typer.Option(help="A7: how often FLAT is charged.")] = (
        FlatCharging.ONCE
    ),
) -> None:
    """Split the session into CDR charging periods and compute every CDR total."""
    tariff = _parse(tariff_file, Tariff, "tariff")
    timeline = _timeline(session_file)
    if tz is None:
        err.print("note: no --tz given; the tariff has no time zone, so local time is UTC.")
    options = PricingOptions(day_of_week, step_total, time_rounding, flat)
    try:
        result = price_session(tariff, timeline, tz or "UTC", options)
    except TimelineError as exc:
        fail(str(exc))
    if as_json:
        typer.echo(json_text(result_document(result)))
        return
    _print(result, tz or "UTC", explain)


def _read(path: Path, what: str) -> Any:
    try:
        return load_json(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        fail(f"{what} file not found: {path}")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"cannot read the {what} file {path}: {exc}")
    except json.JSONDecodeError as exc:
        fail(f"{path} is not valid JSON: {exc}")


def _parse(path: Path, model: type[M], what: str) -> M:
    data = _read(path, what)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = "\n".join(
            f"  {'.'.join(str(p) for p in e['loc']) or '(top)'}: {e['msg']}" for e in exc.errors()
        )
        fail(f"{path} is not a valid {what}:\n{problems}")


def _timeline(path: Path) -> SessionTimeline:
    session = _parse(path, SessionFile, "session")
    try:
        return session.to_timeline()
    except TimelineError as exc:
        fail(f"{path}: {exc}")


def _print(result: PricingResult, zone: str, explain: bool) -> None:
    out.print(_periods_table(result, zone))
    out.print(_totals_table(result))
    if explain:
        out.print(_explanation_table(result))


def _periods_table(result: PricingResult, zone: str) -> Table:
    table = Table(title=f"Charging periods (local time {zone})")
    for column in ("#", "start", "state", "dimensions", "components"):
        table.add_column(column)
    for index, period in enumerate(result.periods):
        local = period.piece.start.astimezone(ZoneInfo(zone))
        dims = ", ".join(f"{t} {show(v)}" for t, v in period_dimensions(period))
        parts = ", ".join(f"{d.value}: {a.path}" for d, a in period.active.items()) or "free"
        table.add_row(str(index), f"{local:%a %Y-%m-%d %H:%M:%S}", period.piece.state, dims, parts)
    return table


def _totals_table(result: PricingResult) -> Table:
    document = result_document(result)
    table = Table(title=f"Totals ({result.tariff.currency}, unrounded)")
    for column in ("total", "excl VAT", "incl VAT"):
        table.add_column(column)
    for name, value in document.items():
        if isinstance(value, dict):
            table.add_row(name, show(value["excl_vat"]), show(value["incl_vat"]))
        elif name.startswith("total_"):
            unit = "kWh" if name == "total_energy" else "h"
            table.add_row(name, f"{show(value)} {unit}", "")
    return table


def _explanation_table(result: PricingResult) -> Table:
    table = Table(title="Explanation")
    table.add_column("line")
    for line in result.explanation:
        table.add_row(line.text)
    return table
