"""Cars and power curves: how much power flows into a battery at a given state of charge.

AC charging is limited by the EVSE and by the car's onboard charger (3.7, 7.4, 11 or 22 kW)
and stays flat until the battery is almost full. DC charging is limited by the EVSE and by the
car's own maximum (50-350 kW): a short ramp, a plateau, a gentle decline, and a steep taper
above 80 % state of charge, as real DC charging curves show.
"""

import random
from dataclasses import dataclass

from evroam.modules.locations.enums import PowerType

NOMINAL_DC_VOLTS = 400.0  # battery-side voltage used to derive DC current
CHARGE_EFFICIENCY = {True: 0.95, False: 0.90}  # DC, AC: share of metered energy stored
PHASES = {
    PowerType.AC_1_PHASE: 1,
    PowerType.AC_2_PHASE: 2,
    PowerType.AC_2_PHASE_SPLIT: 2,
    PowerType.AC_3_PHASE: 3,
}


@dataclass(frozen=True)
class Vehicle:
    """A car's battery and charging limits."""

    model: str
    battery_wh: int
    ac_max_w: int  # the onboard charger
    dc_max_w: int  # 0: cannot charge on DC


CATALOGUE = (
    Vehicle("city car", 40_000, 7_400, 50_000),
    Vehicle("older compact", 42_000, 3_700, 50_000),
    Vehicle("compact", 58_000, 11_000, 120_000),
    Vehicle("family SUV", 77_000, 11_000, 175_000),
    Vehicle("saloon", 82_000, 11_000, 250_000),
    Vehicle("800 V crossover", 84_000, 11_000, 350_000),
    Vehicle("premium SUV", 100_000, 22_000, 270_000),
    Vehicle("plug-in van", 75_000, 22_000, 0),
)


def pick_vehicle(rng: random.Random, *, dc: bool) -> Vehicle:
    """A car that can charge on this kind of EVSE."""
    fitting = [v for v in CATALOGUE if v.dc_max_w > 0] if dc else list(CATALOGUE)
    return rng.choice(fitting)


def evse_limit_w(power_type: PowerType, voltage: int, amperage: int, rated_w: int | None) -> int:
    """What the connector can deliver: its rating, else phases x V x A (DC: V x A)."""
    if rated_w:
        return rated_w
    return PHASES.get(power_type, 1) * voltage * amperage


def dc_curve(soc: float) -> float:
    """Share of the car's DC maximum accepted at a state of charge (0..1)."""
    if soc >= 1.0:
        return 0.0
    if soc < 0.1:
        return 0.8 + 2.0 * soc  # ramp up: 0.8 -> 1.0
    if soc <= 0.55:
        return 1.0
    if soc <= 0.8:
        return 1.0 - 1.6 * (soc - 0.55)  # decline: 1.0 -> 0.6
    return max(0.05, 0.6 * (1.0 - soc) / 0.2)  # taper: 0.6 -> 0.05


def ac_curve(soc: float) -> float:
    """Share of the AC limit accepted: flat, then a short taper above 95 %."""
    if soc >= 1.0:
        return 0.0
    if soc <= 0.95:
        return 1.0
    return max(0.1, (1.0 - soc) / 0.05)


def charging_power_w(vehicle: Vehicle, power_type: PowerType, limit_w: int, soc: float) -> float:
    """Power drawn from the EVSE (W) at this state of charge."""
    if power_type is PowerType.DC:
        return min(limit_w, vehicle.dc_max_w) * dc_curve(soc)
    return min(limit_w, vehicle.ac_max_w) * ac_curve(soc)


def current_a(power_w: float, power_type: PowerType, voltage: int) -> float:
    """Current per phase for AC (line-to-neutral voltage), or at the battery for DC."""
    if power_type is PowerType.DC:
        return power_w / NOMINAL_DC_VOLTS
    return power_w / (PHASES.get(power_type, 1) * max(voltage, 1))


@dataclass
class Battery:
    """A car's battery while it charges."""

    vehicle: Vehicle
    soc: float

    def charge(
        self, power_type: PowerType, limit_w: int, seconds: float, *, step: float = 10.0
    ) -> tuple[float, float]:
        """Charge for `seconds` in small steps; the metered energy (Wh) and the power now (W)."""
        metered, left = 0.0, seconds
        efficiency = CHARGE_EFFICIENCY[power_type is PowerType.DC]
        while left > 1e-9:
            dt = min(step, left)
            power = charging_power_w(self.vehicle, power_type, limit_w, self.soc)
            stored = min(power * dt / 3600 * efficiency, (1.0 - self.soc) * self.vehicle.battery_wh)
            self.soc = min(1.0, self.soc + stored / self.vehicle.battery_wh)
            metered += stored / efficiency
            left -= dt
        return metered, charging_power_w(self.vehicle, power_type, limit_w, self.soc)
