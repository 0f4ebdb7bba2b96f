"""OCPI 2.1.1 Locations (2.1.1 mod_locations.md) ⇄ the 2.2.1 documents we store.

Pure functions over JSON documents. Out (to a 2.1.1 peer): the 2.2.1-only fields go, `type`
is filled from `parking_type`, connectors carry `voltage`/`amperage`/`tariff_id`, Hours are
`regular_hours` *or* `twentyfourseven`, coordinates have exactly 6 decimals, and enum values
2.1.1 does not know are dropped (a connector of an unknown standard with them; CONFORMANCE
E.144, 148, 152, 157; O.373). In (from a 2.1.1 peer): the owner comes from the peer's
credentials (O.374), `publish` is true, and a missing `time_zone` is the platform's
`legacy_time_zone`.
"""

from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any

Doc = dict[str, Any]

LOCATION_TYPES_BY_PARKING = {
    "ON_STREET": "ON_STREET",
    "PARKING_GARAGE": "PARKING_GARAGE",
    "UNDERGROUND_GARAGE": "UNDERGROUND_GARAGE",
    "PARKING_LOT": "PARKING_LOT",
    "ALONG_MOTORWAY": "OTHER",
    "ON_DRIVEWAY": "OTHER",
}
# OTHER (and UNKNOWN) name no ParkingType
PARKING_BY_LOCATION_TYPE = {
    kind: parking for parking, kind in LOCATION_TYPES_BY_PARKING.items() if kind != "OTHER"
}
CAPABILITIES = frozenset(
    {
        "CHARGING_PROFILE_CAPABLE",
        "CREDIT_CARD_PAYABLE",
        "REMOTE_START_STOP_CAPABLE",
        "RESERVABLE",
        "RFID_READER",
        "UNLOCK_CAPABLE",
    }
)
FACILITIES = frozenset(
    {
        "HOTEL",
        "RESTAURANT",
        "CAFE",
        "MALL",
        "SUPERMARKET",
        "SPORT",
        "RECREATION_AREA",
        "NATURE",
        "MUSEUM",
        "BUS_STOP",
        "TAXI_STAND",
        "TRAIN_STATION",
        "AIRPORT",
        "CARPOOL_PARKING",
        "FUEL_STATION",
        "WIFI",
    }
)
CONNECTOR_TYPES = frozenset(
    {
        "CHADEMO",
        *(f"DOMESTIC_{letter}" for letter in "ABCDEFGHIJKL"),
        "IEC_60309_2_single_16",
        "IEC_60309_2_three_16",
        "IEC_60309_2_three_32",
        "IEC_60309_2_three_64",
        "IEC_62196_T1",
        "IEC_62196_T1_COMBO",
        "IEC_62196_T2",
        "IEC_62196_T2_COMBO",
        "IEC_62196_T3A",
        "IEC_62196_T3C",
        "TESLA_R",
        "TESLA_S",
    }
)
# 2.1.1 knows one and three phases; two-phase supplies are announced as single phase, which
# never promises more power than the connector gives.
POWER_TYPES = {"AC_2_PHASE": "AC_1_PHASE", "AC_2_PHASE_SPLIT": "AC_1_PHASE"}
ADDRESS_LENGTH = 45  # 2.1.1 string(45); 2.2.1 (erratum) allows 255


# ── out: 2.2.1 → 2.1.1 ──────────────────────────────────────────────────────────────────────


def country_out(value: Any) -> str:
    """An ISO 3166-1 alpha-3 code for 2.1.1, which has no "#NA": an unknown country is "ZZZ",
    the code ISO 3166-1 leaves to users and commonly used for it."""
    text = str(value or "")
    return text if len(text) == 3 and text.isalpha() and text.isupper() else "ZZZ"


def coordinate(value: str) -> str:
    """A coordinate with exactly 6 decimals (2.1.1's regex), rounded half-even."""
    try:
        return str(Decimal(value).quantize(Decimal("0.000001"), rounding=ROUND_HALF_EVEN))
    except InvalidOperation:
        return value


def geo_out(point: Doc) -> Doc:
    out = dict(point)
    out["latitude"] = coordinate(str(point["latitude"]))
    out["longitude"] = coordinate(str(point["longitude"]))
    return out


def hours_out(hours: Doc) -> Doc:
    """2.1.1 Hours hold `regular_hours` or `twentyfourseven`, never both (E.148)."""
    out: Doc = {k: hours[k] for k in ("exceptional_openings", "exceptional_closings") if k in hours}
    if hours.get("twentyfourseven"):
        out["twentyfourseven"] = True
    else:
        out["regular_hours"] = hours.get("regular_hours") or []
    return out


def energy_mix_out(mix: Doc) -> Doc:
    """EnvironmentalImpact's `category` is `source` in 2.1.1."""
    out = dict(mix)
    if mix.get("environ_impact") is not None:
        out["environ_impact"] = [
            {"source": item.get("category"), "amount": item.get("amount")}
            for item in mix["environ_impact"]
        ]
    return out


