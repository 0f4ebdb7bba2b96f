"""Reconciliation of received CDRs: one test per cause, from real CDRs of the CDR builder,
then changed the way a partner gets them wrong (CONFORMANCE G.203, section I; TARIFF-RULES §15)."""

from decimal import Decimal
from typing import Any

from evroam.model import Price
from evroam.modules.cdrs.classification import Cause
from evroam.modules.cdrs.model import Cdr, CdrDimensionType
from evroam.modules.cdrs.reconciliation import Known, Reconciliation, Status, reconcile_cdr
from evroam.tariffs import FlatCharging, PricingOptions, StepTotal
from evroam.tariffs.cdr_builder import build_credit_cdr

from .cdrs import CREATED, built, changed, charging, location, monday, parked, tariff, timeline

D = Decimal
AT_LOC1 = Known(location(), [])


def price(excl: str, incl: str) -> dict[str, Any]:
    return Price(excl_vat=D(excl), incl_vat=D(incl)).model_dump()


def reconciled(cdr: Cdr, known: Known = AT_LOC1, **options: Any) -> Reconciliation:
    return reconcile_cdr(cdr, known, **options)


class TestMatch:
    def test_matches_when_cdr_is_priced_as_we_price_tariff_4_monday_i260(self) -> None:
        result = reconciled(built(tariff("tariff_4_complex"), monday()))
        assert (result.status, result.causes, result.differences) == (Status.MATCH, [], [])
        assert result.our_total == Price(excl_vat=D("9.00"), incl_vat=D("10.30"))
        assert (result.time_zone, result.tariff_id, result.difference) == (
            "Europe/Brussels",
            "14",
            D(0),
        )

    def test_matches_when_difference_within_tolerance(self) -> None:
        cdr = changed(
            built(tariff("tariff_4_complex"), monday()), total_cost=price("9.0005", "10.30")
        )
        assert reconciled(cdr).status is Status.MATCH

    def test_matches_when_configured_tolerance_is_wider(self) -> None:
        cdr = changed(
            built(tariff("tariff_4_complex"), monday()), total_cost=price("9.005", "10.30")
        )
        assert reconciled(cdr).status is Status.MISMATCH
        assert reconciled(cdr, tolerance=D("0.01")).status is Status.MATCH

    def test_prices_with_connector_tariff_when_cdr_lists_none(self) -> None:
        # LOC1's EVSE 3256 connector 2 lists tariff 13 (location_example.json).
        own = tariff("tariff_4_complex", country_code="BE", party_id="BEC", id="13")
        cdr = changed(built(own, monday()), tariffs=None)
        result = reconciled(cdr, Known(location(), [own]))
        assert (result.status, result.tariff_id) == (Status.MATCH, "13")


