"""OCPI 2.1.1 CDRs (chapter mod_cdrs, §3.1 CDR, §4 data types) to and from our 2.2.1 JSON.

Pure functions on plain JSON dicts: they never mutate their input and drop the fields the
target version lacks (DIGEST §17 items 20, 21 and 23; CONFORMANCE 213 and 373). Tariffs are
converted by the function the caller passes in (the Tariffs chapter's converter).
"""

from collections.abc import Callable
from copy import deepcopy
from typing import Any

from evroam.modules.cdrs.model import Cdr
from evroam.versions.v2_1_1.locations import (
    CONNECTOR_TYPES,
    POWER_TYPES,
    coordinate,
    country_out,
)
from evroam.versions.v2_1_1.sessions import (
    auth_method_out,
    cdr_token_in,
    charging_periods_in,
    charging_periods_out,
    used_evse_and_connector,
)

__all__ = ["cdr_in", "cdr_out", "location_from_cdr_location"]

TariffConverter = Callable[[dict[str, Any]], dict[str, Any]]

# 2.1.1 CDR fields (§3.1) in spec order, and the optional ones both versions share.
_CDR_FIELDS_2_1_1 = (
    "id",
    "start_date_time",
    "stop_date_time",
    "auth_id",
    "auth_method",
    "location",
    "meter_id",
    "currency",
    "tariffs",
    "charging_periods",
    "total_cost",
    "total_energy",
    "total_time",
    "total_parking_time",
    "remark",
    "last_updated",
)
_CDR_FIELDS_2_2_1 = tuple(Cdr.model_fields)
_SHARED_OPTIONAL = ("meter_id", "total_parking_time", "remark")


def _ordered(doc: dict[str, Any], order: tuple[str, ...]) -> dict[str, Any]:
    return {name: doc[name] for name in order if name in doc}


def _shared_optional(doc: dict[str, Any]) -> dict[str, Any]:
    return {name: doc[name] for name in _SHARED_OPTIONAL if doc.get(name) is not None}


def _at_least_one_period(periods: list[dict[str, Any]], start: str) -> list[dict[str, Any]]:
    """Both versions require a period (`+`). When none survives the conversion (a 2.2.1
    reservation-only CDR, a 2.1.1 CDR of FLAT periods only), one period of no charging time
    at the CDR's start keeps the CDR valid: its money is in total_cost, not in the periods."""
    return periods or [{"start_date_time": start, "dimensions": [{"type": "TIME", "volume": 0}]}]


def cdr_out(
    doc: dict[str, Any], location: dict[str, Any], tariffs_out: TariffConverter
) -> dict[str, Any]:
    """A 2.2.1 CDR as a 2.1.1 CDR (CONFORMANCE 213) embedding `location`, a 2.1.1 Location
    with the CDR's EVSE and connector; total_cost is the Price without VAT (§3.1)."""
    periods = charging_periods_out(doc["charging_periods"])
    out = {
        "id": doc["id"],
        "start_date_time": doc["start_date_time"],
        "stop_date_time": doc["end_date_time"],
        "auth_id": doc["cdr_token"]["contract_id"],
        "auth_method": auth_method_out(doc["auth_method"]),
        "location": deepcopy(location),
        "currency": doc["currency"],
        "charging_periods": _at_least_one_period(periods, doc["start_date_time"]),
        "total_cost": doc["total_cost"]["excl_vat"],
        "total_energy": doc["total_energy"],
        "total_time": doc["total_time"],
        "last_updated": doc["last_updated"],
        **_shared_optional(doc),
    }
    if doc.get("tariffs") is not None:
        out["tariffs"] = [tariffs_out(deepcopy(tariff)) for tariff in doc["tariffs"]]
    return _ordered(out, _CDR_FIELDS_2_1_1)


def _evse_from_cdr_location(cdr_location: dict[str, Any], last_updated: str) -> dict[str, Any]:
    connector = {
        "id": cdr_location["connector_id"],
        "standard": cdr_location["connector_standard"],
        "format": cdr_location["connector_format"],
        "power_type": POWER_TYPES.get(
            cdr_location["connector_power_type"], cdr_location["connector_power_type"]
        ),
        "voltage": 0,
        "amperage": 0,
        "last_updated": last_updated,
    }
    return {
        "uid": cdr_location["evse_uid"],
        "evse_id": cdr_location["evse_id"],
        "status": "UNKNOWN",
        "capabilities": [],
        "connectors": [connector],
        "last_updated": last_updated,
    }


