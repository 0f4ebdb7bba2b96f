"""Location, EVSE and Connector models against the spec (Locations §8.3–8.4; CONFORMANCE A, E)."""

import copy
import json
from enum import StrEnum
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from evroam.model import ImageCategory
from evroam.modules.locations import enums
from evroam.modules.locations.model import EVSE, Connector, GeoLocation, Location
from evroam.modules.tariffs.energy_mix import EnergySourceCategory, EnvironmentalImpactCategory
from tests.unit.locations.official import (
    FULL_LOCATIONS,
    HOURS,
    LOCATION_FRAGMENTS,
    example,
    example_text,
    examples_dir,
)

PATCHES = (
    "location_patch_example_location.json",
    "location_patch_example_remove_evse.json",
    "location_patch_example_status.json",
    "location_patch_example_tariff.json",
)
PUTS = ("location_put_example_add_evse.json",)


def rich_location() -> dict[str, Any]:
    """The official public example plus one value in every optional enum-typed field."""
    data: dict[str, Any] = example("location_example.json")
    data["facilities"] = ["CAFE"]
    data["images"] = [{"url": "https://cpo.example/p.png", "category": "CHARGER", "type": "png"}]
    data["energy_mix"] = example("location_energymix_example_complete.json")["energy_mix"]
    evse = data["evses"][0]
    evse["parking_restrictions"] = ["EV_ONLY"]
    evse["status_schedule"] = [{"period_begin": "2015-07-01T00:00:00Z", "status": "PLANNED"}]
    return data


def unpublished_location() -> dict[str, Any]:
    data: dict[str, Any] = example("location_example_uc4_limited_visibility.json")
    return data


def at(data: Any, path: str) -> tuple[Any, Any]:
    """The container holding the last key of a dotted path (`evses.0.status`), and that key."""
    *parents, last = path.split(".")
    for part in parents:
        data = data[int(part)] if part.isdigit() else data[part]
    return data, int(last) if last.isdigit() else last


def with_value(data: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(data)
    container, key = at(changed, path)
    container[key] = value
    return changed


def without(data: dict[str, Any], path: str) -> dict[str, Any]:
    changed = copy.deepcopy(data)
    container, key = at(changed, path)
    del container[key]
    return changed


def none_paths(value: Any, path: str = "") -> list[str]:
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in none_paths(v, f"{path}.{k}")]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in none_paths(v, f"{path}.{i}")]
    return [path] if value is None else []


def dump(location: Location) -> dict[str, Any]:
    result: dict[str, Any] = location.model_dump(mode="json", exclude_none=True)
    return result


class TestOfficialExamples:
    def test_every_location_example_file_is_classified(self) -> None:
        """A new official example must be added to one of the fixture groups."""
        files = {p.name for p in Path(examples_dir()).glob("location_*.json")}
        assert files == {*FULL_LOCATIONS, *LOCATION_FRAGMENTS, *HOURS, *PATCHES, *PUTS}

    @pytest.mark.parametrize("name", FULL_LOCATIONS)
    def test_round_trips_when_full_official_location(self, name: str) -> None:
        """Parse → dump gives the original JSON back: nothing lost, nothing invented.

        These files hold only integers and strings, so the comparison is exact; Decimal numbers
        (energy mix) round-trip as equal JSON numbers (see test_patching).
        """
        location = Location.model_validate_json(example_text(name))
        assert dump(location) == example(name)

    def test_keeps_every_evse_and_connector_when_parsed(self) -> None:
        location = Location.model_validate_json(example_text("location_example.json"))
        assert location.evses is not None
        assert [e.uid for e in location.evses] == ["3256", "3257"]
        assert [c.tariff_ids for c in location.evses[0].connectors] == [["11"], ["13"]]
        assert location.evses[1].status is enums.Status.RESERVED


