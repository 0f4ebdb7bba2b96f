"""The bill of a received CDR, explained: the CDR priced again by the tariff engine with the
tariff reconciliation chooses (modules/cdrs/reconciliation.py, rule 4) in the Location's time
zone, so each line says which price component priced which quantity, and why it applied."""

from dataclasses import dataclass

from evroam.errors import EvroamError
from evroam.modules.cdrs.reconciliation import choose_tariff, known_for
from evroam.modules.cdrs.records import CdrRecord, find_cdr
from evroam.modules.cdrs.replay import timeline_of
from evroam.platform import Platform
from evroam.tariffs import PricingResult, TimelineError, price_session, zone_of


@dataclass(frozen=True)
class Bill:
    record: CdrRecord
    result: PricingResult
    time_zone: str


async def explain_cdr(
    platform: Platform, cdr_id: str, party: tuple[str, str] | None = None
) -> Bill:
    """The stored CDR and its price line by line; EvroamError when it cannot be priced."""
    record = await find_cdr(platform, cdr_id, party)
    cdr = record.cdr
    async with platform.sessions() as db:
        known = await known_for(db, cdr)
    tariff, _ = choose_tariff(cdr, known)
    if tariff is None:
        raise EvroamError(f"CDR {cdr.id}: no tariff to price it with is known.")
    zone = known.location.time_zone if known.location is not None else "UTC"
    try:
        result = price_session(tariff, timeline_of(cdr), zone_of(zone))
    except TimelineError as exc:
        raise EvroamError(f"CDR {cdr.id} cannot be priced again: {exc}") from exc
    return Bill(record, result, zone)
