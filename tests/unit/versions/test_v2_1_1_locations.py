"""2.1.1 Locations converters (versions/v2_1_1/locations.py) against the official examples of
both versions (2.1.1 mod_locations.md; 2.2.1 Locations chapter 8; CONFORMANCE 144, 148, 152,
157, 373 and 374). The 2.1.1 enums and field lists below are copied from the 2.1.1 text."""

import copy
import re
from decimal import Decimal
from typing import Any

import pytest

from evroam.modules.locations.model import EVSE, Connector, Location
from evroam.versions.v2_1_1.locations import (
    connector_in,
    connector_out,
    evse_in,
    evse_out,
    location_in,
    location_out,
    patch_in,
    patch_out,
)
from tests.examples import EXAMPLES, example

Doc = dict[str, Any]
OWNER = ("BE", "BEC")
TIME_ZONE = "Europe/Brussels"

# OCPI 2.1.1-d2 mod_locations.md §3.1 "Location Object", Example (no time_zone: optional there).
LOCATION_2_1_1: Doc = {
    "id": "LOC1",
    "type": "ON_STREET",
    "name": "Gent Zuid",
    "address": "F.Rooseveltlaan 3A",
    "city": "Gent",
    "postal_code": "9000",
    "country": "BEL",
    "coordinates": {"latitude": "51.047599", "longitude": "3.729944"},
    "evses": [
        {
            "uid": "3256",
            "evse_id": "BE-BEC-E041503001",
            "status": "AVAILABLE",
            "status_schedule": [],
            "capabilities": ["RESERVABLE"],
            "connectors": [
                {
                    "id": "1",
                    "standard": "IEC_62196_T2",
                    "format": "CABLE",
                    "power_type": "AC_3_PHASE",
                    "voltage": 220,
                    "amperage": 16,
                    "tariff_id": "11",
                    "last_updated": "2015-03-16T10:10:02Z",
                },
                {
                    "id": "2",
                    "standard": "IEC_62196_T2",
                    "format": "SOCKET",
                    "power_type": "AC_3_PHASE",
                    "voltage": 220,
                    "amperage": 16,
                    "tariff_id": "11",
                    "last_updated": "2015-03-18T08:12:01Z",
                },
            ],
            "physical_reference": "1",
            "floor_level": "-1",
            "last_updated": "2015-06-28T08:12:01Z",
        },
        {
            "uid": "3257",
            "evse_id": "BE-BEC-E041503002",
            "status": "RESERVED",
            "capabilities": ["RESERVABLE"],
            "connectors": [
                {
                    "id": "1",
                    "standard": "IEC_62196_T2",
                    "format": "SOCKET",
                    "power_type": "AC_3_PHASE",
                    "voltage": 220,
                    "amperage": 16,
                    "tariff_id": "12",
                    "last_updated": "2015-06-29T20:39:09Z",
                }
            ],
            "physical_reference": "2",
            "floor_level": "-2",
            "last_updated": "2015-06-29T20:39:09Z",
        },
    ],
    "operator": {"name": "BeCharged"},
    "last_updated": "2015-06-29T20:39:09Z",
}
# §2.2.3 "PATCH Method", Example: add an EVSE (a PUT). As printed it is not a whole EVSE: the
# connector lacks power_type, voltage, amperage and last_updated, the EVSE last_updated;
# physical_reference is a number and `floor` is no field (floor_level). The 2.2.1 copy,
# location_put_example_add_evse.json, has the same defects.
EVSE_PUT_2_1_1: Doc = {
    "uid": "3256",
    "evse_id": "BE-BEC-E041503003",
    "status": "AVAILABLE",
    "capabilities": ["RESERVABLE"],
    "connectors": [
        {"id": "1", "standard": "IEC_62196_T2", "format": "SOCKET", "tariff_id": "14"},
    ],
    "physical_reference": 3,
    "floor": -1,
}
# §2.2.3 PATCH examples (no last_updated: 2.1.1 does not require it), each with its 2.2.1 twin.
PATCHES_2_1_1: list[tuple[Doc, str]] = [
    ({"status": "CHARGING"}, "location_patch_example_status.json"),
    ({"name": "Interparking Gent Zuid"}, "location_patch_example_location.json"),
    ({"tariff_id": "15"}, "location_patch_example_tariff.json"),
    ({"status": "REMOVED"}, "location_patch_example_remove_evse.json"),
]
PATCH_IDS = ["status", "name", "tariff", "remove_evse"]
# §4.19.1 RegularHours Example: both `regular_hours` and `twentyfourseven: false`, although
# §4.13 Hours makes them a choice of one.
OPENING_TIMES_2_1_1: Doc = {
    "regular_hours": [
        {"weekday": day, "period_begin": "08:00", "period_end": "20:00"} for day in range(1, 6)
    ],
    "twentyfourseven": False,
    "exceptional_openings": [
        {"period_begin": "2014-06-21T09:00:00Z", "period_end": "2014-06-21T12:00:00Z"}
    ],
    "exceptional_closings": [
        {"period_begin": "2014-06-24T00:00:00Z", "period_end": "2014-06-25T00:00:00Z"}
    ],
}
# §4.5 EnergyMix, Examples: Complete (EnvironmentalImpact §4.8 names its key `source`).
ENERGY_MIX_2_1_1: Doc = {
    "is_green_energy": False,
    "energy_sources": [
        {"source": "GENERAL_GREEN", "percentage": 35.9},
        {"source": "GAS", "percentage": 6.3},
        {"source": "COAL", "percentage": 33.2},
        {"source": "GENERAL_FOSSIL", "percentage": 2.9},
        {"source": "NUCLEAR", "percentage": 21.7},
    ],
    "environ_impact": [
        {"source": "NUCLEAR_WASTE", "amount": 0.0006},
        {"source": "CARBON_DIOXIDE", "amount": 372},
    ],
    "supplier_name": "E.ON Energy Deutschland",
    "energy_product_name": "E.ON DirektStrom eco",
}

