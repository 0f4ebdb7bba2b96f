"""Checks done inside pydantic-core rather than in Python, held to the rules they replace.

Coordinates (Locations §8.4.13; CONFORMANCE E.143) carry their WGS 84 range in the pattern, and
spec enums (CONFORMANCE A.47) are written to JSON natively: each must behave exactly as the
plain rule it stands for.
"""

import json
import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from evroam.model import Image, ImageCategory
from evroam.modules.locations import enums
from evroam.modules.locations.model import Connector, GeoLocation, Latitude, Longitude
from evroam.modules.tariffs.energy_mix import EnergySource, EnergySourceCategory
from evroam.protocol.types import OcpiEnum

LATITUDE, LONGITUDE = TypeAdapter(Latitude), TypeAdapter(Longitude)


def by_the_rule(text: str, integer_digits: int, limit: int) -> bool:
    """The spec's regex (Locations §8.4.13), then the WGS 84 range, read as a decimal."""
    pattern = rf"-?[0-9]{{1,{integer_digits}}}\.[0-9]{{5,7}}"
    return re.fullmatch(pattern, text) is not None and abs(Decimal(text)) <= limit


def accepted(adapter: TypeAdapter[str], text: str) -> bool:
    try:
        adapter.validate_python(text)
    except ValidationError:
        return False
    return True


# Candidates near every edge: integer parts of 0-4 digits (leading zeros too), 4-8 decimals,
# all-zero or not, signs, and the bounds themselves.
integer_parts = st.one_of(
    st.integers(0, 999).map(str),
    st.integers(0, 999).map(lambda n: f"{n:03d}"),
    st.sampled_from(["", "0", "00", "90", "89", "91", "179", "180", "181", "0180", "1000"]),
)
decimals = st.one_of(
    st.text(alphabet="0123456789", min_size=4, max_size=8),
    st.integers(4, 8).map(lambda n: "0" * n),
)
coordinates = st.builds(
    lambda sign, whole, fraction: f"{sign}{whole}.{fraction}",
    st.sampled_from(["", "-", "+"]),
    integer_parts,
    decimals,
)


class TestCoordinatePatterns:
    @given(coordinates)
    def test_latitude_accepted_exactly_when_the_rule_accepts(self, text: str) -> None:
        """CONFORMANCE E.143: `-?[0-9]{1,2}\\.[0-9]{5,7}` and |latitude| ≤ 90."""
        assert accepted(LATITUDE, text) == by_the_rule(text, 2, 90)

    @given(coordinates)
    def test_longitude_accepted_exactly_when_the_rule_accepts(self, text: str) -> None:
        """CONFORMANCE E.143: `-?[0-9]{1,3}\\.[0-9]{5,7}` and |longitude| ≤ 180."""
        assert accepted(LONGITUDE, text) == by_the_rule(text, 3, 180)

    @pytest.mark.parametrize(
        ("latitude", "longitude"),
        [("90.00000", "180.0000000"), ("-90.0000000", "-180.00000"), ("89.9999999", "179.9999999")],
    )
    def test_bounds_accepted(self, latitude: str, longitude: str) -> None:
        GeoLocation(latitude=latitude, longitude=longitude)

    @pytest.mark.parametrize(
        ("latitude", "longitude"),
        [("90.00001", "0.00000"), ("0.00000", "180.0000001"), ("-90.0000001", "-180.00001")],
    )
    def test_just_beyond_bounds_rejected(self, latitude: str, longitude: str) -> None:
        with pytest.raises(ValidationError):
            GeoLocation(latitude=latitude, longitude=longitude)


SPEC_ENUMS: tuple[type[OcpiEnum], ...] = (
    enums.Capability,
    enums.ConnectorFormat,
    enums.ConnectorType,
    enums.Facility,
    enums.ParkingRestriction,
    enums.ParkingType,
    enums.PowerType,
    enums.Status,
    ImageCategory,
    EnergySourceCategory,
)


class TestSpecEnums:
    @pytest.mark.parametrize("enum", SPEC_ENUMS)
    def test_every_member_written_as_its_value(self, enum: type[OcpiEnum]) -> None:
        adapter = TypeAdapter(list[enum])  # type: ignore[valid-type]
        members = list(enum)
        assert json.loads(adapter.dump_json(members)) == [m.value for m in members]
        assert adapter.dump_python(members, mode="json") == [m.value for m in members]
        assert all(type(v) is str for v in adapter.dump_python(members, mode="json"))

    def test_python_dump_keeps_members(self) -> None:
        image = Image(url="https://cpo.example/p.png", category="CHARGER", type="png")
        assert image.model_dump()["category"] is ImageCategory.CHARGER

    def test_validated_into_members_and_case_sensitive(self) -> None:
        """CONFORMANCE A.47."""
        source = EnergySource.model_validate_json('{"source": "SOLAR", "percentage": 10}')
        assert source.source is EnergySourceCategory.SOLAR
        with pytest.raises(ValidationError, match="source"):
            EnergySource.model_validate_json('{"source": "solar", "percentage": 10}')

    def test_json_schema_lists_the_values(self) -> None:
        schema = Connector.model_json_schema()["$defs"]["PowerType"]
        assert schema["enum"] == [m.value for m in enums.PowerType]
        assert schema["type"] == "string"
        assert schema["description"]
