"""EnergyMix of a Location or Tariff (2.2.1 Locations §8.4.6–8.4.10; shared by both modules)."""

from evroam.model import OcpiObject
from evroam.protocol.types import Number, OcpiEnum, String64


class EnergySourceCategory(OcpiEnum):
    NUCLEAR = "NUCLEAR"
    GENERAL_FOSSIL = "GENERAL_FOSSIL"
    COAL = "COAL"
    GAS = "GAS"
    GENERAL_GREEN = "GENERAL_GREEN"
    SOLAR = "SOLAR"
    WIND = "WIND"
    WATER = "WATER"


class EnvironmentalImpactCategory(OcpiEnum):
    NUCLEAR_WASTE = "NUCLEAR_WASTE"
    CARBON_DIOXIDE = "CARBON_DIOXIDE"


class EnergySource(OcpiObject):
    """One source and its share (0-100 %) of the mix."""

    source: EnergySourceCategory
    percentage: Number


class EnvironmentalImpact(OcpiObject):
    """Nuclear waste or CO2 in g/kWh."""

    category: EnvironmentalImpactCategory
    amount: Number


class EnergyMix(OcpiObject):
    """Where the supplied energy comes from; `*` lists are None when absent."""

    is_green_energy: bool
    energy_sources: list[EnergySource] | None = None
    environ_impact: list[EnvironmentalImpact] | None = None
    supplier_name: String64 | None = None
    energy_product_name: String64 | None = None