# §3.1, §3.2, §3.3: the 2.1.1 fields, and those of cardinality 1.
LOCATION_FIELDS_2_1_1 = {
    "id",
    "type",
    "name",
    "address",
    "city",
    "postal_code",
    "country",
    "coordinates",
    "related_locations",
    "evses",
    "directions",
    "operator",
    "suboperator",
    "owner",
    "facilities",
    "time_zone",
    "opening_times",
    "charging_when_closed",
    "images",
    "energy_mix",
    "last_updated",
}
LOCATION_REQUIRED_2_1_1 = {
    "id",
    "type",
    "address",
    "city",
    "postal_code",
    "country",
    "coordinates",
    "last_updated",
}
LOCATION_ONLY_2_2_1 = {
    "country_code",
    "party_id",
    "publish",
    "publish_allowed_to",
    "state",
    "parking_type",
}
EVSE_FIELDS_2_1_1 = {
    "uid",
    "evse_id",
    "status",
    "status_schedule",
    "capabilities",
    "connectors",
    "floor_level",
    "coordinates",
    "physical_reference",
    "directions",
    "parking_restrictions",
    "images",
    "last_updated",
}
EVSE_REQUIRED_2_1_1 = {"uid", "status", "connectors", "last_updated"}
CONNECTOR_FIELDS_2_1_1 = {
    "id",
    "standard",
    "format",
    "power_type",
    "voltage",
    "amperage",
    "tariff_id",
    "terms_and_conditions",
    "last_updated",
}
CONNECTOR_REQUIRED_2_1_1 = CONNECTOR_FIELDS_2_1_1 - {"tariff_id", "terms_and_conditions"}

# §4 enums, copied from the 2.1.1 text.
LOCATION_TYPES_2_1_1 = {
    "ON_STREET",
    "PARKING_GARAGE",
    "UNDERGROUND_GARAGE",
    "PARKING_LOT",
    "OTHER",
    "UNKNOWN",
}
CAPABILITIES_2_1_1 = {
    "CHARGING_PROFILE_CAPABLE",
    "CREDIT_CARD_PAYABLE",
    "REMOTE_START_STOP_CAPABLE",
    "RESERVABLE",
    "RFID_READER",
    "UNLOCK_CAPABLE",
}
CONNECTOR_TYPES_2_1_1 = {
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
}
FACILITIES_2_1_1 = {
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
}
POWER_TYPES_2_1_1 = {"AC_1_PHASE", "AC_3_PHASE", "DC"}
ENVIRONMENTAL_IMPACT_2_1_1 = {"NUCLEAR_WASTE", "CARBON_DIOXIDE"}
# §4.12 GeoLocation (and §4.1 AdditionalGeoLocation): exactly 6 decimals.
LATITUDE_2_1_1 = re.compile(r"-?[0-9]{1,2}\.[0-9]{6}")
LONGITUDE_2_1_1 = re.compile(r"-?[0-9]{1,3}\.[0-9]{6}")
ADDRESS_LENGTH_2_1_1 = 45

