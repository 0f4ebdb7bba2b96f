"""OCPI 2.2.1 Tariffs module wire models (chapter 11): in 2.2.1 they equal the domain models."""

from evroam.modules.tariffs.energy_mix import (
    EnergyMix,
    EnergySource,
    EnergySourceCategory,
    EnvironmentalImpact,
    EnvironmentalImpactCategory,
)
from evroam.modules.tariffs.model import (
    DayOfWeek,
    PriceComponent,
    ReservationRestrictionType,
    Tariff,
    TariffDimensionType,
    TariffElement,
    TariffRestrictions,
    TariffType,
)

__all__ = [
    "DayOfWeek",
    "EnergyMix",
    "EnergySource",
    "EnergySourceCategory",
    "EnvironmentalImpact",
    "EnvironmentalImpactCategory",
    "PriceComponent",
    "ReservationRestrictionType",
    "Tariff",
    "TariffDimensionType",
    "TariffElement",
    "TariffRestrictions",
    "TariffType",
]
