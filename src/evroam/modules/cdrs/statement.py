"""The reconciliation statement of one partner over a period: counts, amounts, causes, worst.

Amounts per currency: the CDRs' total_cost (Credit CDRs included, negative), ours for the CDRs
we could price, and the sum of the excl VAT differences (CDR minus ours) of those CDRs.
"""

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from pydantic import BaseModel

from evroam.model import Price
from evroam.modules.cdrs.classification import Cause
from evroam.modules.cdrs.reconciliation import (
    TOLERANCE,
    Reconciliation,
    Status,
    reconcile_partner,
)
from evroam.platform import Platform
from evroam.protocol.timestamps import OcpiDateTime
from evroam.protocol.types import Number

WORST = 5
ZERO = Decimal(0)


class Amounts(BaseModel):
    currency: str
    count: int
    cdr_total: Price
    our_total: Price
    difference: Number


class Statement(BaseModel):
    partner: str
    date_from: OcpiDateTime
    date_to: OcpiDateTime
    count: int
    by_status: dict[Status, int]
    by_cause: dict[Cause, int]
    amounts: list[Amounts]
    worst: list[Reconciliation]
    """The mismatches with the largest excl VAT difference, largest first."""
    cdrs: list[Reconciliation]


async def partner_statement(
    platform: Platform,
    partner_name: str,
    start: datetime,
    end: datetime,
    *,
    tolerance: Decimal = TOLERANCE,
) -> Statement:
    """Reconcile the partner's CDRs started in [start, end) and sum up the outcome."""
    results = await reconcile_partner(platform, partner_name, start, end, tolerance=tolerance)
    return build_statement(partner_name, start, end, results)


def day_span(first: date, last: date) -> tuple[datetime, datetime]:
    """UTC instants [first 00:00, the day after last 00:00): both days included."""
    start = datetime.combine(first, time(), UTC)
    return start, datetime.combine(last + timedelta(days=1), time(), UTC)


def build_statement(
    partner: str, start: datetime, end: datetime, results: list[Reconciliation]
) -> Statement:
    mismatches = [r for r in results if r.status is Status.MISMATCH]
    worst = sorted(mismatches, key=lambda r: (-abs(r.difference), r.start_date_time))[:WORST]
    return Statement(
        partner=partner,
        date_from=start,
        date_to=end,
        count=len(results),
        by_status={status: n for status in Status if (n := _count(results, status))},
        by_cause=dict(sorted(Counter(c for r in results for c in r.causes).items())),
        amounts=[_amounts(currency, results) for currency in sorted({r.currency for r in results})],
        worst=worst,
        cdrs=results,
    )


def _count(results: list[Reconciliation], status: Status) -> int:
    return sum(1 for r in results if r.status is status)


def _amounts(currency: str, results: list[Reconciliation]) -> Amounts:
    mine = [r for r in results if r.currency == currency]
    priced = [r.our_total for r in mine if r.our_total is not None]
    return Amounts(
        currency=currency,
        count=len(mine),
        cdr_total=_sum([r.cdr_total for r in mine]),
        our_total=_sum(priced),
        difference=sum((r.difference for r in mine), ZERO),
    )


def _sum(prices: list[Price]) -> Price:
    """excl and incl summed; incl None when any price lacks it."""
    incl = [p.incl_vat for p in prices]
    return Price(
        excl_vat=sum((p.excl_vat for p in prices), ZERO),
        incl_vat=None if None in incl else sum((i for i in incl if i is not None), ZERO),
    )
