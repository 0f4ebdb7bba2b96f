"""The priced session as CDR-shaped data: period dimensions, totals and the JSON document.

Numbers stay Decimal; `json_text` writes them as JSON numbers at full precision (R12: currency
rounding belongs to whoever emits money, not to the engine).
"""

import json
from decimal import Decimal
from typing import Any

from evroam.protocol.timestamps import format_datetime
from evroam.tariffs.engine import PricingResult
from evroam.tariffs.explain import ExplanationLine
from evroam.tariffs.selection import Period
from evroam.tariffs.timeline import SessionState
from evroam.tariffs.totals import Money

SECONDS_PER_HOUR = Decimal(3600)
TIME_DIMENSION = {
    SessionState.CHARGING: "TIME",
    SessionState.PARKING: "PARKING_TIME",
    SessionState.RESERVATION: "RESERVATION_TIME",
}
MONEY_TOTALS = (
    "total_cost",
    "total_fixed_cost",
    "total_energy_cost",
    "total_time_cost",
    "total_parking_cost",
    "total_reservation_cost",
)


def period_dimensions(period: Period) -> list[tuple[str, Decimal]]:
    """CdrDimensions of a period (CDRs §10.4.2): never a Session-only type or FLAT (G.193-194)."""
    piece = period.piece
    dimensions: list[tuple[str, Decimal]] = []
    if piece.state is SessionState.CHARGING or piece.energy_kwh > 0:
        dimensions.append(("ENERGY", piece.energy_kwh))
    dimensions.append((TIME_DIMENSION[piece.state], piece.seconds / SECONDS_PER_HOUR))
    if piece.state is SessionState.RESERVATION:
        return dimensions
    # Constant within a period, so min = max; validators need them for power/current (A18).
    dimensions += [("MIN_POWER", piece.power_kw), ("MAX_POWER", piece.power_kw)]
    if piece.current_a is not None:
        dimensions += [("MIN_CURRENT", piece.current_a), ("MAX_CURRENT", piece.current_a)]
    return dimensions


def result_document(result: PricingResult) -> dict[str, Any]:
    """The `evroam tariffs price --json` object: CDR fields plus the explanation."""
    totals = result.totals
    document: dict[str, Any] = {"charging_periods": _periods(result)}
    for name in MONEY_TOTALS:
        document[name] = money_document(getattr(totals, name))
    document |= {
        "total_energy": totals.total_energy,
        "total_time": totals.total_time,
        "total_parking_time": totals.total_parking_time,
        "explanation": [line_document(line) for line in result.explanation],
    }
    return _ordered(document)


def money_document(money: Money) -> dict[str, Decimal]:
    return {"excl_vat": money.excl_vat, "incl_vat": money.incl_vat}


def line_document(line: ExplanationLine) -> dict[str, Any]:
    fields = {name: getattr(line, name) for name in line.__dataclass_fields__}
    return {k: v for k, v in fields.items() if v is not None} | {"text": line.text}


def _periods(result: PricingResult) -> list[dict[str, Any]]:
    return [
        {
            "start_date_time": format_datetime(period.piece.start),
            "dimensions": [{"type": t, "volume": v} for t, v in period_dimensions(period)],
            "tariff_id": result.tariff.id,
        }
        for period in result.periods
    ]


ORDER = (
    "charging_periods",
    "total_cost",
    "total_fixed_cost",
    "total_energy",
    "total_energy_cost",
    "total_time",
    "total_time_cost",
    "total_parking_time",
    "total_parking_cost",
    "total_reservation_cost",
    "explanation",
)


def _ordered(document: dict[str, Any]) -> dict[str, Any]:
    return {key: document[key] for key in ORDER}


def json_text(value: object, depth: int = 0) -> str:
    """JSON with Decimals written as exact numbers (the json module would need floats)."""
    pad, inner = "  " * depth, "  " * (depth + 1)
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, dict) and value:
        items = [f"{inner}{json.dumps(k)}: {json_text(v, depth + 1)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + f"\n{pad}}}"
    if isinstance(value, list) and value:
        items = [f"{inner}{json_text(v, depth + 1)}" for v in value]
        return "[\n" + ",\n".join(items) + f"\n{pad}]"
    return json.dumps(value)
