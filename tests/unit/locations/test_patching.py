"""PATCH bodies validated field by field, then applied (DIGEST §1.7, §5.3; CONFORMANCE A, E)."""

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from evroam.modules.locations.enums import Status
from evroam.modules.locations.hours import Hours
from evroam.modules.locations.model import EVSE, Connector, Location
from evroam.modules.patching import apply_patch, validate_patch
from evroam.modules.tariffs.energy_mix import EnergyMix
from tests.unit.locations.official import LOCATION_FRAGMENTS, example

STAMP = datetime(2019, 6, 24, 12, 39, 9, tzinfo=UTC)


def official_location() -> Location:
    return Location.model_validate(example("location_example.json"))


def error_locs(exc: ValidationError) -> set[tuple[int | str, ...]]:
    return {tuple(e["loc"]) for e in exc.errors()}


class TestValidatePatch:
    def test_location_name_when_official_patch_example(self) -> None:
        patch = validate_patch(Location, example("location_patch_example_location.json"))
        assert patch == {"name": "Interparking Gent Zuid", "last_updated": STAMP}

    @pytest.mark.parametrize(
        ("name", "status"),
        [
            ("location_patch_example_status.json", Status.CHARGING),
            ("location_patch_example_remove_evse.json", Status.REMOVED),
        ],
    )
    def test_evse_status_when_official_patch_example(self, name: str, status: Status) -> None:
        assert validate_patch(EVSE, example(name)) == {"status": status, "last_updated": STAMP}

    def test_connector_tariffs_when_official_patch_example(self) -> None:
        patch = validate_patch(Connector, example("location_patch_example_tariff.json"))
        assert patch == {"tariff_ids": ["15"], "last_updated": STAMP}

    @pytest.mark.parametrize("name", LOCATION_FRAGMENTS)
    def test_round_trips_when_official_location_fragment(self, name: str) -> None:
        """Energy mix and opening-hours examples are one-field parts of a Location.

        Numbers are held as Decimal and written as JSON numbers with the same value: 35.9 and
        0.0006 come back as written; the integer 372 comes back as 372.0, because the shared
        `Number` serializer declares `return_type=float`. Equal as JSON numbers, so the parsed
        documents compare equal; only the text of integral amounts differs.
        """
        original = example(name)
        patch = validate_patch(Location, original)
        dumped = {
            field: value.model_dump(mode="json", exclude_none=True)
            for field, value in patch.items()
        }
        assert dumped == original

    def test_writes_same_number_values_when_energy_mix_dumped(self) -> None:
        patch = validate_patch(Location, example("location_energymix_example_complete.json"))
        text = patch["energy_mix"].model_dump_json(exclude_none=True)
        assert '"percentage":35.9' in text
        assert '"amount":0.0006' in text
        assert '"amount":372' in text  # written 372.0 today; equal as a JSON number

    def test_keeps_decimal_exactly_when_energy_mix_parsed(self) -> None:
        patch = validate_patch(Location, example("location_energymix_example_complete.json"))
        mix = patch["energy_mix"]
        assert isinstance(mix, EnergyMix)
        assert mix.environ_impact is not None
        assert mix.environ_impact[0].amount == Decimal("0.0006")

    def test_rejected_when_required_field_absent(self) -> None:
        """CONFORMANCE A.38: a Locations PATCH without last_updated is refused."""
        with pytest.raises(ValidationError) as caught:
            validate_patch(EVSE, {"status": "CHARGING"}, required=("last_updated",))
        assert [(e["type"], e["loc"]) for e in caught.value.errors()] == [
            ("missing", ("last_updated",))
        ]

    def test_accepted_when_required_field_present(self) -> None:
        data = example("location_patch_example_status.json")
        assert validate_patch(EVSE, data, required=("last_updated",))["last_updated"] == STAMP

    def test_drops_unknown_fields(self) -> None:
        assert validate_patch(EVSE, {"floor": -1, "status": "BLOCKED"}) == {
            "status": Status.BLOCKED
        }

    @pytest.mark.parametrize(
        ("model", "data", "loc"),
        [
            (EVSE, {"status": "charging"}, ("status",)),  # CONFORMANCE A.47
            (EVSE, {"status": None}, ("status",)),  # required fields cannot be nulled
            (EVSE, {"physical_reference": 3}, ("physical_reference",)),
            (EVSE, {"connectors": []}, ("connectors",)),  # CONFORMANCE E.150
            (Connector, {"tariff_ids": "15"}, ("tariff_ids",)),
            (Connector, {"tariff_ids": ["T" * 37]}, ("tariff_ids", 0)),  # CONFORMANCE A.49
            (Connector, {"max_voltage": "high"}, ("max_voltage",)),
            (Location, {"name": "N" * 256}, ("name",)),
            (
                Location,
                {"coordinates": {"latitude": "51.1", "longitude": "3.72994"}},
                ("coordinates", "latitude"),
            ),
            (Location, {"last_updated": "2019-06-24T12:39:09+02:00"}, ("last_updated",)),
            (Location, {"opening_times": {"twentyfourseven": False}}, ("opening_times",)),
        ],
    )
    def test_rejected_when_field_value_invalid(
        self, model: type[Location | EVSE | Connector], data: dict[str, Any], loc: tuple[Any, ...]
    ) -> None:
        with pytest.raises(ValidationError) as caught:
            validate_patch(model, data)
        assert error_locs(caught.value) == {loc}

    def test_reports_every_invalid_field_when_several(self) -> None:
        data = {"status": "available", "floor_level": "12345", "last_updated": "yesterday"}
        with pytest.raises(ValidationError) as caught:
            validate_patch(EVSE, data)
        assert error_locs(caught.value) == {("status",), ("floor_level",), ("last_updated",)}
        assert caught.value.title == "EVSE PATCH"

    def test_validates_nested_objects_whole(self) -> None:
        """A nested object in a PATCH replaces the old one, so it must be complete."""
        with pytest.raises(ValidationError) as caught:
            validate_patch(Location, {"opening_times": {"regular_hours": []}})
        assert error_locs(caught.value) == {("opening_times", "twentyfourseven")}
        hours = validate_patch(Location, {"opening_times": {"twentyfourseven": True}})
        assert hours == {"opening_times": Hours(twentyfourseven=True)}


