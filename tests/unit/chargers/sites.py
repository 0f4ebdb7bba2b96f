"""A small hand-made Location for the charger tests: one EVSE of each kind that matters."""

from typing import Any

from evroam.modules.cdrs.model import CdrToken
from evroam.modules.locations.model import Location

STAMP = "2026-03-01T10:00:00Z"
HPC = 150_000
ALL = ["REMOTE_START_STOP_CAPABLE", "RESERVABLE", "RFID_READER", "UNLOCK_CAPABLE"]


def connector(
    connector_id: str = "1", power_type: str = "AC_3_PHASE", volts: int = 230, amps: int = 16
) -> dict[str, Any]:
    return {
        "id": connector_id,
        "standard": "IEC_62196_T2_COMBO" if power_type == "DC" else "IEC_62196_T2",
        "format": "CABLE" if power_type == "DC" else "SOCKET",
        "power_type": power_type,
        "max_voltage": volts,
        "max_amperage": amps,
        "last_updated": STAMP,
    }


def evse(uid: str, *connectors: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {
        "uid": uid,
        "status": "AVAILABLE",
        "capabilities": ALL,
        "connectors": list(connectors) or [connector()],
        "last_updated": STAMP,
        **fields,
    }


def site(location_id: str = "LOC1", *evses: dict[str, Any]) -> Location:
    """AC (11 kW), DC (150 kW), two-connector, no-capability, out-of-order and offline EVSEs."""
    default = [
        evse("AC"),
        evse(
            "DC", connector(power_type="DC", volts=920, amps=400) | {"max_electric_power": 150_000}
        ),
        evse(
            "TWIN",
            connector("1"),
            connector("2", "AC_1_PHASE"),
            capabilities=[*ALL, "START_SESSION_CONNECTOR_REQUIRED"],
        ),
        evse("DUMB", capabilities=[]),
        evse("BROKEN", status="OUTOFORDER"),
        evse("GONE", status="UNKNOWN"),
    ]
    return Location.model_validate(
        {
            "country_code": "NL",
            "party_id": "CPO",
            "id": location_id,
            "publish": True,
            "address": "Street 1",
            "city": "Town",
            "country": "NLD",
            "coordinates": {"latitude": "52.00000", "longitude": "4.00000"},
            "time_zone": "Europe/Amsterdam",
            "evses": list(evses) or default,
            "last_updated": STAMP,
        }
    )


def token(uid: str = "APP1", party: str = "MSP") -> CdrToken:
    return CdrToken(country_code="DE", party_id=party, uid=uid, type="APP_USER", contract_id=uid)