class TestOutput:
    def test_writes_no_null_when_optional_fields_absent(self) -> None:
        data = example("location_example_uc5_home_charge_point.json")
        assert none_paths(dump(Location.model_validate(data))) == []

    def test_invents_no_default_when_charging_when_closed_absent(self) -> None:
        """Default true is applied when read (CONFORMANCE E.153), not written out."""
        location = Location.model_validate(example("location_example.json"))
        assert "charging_when_closed" not in dump(location)
        assert location.charges_when_closed() is True

    def test_charging_stops_when_charging_when_closed_false(self) -> None:
        data = with_value(example("location_example.json"), "charging_when_closed", False)
        location = Location.model_validate(data)
        assert location.charges_when_closed() is False
        assert dump(location)["charging_when_closed"] is False

    def test_writes_numbers_as_numbers_and_coordinates_as_strings(self) -> None:
        """CONFORMANCE A.54 and E.143."""
        written = json.loads(Location.model_validate(rich_location()).model_dump_json())
        assert written["coordinates"] == {"latitude": "51.047599", "longitude": "3.729944"}
        percentages = [s["percentage"] for s in written["energy_mix"]["energy_sources"]]
        assert percentages == [35.9, 6.3, 33.2, 2.9, 21.7]
        assert written["evses"][0]["connectors"][0]["max_voltage"] == 220


class TestUnknownFields:
    def test_ignored_when_present_at_every_level(self) -> None:
        data = example("location_example.json")
        extended = with_value(data, "x_vendor", {"anything": [1, 2]})
        extended = with_value(extended, "evses.0.x_evse", "ignored")
        extended = with_value(extended, "evses.0.connectors.0.x_connector", 3)
        extended = with_value(extended, "coordinates.x_accuracy", "1m")
        assert dump(Location.model_validate(extended)) == data


class TestEnums:
    ENUMS: tuple[type[StrEnum], ...] = (
        enums.Capability,
        enums.ConnectorFormat,
        enums.ConnectorType,
        enums.Facility,
        enums.ParkingRestriction,
        enums.ParkingType,
        enums.PowerType,
        enums.Status,
        enums.TokenType,
    )

    @pytest.mark.parametrize("enum", ENUMS)
    def test_member_names_equal_spec_values(self, enum: type[StrEnum]) -> None:
        assert all(member.name == member.value for member in enum)

    @pytest.mark.parametrize(
        ("enum", "count"),
        [
            (enums.Capability, 13),
            (enums.ConnectorFormat, 2),
            (enums.ConnectorType, 40),
            (enums.Facility, 20),
            (enums.ParkingRestriction, 5),
            (enums.ParkingType, 6),
            (enums.PowerType, 5),
            (enums.Status, 9),
            (enums.TokenType, 4),
        ],
    )
    def test_has_every_spec_value(self, enum: type[StrEnum], count: int) -> None:
        """Counts from the 2.2.1 enum tables (Locations §8.4, Tokens §12.4.4)."""
        assert len(enum) == count

    @pytest.mark.parametrize(
        ("path", "value"),
        [
            ("parking_type", "ON_STREET"),
            ("facilities.0", "CAFE"),
            ("images.0.category", "CHARGER"),
            ("energy_mix.energy_sources.0.source", "GENERAL_GREEN"),
            ("energy_mix.environ_impact.0.category", "NUCLEAR_WASTE"),
            ("evses.0.status", "AVAILABLE"),
            ("evses.0.capabilities.0", "RESERVABLE"),
            ("evses.0.parking_restrictions.0", "EV_ONLY"),
            ("evses.0.status_schedule.0.status", "PLANNED"),
            ("evses.0.connectors.0.standard", "IEC_62196_T2"),
            ("evses.0.connectors.0.format", "CABLE"),
            ("evses.0.connectors.0.power_type", "AC_3_PHASE"),
        ],
    )
    def test_rejected_when_value_lower_cased(self, path: str, value: str) -> None:
        """CONFORMANCE A.47: enums are case-sensitive (the exact value is accepted)."""
        Location.model_validate(with_value(rich_location(), path, value))
        with pytest.raises(ValidationError) as caught:
            Location.model_validate(with_value(rich_location(), path, value.lower()))
        assert [".".join(map(str, e["loc"])) for e in caught.value.errors()] == [path]

    def test_token_type_rejected_when_lower_cased(self) -> None:
        """CONFORMANCE A.47 on PublishTokenType.type."""
        data = with_value(unpublished_location(), "publish_allowed_to.2.type", "rfid")
        with pytest.raises(ValidationError, match=r"publish_allowed_to\.2\.type"):
            Location.model_validate(data)

    def test_iec_60309_rejected_when_upper_cased(self) -> None:
        """The spec spells `IEC_60309_2_single_16` with lower-case words; that exact value only."""
        path = "evses.0.connectors.0.standard"
        Location.model_validate(with_value(rich_location(), path, "IEC_60309_2_single_16"))
        with pytest.raises(ValidationError, match="standard"):
            Location.model_validate(with_value(rich_location(), path, "IEC_60309_2_SINGLE_16"))

    def test_shared_enums_are_the_spec_values(self) -> None:
        assert {c.value for c in EnergySourceCategory} >= {"GENERAL_GREEN", "NUCLEAR", "WATER"}
        assert {c.value for c in EnvironmentalImpactCategory} == {"NUCLEAR_WASTE", "CARBON_DIOXIDE"}
        assert "OWNER" in {c.value for c in ImageCategory}


