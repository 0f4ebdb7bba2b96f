"""The synthetic network: deterministic, valid and realistic Locations and Tariffs."""

import re
from collections import Counter
from decimal import Decimal
from typing import Any

import pytest

from evroam.modules.locations.enums import PowerType
from evroam.modules.locations.model import Location
from evroam.modules.tariffs.advice import alt_text_warnings
from evroam.modules.tariffs.model import Tariff, TariffType
from evroam.sim.network import generate_locations, generate_tariffs, location_json

OWNER = ("NL", "CPO")
SAMPLE = 2000

# Our own knowledge of the countries, independent of the generator's tables.
ZONES = {
    "NLD": {"Europe/Amsterdam"},
    "BEL": {"Europe/Brussels"},
    "DEU": {"Europe/Berlin"},
    "FRA": {"Europe/Paris"},
    "GBR": {"Europe/London"},
    "NOR": {"Europe/Oslo"},
    "SWE": {"Europe/Stockholm"},
    "ESP": {"Europe/Madrid", "Atlantic/Canary"},
    "PRT": {"Europe/Lisbon", "Atlantic/Madeira"},
    "CHE": {"Europe/Zurich"},
    "POL": {"Europe/Warsaw"},
    "FIN": {"Europe/Helsinki"},
    "USA": {"America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"},
}
CURRENCIES = {"GBR": "GBP", "NOR": "NOK", "SWE": "SEK", "CHE": "CHF", "POL": "PLN", "USA": "USD"}
# Rough bounding boxes (lat min, lat max, lon min, lon max), widened by about half a degree
# because sites scatter around city centres near borders (Genève, Gent).
BOXES = {
    "NLD": (50.2, 54.1, 2.8, 7.8),
    "BEL": (49.0, 52.0, 2.0, 6.9),
    "DEU": (46.8, 55.6, 5.4, 15.6),
    "FRA": (41.0, 51.6, -5.6, 10.1),
    "GBR": (49.3, 61.4, -8.7, 2.3),
    "NOR": (57.5, 71.7, 4.0, 31.6),
    "SWE": (54.8, 69.6, 10.5, 24.7),
    "ESP": (27.1, 44.3, -18.7, 4.8),
    "PRT": (32.1, 42.7, -17.8, -5.7),
    "CHE": (45.3, 48.3, 5.4, 11.0),
    "POL": (48.5, 55.4, 13.6, 24.6),
    "FIN": (59.3, 70.6, 19.6, 32.1),
    "USA": (24.0, 49.9, -125.5, -66.5),
}


@pytest.fixture(scope="module")
def network() -> list[Location]:
    return list(generate_locations(SAMPLE, seed=11))


@pytest.fixture(scope="module")
def tariffs() -> list[Tariff]:
    return list(generate_tariffs(seed=11))


def connectors(location: Location) -> list[Any]:
    return [c for e in location.evses or [] for c in e.connectors]


class TestDeterminism:
    def test_identical_bytes_when_same_seed(self) -> None:
        first = [location_json(5, n, OWNER) for n in range(1, 201)]
        again = [location_json(5, n, OWNER) for n in range(1, 201)]
        assert first == again

    def test_identical_models_when_same_seed(self) -> None:
        assert list(generate_locations(50, 5)) == list(generate_locations(50, 5))

    def test_different_network_when_seed_differs(self) -> None:
        first = [location_json(5, n, OWNER) for n in range(1, 21)]
        other = [location_json(6, n, OWNER) for n in range(1, 21)]
        assert all(a != b for a, b in zip(first, other, strict=True))

    def test_same_prefix_when_count_grows(self) -> None:
        short = list(generate_locations(30, 9))
        longer = list(generate_locations(60, 9))
        assert longer[:30] == short

    def test_identical_tariffs_when_same_seed(self) -> None:
        assert list(generate_tariffs(3)) == list(generate_tariffs(3))
        assert list(generate_tariffs(3)) != list(generate_tariffs(4))


