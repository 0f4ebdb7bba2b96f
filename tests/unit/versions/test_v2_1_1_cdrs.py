"""2.1.1 CDRs converters (versions/v2_1_1/cdrs.py) against the official examples of both
versions (2.1.1 mod_cdrs.md; 2.2.1 CDRs chapter 10; CONFORMANCE 213 and 373)."""

import copy
import re
from typing import Any

import pytest

from evroam.modules.cdrs.model import Cdr
from evroam.modules.tariffs.model import Tariff
from evroam.versions.v2_1_1.cdrs import cdr_in, cdr_out, location_from_cdr_location
from tests.examples import example

OWNER = ("BE", "BEC")

# OCPI 2.1.1-d2 mod_cdrs.md §3.1 "CDR Object", Example of a CDR. As printed, its tariff
# element has a trailing comma (not JSON) and its location's country is "BE" (the field is
# ISO 3166-1 alpha-3); latitude and longitude are swapped, as in the 2.2.1 example.
CDR_2_1_1: dict[str, Any] = {
    "id": "12345",
    "start_date_time": "2015-06-29T21:39:09Z",
    "stop_date_time": "2015-06-29T23:37:32Z",
    "auth_id": "DE8ACC12E46L89",
    "auth_method": "WHITELIST",
    "location": {
        "id": "LOC1",
        "type": "ON_STREET",
        "name": "Gent Zuid",
        "address": "F.Rooseveltlaan 3A",
        "city": "Gent",
        "postal_code": "9000",
        "country": "BE",
        "coordinates": {"latitude": "3.729944", "longitude": "51.047599"},
        "evses": [
            {
                "uid": "3256",
                "evse_id": "BE-BEC-E041503003",
                "status": "AVAILABLE",
                "connectors": [
                    {
                        "id": "1",
                        "standard": "IEC_62196_T2",
                        "format": "SOCKET",
                        "power_type": "AC_1_PHASE",
                        "voltage": 230,
                        "amperage": 64,
                        "tariff_id": "11",
                        "last_updated": "2015-06-29T21:39:01Z",
                    }
                ],
                "last_updated": "2015-06-29T21:39:01Z",
            }
        ],
        "last_updated": "2015-06-29T21:39:01Z",
    },
    "currency": "EUR",
    "tariffs": [
        {
            "id": "12",
            "currency": "EUR",
            "elements": [
                {"price_components": [{"type": "TIME", "price": "2.00", "step_size": 300}]}
            ],
            "last_updated": "2015-02-02T14:15:01Z",
        }
    ],
    "charging_periods": [
        {
            "start_date_time": "2015-06-29T21:39:09Z",
            "dimensions": [{"type": "TIME", "volume": 1.973}],
        }
    ],
    "total_cost": 4.00,
    "total_energy": 15.342,
    "total_time": 1.973,
    "last_updated": "2015-06-29T22:01:13Z",
}

CDR_FIELDS_2_1_1 = {
    "id",
    "start_date_time",
    "stop_date_time",
    "auth_id",
    "auth_method",
    "location",
    "meter_id",
    "currency",
    "tariffs",
    "charging_periods",
    "total_cost",
    "total_energy",
    "total_time",
    "total_parking_time",
    "remark",
    "last_updated",
}
CDR_REQUIRED_2_1_1 = CDR_FIELDS_2_1_1 - {
    "meter_id",
    "tariffs",
    "total_parking_time",
    "remark",
}
DIMENSIONS_2_1_1 = {"ENERGY", "FLAT", "MAX_CURRENT", "MIN_CURRENT", "PARKING_TIME", "TIME"}
SIX_DECIMALS = re.compile(r"-?[0-9]{1,3}\.[0-9]{6}")


def tariff_in(tariff: dict[str, Any]) -> dict[str, Any]:
    """A stand-in for the Tariffs converter: the owner added, nothing else."""
    return {"country_code": OWNER[0], "party_id": OWNER[1], **tariff}


def tariff_out(tariff: dict[str, Any]) -> dict[str, Any]:
    """A stand-in for the Tariffs converter: the 2.2-only fields this test meets dropped."""
    out = {k: v for k, v in tariff.items() if k not in {"country_code", "party_id"}}
    out["elements"] = [
        {
            "price_components": [
                {k: v for k, v in c.items() if k != "vat"} for c in e["price_components"]
            ]
        }
        for e in tariff["elements"]
    ]
    return out