class TestLengths:
    @pytest.mark.parametrize(
        ("path", "limit"),
        [
            ("country_code", 2),
            ("party_id", 3),
            ("id", 36),
            ("name", 255),
            ("address", 255),
            ("city", 45),
            ("postal_code", 10),
            ("state", 45),
            ("country", 3),
            ("time_zone", 255),
            ("evses.0.uid", 36),
            ("evses.0.evse_id", 48),
            ("evses.0.floor_level", 4),
            ("evses.0.physical_reference", 16),
            ("evses.0.connectors.0.id", 36),
            ("evses.0.connectors.0.tariff_ids.0", 36),
            ("operator.name", 100),
        ],
    )
    def test_rejected_when_one_character_too_long(self, path: str, limit: int) -> None:
        """CONFORMANCE A.49 (and E.146: address 255 and state 45 per the 2.2.1 erratum)."""
        Location.model_validate(with_value(rich_location(), path, "A" * limit))
        with pytest.raises(ValidationError) as caught:
            Location.model_validate(with_value(rich_location(), path, "A" * (limit + 1)))
        assert caught.value.errors()[0]["type"] == "string_too_long"

    @pytest.mark.parametrize(("path", "length"), [("country_code", 1), ("party_id", 2)])
    def test_rejected_when_party_code_too_short(self, path: str, length: int) -> None:
        with pytest.raises(ValidationError, match=path):
            Location.model_validate(with_value(rich_location(), path, "N" * length))


class TestStrings:
    @pytest.mark.parametrize(
        "path", ["address", "city", "country", "time_zone", "id", "evses.0.uid"]
    )
    def test_accepted_when_required_string_is_na(self, path: str) -> None:
        """CONFORMANCE A.52 / DIGEST §1.9: `#NA` when a required value is truly unknown."""
        location = Location.model_validate(with_value(rich_location(), path, "#NA"))
        container, key = at(dump(location), path)
        assert container[key] == "#NA"

    @pytest.mark.parametrize("path", ["name", "address", "evses.0.connectors.0.id"])
    def test_rejected_when_control_character(self, path: str) -> None:
        """CONFORMANCE A.50: no CR, LF or TAB in strings."""
        with pytest.raises(ValidationError, match="pattern"):
            Location.model_validate(with_value(rich_location(), path, "two\nlines"))

    def test_ci_string_rejected_when_not_ascii(self) -> None:
        with pytest.raises(ValidationError, match="id"):
            Location.model_validate(with_value(rich_location(), "id", "LOC€"))

    def test_string_accepted_when_utf8(self) -> None:
        location = Location.model_validate(example("location_example_uc5_home_charge_point.json"))
        assert (location.address, location.city) == ("Krautwigstraße 283A", "Köln")

    def test_rejected_when_number_where_string_expected(self) -> None:
        """The official add-EVSE PUT example sends physical_reference as a number."""
        with pytest.raises(ValidationError, match="physical_reference"):
            Location.model_validate(with_value(rich_location(), "evses.0.physical_reference", 3))