class TestOfficialPutExample:
    """`location_put_example_add_evse.json` is not a valid EVSE: a known defect of the example."""

    def test_rejected_as_full_evse(self) -> None:
        with pytest.raises(ValidationError) as caught:
            EVSE.model_validate(example("location_put_example_add_evse.json"))
        assert error_locs(caught.value) == {
            ("connectors", 0, "power_type"),
            ("connectors", 0, "max_voltage"),
            ("connectors", 0, "max_amperage"),
            ("connectors", 0, "last_updated"),
            ("physical_reference",),  # a number, where string(16) is required
        }

    def test_accepted_when_its_defects_are_corrected(self) -> None:
        data = example("location_put_example_add_evse.json")
        data["physical_reference"] = "3"
        data["connectors"][0].update(
            power_type="AC_3_PHASE",
            max_voltage=230,
            max_amperage=16,
            last_updated="2019-06-24T12:39:09Z",
        )
        evse = EVSE.model_validate(data)
        assert (evse.uid, evse.evse_id, evse.connectors[0].tariff_ids) == (
            "3256",
            "BE*BEC*E041503003",
            ["14"],
        )


class TestApplyPatch:
    def test_changes_only_status_when_evse_status_patched(self) -> None:
        """CONFORMANCE E.127 (the object part; parent last_updated is the receiver's job)."""
        location = official_location()
        assert location.evses is not None
        before = location.evses[0]
        after = apply_patch(before, example("location_patch_example_status.json"))
        assert (after.status, after.last_updated) == (Status.CHARGING, STAMP)
        unchanged = {"status", "last_updated"}
        assert after.model_dump(exclude=unchanged) == before.model_dump(exclude=unchanged)

    def test_keeps_evses_when_location_name_patched(self) -> None:
        """CONFORMANCE E.129, A.39."""
        before = official_location()
        after = apply_patch(before, example("location_patch_example_location.json"))
        assert after.name == "Interparking Gent Zuid"
        assert after.evses == before.evses
        assert after.model_dump(exclude={"name", "last_updated"}) == before.model_dump(
            exclude={"name", "last_updated"}
        )

    def test_replaces_tariff_list_when_connector_patched(self) -> None:
        """CONFORMANCE E.130: the list is replaced, not merged."""
        location = official_location()
        assert location.evses is not None
        connector = location.evses[0].connectors[0]
        assert connector.tariff_ids == ["11"]
        after = apply_patch(connector, example("location_patch_example_tariff.json"))
        assert after.tariff_ids == ["15"]

    def test_keeps_removed_evse_when_status_removed(self) -> None:
        """CONFORMANCE E.131: REMOVED is a status, the EVSE stays."""
        location = official_location()
        assert location.evses is not None
        after = apply_patch(location.evses[1], example("location_patch_example_remove_evse.json"))
        assert (after.uid, after.status) == ("3257", Status.REMOVED)

    def test_rejected_when_result_breaks_a_rule_across_fields(self) -> None:
        """Each field is fine alone; together they break CONFORMANCE E.140."""
        published = official_location()
        patch = {
            "publish_allowed_to": [{"group_id": "STAFF"}],
            "last_updated": "2019-06-24T12:39:09Z",
        }
        assert validate_patch(Location, patch)["publish_allowed_to"][0].group_id == "STAFF"
        with pytest.raises(ValidationError, match="publish_allowed_to"):
            apply_patch(published, patch)

    def test_leaves_original_untouched(self) -> None:
        before = official_location()
        apply_patch(before, {"name": "Other", "last_updated": "2019-06-24T12:39:09Z"})
        assert before.name == "Gent Zuid"