def cdr_2_2_1() -> dict[str, Any]:
    data: dict[str, Any] = example("cdr_example.json")
    return data


def location_of(cdr: dict[str, Any]) -> dict[str, Any]:
    return location_from_cdr_location(cdr["cdr_location"], cdr["last_updated"])


def token_for(cdr_token: dict[str, Any]) -> dict[str, Any]:
    """A 2.2.1 Token behind a CdrToken, as the caller would find it by contract_id."""
    return cdr_token | {
        "issuer": "Test",
        "valid": True,
        "whitelist": "ALLOWED",
        "last_updated": "2015-06-29T22:39:09Z",
    }


class TestCdrIn:
    def test_validates_as_2_2_1_cdr_when_official_2_1_1_example(self) -> None:
        """CONFORMANCE 213: stop_date_time, auth_id, embedded location, numeric total_cost."""
        cdr = Cdr.model_validate(cdr_in(CDR_2_1_1, OWNER, None, tariff_in))
        assert (cdr.country_code, cdr.party_id) == OWNER
        assert cdr.end_date_time.isoformat() == "2015-06-29T23:37:32+00:00"
        assert cdr.cdr_token.contract_id == "DE8ACC12E46L89"
        assert float(cdr.total_cost.excl_vat) == 4.00
        assert cdr.total_cost.incl_vat is None
        assert cdr.tariffs == [Tariff.model_validate(tariff_in(CDR_2_1_1["tariffs"][0]))]

    def test_cdr_location_is_the_locations_first_evse_and_connector(self) -> None:
        out = cdr_in(
            CDR_2_1_1 | {"location": CDR_2_1_1["location"] | {"country": "BEL"}},
            OWNER,
            None,
            tariff_in,
        )
        assert out["cdr_location"] == {
            "id": "LOC1",
            "name": "Gent Zuid",
            "address": "F.Rooseveltlaan 3A",
            "city": "Gent",
            "postal_code": "9000",
            "country": "BEL",
            "coordinates": {"latitude": "3.729944", "longitude": "51.047599"},
            "evse_uid": "3256",
            "evse_id": "BE-BEC-E041503003",
            "connector_id": "1",
            "connector_standard": "IEC_62196_T2",
            "connector_format": "SOCKET",
            "connector_power_type": "AC_1_PHASE",
        }

    def test_country_is_not_available_when_not_alpha_3(self) -> None:
        out = cdr_in(CDR_2_1_1, OWNER, None, tariff_in)
        assert out["cdr_location"]["country"] == "#NA"

    def test_evse_id_is_the_uid_when_the_evse_has_none(self) -> None:
        doc = copy.deepcopy(CDR_2_1_1)
        del doc["location"]["evses"][0]["evse_id"]
        assert cdr_in(doc, OWNER, None, tariff_in)["cdr_location"]["evse_id"] == "3256"

    def test_cdr_token_is_the_known_tokens_when_found(self) -> None:
        token = example("token_example_2_full_rfid.json")
        out = cdr_in(CDR_2_1_1, OWNER, token, tariff_in)
        assert out["cdr_token"]["uid"] == "12345678905880"
        assert (out["cdr_token"]["country_code"], out["cdr_token"]["party_id"]) == ("DE", "TNM")

    def test_flat_dimensions_are_dropped_and_one_period_stays(self) -> None:
        flat_only = [
            {
                "start_date_time": "2015-06-29T21:39:09Z",
                "dimensions": [{"type": "FLAT", "volume": 1}],
            }
        ]
        out = cdr_in(CDR_2_1_1 | {"charging_periods": flat_only}, OWNER, None, tariff_in)
        assert out["charging_periods"] == [
            {
                "start_date_time": "2015-06-29T21:39:09Z",
                "dimensions": [{"type": "TIME", "volume": 0}],
            }
        ]
        Cdr.model_validate(out)

    def test_refused_when_the_location_names_no_connector(self) -> None:
        location = {k: v for k, v in CDR_2_1_1["location"].items() if k != "evses"}
        with pytest.raises(ValueError, match="names no EVSE and connector"):
            cdr_in(CDR_2_1_1 | {"location": location}, OWNER, None, tariff_in)

    def test_drops_unknown_fields_and_leaves_its_input_unchanged(self) -> None:
        doc = copy.deepcopy(CDR_2_1_1) | {"x_vendor": 1, "session_id": "S1"}
        before = copy.deepcopy(doc)
        out = cdr_in(doc, OWNER, None, tariff_in)
        assert "x_vendor" not in out
        assert "session_id" not in out
        assert doc == before

    def test_round_trip_keeps_what_both_versions_share(self) -> None:
        doc = copy.deepcopy(CDR_2_1_1)
        doc["location"]["country"] = "BEL"
        back = cdr_out(cdr_in(doc, OWNER, None, tariff_in), doc["location"], tariff_out)
        assert back == doc