class TestCoordinates:
    @pytest.mark.parametrize(
        ("latitude", "longitude"),
        [
            ("51.04759", "3.72994"),  # 5 decimals, the minimum
            ("51.0475991", "3.7299441"),  # 7 decimals, the maximum
            ("-33.8688197", "151.2092955"),  # longer than string(10)/(11), allowed by the regex
            ("0.00000", "-179.99999"),
            ("-90.000000", "180.000000"),
        ],
    )
    def test_accepted_when_matching_spec_regex(self, latitude: str, longitude: str) -> None:
        """CONFORMANCE E.143: `-?[0-9]{1,2}\\.[0-9]{5,7}` / `-?[0-9]{1,3}\\.[0-9]{5,7}`."""
        point = GeoLocation(latitude=latitude, longitude=longitude)
        assert point.model_dump() == {"latitude": latitude, "longitude": longitude}

    @pytest.mark.parametrize(
        "latitude",
        [
            "51.0475",  # 4 decimals
            "51.04759912",  # 8 decimals
            "51,047599",  # comma separator
            "151.047599",  # 3 integer digits
            "+51.047599",  # explicit plus sign
            "51.047599 ",
            "51",
            "91.000000",  # outside WGS 84
            "-90.000001",
        ],
    )
    def test_latitude_rejected_when_not_matching(self, latitude: str) -> None:
        with pytest.raises(ValidationError, match="latitude"):
            GeoLocation(latitude=latitude, longitude="3.729944")

    @pytest.mark.parametrize("longitude", ["3.7299", "1234.729944", "180.000001", "3.72994401"])
    def test_longitude_rejected_when_not_matching(self, longitude: str) -> None:
        with pytest.raises(ValidationError, match="longitude"):
            GeoLocation(latitude="51.047599", longitude=longitude)

    def test_rejected_when_json_number(self) -> None:
        """Coordinates are strings (CONFORMANCE A.54 exception), never JSON numbers."""
        data = with_value(rich_location(), "coordinates.latitude", 51.047599)
        with pytest.raises(ValidationError, match="latitude"):
            Location.model_validate(data)

    def test_checked_when_on_evse_and_related_location(self) -> None:
        data = with_value(
            rich_location(), "evses.0.coordinates", {"latitude": "1.1", "longitude": "2"}
        )
        with pytest.raises(ValidationError, match=r"evses\.0\.coordinates\.latitude"):
            Location.model_validate(data)
        related = [
            {"latitude": "51.047599", "longitude": "3.7", "name": {"language": "en", "text": "P"}}
        ]
        with pytest.raises(ValidationError, match=r"related_locations\.0\.longitude"):
            Location.model_validate(with_value(rich_location(), "related_locations", related))


class TestRequiredFields:
    @pytest.mark.parametrize(
        "path",
        [
            "country_code",
            "party_id",
            "id",
            "publish",  # CONFORMANCE E.138
            "address",
            "city",
            "country",
            "coordinates",
            "time_zone",  # CONFORMANCE E.139
            "last_updated",
            "evses.0.uid",
            "evses.0.status",
            "evses.0.connectors",
            "evses.0.last_updated",
            "evses.0.connectors.0.id",
            "evses.0.connectors.0.standard",
            "evses.0.connectors.0.format",
            "evses.0.connectors.0.power_type",
            "evses.0.connectors.0.max_voltage",
            "evses.0.connectors.0.max_amperage",
            "evses.0.connectors.0.last_updated",
        ],
    )
    def test_rejected_when_missing(self, path: str) -> None:
        """CONFORMANCE E.115 lists the Location's required fields; EVSE and Connector likewise."""
        with pytest.raises(ValidationError) as caught:
            Location.model_validate(without(rich_location(), path))
        assert caught.value.errors()[0]["loc"] == tuple(
            int(p) if p.isdigit() else p for p in path.split(".")
        )

    def test_optional_fields_may_be_null(self) -> None:
        """`?` and `*` fields may be omitted or null (DIGEST §0 notation)."""
        data = with_value(rich_location(), "name", None)
        data = with_value(data, "evses.0.capabilities", None)
        location = Location.model_validate(data)
        assert location.name is None
        assert "name" not in dump(location)

    def test_evse_rejected_when_no_connector(self) -> None:
        """CONFORMANCE E.150: connectors is `+`."""
        with pytest.raises(ValidationError, match="connectors"):
            Location.model_validate(with_value(rich_location(), "evses.0.connectors", []))

    def test_connector_rejected_when_2_1_1_shape(self) -> None:
        """CONFORMANCE E.151: 2.2.1 has max_voltage/max_amperage/tariff_ids, not voltage/…"""
        old = {
            "id": "1",
            "standard": "IEC_62196_T2",
            "format": "SOCKET",
            "power_type": "AC_3_PHASE",
            "voltage": 230,
            "amperage": 16,
            "tariff_id": "11",
            "last_updated": "2015-03-16T10:10:02Z",
        }
        with pytest.raises(ValidationError) as caught:
            Connector.model_validate(old)
        assert {e["loc"] for e in caught.value.errors()} == {("max_voltage",), ("max_amperage",)}