def connector_out(connector: Doc) -> Doc | None:
    """The 2.1.1 Connector, or None when 2.1.1 has no name for its standard."""
    if connector.get("standard") not in CONNECTOR_TYPES:
        return None
    names = ("id", "standard", "format", "terms_and_conditions", "last_updated")
    out: Doc = {key: connector[key] for key in names if key in connector}
    power = str(connector.get("power_type"))
    out["power_type"] = POWER_TYPES.get(power, power)
    out["voltage"] = connector.get("max_voltage")
    out["amperage"] = connector.get("max_amperage")
    if connector.get("tariff_ids"):
        out["tariff_id"] = connector["tariff_ids"][0]
    return out


_EVSE_FIELDS = (
    "uid",
    "evse_id",
    "status",
    "status_schedule",
    "floor_level",
    "physical_reference",
    "directions",
    "parking_restrictions",
    "images",
    "last_updated",
)


def evse_out(evse: Doc) -> Doc | None:
    """The 2.1.1 EVSE, or None when none of its connectors can be named in 2.1.1."""
    connectors = [c for c in map(connector_out, evse.get("connectors") or []) if c is not None]
    if not connectors:
        return None
    out = {key: evse[key] for key in _EVSE_FIELDS if key in evse}
    out["connectors"] = connectors
    if evse.get("capabilities") is not None:
        out["capabilities"] = [c for c in evse["capabilities"] if c in CAPABILITIES]
    if evse.get("coordinates") is not None:
        out["coordinates"] = geo_out(evse["coordinates"])
    return out


_LOCATION_FIELDS = (
    "id",
    "name",
    "city",
    "postal_code",
    "country",
    "directions",
    "operator",
    "suboperator",
    "owner",
    "time_zone",
    "charging_when_closed",
    "images",
    "last_updated",
)


def location_out(location: Doc) -> Doc:
    """A stored Location as a 2.1.1 peer reads it (no country_code/party_id/publish, E.157)."""
    out = {key: location[key] for key in _LOCATION_FIELDS if key in location}
    out["type"] = LOCATION_TYPES_BY_PARKING.get(location.get("parking_type") or "", "UNKNOWN")
    out["address"] = str(location.get("address", ""))[:ADDRESS_LENGTH]
    out.setdefault("postal_code", "")  # required in 2.1.1
    out["coordinates"] = geo_out(location["coordinates"])
    out["country"] = country_out(location.get("country"))
    if location.get("related_locations") is not None:
        out["related_locations"] = [geo_out(p) for p in location["related_locations"]]
    if location.get("evses") is not None:
        out["evses"] = [e for e in map(evse_out, location["evses"]) if e is not None]
    if location.get("facilities") is not None:
        out["facilities"] = [f for f in location["facilities"] if f in FACILITIES]
    if location.get("opening_times") is not None:
        out["opening_times"] = hours_out(location["opening_times"])
    if location.get("energy_mix") is not None:
        out["energy_mix"] = energy_mix_out(location["energy_mix"])
    return out


def restricted(location: Doc, evse_uid: str | None, connector_id: str | None) -> Doc:
    """The Location with only the EVSE and connector a Session or CDR used (2.1.1 embeds it)."""
    out = dict(location)
    evses = []
    for evse in location.get("evses") or []:
        if evse_uid is not None and str(evse.get("uid", "")).upper() != evse_uid.upper():
            continue
        connectors = [
            c
            for c in evse.get("connectors") or []
            if connector_id is None or str(c.get("id", "")).upper() == connector_id.upper()
        ]
        if connectors:  # the connector gone from our data: the EVSE cannot be shown either
            evses.append({**evse, "connectors": connectors})
    out["evses"] = evses
    return out


def patch_out(patch: Doc) -> Doc:
    """A PATCH body of any level for a 2.1.1 peer (only the fields it carries); ValueError
    when what it changes cannot be said in 2.1.1."""
    out = _renamed_out(patch)
    if "standard" in out and out["standard"] not in CONNECTOR_TYPES:
        raise ValueError(f"2.1.1 names no connector standard {out['standard']}")
    if out.get("address") is not None:
        out["address"] = str(out["address"])[:ADDRESS_LENGTH]
    for name, convert in _PATCH_VALUES_OUT.items():
        if out.get(name) is not None:
            out[name] = convert(out[name])
    if out.get("connectors") == []:  # an EVSE has at least one (`+`)
        raise ValueError("none of the EVSE's connectors is of a standard 2.1.1 names")
    return out


def _renamed_out(patch: Doc) -> Doc:
    """The fields under their 2.1.1 names, the 2.2.1-only ones left out."""
    out = {k: v for k, v in patch.items() if k not in _ONLY_2_2_1}
    if "parking_type" in out:
        out["type"] = LOCATION_TYPES_BY_PARKING.get(out.pop("parking_type") or "", "UNKNOWN")
    if "max_voltage" in out:
        out["voltage"] = out.pop("max_voltage")
    if "max_amperage" in out:
        out["amperage"] = out.pop("max_amperage")
    if "tariff_ids" in out:
        ids = out.pop("tariff_ids") or []
        out["tariff_id"] = ids[0] if ids else None
    return out


