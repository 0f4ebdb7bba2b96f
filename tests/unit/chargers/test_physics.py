"""Power curves and battery charging: properties over every car and state of charge."""

from hypothesis import given, settings
from hypothesis import strategies as st

from evroam.chargers.physics import (
    CATALOGUE,
    CHARGE_EFFICIENCY,
    Battery,
    Vehicle,
    ac_curve,
    charging_power_w,
    current_a,
    dc_curve,
    evse_limit_w,
)
from evroam.modules.locations.enums import PowerType

cars = st.sampled_from(CATALOGUE)
socs = st.floats(min_value=0.0, max_value=1.0)
ac_types = st.sampled_from([PowerType.AC_1_PHASE, PowerType.AC_3_PHASE])
limits = st.integers(min_value=3_700, max_value=350_000)


class TestCurves:
    @given(car=cars, soc=socs, limit=limits, power_type=ac_types)
    def test_ac_power_is_never_above_the_evse_or_the_onboard_charger(
        self, car: Vehicle, soc: float, limit: int, power_type: PowerType
    ) -> None:
        power = charging_power_w(car, power_type, limit, soc)
        assert 0 <= power <= min(limit, car.ac_max_w)

    @given(car=cars, soc=st.floats(min_value=0.0, max_value=0.95), limit=limits)
    def test_ac_power_is_flat_until_95_percent(self, car: Vehicle, soc: float, limit: int) -> None:
        assert charging_power_w(car, PowerType.AC_3_PHASE, limit, soc) == min(limit, car.ac_max_w)

    @given(car=cars, soc=socs, limit=limits)
    def test_dc_power_is_never_above_the_evse_or_the_car(
        self, car: Vehicle, soc: float, limit: int
    ) -> None:
        assert 0 <= charging_power_w(car, PowerType.DC, limit, soc) <= min(limit, car.dc_max_w)

    @given(a=st.floats(min_value=0.55, max_value=1.0), b=st.floats(min_value=0.55, max_value=1.0))
    def test_dc_curve_never_rises_after_the_plateau(self, a: float, b: float) -> None:
        low, high = sorted((a, b))
        assert dc_curve(high) <= dc_curve(low)

    @given(soc=st.floats(min_value=0.8, max_value=1.0))
    def test_dc_tapers_above_80_percent(self, soc: float) -> None:
        assert dc_curve(soc) <= 0.6 * dc_curve(0.5)

    def test_full_battery_takes_no_power(self) -> None:
        assert dc_curve(1.0) == ac_curve(1.0) == 0.0

    def test_evse_limit_is_the_rating_else_phases_volts_amps(self) -> None:
        assert evse_limit_w(PowerType.AC_3_PHASE, 230, 16, None) == 11_040
        assert evse_limit_w(PowerType.AC_1_PHASE, 230, 16, None) == 3_680
        assert evse_limit_w(PowerType.DC, 920, 400, 150_000) == 150_000

    def test_current_per_phase_for_ac(self) -> None:
        assert round(current_a(11_040, PowerType.AC_3_PHASE, 230)) == 16


class TestBattery:
    @settings(max_examples=60, deadline=None)
    @given(
        car=cars,
        soc=st.floats(min_value=0.0, max_value=0.99),
        minutes=st.integers(min_value=1, max_value=600),
        dc=st.booleans(),
    )
    def test_soc_never_passes_full_and_energy_matches_the_soc_gain(
        self, car: Vehicle, soc: float, minutes: int, dc: bool
    ) -> None:
        power_type = PowerType.DC if dc and car.dc_max_w else PowerType.AC_3_PHASE
        battery = Battery(car, soc)
        metered, _ = battery.charge(power_type, 150_000, minutes * 60)
        assert soc <= battery.soc <= 1.0
        stored = (battery.soc - soc) * car.battery_wh
        efficiency = CHARGE_EFFICIENCY[power_type is PowerType.DC]
        assert abs(metered * efficiency - stored) < 1e-6 * car.battery_wh

    def test_an_hour_at_11_kw_meters_about_11_kwh(self) -> None:
        compact = next(v for v in CATALOGUE if v.model == "compact")
        metered, power = Battery(compact, 0.2).charge(PowerType.AC_3_PHASE, 11_040, 3600)
        assert 10_900 < metered <= 11_000
        assert power == 11_000

    def test_dc_session_slows_down_when_nearly_full(self) -> None:
        saloon = next(v for v in CATALOGUE if v.model == "saloon")
        battery = Battery(saloon, 0.3)
        _, early = battery.charge(PowerType.DC, 300_000, 60)
        battery.charge(PowerType.DC, 300_000, 20 * 60)
        _, late = battery.charge(PowerType.DC, 300_000, 60)
        assert battery.soc > 0.8
        assert late < early / 2
