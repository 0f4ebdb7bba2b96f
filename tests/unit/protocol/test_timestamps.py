"""OCPI DateTime parsing and formatting (DIGEST §1.10; CONFORMANCE A.16, A.42–A.44)."""

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
