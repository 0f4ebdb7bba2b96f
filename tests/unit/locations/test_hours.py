"""Opening hours: Hours, RegularHours, ExceptionalPeriod (Locations §8.4.11, 8.4.14, 8.4.21)."""

import json
from typing import Any

import pytest
from pydantic import ValidationError

from evroam.modules.locations.hours import ExceptionalPeriod, Hours, RegularHours
from tests.unit.locations.official import HOURS, example, example_text


def _regular(begin: str, end: str, weekday: int = 1) -> dict[str, Any]:
    return {"weekday": weekday, "period_begin": begin, "period_end": end}


class TestHours:
    @pytest.mark.parametrize("name", HOURS)
    def test_round_trips_when_official_example(self, name: str) -> None:
        hours = Hours.model_validate_json(example_text(name))
        assert hours.model_dump(mode="json", exclude_none=True) == example(name)

    def test_rejected_when_not_always_open_without_regular_hours(self) -> None:
        """CONFORMANCE E.147: twentyfourseven=false needs at least one RegularHours."""
        with pytest.raises(ValidationError, match="regular_hours"):
            Hours.model_validate({"twentyfourseven": False, "regular_hours": []})

    def test_rejected_when_twentyfourseven_missing(self) -> None:
        """2.2.1 makes twentyfourseven required (2.1.1 had a choice; DIGEST §17.14)."""
        with pytest.raises(ValidationError, match="twentyfourseven"):
            Hours.model_validate({"regular_hours": [_regular("08:00", "20:00")]})

    def test_accepted_when_always_open_without_regular_hours(self) -> None:
        assert Hours.model_validate({"twentyfourseven": True}).regular_hours is None

    def test_exceptions_stay_utc_when_parsed(self) -> None:
        hours = Hours.model_validate(example("location_hours_247_open_exception_closing.json"))
        assert hours.exceptional_closings is not None
        closing = hours.exceptional_closings[0]
        assert (closing.period_begin.hour, closing.period_end.hour) == (3, 5)


class TestRegularHours:
    @pytest.mark.parametrize("weekday", [0, 8])
    def test_rejected_when_weekday_outside_monday_to_sunday(self, weekday: int) -> None:
        """CONFORMANCE E.149: weekday 1..7."""
        with pytest.raises(ValidationError, match="weekday"):
            RegularHours.model_validate(_regular("08:00", "20:00", weekday))

    @pytest.mark.parametrize("time", ["24:00", "7:00", "07:60", "0700", "07:00:00", " 07:00"])
    def test_rejected_when_time_not_hh_mm(self, time: str) -> None:
        """CONFORMANCE E.149: `([0-1][0-9]|2[0-3]):[0-5][0-9]`."""
        with pytest.raises(ValidationError, match="period_begin"):
            RegularHours.model_validate(_regular(time, "23:59"))

    @pytest.mark.parametrize(("begin", "end"), [("20:00", "08:00"), ("08:00", "08:00")])
    def test_rejected_when_end_not_later_than_begin(self, begin: str, end: str) -> None:
        """CONFORMANCE E.149: overnight periods must be split over two weekdays."""
        with pytest.raises(ValidationError, match="later than period_begin"):
            RegularHours.model_validate(_regular(begin, end))

    def test_accepted_when_whole_day(self) -> None:
        hours = RegularHours.model_validate(_regular("00:00", "23:59", 7))
        assert (hours.weekday, hours.period_begin, hours.period_end) == (7, "00:00", "23:59")


class TestExceptionalPeriod:
    def test_rejected_when_datetime_has_offset(self) -> None:
        """CONFORMANCE A.44: +00:00 is not UTC in OCPI's sense."""
        with pytest.raises(ValidationError, match="period_begin"):
            ExceptionalPeriod.model_validate(
                {"period_begin": "2018-12-25T03:00:00+00:00", "period_end": "2018-12-25T05:00:00Z"}
            )

    def test_written_with_z_when_parsed_without_designator(self) -> None:
        """CONFORMANCE A.42/A.43: no designator means UTC; we always write `Z`."""
        period = ExceptionalPeriod.model_validate(
            {"period_begin": "2018-12-25T03:00:00", "period_end": "2018-12-25T05:00:00.5"}
        )
        assert json.loads(period.model_dump_json()) == {
            "period_begin": "2018-12-25T03:00:00Z",
            "period_end": "2018-12-25T05:00:00.500Z",
        }
