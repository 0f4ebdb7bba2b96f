"""Helpers for the Sessions and CDRs contract tests: URLs, bodies, connected platforms.

Bodies are built from the spec's field tables (DIGEST §6.4, §7.5). The CPO is NL*CPO; the
tokens are the eMSP DE*MSP's unless a test says otherwise (FR*OTH is a second eMSP).
"""

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from evroam.settings import Settings
from tests.contract.locations_support import Link, evse, link, location
from tests.support import HostRouter, Running, partner_named, platforms

SESSIONS_RECEIVER = "/ocpi/2.2.1/receiver/sessions"
SESSIONS_SENDER = "/ocpi/2.2.1/sender/sessions"
CDRS_RECEIVER = "/ocpi/2.2.1/receiver/cdrs"
CDRS_SENDER = "/ocpi/2.2.1/sender/cdrs"
STAMP = "2026-03-01T10:00:00Z"


def token(country_code: str = "DE", party_id: str = "MSP", uid: str = "RFID1") -> dict[str, Any]:
    """A CdrToken with every required field (DIGEST §7.5)."""
    return {
        "country_code": country_code,
        "party_id": party_id,
        "uid": uid,
        "type": "RFID",
        "contract_id": f"{country_code}-{party_id}-C{uid}",
    }


def period(start: str = STAMP, kwh: float = 1.5, **extra: Any) -> dict[str, Any]:
    """A ChargingPeriod with ENERGY (kWh) and extra dimensions given as type=volume."""
    dimensions = [{"type": "ENERGY", "volume": kwh}]
    dimensions += [{"type": kind, "volume": volume} for kind, volume in extra.items()]
    return {"start_date_time": start, "dimensions": dimensions}


def session(
    session_id: str = "S1",
    last_updated: str = STAMP,
    *,
    country_code: str = "NL",
    party_id: str = "CPO",
    **extra: Any,
) -> dict[str, Any]:
    """A Session with every required field (DIGEST §6.4)."""
    return {
        "country_code": country_code,
        "party_id": party_id,
        "id": session_id,
        "start_date_time": STAMP,
        "kwh": 0,
        "cdr_token": token(),
        "auth_method": "WHITELIST",
        "location_id": "LOC1",
        "evse_uid": "EVSE1",
        "connector_id": "1",
        "currency": "EUR",
        "status": "ACTIVE",
        "last_updated": last_updated,
        **extra,
    }


def cdr(
    cdr_id: str = "CDR1", *, country_code: str = "NL", party_id: str = "CPO", **extra: Any
) -> dict[str, Any]:
    """A CDR with every required field and the totals of one 1.5 kWh hour (DIGEST §7.5)."""
    return {
        "country_code": country_code,
        "party_id": party_id,
        "id": cdr_id,
        "start_date_time": STAMP,
        "end_date_time": "2026-03-01T11:00:00Z",
        "session_id": "S1",
        "cdr_token": token(),
        "auth_method": "WHITELIST",
        "cdr_location": {
            "id": "LOC1",
            "address": "Stationsplein 1",
            "city": "Utrecht",
            "country": "NLD",
            "coordinates": {"latitude": "52.08940", "longitude": "5.10980"},
            "evse_uid": "EVSE1",
            "evse_id": "NL*CPO*EEVSE1",
            "connector_id": "1",
            "connector_standard": "IEC_62196_T2",
            "connector_format": "SOCKET",
            "connector_power_type": "AC_3_PHASE",
        },
        "currency": "EUR",
        "charging_periods": [period()],
        "total_cost": {"excl_vat": 0.375, "incl_vat": 0.45},
        "total_energy": 1.5,
        "total_time": 1,
        "last_updated": STAMP,
        **extra,
    }


def capable_location(
    *, capable: bool = True, tariff_ids: list[str] | None = None
) -> dict[str, Any]:
    """LOC1 of NL*CPO with EVSE1, CHARGING_PREFERENCES_CAPABLE or not."""
    capabilities = ["CHARGING_PREFERENCES_CAPABLE"] if capable else ["RFID_READER"]
    connector = {
        "id": "1",
        "standard": "IEC_62196_T2",
        "format": "SOCKET",
        "power_type": "AC_3_PHASE",
        "max_voltage": 230,
        "max_amperage": 16,
        "tariff_ids": tariff_ids or ["T1"],
        "last_updated": STAMP,
    }
    return location(evses=[evse(capabilities=capabilities, connectors=[connector])])


@dataclass
class Roaming:
    """A CPO NL*CPO registered with two eMSPs, DE*MSP (`emsp`) and FR*OTH (`other`), both ways."""

    cpo: Running
    emsp: Running
    other: Running
    cpo_at_emsp: Link  # the CPO pushing to DE*MSP's Receivers
    cpo_at_other: Link
    emsp_at_cpo: Link  # DE*MSP pulling from the CPO's Senders
    other_at_cpo: Link
    router: HostRouter


@asynccontextmanager
async def roaming(make: Callable[..., Settings], **extra: Any) -> AsyncIterator[Roaming]:
    cpo = make("cpo", "CPO:NL:CPO", **extra)
    emsp = make("emsp", "EMSP:DE:MSP")
    other = make("other", "EMSP:FR:OTH")
    async with platforms(cpo, emsp, other) as (router, (c, e, o)):
        # The CPO registers at each eMSP; each eMSP's token into the CPO is the other way in.
        cpo_at_emsp, cpo_at_other = await link(c, e), await link(c, o)
        emsp_at_cpo = Link(c, await _token_at(e, "cpo"))
        other_at_cpo = Link(c, await _token_at(o, "cpo"))
        router.requests.clear()
        yield Roaming(c, e, o, cpo_at_emsp, cpo_at_other, emsp_at_cpo, other_at_cpo, router)


async def _token_at(running: Running, partner: str) -> str:
    found = (await partner_named(running.platform, partner)).token_out
    assert found
    return found
