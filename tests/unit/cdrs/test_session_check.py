"""CPO side: a CDR checked against the metered session it bills (CONFORMANCE G.203-G.206)."""

from datetime import timedelta
from decimal import Decimal

from evroam.modules.cdrs.session_check import Discrepancy, check_against_session
from tests.unit.reconciliation.cdrs import built, changed, monday, tariff

D = Decimal


class TestCheckAgainstSession:
    def test_finds_nothing_when_cdr_built_from_the_session(self) -> None:
        assert check_against_session(built(tariff("tariff_4_complex"), monday()), monday()) == []

    def test_reports_energy_when_total_energy_differs_from_meter_g203(self) -> None:
        cdr = changed(built(tariff("tariff_4_complex"), monday()), total_energy=D("10.2"))
        assert check_against_session(cdr, monday()) == [Discrepancy("total_energy", "9.9", "10.2")]

    def test_reports_end_and_total_time_when_cdr_ends_later_g204(self) -> None:
        cdr = built(tariff("tariff_4_complex"), monday())
        later = changed(cdr, end_date_time=cdr.end_date_time + timedelta(minutes=6))
        # 207 min = 3.45 h metered; the CDR still says 3.45 h, but ends 6 min later.
        assert [d.field for d in check_against_session(later, monday())] == ["end_date_time"]

    def test_reports_periods_that_start_late_or_out_of_order(self) -> None:
        cdr = built(tariff("tariff_4_complex"), monday())
        first, second = cdr.charging_periods
        late = first.model_copy(update={"start_date_time": second.start_date_time})
        found = check_against_session(
            changed(cdr, charging_periods=[late.model_dump(), second.model_dump()]), monday()
        )
        assert [d.field for d in found] == [
            "charging_periods[0].start_date_time",
            "charging_periods[1].start_date_time",
        ]

    def test_reports_parking_time_when_it_disagrees_g205(self) -> None:
        cdr = changed(built(tariff("tariff_4_complex"), monday()), total_parking_time=D("0.5"))
        # Metered: 42 min parked = 0.7 h.
        assert check_against_session(cdr, monday()) == [
            Discrepancy("total_parking_time", "0.7000", "0.5")
        ]
