"""SESSION.json parsing, timeline validation and the explanation lines."""

import json
from decimal import Decimal
from typing import Any

import pytest

from evroam.tariffs import SessionState, TimelineError
from evroam.tariffs.session_file import SessionFile, load_json

from .sessions import charge, official, park, price, reserve, timeline

D = Decimal
AMS = "Europe/Amsterdam"


def session_file(*points: dict[str, Any], **fields: Any) -> SessionFile:
    data = {
        "start_date_time": "2024-06-03T10:00:00Z",
        "end_date_time": "2024-06-03T12:00:00Z",
        "timeline": list(points),
        **fields,
    }
    return SessionFile.model_validate(load_json(json.dumps(data)))


def point(at: str, kwh: object, state: str, **extra: object) -> dict[str, Any]:
    return {"at": f"2024-06-03T{at}:00Z", "energy_kwh": kwh, "state": state, **extra}


class TestSessionFile:
    def test_reads_numbers_exactly_and_power_absent_as_zero_when_parsed(self) -> None:
        # A float would turn 0.1000000000000000055511151231257827 into 0.1.
        text = """{"start_date_time": "2024-06-03T10:00:00Z",
          "end_date_time": "2024-06-03T12:00:00Z",
          "timeline": [
            {"at": "2024-06-03T10:00:00Z", "energy_kwh": 0, "state": "CHARGING",
             "power_kw": 7.4, "current_a": 32},
            {"at": "2024-06-03T11:00:00Z", "energy_kwh": 0.1000000000000000055511151231257827,
             "state": "PARKING"},
            {"at": "2024-06-03T12:00:00Z", "energy_kwh": 0.1000000000000000055511151231257827,
             "state": "END"}]}"""
        parsed = SessionFile.model_validate(load_json(text)).to_timeline()
        assert parsed.points[1].energy_kwh == D("0.1000000000000000055511151231257827")
        assert (parsed.points[0].power_kw, parsed.points[0].current_a) == (D("7.4"), D(32))
        assert (parsed.points[1].power_kw, parsed.points[1].current_a) == (D(0), None)

    @pytest.mark.parametrize(
        ("points", "message"),
        [
            ([point("10:00", 0, "CHARGING"), point("12:00", 1, "PARKING")], "END"),
            ([point("11:00", 0, "CHARGING"), point("10:30", 1, "END")], "time order"),
            ([point("10:00", 2, "CHARGING"), point("12:00", 1, "END")], "may not decrease"),
            (
                [
                    point("10:00", 0, "CHARGING"),
                    point("11:00", 1, "RESERVATION"),
                    point("12:00", 1, "END"),
                ],
                "RESERVATION points must come before",
            ),
            ([point("09:00", 0, "CHARGING"), point("12:00", 1, "END")], "between start_date_time"),
        ],
    )
    def test_refuses_timeline_when_points_do_not_make_a_session(
        self, points: list[dict[str, Any]], message: str
    ) -> None:
        with pytest.raises(TimelineError, match=message):
            session_file(*points).to_timeline()

    def test_refuses_charging_when_reservation_expired(self) -> None:
        parsed = session_file(
            point("10:00", 0, "RESERVATION"),
            point("11:00", 0, "CHARGING"),
            point("12:00", 1, "END"),
            reservation_expired=True,
        )
        with pytest.raises(TimelineError, match="reservation_expired"):
            parsed.to_timeline()

    def test_counts_age_from_first_non_reservation_point_when_reserved(self) -> None:
        line = timeline("2024-06-03T10:00", AMS, reserve(15), charge(30), park(10))
        assert line.charging_start == line.points[1].at
        assert line.points[1].state is SessionState.CHARGING


class TestExplanation:
    def test_names_element_component_quantity_price_vat_and_reason_when_tariff_4_saturday(
        self,
    ) -> None:
        line = timeline("2024-06-08T13:30", AMS, charge(114, 50, 30, 43), park(71))
        lines = price(official("tariff_4_complex"), line).explanation
        flat, time, parking, step = lines
        assert (flat.subject, flat.element, flat.component, flat.excl_vat) == (
            "FLAT",
            0,
            0,
            D("2.50"),
        )
        assert (time.subject, time.element, time.quantity, time.unit) == ("TIME", 3, D("1.9"), "h")
        assert (time.price, time.vat, time.excl_vat, time.incl_vat) == (
            D("1.25"),
            D(20),
            D("2.375"),
            D("2.85"),
        )
        assert "SATURDAY in day_of_week" in time.reason
        assert "43 A >= min_current 32" in time.reason
        assert (parking.element, parking.quantity) == (5, D(71) / 60)
        assert "15:24 in 10:00-17:00" in parking.reason
        # Step: 71 min = 4260 s billed as 4500 s (step 300): 4 extra minutes at 6.00/h.
        assert (step.element, step.quantity, step.excl_vat) == (5, D(240) / 3600, D("0.40"))
        assert "step_size 300 s" in step.reason
        assert "elements[3].price_components[0]" in time.text

    def test_says_when_max_price_changed_total_when_tariff_6(self) -> None:
        line = timeline("2019-03-01T10:00", AMS, charge(120, 50, 25))
        notes = [
            e
            for e in price(official("tariff_6_025kwh_start_max_price"), line).explanation
            if e.quantity is None
        ]
        assert [n.subject for n in notes] == ["total_cost"]
        assert "max_price" in notes[0].reason