# 2.2.1 values 2.1.1 lacks (2.2.1 Locations §8.4).
STANDARDS_ONLY_2_2_1 = [
    "CHAOJI",
    "DOMESTIC_M",
    "GBT_AC",
    "GBT_DC",
    "NEMA_5_20",
    "NEMA_14_50",
    "PANTOGRAPH_TOP_DOWN",
]
LOCATION_FILES_2_2_1 = sorted(p.name for p in EXAMPLES.glob("location_example*.json"))
HOURS_2_2_1 = {
    "247_exception_closing": example("location_hours_247_open_exception_closing.json"),
    "exceptional_closing": example("location_hours_opening_hours_with_exceptional_closing.json"),
    "exceptional_opening": example("location_hours_opening_hours_with_exceptional_opening.json"),
    "regularhours": example("location_regularhours_example.json")["opening_times"],
}


def connector_2_2_1(**changes: Any) -> Doc:
    """The first connector of location_example.json, with some fields changed."""
    doc: Doc = example("location_example.json")["evses"][0]["connectors"][0]
    return doc | changes


def evse_2_2_1(*connectors: Doc, **changes: Any) -> Doc:
    """The first EVSE of location_example.json with these connectors."""
    doc: Doc = example("location_example.json")["evses"][0]
    return doc | {"connectors": list(connectors)} | changes


def assert_2_1_1_geo(point: Doc) -> None:
    """CONFORMANCE 144."""
    assert LATITUDE_2_1_1.fullmatch(point["latitude"]), point
    assert LONGITUDE_2_1_1.fullmatch(point["longitude"]), point


def assert_2_1_1_connector(out: Doc) -> None:
    """CONFORMANCE 152 and 373."""
    assert set(out) <= CONNECTOR_FIELDS_2_1_1
    assert set(out) >= CONNECTOR_REQUIRED_2_1_1
    assert out["standard"] in CONNECTOR_TYPES_2_1_1
    assert out["power_type"] in POWER_TYPES_2_1_1
    assert isinstance(out["voltage"], int)
    assert isinstance(out["amperage"], int)


def assert_2_1_1_evse(out: Doc) -> None:
    assert set(out) <= EVSE_FIELDS_2_1_1
    assert set(out) >= EVSE_REQUIRED_2_1_1
    assert out["connectors"]
    assert set(out.get("capabilities") or []) <= CAPABILITIES_2_1_1
    if "coordinates" in out:
        assert_2_1_1_geo(out["coordinates"])
    for connector in out["connectors"]:
        assert_2_1_1_connector(connector)


def assert_2_1_1_hours(hours: Doc) -> None:
    """CONFORMANCE 148: a choice of one (mod_locations.md §4.13)."""
    assert ("regular_hours" in hours) != ("twentyfourseven" in hours), hours
    assert hours.get("twentyfourseven", True) is True


def assert_2_1_1_location(out: Doc) -> None:
    """CONFORMANCE 157 and 373."""
    assert set(out) <= LOCATION_FIELDS_2_1_1
    assert set(out) >= LOCATION_REQUIRED_2_1_1
    assert not set(out) & LOCATION_ONLY_2_2_1
    assert out["type"] in LOCATION_TYPES_2_1_1
    assert len(out["address"]) <= ADDRESS_LENGTH_2_1_1
    assert_2_1_1_geo(out["coordinates"])
    for point in out.get("related_locations") or []:
        assert_2_1_1_geo(point)
    for evse in out.get("evses") or []:
        assert_2_1_1_evse(evse)
    assert set(out.get("facilities") or []) <= FACILITIES_2_1_1
    if "opening_times" in out:
        assert_2_1_1_hours(out["opening_times"])
    for impact in (out.get("energy_mix") or {}).get("environ_impact") or []:
        assert set(impact) == {"source", "amount"}
        assert impact["source"] in ENVIRONMENTAL_IMPACT_2_1_1


def close_to(converted: str, original: str) -> bool:
    """A 6-decimal rounding of the original (half a millionth of a degree at most)."""
    return abs(Decimal(converted) - Decimal(original)) <= Decimal("0.0000005")