class TestPublication:
    def test_rejected_when_publish_allowed_to_on_published_location(self) -> None:
        """CONFORMANCE E.140: publish_allowed_to only when publish is false."""
        data = with_value(unpublished_location(), "publish", True)
        with pytest.raises(ValidationError, match="publish_allowed_to"):
            Location.model_validate(data)

    def test_accepted_when_published_with_empty_allow_list(self) -> None:
        data = with_value(unpublished_location(), "publish", True)
        location = Location.model_validate(with_value(data, "publish_allowed_to", []))
        assert location.publish_allowed_to == []

    @pytest.mark.parametrize(
        ("token", "problem"),
        [
            ({"type": "RFID", "issuer": "ANWB"}, "at least one of uid"),  # CONFORMANCE E.142
            ({"uid": "12345678905880"}, "type SHALL be set"),
            ({"visual_number": "12345-67"}, "issuer SHALL be set"),
        ],
    )
    def test_token_rejected_when_incomplete(self, token: dict[str, str], problem: str) -> None:
        """CONFORMANCE E.141/E.142: PublishTokenType identification rules."""
        data = with_value(unpublished_location(), "publish_allowed_to", [token])
        with pytest.raises(ValidationError, match=problem):
            Location.model_validate(data)

    def test_token_accepted_when_group_only(self) -> None:
        data = with_value(unpublished_location(), "publish_allowed_to", [{"group_id": "DEPOT1"}])
        location = Location.model_validate(data)
        assert location.publish_allowed_to is not None
        assert location.publish_allowed_to[0].group_id == "DEPOT1"


class TestEvse:
    def test_status_removed_when_retired(self) -> None:
        """CONFORMANCE E.122/E.131: an EVSE is retired with REMOVED and may drop evse_id."""
        data = example("location_example.json")["evses"][0]
        data["status"] = "REMOVED"
        del data["evse_id"]
        evse = EVSE.model_validate(data)
        assert (evse.status, evse.evse_id) == (enums.Status.REMOVED, None)


class TestCountries:
    """CONFORMANCE 145: `country` is ISO 3166-1 alpha-3, `country_code` two letters."""

    @pytest.mark.parametrize("country", ["NLD", "BEL", "nld", "#NA"])
    def test_alpha3_country_is_accepted_145(self, country: str) -> None:
        Location.model_validate(with_value(rich_location(), "country", country))

    @pytest.mark.parametrize("country", ["NL", "N1D", "NLDD", ""])
    def test_other_country_is_rejected_145(self, country: str) -> None:
        with pytest.raises(ValidationError, match="country"):
            Location.model_validate(with_value(rich_location(), "country", country))

    @pytest.mark.parametrize("country_code", ["NLD", "N"])
    def test_country_code_of_other_than_two_is_rejected_145(self, country_code: str) -> None:
        with pytest.raises(ValidationError, match="country_code"):
            Location.model_validate(with_value(rich_location(), "country_code", country_code))
