"""OCPI 2.2.1 Locations module wire models (chapter 8): in 2.2.1 they equal the domain models."""

from evroam.model import BusinessDetails, DisplayText, Image, ImageCategory
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
from evroam.modules.locations.hours import ExceptionalPeriod, Hours, RegularHours
from evroam.modules.locations.model import (
    EVSE,
    AdditionalGeoLocation,
    Connector,
    GeoLocation,
    Location,
    PublishTokenType,
    StatusSchedule,
)
from evroam.modules.tariffs.energy_mix import (
    EnergyMix,
    EnergySource,
    EnergySourceCategory,
    EnvironmentalImpact,
    EnvironmentalImpactCategory,
)

__all__ = [
    "EVSE",
    "AdditionalGeoLocation",
    "BusinessDetails",
    "Capability",
    "Connector",
    "ConnectorFormat",
    "ConnectorType",
    "DisplayText",
    "EnergyMix",
    "EnergySource",
    "EnergySourceCategory",
    "EnvironmentalImpact",
    "EnvironmentalImpactCategory",
    "ExceptionalPeriod",
    "Facility",
    "GeoLocation",
    "Hours",
    "Image",
    "ImageCategory",
    "Location",
    "ParkingRestriction",
    "ParkingType",
    "PowerType",
    "PublishTokenType",
    "RegularHours",
    "Status",
    "StatusSchedule",
    "TokenType",
]