class TestLocationOut:
    @pytest.mark.parametrize("name", LOCATION_FILES_2_2_1)
    def test_has_exactly_the_2_1_1_fields_when_official_2_2_1_example(self, name: str) -> None:
        """CONFORMANCE 144, 148, 152, 157 and 373."""
        doc = example(name)
        out = location_out(doc)
        assert_2_1_1_location(out)
        assert out["id"] == doc["id"]
        assert out["country"] == doc["country"]
        assert out["last_updated"] == doc["last_updated"]
        assert [e["uid"] for e in out["evses"]] == [e["uid"] for e in doc["evses"]]

    @pytest.mark.parametrize(
        ("parking_type", "location_type"),
        [
            ("ON_STREET", "ON_STREET"),
            ("PARKING_GARAGE", "PARKING_GARAGE"),
            ("UNDERGROUND_GARAGE", "UNDERGROUND_GARAGE"),
            ("PARKING_LOT", "PARKING_LOT"),
            ("ALONG_MOTORWAY", "OTHER"),
            ("ON_DRIVEWAY", "OTHER"),
            (None, "UNKNOWN"),
        ],
    )
    def test_type_is_a_2_1_1_location_type_when_parking_type_is(
        self, parking_type: str | None, location_type: str
    ) -> None:
        """CONFORMANCE 157: `type` is required; UNKNOWN is 2.1.1's "(default)"."""
        doc = example("location_example.json")
        doc.pop("parking_type")
        if parking_type is not None:
            doc["parking_type"] = parking_type
        assert location_out(doc)["type"] == location_type

    def test_coordinates_have_exactly_6_decimals_when_given_5_or_7(self) -> None:
        """CONFORMANCE 144: 2.2.1 allows 5 to 7 decimals, 2.1.1 exactly 6."""
        points = [
            {"latitude": "-33.8688197", "longitude": "151.2092955"},
            {"latitude": "51.04759", "longitude": "3.72994"},
            {"latitude": "-0.0000004", "longitude": "-179.9999996"},
        ]
        doc = example("location_example.json")
        doc["coordinates"] = points[0]
        doc["related_locations"] = [
            points[1] | {"name": {"language": "nl", "text": "Ingang"}},
            points[2],
        ]
        doc["evses"][0]["coordinates"] = points[2]
        out = location_out(doc)
        assert_2_1_1_location(out)
        converted = [out["coordinates"], *out["related_locations"], out["evses"][0]["coordinates"]]
        for point, original in zip(converted, [*points[:3], points[2]], strict=True):
            assert close_to(point["latitude"], original["latitude"])
            assert close_to(point["longitude"], original["longitude"])
        assert out["related_locations"][0]["name"] == {"language": "nl", "text": "Ingang"}

    def test_connectors_carry_voltage_amperage_and_tariff_id(self) -> None:
        """CONFORMANCE 152: max_voltage → voltage, max_amperage → amperage, tariff_ids →
        tariff_id (2.1.1 has room for one)."""
        out = location_out(example("location_example.json"))
        assert [c for e in out["evses"] for c in e["connectors"]] == [
            {
                "id": "1",
                "standard": "IEC_62196_T2",
                "format": "CABLE",
                "power_type": "AC_3_PHASE",
                "voltage": 220,
                "amperage": 16,
                "tariff_id": "11",
                "last_updated": "2015-03-16T10:10:02Z",
            },
            {
                "id": "2",
                "standard": "IEC_62196_T2",
                "format": "SOCKET",
                "power_type": "AC_3_PHASE",
                "voltage": 220,
                "amperage": 16,
                "tariff_id": "13",
                "last_updated": "2015-03-18T08:12:01Z",
            },
            {
                "id": "1",
                "standard": "IEC_62196_T2",
                "format": "SOCKET",
                "power_type": "AC_3_PHASE",
                "voltage": 220,
                "amperage": 16,
                "tariff_id": "12",
                "last_updated": "2015-06-29T20:39:09Z",
            },
        ]

    def test_connector_drops_max_electric_power_and_sends_the_first_tariff(self) -> None:
        """CONFORMANCE 152 and 373."""
        out = connector_out(connector_2_2_1(max_electric_power=22000, tariff_ids=["11", "12"]))
        assert out is not None
        assert_2_1_1_connector(out)
        assert out["tariff_id"] == "11"
        untariffed = connector_out(connector_2_2_1(tariff_ids=[]))
        assert untariffed is not None
        assert "tariff_id" not in untariffed

    @pytest.mark.parametrize("name", sorted(HOURS_2_2_1))
    def test_hours_hold_regular_hours_or_twentyfourseven_when_official_2_2_1_hours(
        self, name: str
    ) -> None:
        """CONFORMANCE 148: 2.2.1 always has twentyfourseven; 2.1.1 has one of the two."""
        hours = HOURS_2_2_1[name]
        doc = example("location_example.json") | {"opening_times": hours}
        out = location_out(doc)["opening_times"]
        assert_2_1_1_hours(out)
        if hours["twentyfourseven"]:
            assert out["twentyfourseven"] is True
        else:
            assert out["regular_hours"] == hours["regular_hours"]
        for key in ("exceptional_openings", "exceptional_closings"):
            assert out.get(key) == hours.get(key)

    def test_environmental_impact_has_source_when_official_2_2_1_energy_mix(self) -> None:
        """mod_locations.md §4.8: EnvironmentalImpact's key is `source` (2.2.1 `category`)."""
        mix = example("location_energymix_example_complete.json")["energy_mix"]
        out = location_out(example("location_example.json") | {"energy_mix": mix})
        assert out["energy_mix"] == ENERGY_MIX_2_1_1

    def test_drops_enum_values_2_1_1_lacks(self) -> None:
        """CONFORMANCE 373: facilities, capabilities, connector standards and power types."""
        doc = example("location_example.json")
        doc["facilities"] = ["BIKE_SHARING", "HOTEL", "TRAM_STOP", "METRO_STATION", "PARKING_LOT"]
        doc["evses"][0]["capabilities"] = ["RESERVABLE", "PED_TERMINAL", "DEBIT_CARD_PAYABLE"]
        doc["evses"][0]["connectors"][0] |= {"standard": "NEMA_5_20", "power_type": "AC_2_PHASE"}
        doc["evses"][0]["connectors"][1] |= {"power_type": "AC_2_PHASE_SPLIT"}
        out = location_out(doc)
        assert_2_1_1_location(out)
        assert out["facilities"] == ["HOTEL"]
        assert out["evses"][0]["capabilities"] == ["RESERVABLE"]
        assert [c["id"] for c in out["evses"][0]["connectors"]] == ["2"]

    def test_address_is_cut_to_45_characters_when_longer(self) -> None:
        """2.1.1 address is string(45); the 2.2.1 erratum allows 255 (CONFORMANCE 146)."""
        address = "Boulevard du Souverain / Vorstlaan 280, Bâtiment C, entrée 4"
        out = location_out(example("location_example.json") | {"address": address})
        assert out["address"] == address[:ADDRESS_LENGTH_2_1_1]

    def test_postal_code_is_present_when_2_2_1_has_none(self) -> None:
        """postal_code is optional in 2.2.1 but required (1) in 2.1.1."""
        doc = example("location_example.json")
        doc.pop("postal_code")
        assert "postal_code" in location_out(doc)

    def test_leaves_its_input_unchanged(self) -> None:
        doc = example("location_example_parking_garage_opening_hours.json")
        doc["energy_mix"] = example("location_energymix_example_complete.json")["energy_mix"]
        doc["coordinates"] = {"latitude": "55.5903251", "longitude": "13.0083071"}
        before = copy.deepcopy(doc)
        location_out(doc)
        assert doc == before