def location_from_cdr_location(cdr_location: dict[str, Any], last_updated: str) -> dict[str, Any]:
    """A 2.1.1 Location from a 2.2.1 CdrLocation, for a CDR whose full Location is unknown.

    What a CdrLocation lacks and 2.1.1 requires is filled with "not known" values, never
    guesses: type UNKNOWN, EVSE status UNKNOWN, no capabilities, postal_code "" when absent,
    and voltage and amperage 0 (required ints with no "unknown" value; 0 cannot be read as
    a real rating). The plug follows locations.py: two-phase power is announced as one
    phase, and a standard 2.1.1 cannot name leaves the EVSE out (`evses` is optional;
    CONFORMANCE 373). `last_updated` (the CDR's) dates the Location, EVSE and connector.
    """
    coordinates = cdr_location["coordinates"]
    location = {
        "id": cdr_location["id"],
        "type": "UNKNOWN",
        "name": cdr_location.get("name"),
        "address": cdr_location["address"],
        "city": cdr_location["city"],
        "postal_code": cdr_location.get("postal_code") or "",
        "country": country_out(cdr_location["country"]),
        "coordinates": {
            "latitude": coordinate(coordinates["latitude"]),
            "longitude": coordinate(coordinates["longitude"]),
        },
        "evses": [],
        "last_updated": last_updated,
    }
    if cdr_location["connector_standard"] in CONNECTOR_TYPES:
        location["evses"] = [_evse_from_cdr_location(cdr_location, last_updated)]
    return {name: value for name, value in location.items() if value is not None}


def _country_in(value: str) -> str:
    """ISO 3166-1 alpha-3, as both versions require; the 2.1.1 examples themselves say "BE",
    so a value that is not three letters is kept as `#NA` (unknown) rather than refused."""
    return value if len(value) == 3 and value.isascii() and value.isalpha() else "#NA"


def _cdr_location_in(location: dict[str, Any]) -> dict[str, Any]:
    """The CdrLocation of a 2.1.1 CDR's Location and its (first) EVSE and connector."""
    evse, connector = used_evse_and_connector(location)
    if evse is None or connector is None:
        raise ValueError(
            f"the Location {location.get('id')!r} of a 2.1.1 CDR names no EVSE and connector: "
            "a CdrLocation needs them, with the connector's standard, format and power type"
        )
    cdr_location = {
        "id": location["id"],
        "name": location.get("name"),
        "address": location["address"],
        "city": location["city"],
        "postal_code": location.get("postal_code") or None,  # "" stands for none in 2.1.1
        "country": _country_in(location["country"]),
        "coordinates": deepcopy(location["coordinates"]),
        "evse_uid": evse["uid"],
        "evse_id": evse.get("evse_id") or evse["uid"],  # optional in 2.1.1, required in 2.2.1
        "connector_id": connector["id"],
        "connector_standard": connector["standard"],
        "connector_format": connector["format"],
        "connector_power_type": connector["power_type"],
    }
    return {name: value for name, value in cdr_location.items() if value is not None}


def cdr_in(
    doc: dict[str, Any],
    owner: tuple[str, str],
    token: dict[str, Any] | None,
    tariffs_in: TariffConverter,
    *,
    token_owner: tuple[str, str] | None = None,
) -> dict[str, Any]:
    """A 2.1.1 CDR as a 2.2.1 CDR of `owner` (the peer's country_code, party_id).

    `token` is the 2.2.1 Token whose contract_id is the CDR's auth_id, None if unknown; then
    the CdrToken is made for `token_owner` (`owner` when not given), as in `session_in`.
    """
    country_code, party_id = owner
    periods = charging_periods_in(doc["charging_periods"])
    out = {
        "country_code": country_code,
        "party_id": party_id,
        "id": doc["id"],
        "start_date_time": doc["start_date_time"],
        "end_date_time": doc["stop_date_time"],
        "cdr_token": cdr_token_in(doc["auth_id"], token, token_owner or owner),
        "auth_method": doc["auth_method"],
        "cdr_location": _cdr_location_in(doc["location"]),
        "currency": doc["currency"],
        "charging_periods": _at_least_one_period(periods, doc["start_date_time"]),
        "total_cost": {"excl_vat": doc["total_cost"]},
        "total_energy": doc["total_energy"],
        "total_time": doc["total_time"],
        "last_updated": doc["last_updated"],
        **_shared_optional(doc),
    }
    if doc.get("tariffs") is not None:
        out["tariffs"] = [tariffs_in(deepcopy(tariff)) for tariff in doc["tariffs"]]
    return _ordered(out, _CDR_FIELDS_2_2_1)
