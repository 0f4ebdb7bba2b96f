"""The version-neutral Session (2.2.1 Sessions §9.3 object and §9.4 data types).

Optional values and `*` lists are None when absent, so `model_dump(exclude_none=True)` writes
back what came in and invents nothing. CdrToken, AuthMethod and ChargingPeriod are the CDR
module's: the same objects in both chapters. A Session's charging periods may carry the
Session-only dimension types (CURRENT, ENERGY_EXPORT, ENERGY_IMPORT, POWER, STATE_OF_CHARGE;
CONFORMANCE F.184); a CDR we emit may not (G.193, modules/cdrs/publish.py).
"""

from enum import StrEnum

from pydantic import Field

from evroam.model import OcpiObject, Price
from evroam.modules.cdrs.model import AuthMethod, CdrToken, ChargingPeriod
from evroam.protocol.timestamps import OcpiDateTime
from evroam.protocol.types import CiString2, CiString3, CiString36, Number, String3, String255

NOT_AVAILABLE = "#NA"  # evse_uid / connector_id of a reservation without an assigned EVSE


class SessionStatus(StrEnum):
    """ACTIVE, COMPLETED (final), INVALID (not billed), PENDING (initial), RESERVATION."""

    ACTIVE = "ACTIVE"
    COMPLETED = "COMPLETED"
    INVALID = "INVALID"
    PENDING = "PENDING"
    RESERVATION = "RESERVATION"


FINAL_STATUSES = frozenset({SessionStatus.COMPLETED, SessionStatus.INVALID})


class ProfileType(StrEnum):
    CHEAP = "CHEAP"
    FAST = "FAST"
    GREEN = "GREEN"
    REGULAR = "REGULAR"


class ChargingPreferencesResponse(StrEnum):
    ACCEPTED = "ACCEPTED"
    DEPARTURE_REQUIRED = "DEPARTURE_REQUIRED"
    ENERGY_NEED_REQUIRED = "ENERGY_NEED_REQUIRED"
    NOT_POSSIBLE = "NOT_POSSIBLE"
    PROFILE_TYPE_NOT_SUPPORTED = "PROFILE_TYPE_NOT_SUPPORTED"


class ChargingPreferences(OcpiObject):
    """What the driver wants of an ongoing session (Sessions §9.3.2); energy_need in kWh."""

    profile_type: ProfileType
    departure_time: OcpiDateTime | None = None
    energy_need: Number | None = None
    discharge_allowed: bool | None = None  # absent means false


class Session(OcpiObject):
    country_code: CiString2 = Field(min_length=2)
    party_id: CiString3 = Field(min_length=3)
    id: CiString36 = Field(min_length=1)
    start_date_time: OcpiDateTime
    end_date_time: OcpiDateTime | None = None
    kwh: Number
    cdr_token: CdrToken
    auth_method: AuthMethod
    authorization_reference: CiString36 | None = None
    location_id: CiString36
    evse_uid: CiString36
    connector_id: CiString36
    meter_id: String255 | None = None
    currency: String3 = Field(min_length=3)
    charging_periods: list[ChargingPeriod] | None = None
    total_cost: Price | None = None  # absent is not free (CONFORMANCE F.180)
    status: SessionStatus
    last_updated: OcpiDateTime
