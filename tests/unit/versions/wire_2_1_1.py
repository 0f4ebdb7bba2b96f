"""Strict models of the OCPI 2.1.1 objects, written from the 2.1.1 spec text (tag 2.1.1-d2,
commit 84b323a; regex fixes of branch release-2.1.1-bugfixes, commit 28ea453), not from our
code: a document we send to a 2.1.1 peer must validate here (`validate`, `validate_patch`).

Reading of the tables (DIGEST §0 notation):
- `1` is required and never null; `?` may be absent or null; `*` is a list that may be
  absent, null or empty; `+` is a required list of at least one element.
- Unknown fields are refused (extra="forbid") and nothing is coerced (strict=True): a
  `number` is a JSON number (not a string, not a boolean), an `int` a JSON integer.
- `string(n)` and `CiString(n)` are printable ASCII (Types §1.1, §1.5; CONFORMANCE A.51) of
  at most n characters; `URL` is a string(255) (Types §1.6) and, being a URL, non-empty and
  without spaces.
- DateTime (Types §1.2) is string(25) ISO 8601 in UTC, `Z` or no designator, and here with
  whole seconds only: the spec's examples have none and our rule CONFORMANCE A.45 says we
  send none, so a fraction is refused.
- Codes the description column names are checked for their form: `country` ISO 3166-1
  alpha-3 and `currency` ISO 4217 as three capitals, `language` ISO 639-1 as two small
  letters (the code lists themselves are not checked). "Numbers use 4 decimals" (Types
  §1.4) is a precision, not a limit: any JSON number is accepted.
- Two rules of the description column are checked too: RegularHours.period_end "Must be
  later than period_begin", and a Session's or CDR's `location` "including only the
  relevant EVSE and connector". Hours is the table's *Choice: one of two*.
- Where an example of the spec contradicts its table, the table wins (see the comments).
"""

import copy
import json
from datetime import datetime
from functools import cache
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    create_model,
    model_validator,
)
from pydantic.fields import FieldInfo

# ── Types (types.md) ────────────────────────────────────────────────────────────────────────

ASCII = r"^[\x20-\x7E]*$"  # printable ASCII, Types §1.1 CiString and §1.5 string


def _real_datetime(value: str) -> str:
    datetime.strptime(value.removesuffix("Z"), "%Y-%m-%dT%H:%M:%S")  # a real date and time
    return value


def _real_date(value: str) -> str:
    datetime.strptime(value, "%Y-%m-%d")
    return value


