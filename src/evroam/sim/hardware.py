"""Real charger hardware and the kinds of sites it is installed at (Locations §8.3.2, §8.3.3)."""

from dataclasses import dataclass

from evroam.modules.locations.enums import (
    Capability,
    ConnectorFormat,
    ConnectorType,
    Facility,
    ParkingRestriction,
    ParkingType,
    PowerType,
)


@dataclass(frozen=True, kw_only=True, eq=False)  # compared and hashed by identity
class Plug:
    """One connector's ratings; max_voltage is line to neutral for AC_3_PHASE (§8.3.3)."""

    standard: ConnectorType
    format: ConnectorFormat
    power_type: PowerType
    max_voltage: int
    max_amperage: int
    max_electric_power: int
    tariff_class: str  # AC, DC (up to 50 kW) or HPC: which tariff applies


@dataclass(frozen=True, kw_only=True, eq=False)  # compared and hashed by identity
class Charger:
    """An EVSE model: its connectors, of which only one is usable at a time."""

    name: str
    plugs: tuple[Plug, ...]


def plug(rating: str) -> Plug:
    """A connector from its rating plate: `IEC_62196_T2 SOCKET AC_3_PHASE 230V 16A 11000W`.

    AC power is at most phases x V x A (3 x 230 V x 16 A = 11,040 W, sold as 11 kW).
    DC chargers reach max voltage or max current, not both, so their power is below V x A
    (the spec's own example: 920 V, 400 A, limited to 150 kW).
    """
    standard, fmt, power_type, volts, amps, watts = rating.split()
    kind = PowerType(power_type)
    power = int(watts.removesuffix("W"))
    dc_class = "DC" if power <= 50000 else "HPC"
    return Plug(
        standard=ConnectorType(standard),
        format=ConnectorFormat(fmt),
        power_type=kind,
        max_voltage=int(volts.removesuffix("V")),
        max_amperage=int(amps.removesuffix("A")),
        max_electric_power=power,
        tariff_class=dc_class if kind is PowerType.DC else "AC",
    )


def charger(name: str, *ratings: str) -> Charger:
    return Charger(name=name, plugs=tuple(plug(r) for r in ratings))


T2_11 = "IEC_62196_T2 SOCKET AC_3_PHASE 230V 16A 11000W"
T2_22 = "IEC_62196_T2 SOCKET AC_3_PHASE 230V 32A 22000W"
CCS2_50 = "IEC_62196_T2_COMBO CABLE DC 500V 125A 50000W"
CHADEMO_50 = "CHADEMO CABLE DC 500V 125A 50000W"

AC_11 = charger("AC 11 kW", T2_11)
AC_22 = charger("AC 22 kW", T2_22)
AC_22_CABLE = charger("AC 22 kW cable", "IEC_62196_T2 CABLE AC_3_PHASE 230V 32A 22000W")
AC_7_SINGLE_PHASE = charger("AC 7.4 kW", "IEC_62196_T2 SOCKET AC_1_PHASE 230V 32A 7360W")
AC_11_SCHUKO = charger("AC 11 kW + Schuko", T2_11, "DOMESTIC_F SOCKET AC_1_PHASE 230V 16A 3680W")
DC_50_TRIPLE = charger(
    "DC 50 kW triple", CCS2_50, CHADEMO_50, "IEC_62196_T2 CABLE AC_3_PHASE 230V 63A 43000W"
)
HPC_150 = charger("HPC 150 kW", "IEC_62196_T2_COMBO CABLE DC 920V 400A 150000W")
HPC_300 = charger("HPC 300 kW", "IEC_62196_T2_COMBO CABLE DC 920V 500A 300000W")
HPC_350 = charger("HPC 350 kW", "IEC_62196_T2_COMBO CABLE DC 920V 500A 350000W")
# North America: SAE J1772 (Type 1) on 240 V, CCS1.
L2_7 = charger("Level 2 7.7 kW", "IEC_62196_T1 CABLE AC_1_PHASE 240V 32A 7680W")
L2_11 = charger("Level 2 11.5 kW", "IEC_62196_T1 CABLE AC_1_PHASE 240V 48A 11500W")
DC_50_US = charger("DC 50 kW dual", "IEC_62196_T1_COMBO CABLE DC 500V 125A 50000W", CHADEMO_50)
HPC_150_US = charger("HPC 150 kW", "IEC_62196_T1_COMBO CABLE DC 920V 400A 150000W")
HPC_350_US = charger("HPC 350 kW", "IEC_62196_T1_COMBO CABLE DC 920V 500A 350000W")