class TestValidity:
    def test_fast_json_equals_model_dump_when_written(self) -> None:
        """`location_json` (used by the CLI) must be exactly what the validated model writes."""
        for number, location in enumerate(generate_locations(500, 21), start=1):
            assert location_json(21, number, OWNER) == location.model_dump_json(exclude_none=True)

    def test_every_location_reparses_when_written(self) -> None:
        for number in range(1, 501):
            text = location_json(33, number, OWNER)
            assert Location.model_validate_json(text).id == f"LOC{number:06d}"

    def test_every_tariff_reparses_when_written(self, tariffs: list[Tariff]) -> None:
        for tariff in tariffs:
            assert Tariff.model_validate_json(tariff.model_dump_json(exclude_none=True)) == tariff

    def test_owner_everywhere_when_custom_party(self) -> None:
        location = next(generate_locations(1, 2, country_code="be", party_id="xyz"))
        assert (location.country_code, location.party_id) == ("BE", "XYZ")
        assert location.evses is not None
        assert all(e.evse_id and e.evse_id.startswith("BE*XYZ*E1*") for e in location.evses)
        tariff = next(generate_tariffs(2, country_code="BE", party_id="XYZ"))
        assert (tariff.country_code, tariff.party_id) == ("BE", "XYZ")


class TestRealism:
    def test_spread_over_every_country_and_zone(self, network: list[Location]) -> None:
        countries = Counter(loc.country for loc in network)
        zones = {loc.time_zone for loc in network}
        assert set(countries) == set(ZONES)
        assert zones == set().union(*ZONES.values())
        assert countries["NLD"] == max(countries.values())  # the Dutch CPO's home market

    def test_time_zone_and_coordinates_match_country(self, network: list[Location]) -> None:
        for loc in network:
            assert loc.time_zone in ZONES[loc.country], loc.id
            lat_min, lat_max, lon_min, lon_max = BOXES[loc.country]
            assert lat_min < Decimal(loc.coordinates.latitude) < lat_max, loc.id
            assert lon_min < Decimal(loc.coordinates.longitude) < lon_max, loc.id

    def test_evse_count_between_1_and_20(self, network: list[Location]) -> None:
        counts = [len(loc.evses or []) for loc in network]
        assert (min(counts), max(counts)) == (1, 20)

    def test_evse_ids_in_emi3_form_and_uids_unique(self, network: list[Location]) -> None:
        uids = [e.uid for loc in network for e in loc.evses or []]
        assert len(uids) == len(set(uids))
        for loc in network:
            number = int(loc.id.removeprefix("LOC"))
            for evse in loc.evses or []:
                assert evse.evse_id is not None
                assert re.fullmatch(rf"NL\*CPO\*E{number}\*\d{{1,2}}", evse.evse_id)
                ids = [c.id for c in evse.connectors]
                assert len(ids) == len(set(ids))

    def test_children_never_newer_than_parents(self, network: list[Location]) -> None:
        """CONFORMANCE E.120."""
        for loc in network:
            for evse in loc.evses or []:
                assert evse.last_updated <= loc.last_updated
                assert all(c.last_updated <= evse.last_updated for c in evse.connectors)

    def test_both_ac_and_dc(self, network: list[Location]) -> None:
        power_types = Counter(c.power_type for loc in network for c in connectors(loc))
        assert {PowerType.AC_1_PHASE, PowerType.AC_3_PHASE, PowerType.DC} <= set(power_types)
        assert power_types[PowerType.AC_3_PHASE] > power_types[PowerType.DC] > 0

    def test_connector_ratings_physically_consistent(self, network: list[Location]) -> None:
        phases = {PowerType.AC_1_PHASE: 1, PowerType.AC_3_PHASE: 3, PowerType.DC: 1}
        for loc in network:
            for c in connectors(loc):
                assert c.max_electric_power is not None
                limit = phases[c.power_type] * c.max_voltage * c.max_amperage
                assert c.max_electric_power <= limit
                if c.power_type is not PowerType.DC:  # DC is limited below V x A by design
                    assert c.max_electric_power >= 0.95 * limit

    @pytest.mark.parametrize(
        ("standard", "fmt", "power_types", "volts", "powers"),
        [
            # 3 x 230 V x 16/32 A; single phase 230 V x 32 A is the UK's common 7 kW post.
            ("IEC_62196_T2", "SOCKET", {"AC_3_PHASE", "AC_1_PHASE"}, {230}, {7360, 11000, 22000}),
            ("IEC_62196_T2", "CABLE", {"AC_3_PHASE"}, {230}, {22000, 43000}),
            ("IEC_62196_T2_COMBO", "CABLE", {"DC"}, {500, 920}, {50000, 150000, 300000, 350000}),
            ("CHADEMO", "CABLE", {"DC"}, {500}, {50000}),
            ("IEC_62196_T1", "CABLE", {"AC_1_PHASE"}, {240}, {7680, 11500}),  # J1772, 240 V
            ("IEC_62196_T1_COMBO", "CABLE", {"DC"}, {500, 920}, {50000, 150000, 350000}),
            ("DOMESTIC_F", "SOCKET", {"AC_1_PHASE"}, {230}, {3680}),
        ],
    )
    def test_standard_has_real_ratings(
        self,
        network: list[Location],
        standard: str,
        fmt: str,
        power_types: set[str],
        volts: set[int],
        powers: set[int],
    ) -> None:
        found = [
            c
            for loc in network
            for c in connectors(loc)
            if c.standard == standard and c.format == fmt
        ]
        assert found
        assert {c.power_type.value for c in found} == power_types
        assert {c.max_voltage for c in found} == volts
        assert {c.max_electric_power for c in found} == powers

    def test_some_sites_have_opening_hours(self, network: list[Location]) -> None:
        hours = [loc.opening_times for loc in network]
        limited = [h for h in hours if h is not None and not h.twentyfourseven]
        assert 0.05 * SAMPLE < len(limited) < 0.5 * SAMPLE
        assert all(h.regular_hours for h in limited)

    def test_a_few_sites_unpublished_with_allow_list(self, network: list[Location]) -> None:
        hidden = [loc for loc in network if not loc.publish]
        assert 0 < len(hidden) < 0.1 * SAMPLE
        assert all(loc.publish_allowed_to for loc in hidden)