String2 = Annotated[str, StringConstraints(max_length=2, pattern=ASCII)]
String3 = Annotated[str, StringConstraints(max_length=3, pattern=ASCII)]
String4 = Annotated[str, StringConstraints(max_length=4, pattern=ASCII)]
String10 = Annotated[str, StringConstraints(max_length=10, pattern=ASCII)]
String16 = Annotated[str, StringConstraints(max_length=16, pattern=ASCII)]
String36 = Annotated[str, StringConstraints(max_length=36, pattern=ASCII)]
String39 = Annotated[str, StringConstraints(max_length=39, pattern=ASCII)]
String45 = Annotated[str, StringConstraints(max_length=45, pattern=ASCII)]
String48 = Annotated[str, StringConstraints(max_length=48, pattern=ASCII)]
String64 = Annotated[str, StringConstraints(max_length=64, pattern=ASCII)]
String100 = Annotated[str, StringConstraints(max_length=100, pattern=ASCII)]
String255 = Annotated[str, StringConstraints(max_length=255, pattern=ASCII)]
String512 = Annotated[str, StringConstraints(max_length=512, pattern=ASCII)]
CiString36 = Annotated[str, StringConstraints(max_length=36, pattern=ASCII)]
URL = Annotated[str, StringConstraints(min_length=1, max_length=255, pattern=r"^[\x21-\x7E]+$")]
DateTime = Annotated[
    str,
    StringConstraints(
        max_length=25, pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z?$"
    ),
    AfterValidator(_real_datetime),
]
Number = float  # strict: a JSON integer or fraction, never a string or a boolean
# "ISO 3166-1 alpha-3 code" (Location.country), "ISO 4217 Code" (currency), "ISO 639-1"
# (language): the string(3)/string(2) of the tables in the form the description names.
CountryAlpha3 = Annotated[str, StringConstraints(max_length=3, pattern=r"^[A-Z]{3}$")]
Currency = Annotated[str, StringConstraints(max_length=3, pattern=r"^[A-Z]{3}$")]
Language = Annotated[str, StringConstraints(max_length=2, pattern=r"^[a-z]{2}$")]
# "Regex: [0-2][0-9]:[0-5][0-9]" in 2.1.1-d2 (which allows 29:59); the bugfix branch
# corrects it to ([0-1][0-9]|2[0-3]):[0-5][0-9], which is what a conformant peer checks.
LocalTime = Annotated[
    str, StringConstraints(max_length=5, pattern=r"^([0-1][0-9]|2[0-3]):[0-5][0-9]$")
]
# TariffRestrictions start_date/end_date: string(10) "for example: 2015-12-24".
LocalDate = Annotated[
    str,
    StringConstraints(max_length=10, pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"),
    AfterValidator(_real_date),
]


class Wire(BaseModel):
    """A 2.1.1 object: its table's fields only, nothing coerced."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class DisplayText(Wire):
    """Types §1.3."""

    language: Language
    text: String512


# ── Locations (mod_locations.md) ────────────────────────────────────────────────────────────

Capability = Literal[
    "CHARGING_PROFILE_CAPABLE",
    "CREDIT_CARD_PAYABLE",
    "REMOTE_START_STOP_CAPABLE",
    "RESERVABLE",
    "RFID_READER",
    "UNLOCK_CAPABLE",
]
ConnectorFormat = Literal["SOCKET", "CABLE"]
ConnectorType = Literal[
    "CHADEMO",
    "DOMESTIC_A",
    "DOMESTIC_B",
    "DOMESTIC_C",
    "DOMESTIC_D",
    "DOMESTIC_E",
    "DOMESTIC_F",
    "DOMESTIC_G",
    "DOMESTIC_H",
    "DOMESTIC_I",
    "DOMESTIC_J",
    "DOMESTIC_K",
    "DOMESTIC_L",
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
]
EnergySourceCategory = Literal[
    "NUCLEAR", "GENERAL_FOSSIL", "COAL", "GAS", "GENERAL_GREEN", "SOLAR", "WIND", "WATER"
]
EnvironmentalImpactCategory = Literal["NUCLEAR_WASTE", "CARBON_DIOXIDE"]
Facility = Literal[
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
]
ImageCategory = Literal["CHARGER", "ENTRANCE", "LOCATION", "NETWORK", "OPERATOR", "OTHER", "OWNER"]
LocationType = Literal[
    "ON_STREET", "PARKING_GARAGE", "UNDERGROUND_GARAGE", "PARKING_LOT", "OTHER", "UNKNOWN"
]
ParkingRestriction = Literal["EV_ONLY", "PLUGGED", "DISABLED", "CUSTOMERS", "MOTORCYCLES"]
PowerType = Literal["AC_1_PHASE", "AC_3_PHASE", "DC"]
Status = Literal[
    "AVAILABLE",
    "BLOCKED",
    "CHARGING",
    "INOPERATIVE",
    "OUTOFORDER",
    "PLANNED",
    "REMOVED",
    "RESERVED",
    "UNKNOWN",
]
Int5 = Annotated[int, Field(ge=0, le=99999)]  # int(5): at most five digits


class GeoLocation(Wire):
    """§4.12: exactly six decimals."""

    latitude: Annotated[str, StringConstraints(max_length=10, pattern=r"^-?[0-9]{1,2}\.[0-9]{6}$")]
    longitude: Annotated[str, StringConstraints(max_length=11, pattern=r"^-?[0-9]{1,3}\.[0-9]{6}$")]


class AdditionalGeoLocation(GeoLocation):
    """§4.1 (AdditionalGeoLocation)."""

    name: DisplayText | None = None


class Image(Wire):
    """§4.14."""

    url: URL
    thumbnail: URL | None = None
    category: ImageCategory
    type: String4
    width: Int5 | None = None
    height: Int5 | None = None


class BusinessDetails(Wire):
    """§4.1 (BusinessDetails; the chapter numbers two sections 4.1)."""

    name: String100
    website: URL | None = None
    logo: Image | None = None


class EnergySource(Wire):
    """§4.6: `percentage` is "(0-100)"."""

    source: EnergySourceCategory
    percentage: Annotated[Number, Field(ge=0, le=100)]


class EnvironmentalImpact(Wire):
    """§4.8: the category field is `source` (2.2.1 renamed it `category`)."""

    source: EnvironmentalImpactCategory
    amount: Number


class EnergyMix(Wire):
    """§4.5."""

    is_green_energy: bool
    energy_sources: list[EnergySource] | None = None
    environ_impact: list[EnvironmentalImpact] | None = None
    supplier_name: String64 | None = None
    energy_product_name: String64 | None = None


class ExceptionalPeriod(Wire):
    """§4.10."""

    period_begin: DateTime
    period_end: DateTime


class RegularHours(Wire):
    """§4.19: weekday Monday (1) till Sunday (7); period_end "Must be later than
    period_begin" (zero-padded HH:MM compares as text)."""

    weekday: Annotated[int, Field(ge=1, le=7)]
    period_begin: LocalTime
    period_end: LocalTime

    @model_validator(mode="after")
    def _end_after_begin(self) -> "RegularHours":
        if self.period_end <= self.period_begin:
            raise ValueError("period_end must be later than period_begin (§4.19)")
        return self


class Hours(Wire):
    """§4.13: *Choice: one of two*: `regular_hours` (*) or `twentyfourseven` (1), exactly
    one given. The §4.19.1 example sends both (with twentyfourseven false): it contradicts
    the table, which wins."""

    regular_hours: list[RegularHours] | None = None
    twentyfourseven: bool | None = None
    exceptional_openings: list[ExceptionalPeriod] | None = None
    exceptional_closings: list[ExceptionalPeriod] | None = None

    @model_validator(mode="after")
    def _one_of_two(self) -> "Hours":
        given = [self.regular_hours is not None, self.twentyfourseven is not None]
        if given.count(True) != 1:
            raise ValueError("Hours holds exactly one of regular_hours and twentyfourseven")
        return self


class StatusSchedule(Wire):
    """§4.21."""

    period_begin: DateTime
    period_end: DateTime | None = None
    status: Status


class Connector(Wire):
    """§3.3."""

    id: String36
    standard: ConnectorType
    format: ConnectorFormat
    power_type: PowerType
    voltage: int
    amperage: int
    tariff_id: String36 | None = None
    terms_and_conditions: URL | None = None
    last_updated: DateTime


class EVSE(Wire):
    """§3.2."""

    uid: String39
    evse_id: String48 | None = None
    status: Status
    status_schedule: list[StatusSchedule] | None = None
    capabilities: list[Capability] | None = None
    connectors: Annotated[list[Connector], Field(min_length=1)]
    floor_level: String4 | None = None
    coordinates: GeoLocation | None = None
    physical_reference: String16 | None = None
    directions: list[DisplayText] | None = None
    parking_restrictions: list[ParkingRestriction] | None = None
    images: list[Image] | None = None
    last_updated: DateTime


class Location(Wire):
    """§3.1."""

    id: String39
    type: LocationType
    name: String255 | None = None
    address: String45
    city: String45
    postal_code: String10
    country: CountryAlpha3
    coordinates: GeoLocation
    related_locations: list[AdditionalGeoLocation] | None = None
    evses: list[EVSE] | None = None
    directions: list[DisplayText] | None = None
    operator: BusinessDetails | None = None
    suboperator: BusinessDetails | None = None
    owner: BusinessDetails | None = None
    facilities: list[Facility] | None = None
    time_zone: String255 | None = None
    opening_times: Hours | None = None
    charging_when_closed: bool | None = None
    images: list[Image] | None = None
    energy_mix: EnergyMix | None = None
    last_updated: DateTime


# ── Tariffs (mod_tariffs.md) ────────────────────────────────────────────────────────────────

DayOfWeek = Literal["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"]
TariffDimensionType = Literal["ENERGY", "FLAT", "PARKING_TIME", "TIME"]


class PriceComponent(Wire):
    """§4.2 (no `vat` in 2.1.1)."""

    type: TariffDimensionType
    price: Number
    step_size: int


class TariffRestrictions(Wire):
    """§4.5 (no current or reservation restrictions in 2.1.1)."""

    start_time: LocalTime | None = None
    end_time: LocalTime | None = None
    start_date: LocalDate | None = None
    end_date: LocalDate | None = None
    min_kwh: Number | None = None
    max_kwh: Number | None = None
    min_power: Number | None = None
    max_power: Number | None = None
    min_duration: int | None = None
    max_duration: int | None = None
    day_of_week: list[DayOfWeek] | None = None


class TariffElement(Wire):
    """§4.3."""

    price_components: Annotated[list[PriceComponent], Field(min_length=1)]
    restrictions: TariffRestrictions | None = None


class Tariff(Wire):
    """§3.1."""

    id: String36
    currency: Currency
    tariff_alt_text: list[DisplayText] | None = None
    tariff_alt_url: URL | None = None
    elements: Annotated[list[TariffElement], Field(min_length=1)]
    energy_mix: EnergyMix | None = None
    last_updated: DateTime


# ── Tokens (mod_tokens.md) ──────────────────────────────────────────────────────────────────

Allowed = Literal["ALLOWED", "BLOCKED", "EXPIRED", "NO_CREDIT", "NOT_ALLOWED"]
TokenType = Literal["OTHER", "RFID"]
WhitelistType = Literal["ALWAYS", "ALLOWED", "ALLOWED_OFFLINE", "NEVER"]


class Token(Wire):
    """§3.2."""

    uid: String36
    type: TokenType
    auth_id: String36
    visual_number: String64 | None = None
    issuer: String64
    valid: bool
    whitelist: WhitelistType
    language: Language | None = None
    last_updated: DateTime


class LocationReferences(Wire):
    """§4.2."""

    location_id: String39
    evse_uids: list[String39] | None = None
    connector_ids: list[String36] | None = None


class AuthorizationInfo(Wire):
    """§3.1."""

    allowed: Allowed
    location: LocationReferences | None = None
    info: DisplayText | None = None


# ── CDRs and Sessions (mod_cdrs.md, mod_sessions.md) ────────────────────────────────────────

AuthMethod = Literal["AUTH_REQUEST", "WHITELIST"]
CdrDimensionType = Literal["ENERGY", "FLAT", "MAX_CURRENT", "MIN_CURRENT", "PARKING_TIME", "TIME"]
SessionStatus = Literal["ACTIVE", "COMPLETED", "INVALID", "PENDING"]


class CdrDimension(Wire):
    """CDRs §4.2."""

    type: CdrDimensionType
    volume: Number


class ChargingPeriod(Wire):
    """CDRs §4.4 (no tariff_id in 2.1.1)."""

    start_date_time: DateTime
    dimensions: Annotated[list[CdrDimension], Field(min_length=1)]


def _only_the_relevant_evse_and_connector(location: Location) -> None:
    """Session.location and CDR.location: "including only the relevant EVSE and connector"
    (Sessions §3.1, CDRs §3.1): at most one EVSE, and then exactly one connector."""
    evses = location.evses or []
    if len(evses) > 1 or any(len(evse.connectors) != 1 for evse in evses):
        raise ValueError("location must include only the relevant EVSE and connector")


class Session(Wire):
    """Sessions §3.1."""

    id: String36
    start_datetime: DateTime
    end_datetime: DateTime | None = None
    kwh: Number
    auth_id: String36
    auth_method: AuthMethod
    location: Location
    meter_id: String255 | None = None
    currency: Currency
    charging_periods: list[ChargingPeriod] | None = None
    total_cost: Number | None = None
    status: SessionStatus
    last_updated: DateTime

    @model_validator(mode="after")
    def _relevant_location(self) -> "Session":
        _only_the_relevant_evse_and_connector(self.location)
        return self


class CDR(Wire):
    """CDRs §3.1."""

    id: CiString36
    start_date_time: DateTime
    stop_date_time: DateTime
    auth_id: String36
    auth_method: AuthMethod
    location: Location
    meter_id: String255 | None = None
    currency: Currency
    tariffs: list[Tariff] | None = None
    charging_periods: Annotated[list[ChargingPeriod], Field(min_length=1)]
    total_cost: Number
    total_energy: Number
    total_time: Number
    total_parking_time: Number | None = None
    remark: String255 | None = None
    last_updated: DateTime

    @model_validator(mode="after")
    def _relevant_location(self) -> "CDR":
        _only_the_relevant_evse_and_connector(self.location)
        return self


# ── Commands (mod_commands.md) ──────────────────────────────────────────────────────────────

CommandResponseType = Literal["NOT_SUPPORTED", "REJECTED", "ACCEPTED", "TIMEOUT", "UNKNOWN_SESSION"]
CommandType = Literal["RESERVE_NOW", "START_SESSION", "STOP_SESSION", "UNLOCK_CONNECTOR"]


class CommandResponse(Wire):
    """§3.1: both the CPO's answer and the body POSTed to the response_url (§2.2.1). The
    sequence diagrams (data/command_*.txt) show CommandResponse(SUCCESSFUL) and
    Response(UNKOWN_LOCATION): neither value is in §4.1, which wins."""

    result: CommandResponseType


class ReserveNow(Wire):
    """§3.2: reservation_id is an int."""

    response_url: URL
    token: Token
    expiry_date: DateTime
    reservation_id: int
    location_id: String39
    evse_uid: String39 | None = None


class StartSession(Wire):
    """§3.3 (no connector_id in 2.1.1)."""

    response_url: URL
    token: Token
    location_id: String39
    evse_uid: String39 | None = None


class StopSession(Wire):
    """§3.4."""

    response_url: URL
    session_id: String36


class UnlockConnector(Wire):
    """§3.5."""

    response_url: URL
    location_id: String39
    evse_uid: String39
    connector_id: String36


COMMANDS: dict[str, type[Wire]] = {
    "RESERVE_NOW": ReserveNow,
    "START_SESSION": StartSession,
    "STOP_SESSION": StopSession,
    "UNLOCK_CONNECTOR": UnlockConnector,
}


# ── Credentials and versions (credentials.md, version_information_endpoint.md) ──────────────

ModuleID = Literal["cdrs", "commands", "credentials", "locations", "sessions", "tariffs", "tokens"]
VersionNumber = Literal["2.0", "2.1", "2.1.1"]


class Credentials(Wire):
    """credentials.md §2.1."""

    token: String64
    url: URL
    business_details: BusinessDetails
    party_id: String3
    country_code: String2


class Endpoint(Wire):
    """Version details, Endpoint class. Custom module ids need a bilateral agreement
    ("Custom Modules"): none is accepted here."""

    identifier: ModuleID
    url: URL


class Version(Wire):
    """Version information, Version class."""

    version: VersionNumber
    url: URL


class VersionDetails(Wire):
    """Version details endpoint data."""

    version: VersionNumber
    endpoints: Annotated[list[Endpoint], Field(min_length=1)]


VERSIONS = TypeAdapter(Annotated[list[Version], Field(min_length=1)])
"""The versions endpoint's data: `Version` `+`."""


# ── Validation ──────────────────────────────────────────────────────────────────────────────


M = TypeVar("M", bound="Wire")


def validate(model: type[M], document: Any) -> M:
    """`document` as it goes over the wire (JSON), validated as a whole `model`."""
    return model.model_validate_json(_json(document))


@cache
def partial(model: type[Wire]) -> type[Wire]:
    """`model` for a PATCH body: "only the fields/objects that have to be updated have to be
    present" (Locations §2.2.3, Sessions §2.2.3, Tariffs §2.2.3, Tokens §2.1.2). Every field
    may be absent; a given field is checked as in `model` (a required one is never null, a
    nested object is whole). `model`'s cross-field rules do not apply to a part."""
    fields: dict[str, Any] = {
        name: (field.annotation, _absent_allowed(field))
        for name, field in model.model_fields.items()
    }
    built: type[Wire] = create_model(f"Partial{model.__name__}", __base__=Wire, **fields)
    return built


def _absent_allowed(field: FieldInfo) -> FieldInfo:
    """The field's own constraints with None as its default: an absent field is not
    validated, an explicit null is (and fails where the table says `1` or `+`)."""
    optional = copy.copy(field)
    optional.default = None
    return optional


def validate_patch(model: type[Wire], document: Any) -> Wire:
    """`document`, a PATCH body of a `model` object, validated field by field."""
    return partial(model).model_validate_json(_json(document))


def _json(document: Any) -> str:
    return json.dumps(document)