class TestEvseOut:
    @pytest.mark.parametrize("standard", STANDARDS_ONLY_2_2_1)
    def test_connector_is_left_out_when_its_standard_is_2_2_only(self, standard: str) -> None:
        """CONFORMANCE 373: 2.1.1's ConnectorType (§4.4) has no name for it."""
        assert connector_out(connector_2_2_1(standard=standard)) is None

    @pytest.mark.parametrize("standard", sorted(CONNECTOR_TYPES_2_1_1))
    def test_connector_is_sent_when_its_standard_is_a_2_1_1_one(self, standard: str) -> None:
        out = connector_out(connector_2_2_1(standard=standard))
        assert out is not None
        assert out["standard"] == standard

    @pytest.mark.parametrize("power_type", ["AC_2_PHASE", "AC_2_PHASE_SPLIT"])
    def test_power_type_is_a_2_1_1_one_when_two_phase(self, power_type: str) -> None:
        """CONFORMANCE 373: AC_2_PHASE is not sent."""
        out = connector_out(connector_2_2_1(power_type=power_type))
        assert out is not None
        assert out["power_type"] in POWER_TYPES_2_1_1

    def test_keeps_the_connectors_2_1_1_can_name(self) -> None:
        gbt = connector_2_2_1(id="2", standard="GBT_DC", power_type="DC")
        out = evse_out(evse_2_2_1(connector_2_2_1(), gbt))
        assert out is not None
        assert_2_1_1_evse(out)
        assert [c["id"] for c in out["connectors"]] == ["1"]

    def test_is_none_when_no_connector_is_left(self) -> None:
        """2.1.1 EVSE connectors are `+`: an EVSE of 2.2-only standards cannot be sent."""
        chaoji = connector_2_2_1(standard="CHAOJI", power_type="DC")
        nema = connector_2_2_1(id="2", standard="NEMA_5_20", power_type="AC_1_PHASE")
        assert evse_out(evse_2_2_1(chaoji, nema)) is None

    def test_location_leaves_out_an_evse_with_no_connector_left(self) -> None:
        doc = example("location_example.json")
        for connector in doc["evses"][0]["connectors"]:
            connector["standard"] = "PANTOGRAPH_BOTTOM_UP"
        out = location_out(doc)
        assert_2_1_1_location(out)
        assert [e["uid"] for e in out["evses"]] == ["3257"]