class TestCauses:
    def test_rounding_when_cdr_amounts_are_ours_in_cents_tariff_2(self) -> None:
        # 2.5 h x 1.90 = 4.75, x 1.052 = 4.997; the CPO wrote 5.00 incl (the spec text does).
        cdr = built(
            tariff("tariff_2_alt_text"), timeline("2024-06-03T10:00", charging(150, "20", "8"))
        )
        cdr = changed(cdr, total_cost=price("4.75", "5.00"), total_time_cost=price("4.75", "5.00"))
        result = reconciled(cdr)
        assert (result.status, result.causes) == (Status.MISMATCH, [Cause.ROUNDING])
        assert [(d.field, d.side, d.difference) for d in result.differences] == [
            ("total_cost", "incl_vat", D("0.003")),
            ("total_time_cost", "incl_vat", D("0.003")),
        ]

    def test_vat_when_only_incl_vat_differs_tariff_8(self) -> None:
        # 20 kWh x 0.25 = 5.00 excl; 10 % -> 5.50. The CPO applied 21 %: 6.05.
        cdr = built(
            tariff("tariff_8_simple_025kwh"), timeline("2024-06-03T10:00", charging(60, "20", "20"))
        )
        cdr = changed(
            cdr, total_cost=price("5.00", "6.05"), total_energy_cost=price("5.00", "6.05")
        )
        assert reconciled(cdr).causes == [Cause.VAT]

    def test_step_size_when_cpo_rounds_measured_parking_tariff_14_example_3(self) -> None:
        # 19:40, 12 min charging, 20 min parked: ours 0.73 (A5 a); a CPO rounding the measured
        # parking total (A5 b) bills 0.78 (CONFORMANCE I.249 and its 2.2.1 text).
        line = timeline("2024-06-03T19:40", charging(12, "2", "10"), parked(20))
        measured = PricingOptions(step_total=StepTotal.MEASURED)
        result = reconciled(built(tariff("tariff_14_step_size"), line, options=measured))
        assert (result.causes, result.difference) == ([Cause.STEP_SIZE], D("0.05"))
        assert "measured total" in result.notes[0]

    def test_element_choice_when_cpo_charges_flat_per_period_tariff_4(self) -> None:
        # FLAT 2.50 in both periods (charging, parking): 9.00 + 2.50 = 11.50 (A7).
        per_period = PricingOptions(flat=FlatCharging.PER_PERIOD)
        result = reconciled(built(tariff("tariff_4_complex"), monday(), options=per_period))
        assert (result.causes, result.difference) == ([Cause.ELEMENT_CHOICE], D("2.50"))

    def test_time_zone_when_cpo_priced_in_utc_tariff_4(self) -> None:
        # Monday 16:00 Brussels: 90 min at 16 A (1.50), parked 17:30-18:30 local. In Brussels
        # parking 17:30-18:00 is priced: 30 min x 5.00 = 2.50 -> 2.50 + 1.50 + 2.50 = 6.50. In
        # UTC (15:30-16:30Z) all 60 min fall inside 09:00-18:00: 5.00 -> 9.00.
        line = timeline("2024-06-03T16:00", charging(90, "5.4", "3.6", "16"), parked(60))
        cdr = built(tariff("tariff_4_complex"), line, at=location(time_zone="UTC"))
        result = reconciled(cdr)
        assert (result.causes, result.difference) == ([Cause.TIME_ZONE], D("2.50"))
        assert result.our_total is not None
        assert result.our_total.excl_vat == D("6.50")

    def test_time_zone_unknown_when_location_not_stored(self) -> None:
        result = reconciled(built(tariff("tariff_4_complex"), monday()), Known(None, []))
        assert (result.status, result.causes, result.time_zone) == (
            Status.UNVERIFIED,
            [Cause.TIME_ZONE],
            "UTC",
        )

    def test_tariff_unknown_when_cdr_lists_none_and_connector_tariff_not_stored(self) -> None:
        result = reconciled(changed(built(tariff("tariff_4_complex"), monday()), tariffs=None))
        assert (result.status, result.causes, result.our_total) == (
            Status.UNVERIFIED,
            [Cause.TARIFF_UNKNOWN],
            None,
        )

    def test_tariff_unknown_when_stored_connector_tariff_expired_before_session(self) -> None:
        old = tariff(
            "tariff_4_complex",
            country_code="BE",
            party_id="BEC",
            id="13",
            end_date_time="2024-01-01T00:00:00Z",
        )
        cdr = changed(built(old, monday()), tariffs=None)
        assert reconciled(cdr, Known(location(), [old])).causes == [Cause.TARIFF_UNKNOWN]

    def test_energy_when_total_energy_differs_from_periods_g203(self) -> None:
        cdr = changed(built(tariff("tariff_4_complex"), monday()), total_energy=D("10.5"))
        result = reconciled(cdr)
        assert (result.status, result.causes) == (Status.MISMATCH, [Cause.ENERGY])
        [energy] = result.differences
        assert (energy.field, energy.cdr, energy.ours, energy.difference) == (
            "total_energy",
            D("10.5"),
            D("9.9"),
            D("0.6"),
        )

    def test_unexplained_when_no_reading_explains_the_total(self) -> None:
        cdr = changed(
            built(tariff("tariff_4_complex"), monday()), total_cost=price("10.00", "10.30")
        )
        result = reconciled(cdr)
        assert (result.causes, result.difference) == ([Cause.UNEXPLAINED], D("1.00"))

    def test_unpriceable_when_current_restricted_but_periods_lack_current_a18(self) -> None:
        cdr = built(tariff("tariff_4_complex"), monday())
        periods = [
            p.model_copy(
                update={"dimensions": [d for d in p.dimensions if "CURRENT" not in d.type]}
            )
            for p in cdr.charging_periods
        ]
        assert all(
            CdrDimensionType.MAX_CURRENT not in [d.type for d in p.dimensions] for p in periods
        )
        result = reconciled(changed(cdr, charging_periods=[p.model_dump() for p in periods]))
        assert (result.status, result.causes) == (Status.UNVERIFIED, [Cause.UNPRICEABLE])

    def test_credit_cdr_is_not_priced_again_g198(self) -> None:
        credit = build_credit_cdr(built(tariff("tariff_4_complex"), monday()), last_updated=CREATED)
        result = reconciled(credit)
        assert (result.status, result.causes, result.cdr_total.excl_vat) == (
            Status.CREDIT,
            [],
            D("-9.00"),
        )
