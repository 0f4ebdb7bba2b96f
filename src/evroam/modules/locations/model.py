"""The version-neutral Location, EVSE and Connector (2.2.1 Locations §8.3 and §8.4 data types).

Optional values and `*` lists are None when absent, so `model_dump(exclude_none=True)` writes
back what came in and invents nothing; `+` lists need at least one entry.
"""

from typing import Annotated, Self

from pydantic import Field, StringConstraints, model_validator

from evroam.model import BusinessDetails, DisplayText, Image, OcpiObject
from evroam.modules.locations.enums import (
    Capability,
    ConnectorFormat,
    ConnectorType,
    Facility,
    ParkingRestriction,
    ParkingType,
    PowerType,
    Status,
    TokenType,
)
from evroam.modules.locations.hours import Hours
from evroam.modules.tariffs.energy_mix import EnergyMix
from evroam.protocol.timestamps import OcpiDateTime
from evroam.protocol.types import (
    URL,
    CiString2,
    CiString3,
    CiString36,
    CiString48,
    CountryAlpha3,
    String4,
    String10,
    String16,
    String45,
    String64,
    String255,
)

# Coordinates are strings with "." and 5 to 7 decimals (Locations §8.4.13). The regex, not the
# string(10)/string(11) lengths, is the rule: those lengths date from 2.1.1's 6 decimals and
# would refuse valid 7-decimal values such as "-33.8688197". WGS 84's ranges are part of the
# patterns (|latitude| ≤ 90, |longitude| ≤ 180), so pydantic-core checks them without Python.
LATITUDE_PATTERN = r"^-?(?:[0-8]?[0-9]\.[0-9]{5,7}|90\.0{5,7})$"
LONGITUDE_PATTERN = r"^-?(?:(?:[0-9]{1,2}|0[0-9]{2}|1[0-7][0-9])\.[0-9]{5,7}|180\.0{5,7})$"
Latitude = Annotated[str, StringConstraints(pattern=LATITUDE_PATTERN)]
Longitude = Annotated[str, StringConstraints(pattern=LONGITUDE_PATTERN)]


class GeoLocation(OcpiObject):
    """A WGS 84 point, written as strings."""

    latitude: Latitude
    longitude: Longitude


class AdditionalGeoLocation(OcpiObject):
    """A related point for the driver, such as a parking entrance (Locations §8.4.1)."""

    latitude: Latitude
    longitude: Longitude
    name: DisplayText | None = None


class PublishTokenType(OcpiObject):
    """A token allowed to see an unpublished Location (Locations §8.4.20)."""

    uid: CiString36 | None = None
    type: TokenType | None = None
    visual_number: String64 | None = None
    issuer: String64 | None = None
    group_id: CiString36 | None = None

    @model_validator(mode="after")
    def _identifies_a_token(self) -> Self:
        if self.uid is None and self.visual_number is None and self.group_id is None:
            raise ValueError("at least one of uid, visual_number or group_id SHALL be set")
        if self.uid is not None and self.type is None:
            raise ValueError("type SHALL be set when uid is set")
        if self.visual_number is not None and self.issuer is None:
            raise ValueError("issuer SHALL be set when visual_number is set")
        return self


class StatusSchedule(OcpiObject):
    """A planned status period; informational only (Locations §8.4.23)."""

    period_begin: OcpiDateTime
    period_end: OcpiDateTime | None = None
    status: Status


class Connector(OcpiObject):
    """A socket or cable with plug; max_voltage is line to neutral for AC_3_PHASE (§8.3.3)."""

    id: CiString36
    standard: ConnectorType
    format: ConnectorFormat
    power_type: PowerType
    max_voltage: int
    max_amperage: int
    max_electric_power: int | None = None
    tariff_ids: list[CiString36] | None = None
    terms_and_conditions: URL | None = None
    last_updated: OcpiDateTime


class EVSE(OcpiObject):
    """One charging point for one EV at a time, with its connectors (§8.3.2)."""

    uid: CiString36
    evse_id: CiString48 | None = None
    status: Status
    status_schedule: list[StatusSchedule] | None = None
    capabilities: list[Capability] | None = None
    connectors: list[Connector] = Field(min_length=1)
    floor_level: String4 | None = None
    coordinates: GeoLocation | None = None
    physical_reference: String16 | None = None
    directions: list[DisplayText] | None = None
    parking_restrictions: list[ParkingRestriction] | None = None
    images: list[Image] | None = None
    last_updated: OcpiDateTime


class Location(OcpiObject):
    """A site with EVSEs, owned by the CPO `country_code`/`party_id` (§8.3.1).

    Lengths follow the 2.2.1 errata: `address` string(255) and `state` string(45).
    `charging_when_closed` absent means true (see `charges_when_closed`).
    """

    country_code: Annotated[CiString2, Field(min_length=2)]
    party_id: Annotated[CiString3, Field(min_length=3)]
    id: CiString36
    publish: bool
    publish_allowed_to: list[PublishTokenType] | None = None
    name: String255 | None = None
    address: String255
    city: String45
    postal_code: String10 | None = None
    state: String45 | None = None
    country: CountryAlpha3
    coordinates: GeoLocation
    related_locations: list[AdditionalGeoLocation] | None = None
    parking_type: ParkingType | None = None
    evses: list[EVSE] | None = None
    directions: list[DisplayText] | None = None
    operator: BusinessDetails | None = None
    suboperator: BusinessDetails | None = None
    owner: BusinessDetails | None = None
    facilities: list[Facility] | None = None
    time_zone: String255
    opening_times: Hours | None = None
    charging_when_closed: bool | None = None
    images: list[Image] | None = None
    energy_mix: EnergyMix | None = None
    last_updated: OcpiDateTime

    @model_validator(mode="after")
    def _publish_allowed_to_only_when_unpublished(self) -> Self:
        if self.publish and self.publish_allowed_to:
            raise ValueError("publish_allowed_to may only be used when publish is false")
        return self

    def charges_when_closed(self) -> bool:
        """Whether EVSEs keep charging outside opening hours; the spec default is true."""
        return self.charging_when_closed is not False