class TestLocationIn:
    def test_validates_as_2_2_1_location_when_official_2_1_1_example(self) -> None:
        """CONFORMANCE 374: the owner is the peer's; publish is true; the time zone defaults."""
        out = location_in(LOCATION_2_1_1, OWNER, TIME_ZONE)
        assert "type" not in out
        location = Location.model_validate(out)
        assert (location.country_code, location.party_id) == OWNER
        assert location.publish is True
        assert location.parking_type == "ON_STREET"
        assert location.time_zone == TIME_ZONE
        assert location.evses is not None
        connectors = [c for e in location.evses for c in e.connectors]
        assert [(c.max_voltage, c.max_amperage, c.tariff_ids) for c in connectors] == [
            (220, 16, ["11"]),
            (220, 16, ["11"]),
            (220, 16, ["12"]),
        ]

    def test_keeps_the_time_zone_when_given(self) -> None:
        out = location_in(LOCATION_2_1_1 | {"time_zone": "Europe/Oslo"}, OWNER, TIME_ZONE)
        assert Location.model_validate(out).time_zone == "Europe/Oslo"

    @pytest.mark.parametrize(
        ("location_type", "parking_type"),
        [
            ("ON_STREET", "ON_STREET"),
            ("PARKING_GARAGE", "PARKING_GARAGE"),
            ("UNDERGROUND_GARAGE", "UNDERGROUND_GARAGE"),
            ("PARKING_LOT", "PARKING_LOT"),
            ("OTHER", None),
            ("UNKNOWN", None),
        ],
    )
    def test_parking_type_is_mapped_when_type_is(
        self, location_type: str, parking_type: str | None
    ) -> None:
        out = location_in(LOCATION_2_1_1 | {"type": location_type}, OWNER, TIME_ZONE)
        assert Location.model_validate(out).parking_type == parking_type

    def test_validates_when_official_2_1_1_regular_hours_example(self) -> None:
        """§4.19.1 gives regular_hours *and* twentyfourseven false: still one schedule."""
        doc = LOCATION_2_1_1 | {"opening_times": OPENING_TIMES_2_1_1}
        hours = Location.model_validate(location_in(doc, OWNER, TIME_ZONE)).opening_times
        assert hours is not None
        assert hours.twentyfourseven is False
        assert hours.regular_hours is not None
        assert [(h.weekday, h.period_begin, h.period_end) for h in hours.regular_hours] == [
            (day, "08:00", "20:00") for day in range(1, 6)
        ]
        assert hours.exceptional_openings is not None
        assert hours.exceptional_closings is not None

    @pytest.mark.parametrize("hours", [{"twentyfourseven": True}, {"regular_hours": []}])
    def test_is_open_24_7_when_twentyfourseven_or_no_regular_hours(self, hours: Doc) -> None:
        doc = LOCATION_2_1_1 | {"opening_times": hours}
        opening = Location.model_validate(location_in(doc, OWNER, TIME_ZONE)).opening_times
        assert opening is not None
        assert opening.twentyfourseven is True

    def test_accepts_24_00_as_the_end_of_a_day(self) -> None:
        """2.1.1's period regex [0-2][0-9]:[0-5][0-9] admits "24:00"; 2.2.1's does not."""
        hours = {"regular_hours": [{"weekday": 6, "period_begin": "00:00", "period_end": "24:00"}]}
        doc = LOCATION_2_1_1 | {"opening_times": hours}
        opening = Location.model_validate(location_in(doc, OWNER, TIME_ZONE)).opening_times
        assert opening is not None
        assert opening.regular_hours is not None
        assert opening.regular_hours[0].period_begin == "00:00"
        assert opening.regular_hours[0].period_end == "23:59"  # the last minute 2.2.1 names

    def test_environmental_impact_source_becomes_category(self) -> None:
        doc = LOCATION_2_1_1 | {"energy_mix": ENERGY_MIX_2_1_1}
        out = location_in(doc, OWNER, TIME_ZONE)
        assert (
            out["energy_mix"] == example("location_energymix_example_complete.json")["energy_mix"]
        )
        Location.model_validate(out)

    def test_drops_fields_2_2_1_lacks_and_leaves_its_input_unchanged(self) -> None:
        doc = copy.deepcopy(LOCATION_2_1_1) | {
            "opening_times": copy.deepcopy(OPENING_TIMES_2_1_1),
            "energy_mix": copy.deepcopy(ENERGY_MIX_2_1_1),
            "x_vendor": 1,
        }
        before = copy.deepcopy(doc)
        out = location_in(doc, OWNER, TIME_ZONE)
        assert "x_vendor" not in out
        assert doc == before

    def test_round_trip_is_identity_but_the_time_zone_when_official_2_1_1_example(self) -> None:
        back = location_out(location_in(LOCATION_2_1_1, OWNER, TIME_ZONE))
        assert back == LOCATION_2_1_1 | {"time_zone": TIME_ZONE}

    @pytest.mark.parametrize("name", LOCATION_FILES_2_2_1)
    def test_round_trip_keeps_what_both_versions_share(self, name: str) -> None:
        """Lost on the way: publish (2.1.1 Locations are public), publish_allowed_to, and
        parking types 2.1.1 calls OTHER."""
        doc = example(name)
        back = location_in(location_out(doc), (doc["country_code"], doc["party_id"]), TIME_ZONE)
        expected = copy.deepcopy(doc) | {"publish": True}
        expected.pop("publish_allowed_to", None)
        if expected.get("parking_type") in {"ALONG_MOTORWAY", "ON_DRIVEWAY"}:
            expected.pop("parking_type")
        assert Location.model_validate(back) == Location.model_validate(expected)

    def test_evse_validates_when_official_put_example_is_completed(self) -> None:
        """§2.2.3 "add an EVSE", given the fields its print lacks (see EVSE_PUT_2_1_1)."""
        doc = copy.deepcopy(EVSE_PUT_2_1_1)
        doc["physical_reference"] = "3"
        doc["last_updated"] = "2015-06-29T20:39:09Z"
        doc["connectors"][0] |= {
            "power_type": "AC_3_PHASE",
            "voltage": 220,
            "amperage": 16,
            "last_updated": "2015-06-29T20:39:09Z",
        }
        evse = EVSE.model_validate(evse_in(doc))
        assert evse.connectors[0].tariff_ids == ["14"]
        assert evse.capabilities == ["RESERVABLE"]
        assert "floor" not in evse_in(EVSE_PUT_2_1_1)

    def test_connector_validates_when_official_2_1_1_example(self) -> None:
        doc = LOCATION_2_1_1["evses"][0]["connectors"][0]
        connector = Connector.model_validate(connector_in(doc))
        assert (connector.max_voltage, connector.max_amperage) == (220, 16)
        assert connector.tariff_ids == ["11"]