class TestCdrOut:
    def test_has_exactly_the_2_1_1_fields_when_official_2_2_1_example(self) -> None:
        """CONFORMANCE 213 and 373: no cdr_token, cdr_location, Price, tariff_id…"""
        doc = cdr_2_2_1()
        out = cdr_out(doc, location_of(doc), tariff_out)
        assert CDR_REQUIRED_2_1_1 <= set(out) <= CDR_FIELDS_2_1_1
        assert out["stop_date_time"] == doc["end_date_time"]
        assert out["auth_id"] == doc["cdr_token"]["contract_id"]
        assert out["total_cost"] == doc["total_cost"]["excl_vat"]
        assert out["charging_periods"] == [
            {
                "start_date_time": "2015-06-29T21:39:09Z",
                "dimensions": [{"type": "TIME", "volume": 1.973}],
            }
        ]
        assert out["tariffs"] == [tariff_out(doc["tariffs"][0])]

    def test_drops_every_2_2_only_field(self) -> None:
        """CONFORMANCE 373."""
        doc = cdr_2_2_1() | {
            "session_id": "101",
            "authorization_reference": "REF",
            "total_fixed_cost": {"excl_vat": 1},
            "total_energy_cost": {"excl_vat": 1},
            "total_parking_cost": {"excl_vat": 1},
            "total_reservation_cost": {"excl_vat": 1},
            "invoice_reference_id": "INV",
            "credit": False,
            "home_charging_compensation": False,
            "total_parking_time": 0.5,
            "remark": "ok",
            "meter_id": "M1",
        }
        out = cdr_out(doc, location_of(doc), tariff_out)
        assert set(out) == CDR_FIELDS_2_1_1

    def test_maps_2_2_only_enum_values_and_dimensions(self) -> None:
        """CONFORMANCE 373: no COMMAND auth_method, no RESERVATION_TIME or MAX_POWER."""
        periods = [
            {
                "start_date_time": "2015-06-29T21:39:09Z",
                "dimensions": [{"type": "RESERVATION_TIME", "volume": 0.2}],
                "tariff_id": "12",
            },
            {
                "start_date_time": "2015-06-29T21:51:09Z",
                "dimensions": [
                    {"type": "ENERGY", "volume": 15.342},
                    {"type": "MAX_POWER", "volume": 11},
                ],
            },
        ]
        doc = cdr_2_2_1() | {"auth_method": "COMMAND", "charging_periods": periods}
        out = cdr_out(doc, location_of(doc), tariff_out)
        assert out["auth_method"] == "AUTH_REQUEST"
        assert out["charging_periods"] == [
            {
                "start_date_time": "2015-06-29T21:51:09Z",
                "dimensions": [{"type": "ENERGY", "volume": 15.342}],
            }
        ]

    def test_one_period_stays_when_none_is_expressible_in_2_1_1(self) -> None:
        periods = [
            {
                "start_date_time": "2015-06-29T21:39:09Z",
                "dimensions": [{"type": "RESERVATION_TIME", "volume": 1}],
            }
        ]
        doc = cdr_2_2_1() | {"charging_periods": periods}
        out = cdr_out(doc, location_of(doc), tariff_out)
        assert out["charging_periods"] == [
            {
                "start_date_time": "2015-06-29T21:39:09Z",
                "dimensions": [{"type": "TIME", "volume": 0}],
            }
        ]

    def test_leaves_its_inputs_unchanged(self) -> None:
        doc = cdr_2_2_1()
        location = location_of(doc)
        before = (copy.deepcopy(doc), copy.deepcopy(location))
        out = cdr_out(doc, location, tariff_out)
        out["location"]["id"] = "CHANGED"
        assert (doc, location) == before

    def test_round_trip_keeps_what_both_versions_share(self) -> None:
        doc = cdr_2_2_1()
        back = cdr_in(
            cdr_out(doc, location_of(doc), tariff_out),
            (doc["country_code"], doc["party_id"]),
            token_for(doc["cdr_token"]),
            lambda t: {"country_code": "BE", "party_id": "BEC", **t},
        )
        expected = copy.deepcopy(doc)
        del expected["total_time_cost"]
        expected["total_cost"].pop("incl_vat")
        expected["charging_periods"][0].pop("tariff_id")
        expected["tariffs"][0]["elements"][0]["price_components"][0].pop("vat")
        assert Cdr.model_validate(back) == Cdr.model_validate(expected)


