"""OCPI DateTime parsing and formatting (DIGEST §1.10; CONFORMANCE A.16, A.42–A.44)."""

import json
import re
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from evroam.protocol.timestamps import OcpiDateTime, format_datetime, parse_datetime, utc_now

PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")


class Stamped(BaseModel):
    at: OcpiDateTime


class TestParseDatetime:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("2015-06-29T20:39:09Z", datetime(2015, 6, 29, 20, 39, 9, tzinfo=UTC)),
            ("2015-06-29T20:39:09", datetime(2015, 6, 29, 20, 39, 9, tzinfo=UTC)),
            ("2016-12-29T17:45:09.2Z", datetime(2016, 12, 29, 17, 45, 9, 200000, tzinfo=UTC)),
            ("2018-01-01T01:08:01.123", datetime(2018, 1, 1, 1, 8, 1, 123000, tzinfo=UTC)),
        ],
    )
    def test_accepts_every_form_the_spec_allows(self, text: str, expected: datetime) -> None:
        """CONFORMANCE A.43."""
        assert parse_datetime(text) == expected

    @pytest.mark.parametrize(
        "text",
        [
            "2015-06-29T20:39:09+02:00",
            "2015-06-29T20:39:09+00:00",
            "2015-06-29",
            "yesterday",
            "",
            "2015-06-29T20:39:09Z\n",
        ],
    )
    def test_rejects_offsets_and_other_forms(self, text: str) -> None:
        """CONFORMANCE A.44: a non-Z offset is refused."""
        with pytest.raises(ValueError, match="UTC"):
            parse_datetime(text)

    def test_rejects_impossible_dates(self) -> None:
        with pytest.raises(ValueError, match="day is out of range"):
            parse_datetime("2015-02-30T00:00:00Z")

    def test_model_field_rejects_offset_with_validation_error(self) -> None:
        with pytest.raises(ValidationError):
            Stamped.model_validate({"at": "2015-06-29T20:39:09+02:00"})