class TestLocationPatch:
    @pytest.mark.parametrize(("patch", "name"), PATCHES_2_1_1, ids=PATCH_IDS)
    def test_patch_in_is_the_2_2_1_patch_when_official_2_1_1_example(
        self, patch: Doc, name: str
    ) -> None:
        expected = example(name)
        expected.pop("last_updated")
        assert patch_in(patch) == expected

    @pytest.mark.parametrize(("patch", "name"), PATCHES_2_1_1, ids=PATCH_IDS)
    def test_patch_out_is_the_2_1_1_patch_when_official_2_2_1_example(
        self, patch: Doc, name: str
    ) -> None:
        """CONFORMANCE 152: tariff_ids → tariff_id."""
        doc = example(name)
        assert patch_out(doc) == patch | {"last_updated": doc["last_updated"]}

    def test_patch_in_renames_connector_fields_and_leaves_others_alone(self) -> None:
        patch = {
            "voltage": 230,
            "amperage": 32,
            "tariff_id": "12",
            "format": "CABLE",
            "last_updated": "2015-06-29T20:39:09Z",
        }
        assert patch_in(patch) == {
            "max_voltage": 230,
            "max_amperage": 32,
            "tariff_ids": ["12"],
            "format": "CABLE",
            "last_updated": "2015-06-29T20:39:09Z",
        }

    def test_patch_in_converts_type_hours_and_energy_mix(self) -> None:
        patch = {
            "type": "PARKING_LOT",
            "opening_times": OPENING_TIMES_2_1_1,
            "energy_mix": ENERGY_MIX_2_1_1,
            "name": "Gent Zuid",
        }
        out = patch_in(patch)
        assert out["parking_type"] == "PARKING_LOT"
        assert "type" not in out
        assert out["opening_times"]["twentyfourseven"] is False
        assert (
            out["energy_mix"] == example("location_energymix_example_complete.json")["energy_mix"]
        )
        assert out["name"] == "Gent Zuid"

    def test_patch_out_renames_and_drops_2_2_only_fields(self) -> None:
        """CONFORMANCE 152, 157 and 373."""
        patch = {
            "country_code": "BE",
            "party_id": "BEC",
            "publish": False,
            "publish_allowed_to": [{"uid": "12345678905880", "type": "RFID"}],
            "state": "Oost-Vlaanderen",
            "parking_type": "ALONG_MOTORWAY",
            "max_voltage": 400,
            "max_amperage": 32,
            "max_electric_power": 22000,
            "tariff_ids": ["11", "12"],
            "power_type": "AC_2_PHASE",
            "name": "Gent Zuid",
            "last_updated": "2019-06-24T12:39:09Z",
        }
        assert patch_out(patch) == {
            "type": "OTHER",
            "voltage": 400,
            "amperage": 32,
            "tariff_id": "11",
            "power_type": "AC_1_PHASE",
            "name": "Gent Zuid",
            "last_updated": "2019-06-24T12:39:09Z",
        }

    def test_patch_out_converts_nested_objects(self) -> None:
        """CONFORMANCE 144, 148 and 373 hold in a PATCH as in a PUT."""
        location = example("location_example_parking_garage_opening_hours.json")
        patch = {
            "coordinates": {"latitude": "55.5903251", "longitude": "13.0083071"},
            "opening_times": location["opening_times"],
            "energy_mix": example("location_energymix_example_complete.json")["energy_mix"],
            "facilities": ["METRO_STATION", "WIFI"],
            "evses": location["evses"],
            "capabilities": ["RFID_READER", "CHIP_CARD_SUPPORT"],
            "connectors": [connector_2_2_1(), connector_2_2_1(id="2", standard="GBT_AC")],
        }
        out = patch_out(patch)
        assert_2_1_1_geo(out["coordinates"])
        assert_2_1_1_hours(out["opening_times"])
        assert out["energy_mix"] == ENERGY_MIX_2_1_1
        assert out["facilities"] == ["WIFI"]
        assert out["capabilities"] == ["RFID_READER"]
        for evse in out["evses"]:
            assert_2_1_1_evse(evse)
        assert [c["id"] for c in out["connectors"]] == ["1"]

    def test_patch_in_and_out_leave_their_input_unchanged(self) -> None:
        patch_2_1_1 = {
            "opening_times": copy.deepcopy(OPENING_TIMES_2_1_1),
            "energy_mix": copy.deepcopy(ENERGY_MIX_2_1_1),
            "evses": copy.deepcopy(LOCATION_2_1_1["evses"]),
            "type": "OTHER",
        }
        patch_2_2_1 = location_in(LOCATION_2_1_1, OWNER, TIME_ZONE) | {
            "energy_mix": example("location_energymix_example_complete.json")["energy_mix"],
            "coordinates": {"latitude": "55.5903251", "longitude": "13.0083071"},
        }
        before = copy.deepcopy((patch_2_1_1, patch_2_2_1))
        patch_in(patch_2_1_1)
        patch_out(patch_2_2_1)
        assert (patch_2_1_1, patch_2_2_1) == before

    def test_patch_out_sends_no_standard_2_1_1_lacks(self) -> None:
        """CONFORMANCE 373. Refusing to send (ValueError) would also do."""
        try:
            out = patch_out({"standard": "NEMA_5_20", "last_updated": "2019-06-24T12:39:09Z"})
        except ValueError:
            return
        assert out.get("standard") in CONNECTOR_TYPES_2_1_1 | {None}

    def test_patch_out_cuts_the_address_to_45_characters(self) -> None:
        address = "Boulevard du Souverain / Vorstlaan 280, Batiment C, entree 4"
        assert len(patch_out({"address": address})["address"]) <= ADDRESS_LENGTH_2_1_1

    def test_patch_out_writes_related_locations_with_6_decimals(self) -> None:
        """CONFORMANCE 144."""
        patch = {"related_locations": [{"latitude": "51.0475991", "longitude": "3.7299445"}]}
        for point in patch_out(patch)["related_locations"]:
            assert_2_1_1_geo(point)