_ONLY_2_2_1 = frozenset(
    {"country_code", "party_id", "publish", "publish_allowed_to", "state", "max_electric_power"}
)
_PATCH_VALUES_OUT: dict[str, Any] = {
    "power_type": lambda power: POWER_TYPES.get(power, power),
    "coordinates": geo_out,
    "related_locations": lambda points: [geo_out(p) for p in points],
    "opening_times": hours_out,
    "energy_mix": energy_mix_out,
    "capabilities": lambda values: [c for c in values if c in CAPABILITIES],
    "facilities": lambda values: [f for f in values if f in FACILITIES],
    "evses": lambda evses: [e for e in map(evse_out, evses) if e is not None],
    "connectors": lambda connectors: [c for c in map(connector_out, connectors) if c],
}


# ── in: 2.1.1 → 2.2.1 ───────────────────────────────────────────────────────────────────────


def _local_time(value: Any) -> Any:
    """2.1.1 writes the end of a day as "24:00"; 2.2.1's last minute is "23:59"."""
    return "23:59" if value == "24:00" else value


def hours_in(hours: Doc) -> Doc:
    out: Doc = {k: hours[k] for k in ("exceptional_openings", "exceptional_closings") if k in hours}
    regular = [
        {**period, "period_end": _local_time(period.get("period_end"))}
        for period in hours.get("regular_hours") or []
    ]
    # Neither given: nothing restricts access, which is what 24/7 says.
    always = bool(hours.get("twentyfourseven")) or not regular
    out["twentyfourseven"] = always
    if not always:
        out["regular_hours"] = regular
    return out


def energy_mix_in(mix: Doc) -> Doc:
    out = dict(mix)
    if mix.get("environ_impact") is not None:
        out["environ_impact"] = [
            {"category": item.get("source", item.get("category")), "amount": item.get("amount")}
            for item in mix["environ_impact"]
        ]
    return out


def connector_in(connector: Doc) -> Doc:
    names = ("id", "standard", "format", "power_type", "terms_and_conditions", "last_updated")
    out: Doc = {key: connector[key] for key in names if key in connector}
    out["max_voltage"] = connector.get("voltage", connector.get("max_voltage"))
    out["max_amperage"] = connector.get("amperage", connector.get("max_amperage"))
    if connector.get("tariff_id"):
        out["tariff_ids"] = [connector["tariff_id"]]
    return out


def evse_in(evse: Doc) -> Doc:
    out = {key: evse[key] for key in (*_EVSE_FIELDS, "capabilities", "coordinates") if key in evse}
    out["connectors"] = [connector_in(c) for c in evse.get("connectors") or []]
    return out


def location_in(location: Doc, owner: tuple[str, str], time_zone: str) -> Doc:
    """A 2.1.1 Location as we store it, owned by the peer's party."""
    keep = (*_LOCATION_FIELDS, "address", "coordinates", "related_locations", "facilities")
    out = {key: location[key] for key in keep if key in location}
    out["country_code"], out["party_id"] = owner
    out["publish"] = True
    if location.get("type") in PARKING_BY_LOCATION_TYPE:
        out["parking_type"] = PARKING_BY_LOCATION_TYPE[location["type"]]
    if not out.get("postal_code"):
        out.pop("postal_code", None)
    out["time_zone"] = location.get("time_zone") or time_zone
    if location.get("evses") is not None:
        out["evses"] = [evse_in(e) for e in location["evses"]]
    if location.get("opening_times") is not None:
        out["opening_times"] = hours_in(location["opening_times"])
    if location.get("energy_mix") is not None:
        out["energy_mix"] = energy_mix_in(location["energy_mix"])
    return out


def patch_in(patch: Doc) -> Doc:
    """A 2.1.1 PATCH body of any level in 2.2.1 names (only the fields it carries)."""
    out = dict(patch)
    if "type" in out:  # OTHER and UNKNOWN have no ParkingType: the stored one goes
        out["parking_type"] = PARKING_BY_LOCATION_TYPE.get(out.pop("type"))
    if "voltage" in out:
        out["max_voltage"] = out.pop("voltage")
    if "amperage" in out:
        out["max_amperage"] = out.pop("amperage")
    if "tariff_id" in out:
        tariff = out.pop("tariff_id")
        out["tariff_ids"] = [tariff] if tariff else []
    if out.get("opening_times") is not None:
        out["opening_times"] = hours_in(out["opening_times"])
    if out.get("energy_mix") is not None:
        out["energy_mix"] = energy_mix_in(out["energy_mix"])
    if out.get("evses") is not None:
        out["evses"] = [evse_in(e) for e in out["evses"]]
    if out.get("connectors") is not None:
        out["connectors"] = [connector_in(c) for c in out["connectors"]]
    return out