class TestFormatDatetime:
    def test_always_utc_with_z_when_given_other_zone(self) -> None:
        """CONFORMANCE A.42: never +00:00, always Z."""
        cest = timezone(timedelta(hours=2))
        assert (
            format_datetime(datetime(2015, 6, 29, 22, 39, 9, tzinfo=cest)) == "2015-06-29T20:39:09Z"
        )

    def test_milliseconds_only_when_present(self) -> None:
        assert format_datetime(datetime(2015, 6, 29, 20, 39, 9, 123456, tzinfo=UTC)) == (
            "2015-06-29T20:39:09.123Z"
        )

    def test_naive_values_are_taken_as_utc(self) -> None:
        assert format_datetime(datetime(2015, 6, 29, 20, 39, 9)) == "2015-06-29T20:39:09Z"

    def test_now_matches_the_wire_pattern(self) -> None:
        """CONFORMANCE A.16, and at most 25 characters (string(25))."""
        text = format_datetime(utc_now())
        assert PATTERN.match(text)
        assert len(text) <= 25

    def test_model_dumps_wire_form_in_json_mode(self) -> None:
        stamped = Stamped.model_validate({"at": "2016-12-29T17:45:09.2"})
        assert stamped.model_dump(mode="json") == {"at": "2016-12-29T17:45:09.200Z"}

    @given(
        st.datetimes(
            min_value=datetime(1970, 1, 1), max_value=datetime(9999, 1, 1), timezones=st.just(UTC)
        )
    )
    def test_format_then_parse_is_identity_at_millisecond_precision(self, moment: datetime) -> None:
        truncated = moment.replace(microsecond=moment.microsecond // 1000 * 1000)
        assert parse_datetime(format_datetime(moment)) == truncated


class TestDateTimeField:
    """The field type: its native way (canonical `Z` form) and its Python way agree exactly."""

    @pytest.mark.parametrize(
        "text",
        [
            "2015-06-29T20:39:09Z",
            "2016-12-29T17:45:09.2Z",
            "2016-12-29T17:45:09.25Z",
            "2018-01-01T01:08:01.123Z",
            "2015-06-29T20:39:09",
            "2018-01-01T01:08:01.123",
            "2018-01-01T01:08:01.123456789Z",
            "2015-06-29t20:39:09z",
            "2024-02-29T23:59:59.999Z",
        ],
    )
    def test_json_and_python_input_equal_parse_datetime(self, text: str) -> None:
        """CONFORMANCE A.43: every allowed form, whichever way it is validated."""
        expected = parse_datetime(text)
        from_json = Stamped.model_validate_json(f'{{"at": "{text}"}}').at
        from_python = Stamped.model_validate({"at": text}).at
        assert from_json == from_python == expected
        assert from_json.utcoffset() == timedelta(0)
        assert from_json.microsecond % 1000 == 0

    @pytest.mark.parametrize(
        "value",
        [
            "2015-06-29T20:39:09+02:00",
            "2015-06-29T20:39:09+00:00",
            "2015-02-30T00:00:00Z",
            "2015-06-29T24:00:00Z",
            "2015-06-29T20:39:60Z",
            "0000-01-01T00:00:00Z",
            "2015-06-29 20:39:09Z",
            "2015-06-29T20:39:09.Z",
            "2015-06-29T20:39:09Z\n",
            "２０１５-06-29T20:39:09Z",
            1435610349,
            1435610349.5,
            None,
        ],
    )
    def test_rejected_when_not_an_ocpi_datetime(self, value: object) -> None:
        """CONFORMANCE A.44 (offsets), and a DateTime is a string (Types §16.2), never a
        number."""
        with pytest.raises(ValidationError) as caught:
            Stamped.model_validate_json(json.dumps({"at": value}))
        assert [e["type"] for e in caught.value.errors()] == ["value_error"]
        with pytest.raises(ValidationError):
            Stamped.model_validate({"at": value})

    def test_error_names_the_form_once(self) -> None:
        with pytest.raises(ValidationError) as caught:
            Stamped.model_validate_json('{"at": "2015-06-29T20:39:09+02:00"}')
        (error,) = caught.value.errors()
        assert error["loc"] == ("at",)
        assert "2015-06-29T20:39:09Z" in error["msg"]

    def test_datetime_values_normalised_to_utc_milliseconds(self) -> None:
        cest = timezone(timedelta(hours=2))
        stamped = Stamped(at=datetime(2015, 6, 29, 22, 39, 9, 123456, tzinfo=cest))
        assert stamped.at == datetime(2015, 6, 29, 20, 39, 9, 123000, tzinfo=UTC)
        assert Stamped(at=datetime(2015, 6, 29, 20, 39, 9)).at.tzinfo is UTC

    @pytest.mark.parametrize(
        ("text", "written"),
        [
            ("2015-06-29T20:39:09Z", "2015-06-29T20:39:09Z"),
            ("2015-06-29T20:39:09.000Z", "2015-06-29T20:39:09Z"),
            ("2016-12-29T17:45:09.2Z", "2016-12-29T17:45:09.200Z"),
            ("2018-01-01T01:08:01.1239", "2018-01-01T01:08:01.123Z"),
            ("0999-01-01T00:00:00Z", "0999-01-01T00:00:00Z"),
        ],
    )
    def test_written_in_the_wire_form(self, text: str, written: str) -> None:
        """CONFORMANCE A.42 and string(25): Z, milliseconds only when present, four-digit year."""
        stamped = Stamped.model_validate_json(f'{{"at": "{text}"}}')
        assert json.loads(stamped.model_dump_json()) == {"at": written}
        assert stamped.model_dump(mode="json") == {"at": written}
        assert PATTERN.match(written)
        assert len(written) <= 25

    def test_json_schema_is_a_date_time_string(self) -> None:
        schema = Stamped.model_json_schema()["properties"]["at"]
        assert (schema["type"], schema["format"]) == ("string", "date-time")