Mix = tuple[tuple[Charger, int], ...]  # chargers with relative weights


@dataclass(frozen=True, kw_only=True, eq=False)  # compared and hashed by identity
class SiteKind:
    """A kind of charging site: its parking, size, hardware mix and surroundings."""

    name: str
    weight: int
    parking_types: tuple[ParkingType, ...]
    evses: tuple[int, int]  # fewest and most EVSEs, inclusive
    chargers: dict[str, Mix]  # by plug region (Country.plugs)
    facilities: tuple[Facility, ...]
    parking_restrictions: tuple[ParkingRestriction, ...]
    opening_hours_percent: int  # share of sites with opening hours instead of 24/7
    capabilities: tuple[Capability, ...]


_BASIC = (Capability.RFID_READER, Capability.REMOTE_START_STOP_CAPABLE)

SITE_KINDS: tuple[SiteKind, ...] = (
    SiteKind(
        name="street",
        weight=50,
        parking_types=(ParkingType.ON_STREET,),
        evses=(1, 4),
        chargers={
            "EU": ((AC_11, 5), (AC_22, 4), (AC_7_SINGLE_PHASE, 1), (AC_11_SCHUKO, 1)),
            "US": ((L2_7, 3), (L2_11, 1)),
        },
        facilities=(),
        parking_restrictions=(ParkingRestriction.EV_ONLY, ParkingRestriction.PLUGGED),
        opening_hours_percent=0,
        capabilities=(*_BASIC, Capability.UNLOCK_CAPABLE),
    ),
    SiteKind(
        name="garage",
        weight=15,
        parking_types=(ParkingType.PARKING_GARAGE, ParkingType.UNDERGROUND_GARAGE),
        evses=(2, 20),
        chargers={
            "EU": ((AC_11, 4), (AC_22, 3), (AC_22_CABLE, 1), (DC_50_TRIPLE, 1)),
            "US": ((L2_7, 3), (DC_50_US, 1)),
        },
        facilities=(Facility.PARKING_LOT, Facility.MALL, Facility.TRAIN_STATION),
        parking_restrictions=(ParkingRestriction.EV_ONLY,),
        opening_hours_percent=40,
        capabilities=(*_BASIC, Capability.RESERVABLE, Capability.UNLOCK_CAPABLE),
    ),
    SiteKind(
        name="destination",
        weight=25,
        parking_types=(ParkingType.PARKING_LOT,),
        evses=(2, 10),
        chargers={
            "EU": ((AC_11, 3), (AC_22, 4), (DC_50_TRIPLE, 2), (HPC_150, 1)),
            "US": ((L2_7, 3), (DC_50_US, 1), (HPC_150_US, 1)),
        },
        facilities=(Facility.SUPERMARKET, Facility.HOTEL, Facility.RESTAURANT, Facility.MALL),
        parking_restrictions=(ParkingRestriction.CUSTOMERS,),
        opening_hours_percent=50,
        capabilities=_BASIC,
    ),
    SiteKind(
        name="motorway",
        weight=10,
        parking_types=(ParkingType.ALONG_MOTORWAY,),
        evses=(4, 20),
        chargers={
            "EU": ((HPC_150, 3), (HPC_300, 3), (HPC_350, 2), (DC_50_TRIPLE, 1)),
            "US": ((HPC_150_US, 3), (HPC_350_US, 2), (DC_50_US, 1)),
        },
        facilities=(Facility.FUEL_STATION, Facility.RESTAURANT, Facility.WIFI, Facility.CAFE),
        parking_restrictions=(),
        opening_hours_percent=0,
        capabilities=(
            *_BASIC,
            Capability.CHARGING_PROFILE_CAPABLE,
            Capability.CREDIT_CARD_PAYABLE,
            Capability.CONTACTLESS_CARD_SUPPORT,
        ),
    ),
)
