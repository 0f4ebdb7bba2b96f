"""The version-neutral Tariff (2.2.1 Tariffs §11.3 object and §11.4 data types).

Optional values and `*` lists are None when absent, so `model_dump(exclude_none=True)` writes
back what came in and invents nothing; `+` lists need at least one entry.
"""

from enum import StrEnum
from typing import Annotated, Self

from pydantic import Field, StringConstraints, model_validator

from evroam.model import DisplayText, OcpiObject, Price
from evroam.modules.tariffs.energy_mix import EnergyMix
from evroam.protocol.timestamps import OcpiDateTime
from evroam.protocol.types import URL, CiString2, CiString3, CiString36, Number, String3

# TariffRestrictions regexes (Tariffs §11.4.6): 24 h clock with leading zeros; ISO dates.
LocalTime = Annotated[str, StringConstraints(pattern=r"^([0-1][0-9]|2[0-3]):[0-5][0-9]$")]
LocalDate = Annotated[
    str,
    StringConstraints(pattern=r"^([12][0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"),
]


class TariffType(StrEnum):
    AD_HOC_PAYMENT = "AD_HOC_PAYMENT"
    PROFILE_CHEAP = "PROFILE_CHEAP"
    PROFILE_FAST = "PROFILE_FAST"
    PROFILE_GREEN = "PROFILE_GREEN"
    REGULAR = "REGULAR"


class TariffDimensionType(StrEnum):
    """What a PriceComponent prices; step_size unit: Wh (ENERGY), second (TIME, PARKING_TIME)."""

    ENERGY = "ENERGY"
    FLAT = "FLAT"
    PARKING_TIME = "PARKING_TIME"
    TIME = "TIME"


class DayOfWeek(StrEnum):
    MONDAY = "MONDAY"
    TUESDAY = "TUESDAY"
    WEDNESDAY = "WEDNESDAY"
    THURSDAY = "THURSDAY"
    FRIDAY = "FRIDAY"
    SATURDAY = "SATURDAY"
    SUNDAY = "SUNDAY"


class ReservationRestrictionType(StrEnum):
    RESERVATION = "RESERVATION"
    RESERVATION_EXPIRES = "RESERVATION_EXPIRES"


class PriceComponent(OcpiObject):
    """Price per unit excl. VAT; `vat` None means no VAT applicable (not the same as 0 %)."""

    type: TariffDimensionType
    price: Number
    vat: Number | None = None
    # Required even for FLAT; 0 is accepted (tariff_5, CONFORMANCE H.221).
    step_size: int


class TariffRestrictions(OcpiObject):
    """When an element is active; every field present must hold (logical AND)."""

    start_time: LocalTime | None = None
    end_time: LocalTime | None = None
    start_date: LocalDate | None = None
    end_date: LocalDate | None = None
    min_kwh: Number | None = None
    max_kwh: Number | None = None
    min_current: Number | None = None
    max_current: Number | None = None
    min_power: Number | None = None
    max_power: Number | None = None
    min_duration: int | None = None
    max_duration: int | None = None
    day_of_week: list[DayOfWeek] | None = None
    reservation: ReservationRestrictionType | None = None


RESERVATION_DIMENSIONS = frozenset({TariffDimensionType.FLAT, TariffDimensionType.TIME})


class TariffElement(OcpiObject):
    price_components: list[PriceComponent] = Field(min_length=1)
    restrictions: TariffRestrictions | None = None

    @model_validator(mode="after")
    def _reservation_prices_flat_and_time_only(self) -> Self:
        # Tariffs §11.4.6 `reservation`; CONFORMANCE H.226.
        if self.restrictions is None or self.restrictions.reservation is None:
            return self
        if any(c.type not in RESERVATION_DIMENSIONS for c in self.price_components):
            raise ValueError(
                "an element with a reservation restriction may price only FLAT and TIME"
            )
        return self


class Tariff(OcpiObject):
    country_code: CiString2 = Field(min_length=2)
    party_id: CiString3 = Field(min_length=3)
    id: CiString36
    currency: String3 = Field(min_length=3)
    type: TariffType | None = None
    tariff_alt_text: list[DisplayText] | None = None
    tariff_alt_url: URL | None = None
    min_price: Price | None = None
    max_price: Price | None = None
    elements: list[TariffElement] = Field(min_length=1)
    start_date_time: OcpiDateTime | None = None
    end_date_time: OcpiDateTime | None = None
    energy_mix: EnergyMix | None = None
    last_updated: OcpiDateTime