class TestTariffs:
    def test_every_referenced_tariff_exists(
        self, network: list[Location], tariffs: list[Tariff]
    ) -> None:
        known = {t.id for t in tariffs}
        referenced = {t for loc in network for c in connectors(loc) for t in c.tariff_ids or []}
        assert referenced <= known
        assert len(referenced) > 0.5 * len(known)

    def test_one_tariff_per_type_on_each_connector(
        self, network: list[Location], tariffs: list[Tariff]
    ) -> None:
        """Locations §8.3.3 tariff_ids; CONFORMANCE E.156."""
        types = {t.id: t.type for t in tariffs}
        for loc in network:
            for c in connectors(loc):
                assert c.tariff_ids
                kinds = [types[t] for t in c.tariff_ids]
                assert len(kinds) == len(set(kinds))

    def test_currency_matches_location_country(
        self, network: list[Location], tariffs: list[Tariff]
    ) -> None:
        currency = {t.id: t.currency for t in tariffs}
        for loc in network:
            for c in connectors(loc):
                expected = CURRENCIES.get(loc.country, "EUR")
                assert {currency[t] for t in c.tariff_ids or []} == {expected}

    def test_energy_and_time_of_day_components(self, tariffs: list[Tariff]) -> None:
        dimensions = {
            pc.type.value for t in tariffs for e in t.elements for pc in e.price_components
        }
        assert {"ENERGY", "TIME", "PARKING_TIME", "FLAT"} <= dimensions
        windows = {
            (e.restrictions.start_time, e.restrictions.end_time)
            for t in tariffs
            for e in t.elements
            if e.restrictions
        }
        assert ("07:00", "23:00") in windows
        assert {t.type for t in tariffs} == {TariffType.REGULAR, TariffType.AD_HOC_PAYMENT}

    def test_prices_are_exact_cents(self, tariffs: list[Tariff]) -> None:
        for t in tariffs:
            for e in t.elements:
                for pc in e.price_components:
                    assert isinstance(pc.price, Decimal)
                    assert pc.price == pc.price.quantize(Decimal("0.01")) > 0

    def test_alt_text_adds_information_without_repeating_prices_224(
        self, tariffs: list[Tariff]
    ) -> None:
        for t in tariffs:
            assert t.tariff_alt_text is not None
            assert t.tariff_alt_text[0].text
            assert alt_text_warnings(t) == []
            prices = {str(pc.price) for e in t.elements for pc in e.price_components}
            assert not any(p in t.tariff_alt_text[0].text for p in prices)