class TestLocationFromCdrLocation:
    def test_is_a_2_1_1_location_of_one_evse_and_connector(self) -> None:
        doc = cdr_2_2_1()
        stamp = doc["last_updated"]
        assert location_of(doc) == {
            "id": "LOC1",
            "type": "UNKNOWN",
            "name": "Gent Zuid",
            "address": "F.Rooseveltlaan 3A",
            "city": "Gent",
            "postal_code": "9000",
            "country": "BEL",
            "coordinates": {"latitude": "3.729944", "longitude": "51.047599"},
            "evses": [
                {
                    "uid": "3256",
                    "evse_id": "BE*BEC*E041503003",
                    "status": "UNKNOWN",
                    "capabilities": [],
                    "connectors": [
                        {
                            "id": "1",
                            "standard": "IEC_62196_T2",
                            "format": "SOCKET",
                            "power_type": "AC_1_PHASE",
                            "voltage": 0,
                            "amperage": 0,
                            "last_updated": stamp,
                        }
                    ],
                    "last_updated": stamp,
                }
            ],
            "last_updated": stamp,
        }

    @pytest.mark.parametrize(
        ("latitude", "longitude"),
        [("51.04759", "3.7299"), ("51.0475991", "-3.7299441"), ("-9.000000", "180.0000000")],
    )
    def test_coordinates_have_exactly_six_decimals(self, latitude: str, longitude: str) -> None:
        place = cdr_2_2_1()["cdr_location"] | {
            "coordinates": {"latitude": latitude, "longitude": longitude}
        }
        coordinates = location_from_cdr_location(place, "2015-06-29T22:01:13Z")["coordinates"]
        assert all(SIX_DECIMALS.fullmatch(value) for value in coordinates.values())
        assert float(coordinates["latitude"]) == pytest.approx(float(latitude), abs=1e-6)

    def test_maps_or_leaves_out_what_2_1_1_cannot_name(self) -> None:
        """CONFORMANCE 373: no AC_2_PHASE, no GB/T or NEMA standard, as in locations.py."""
        place = cdr_2_2_1()["cdr_location"]
        two_phase = location_from_cdr_location(place | {"connector_power_type": "AC_2_PHASE"}, "x")
        assert two_phase["evses"][0]["connectors"][0]["power_type"] == "AC_1_PHASE"
        nema = location_from_cdr_location(place | {"connector_standard": "NEMA_14_50"}, "x")
        assert nema["evses"] == []

    def test_postal_code_is_empty_when_the_cdr_location_has_none(self) -> None:
        place = {
            k: v for k, v in cdr_2_2_1()["cdr_location"].items() if k not in {"postal_code", "name"}
        }
        location = location_from_cdr_location(place | {"state": "Oost-Vlaanderen"}, "x")
        assert location["postal_code"] == ""
        assert "name" not in location
        assert "state" not in location
        doc = cdr_2_2_1() | {"cdr_location": place}
        back = cdr_in(cdr_out(doc, location, tariff_out), OWNER, None, tariff_in)
        assert back["cdr_location"] == place
