"""The version-neutral CDR (2.2.1 CDRs §10.3 object and §10.4 data types).

Optional values and `*` lists are None when absent, so `model_dump(exclude_none=True)` writes
back what came in and invents nothing; `+` lists need at least one entry.
"""

from enum import StrEnum
from typing import Self

from pydantic import Field, model_validator

from evroam.model import OcpiObject, Price
from evroam.modules.locations.enums import ConnectorFormat, ConnectorType, PowerType, TokenType
from evroam.modules.locations.model import GeoLocation
from evroam.modules.tariffs.model import Tariff
from evroam.protocol.timestamps import OcpiDateTime
from evroam.protocol.types import (
    CiString2,
    CiString3,
    CiString32,
    CiString36,
    CiString39,
    CiString48,
    CountryAlpha3,
    Number,
    String3,
    String10,
    String20,
    String45,
    String255,
    String512,
    String5000,
)


class AuthMethod(StrEnum):
    AUTH_REQUEST = "AUTH_REQUEST"
    COMMAND = "COMMAND"
    WHITELIST = "WHITELIST"


class CdrDimensionType(StrEnum):
    """The types marked Session-only in the spec never appear in a CDR (CONFORMANCE G.193)."""

    CURRENT = "CURRENT"
    ENERGY = "ENERGY"
    ENERGY_EXPORT = "ENERGY_EXPORT"
    ENERGY_IMPORT = "ENERGY_IMPORT"
    MAX_CURRENT = "MAX_CURRENT"
    MIN_CURRENT = "MIN_CURRENT"
    MAX_POWER = "MAX_POWER"
    MIN_POWER = "MIN_POWER"
    PARKING_TIME = "PARKING_TIME"
    POWER = "POWER"
    RESERVATION_TIME = "RESERVATION_TIME"
    STATE_OF_CHARGE = "STATE_OF_CHARGE"
    TIME = "TIME"


SESSION_ONLY_DIMENSIONS = frozenset(
    {
        CdrDimensionType.CURRENT,
        CdrDimensionType.ENERGY_EXPORT,
        CdrDimensionType.ENERGY_IMPORT,
        CdrDimensionType.POWER,
        CdrDimensionType.STATE_OF_CHARGE,
    }
)


class CdrDimension(OcpiObject):
    """kWh, hours, kW or A, per the type."""

    type: CdrDimensionType
    volume: Number


class ChargingPeriod(OcpiObject):
    """Lasts until the next period starts; the last one until the CDR's end_date_time."""

    start_date_time: OcpiDateTime
    dimensions: list[CdrDimension] = Field(min_length=1)
    tariff_id: CiString36 | None = None


class CdrToken(OcpiObject):
    country_code: CiString2 = Field(min_length=2)
    party_id: CiString3 = Field(min_length=3)
    uid: CiString36
    type: TokenType
    contract_id: CiString36


class CdrLocation(OcpiObject):
    """The Location with only the EVSE and connector used; address 45 and state 20 characters
    (not enlarged by the Location erratum, DIGEST §14)."""

    id: CiString36
    name: String255 | None = None
    address: String45
    city: String45
    postal_code: String10 | None = None
    state: String20 | None = None
    country: CountryAlpha3
    coordinates: GeoLocation
    evse_uid: CiString36
    evse_id: CiString48
    connector_id: CiString36
    connector_standard: ConnectorType
    connector_format: ConnectorFormat
    connector_power_type: PowerType


class SignedValue(OcpiObject):
    nature: CiString32
    plain_data: String5000  # 512 in the d2 text; 5000 per erratum (CONFORMANCE G.210).
    signed_data: String5000


class SignedData(OcpiObject):
    encoding_method: CiString36
    encoding_method_version: int | None = None
    public_key: String512 | None = None
    signed_values: list[SignedValue] = Field(min_length=1)
    url: String512 | None = None


class Cdr(OcpiObject):
    country_code: CiString2 = Field(min_length=2)
    party_id: CiString3 = Field(min_length=3)
    id: CiString39
    start_date_time: OcpiDateTime
    end_date_time: OcpiDateTime
    session_id: CiString36 | None = None
    cdr_token: CdrToken
    auth_method: AuthMethod
    authorization_reference: CiString36 | None = None
    cdr_location: CdrLocation
    meter_id: String255 | None = None
    currency: String3 = Field(min_length=3)
    tariffs: list[Tariff] | None = None
    charging_periods: list[ChargingPeriod] = Field(min_length=1)
    signed_data: SignedData | None = None
    total_cost: Price
    total_fixed_cost: Price | None = None
    total_energy: Number
    total_energy_cost: Price | None = None
    total_time: Number
    total_time_cost: Price | None = None
    total_parking_time: Number | None = None
    total_parking_cost: Price | None = None
    total_reservation_cost: Price | None = None
    remark: String255 | None = None
    invoice_reference_id: CiString39 | None = None
    credit: bool | None = None
    credit_reference_id: CiString39 | None = None
    home_charging_compensation: bool | None = None
    last_updated: OcpiDateTime

    @model_validator(mode="after")
    def _credit_names_what_it_credits(self) -> Self:
        # CDRs §10.3.1 `credit`; CONFORMANCE G.190.
        if self.credit and not self.credit_reference_id:
            raise ValueError("a Credit CDR (credit true) needs credit_reference_id")
        return self
