"""Every official tariff example priced against the spec's worked numbers, recomputed by hand
(TARIFF-RULES §13, §17; DIGEST §14 corrections; CONFORMANCE section I item numbers)."""

from decimal import Decimal

from evroam.tariffs import PricingOptions, StepTotal

from .sessions import charge, costs, official, park, price, reserve, timeline

D = Decimal
AMS = "Europe/Amsterdam"


class TestEnergyExamples:
    def test_costs_5_00_excl_5_50_incl_when_tariff_8_and_20_kwh_i252(self) -> None:
        # 20 kWh x 0.25 = 5.00; x 1.10 = 5.50.
        result = price(
            official("tariff_8_simple_025kwh"),
            timeline("2024-06-03T10:00", AMS, charge(60, 20, 20)),
        )
        assert costs(result) == (D("5.00"), D("5.50"))
        assert result.totals.total_energy_cost.excl_vat == D("5.00")

    def test_adds_start_fee_when_tariff_9_i253(self) -> None:
        # FLAT 0.50 (x1.20 = 0.60) + 20 kWh x 0.25 = 5.00 (x1.10 = 5.50): 5.50 / 6.10.
        result = price(
            official("tariff_9_025kwh_start"), timeline("2024-06-03T10:00", AMS, charge(60, 20, 20))
        )
        assert costs(result) == (D("5.50"), D("6.10"))
        assert result.totals.total_fixed_cost.excl_vat == D("0.50")

    def test_keeps_total_when_above_min_price_tariff_12_i254(self) -> None:
        result = price(
            official("tariff_12_025kwh_min_price"),
            timeline("2024-06-03T10:00", AMS, charge(60, 20, 20)),
        )
        assert costs(result) == (D("5.00"), D("5.50"))

    def test_raises_to_min_price_when_1_kwh_tariff_12_i254(self) -> None:
        # 1 kWh x 0.25 = 0.25 / 0.275, both below min_price 0.50 / 0.55.
        result = price(
            official("tariff_12_025kwh_min_price"),
            timeline("2024-06-03T10:00", AMS, charge(6, 1, 10)),
        )
        assert costs(result) == (D("0.50"), D("0.55"))
        assert result.totals.total_energy_cost.excl_vat == D("0.25")  # A9: sub-total unclamped

    def test_rounds_parking_to_45_min_when_tariff_10_i255(self) -> None:
        # 0.50/0.60 + 20 x 0.25 = 5.00/5.50 + parking 40 -> 45 min (step 900 s) x 2.00 = 1.50/1.80.
        line = timeline("2024-06-03T10:00", AMS, charge(60, 20, 20), park(40))
        result = price(official("tariff_10_025kwh_parking_start"), line)
        assert costs(result) == (D("7.00"), D("7.90"))
        assert result.totals.total_parking_cost.excl_vat == D("1.50")
        assert result.totals.total_parking_time == D(40) / 60

    def test_clamps_to_max_price_when_50_kwh_tariff_6_i256(self) -> None:
        # 0.50 + 50 x 0.25 = 13.00 > 10.00; incl 0.60 + 13.75 = 14.35 > 11.00.
        # The tariff is valid until 2019-06-30.
        line = timeline("2019-03-01T10:00", AMS, charge(120, 50, 25))
        assert costs(price(official("tariff_6_025kwh_start_max_price"), line)) == (
            D("10.00"),
            D("11.00"),
        )

    def test_stays_below_max_price_when_30_kwh_tariff_6_i256(self) -> None:
        # 0.50 + 30 x 0.25 = 8.00; incl 0.60 + 8.25 = 8.85.
        line = timeline("2019-03-01T10:00", AMS, charge(90, 30, 20))
        assert costs(price(official("tariff_6_025kwh_start_max_price"), line)) == (
            D("8.00"),
            D("8.85"),
        )

    def test_bills_energy_in_100_wh_steps_when_tariff_3_i262(self) -> None:
        # 20.45 kWh -> 20.5 kWh x 0.25 = 5.125 (x1.10 = 5.6375) + 0.50 (0.60) = 5.625 / 6.2375.
        line = timeline("2024-06-03T10:00", AMS, charge(60, "20.45", "20.45"))
        result = price(official("tariff_3_alt_url"), line)
        assert costs(result) == (D("5.625"), D("6.2375"))
        assert result.totals.total_energy == D("20.45")

    def test_costs_nothing_when_free_of_charge_tariff_5_i231(self) -> None:
        line = timeline("2024-06-03T10:00", AMS, charge(60, 20, 20), park(30))
        assert costs(price(official("tariff_5_free_of_charge"), line)) == (D(0), D(0))


class TestTimeExamples:
    def test_costs_5_00_when_tariff_1_and_2_5_hours_i258(self) -> None:
        # 2.5 h x 2.00 = 5.00, x1.10 = 5.50; parking is not priced by a TIME-only tariff.
        line = timeline("2024-06-03T10:00", AMS, charge(150, 20, 8), park(60))
        result = price(official("tariff_1_simple_2hour"), line)
        assert costs(result) == (D("5.00"), D("5.50"))
        assert result.totals.total_time == D("3.5")

    def test_costs_4_75_when_tariff_2_and_2_5_hours(self) -> None:
        # 2.5 h x 1.90 = 4.75; x 1.052 = 4.997 (the text cent-rounds to 5.00).
        line = timeline("2024-06-03T10:00", AMS, charge(150, 20, 8))
        assert costs(price(official("tariff_2_alt_text"), line)) == (D("4.75"), D("4.997"))

    def test_costs_5_15_when_tariff_11_and_148_minutes(self) -> None:
        # FLAT 0.40 (x1.25 = 0.50) + 148 -> 150 min (step 300 s) x 1.90 = 4.75 (x1.052 = 4.997):
        # 5.15 / 5.497. The alt text's card surcharges cannot be expressed (its point).
        line = timeline("2024-06-03T10:00", AMS, charge(148, 20, 8))
        assert costs(price(official("tariff_11_not_possible_alt_text"), line)) == (
            D("5.15"),
            D("5.497"),
        )

    def test_rounds_only_parking_when_tariff_13_i259(self) -> None:
        # 150 min x 3.00 = 7.50 (8.25) + 42 -> 45 min x 5.00 = 3.75 (4.50) = 11.25 / 12.75.
        line = timeline("2024-06-03T10:00", AMS, charge(150, 20, 8), park(42))
        assert costs(price(official("tariff_13_simple_3hour_5parking"), line)) == (
            D("11.25"),
            D("12.75"),
        )

    def test_costs_9_00_when_tariff_4_on_monday_i260(self) -> None:
        # 2024-06-03 is a Monday. FLAT 2.50 (2.875) + 165 min at 16 A < 32 A x 1.00 = 2.75 (3.30)
        # + parking 12:15-12:57 inside 09:00-18:00, 42 -> 45 min x 5.00 = 3.75 (4.125).
        line = timeline("2024-06-03T09:30", AMS, charge(165, 10, "3.6", 16), park(42))
        assert costs(price(official("tariff_4_complex"), line)) == (D("9.00"), D("10.30"))

    def test_costs_12_375_when_tariff_4_on_saturday_i261(self) -> None:
        # 2024-06-08 is a Saturday. FLAT 2.50 (2.875) + 114 min at 43 A >= 32 A on the weekend
        # x 1.25 = 2.375 (2.85) + parking 15:24-16:35 in Saturday 10:00-17:00, 71 -> 75 min x 6.00
        # = 7.50 (8.25). The spec's 12.28 / 13.861 used 1.20/h (DIGEST §14).
        line = timeline("2024-06-08T13:30", AMS, charge(114, 50, 30, 43), park(71))
        assert costs(price(official("tariff_4_complex"), line)) == (D("12.375"), D("13.975"))


class TestStepSizeExamples:
    def test_costs_0_55_when_tariff_14_example_1_i247(self) -> None:
        # 16:55 charge 10 min: 5 min x 1.20 = 0.10, 5 min x 2.40 = 0.20 (not rounded: parking
        # follows); parking 2 -> 15 min x 1.00 = 0.25. No VAT given: incl = excl.
        line = timeline("2024-06-03T16:55", AMS, charge(10, 1, 6), park(2))
        assert costs(price(official("tariff_14_step_size"), line)) == (D("0.55"), D("0.55"))

    def test_costs_1_30_when_tariff_14_example_2_i248(self) -> None:
        # 16:35 charge 35 min -> 45 min (last TIME step 900 s): 25 min x 1.20 = 0.50
        # + (10 + 10 extra) min x 2.40 = 0.80.
        line = timeline("2024-06-03T16:35", AMS, charge(35, 5, "8.5714"))
        assert costs(price(official("tariff_14_step_size"), line)) == (D("1.30"), D("1.30"))

    def test_costs_0_73_when_tariff_14_example_3_i249(self) -> None:
        # 19:40 charge 12 min x 2.40 = 0.48; parking 19:52-20:12, of which 8 min priced (after
        # 20:00 no PARKING_TIME component), 8 -> 15 min x 1.00 = 0.25. Errata 2025 (A5 a).
        line = timeline("2024-06-03T19:40", AMS, charge(12, 2, 10), park(20))
        assert costs(price(official("tariff_14_step_size"), line)) == (D("0.73"), D("0.73"))

    def test_costs_0_78_when_tariff_14_example_3_and_measured_step_total(self) -> None:
        # A5 reading (b): parking measured 20 -> 30 min; 8 priced + 10 extra = 18 min x 1.00 = 0.30.
        line = timeline("2024-06-03T19:40", AMS, charge(12, 2, 10), park(20))
        options = PricingOptions(step_total=StepTotal.MEASURED)
        assert costs(price(official("tariff_14_step_size"), line, options=options)) == (
            D("0.78"),
            D("0.78"),
        )


class TestRestrictionExamples:
    def test_costs_20_30_when_max_power_example_i242(self) -> None:
        # 1 kWh at 6 kW (< 16) x 0.20 = 0.20; 40 kWh at 48 kW (fallback) x 0.50 = 20.00;
        # 0.5 kWh at 4 kW x 0.20 = 0.10. VAT 20 %: 24.36.
        line = timeline(
            "2024-06-03T10:00", AMS, charge(10, 1, 6), charge(50, 40, 48), charge("7.5", "0.5", 4)
        )
        assert costs(price(official("tariffrestriction_example_max_power"), line)) == (
            D("20.30"),
            D("24.36"),
        )

    def test_costs_0_30_when_max_duration_example_i243(self) -> None:
        # 5 kWh in the first 30 min free; 1.2 kWh in the next 10 min x 0.25 = 0.30 (x1.20 = 0.36).
        line = timeline("2024-06-03T10:00", AMS, charge(30, 5, 10), charge(10, "1.2", "7.2"))
        assert costs(price(official("tariffrestriction_example_max_duration"), line)) == (
            D("0.30"),
            D("0.36"),
        )


class TestReservationExamples:
    def test_costs_6_75_when_tariff_15_reserved_15_min_i263(self) -> None:
        # Reservation 15 min x 5.00 = 1.25 (1.50) + FLAT 0.50 (0.60) + 20 kWh x 0.25 = 5.00 (5.50).
        line = timeline("2024-06-03T10:00", AMS, reserve(15), charge(60, 20, 20))
        result = price(official("tariff_15_reservation_5_euro_per_hour"), line)
        assert costs(result) == (D("6.75"), D("7.60"))
        assert result.totals.total_reservation_cost.excl_vat == D("1.25")
        assert result.totals.total_time == D("1.25")  # A11 (i): end - start includes reservation

    def test_costs_8_75_when_tariff_16_reserved_13_min_i264(self) -> None:
        # Fee 2.00 (2.40) + 13 -> 15 min (step 300 s) x 5.00 = 1.25 (1.50)
        # + FLAT 0.50 (0.60) + 20 kWh x 0.25 = 5.00 (5.50).
        line = timeline("2024-06-03T10:00", AMS, reserve(13), charge(60, 20, 20))
        result = price(official("tariff_16_reservation_2_euro_fee_5_euro_per_hour"), line)
        assert costs(result) == (D("8.75"), D("10.00"))
        assert result.totals.total_reservation_cost.incl_vat == D("3.90")

    def test_costs_6_50_when_tariff_17_used_after_22_min_i265(self) -> None:
        # 22 -> 30 min (step 600 s) x 2.00 = 1.00 (1.20) + 0.50 (0.60) + 5.00 (5.50) = 6.50 / 7.30.
        line = timeline("2024-06-03T10:00", AMS, reserve(22), charge(60, 20, 20))
        assert costs(price(official("tariff_17_reservation_with_expire_fee"), line)) == (
            D("6.50"),
            D("7.30"),
        )

    def test_costs_6_00_when_tariff_17_reservation_expires_after_1_hour_i265(self) -> None:
        # Expiry FLAT 4.00 (4.80) + 1 h x 2.00 = 2.00 (2.40); no start fee (no session).
        line = timeline("2024-06-03T10:00", AMS, reserve(60), reservation_expired=True)
        result = price(official("tariff_17_reservation_with_expire_fee"), line)
        assert costs(result) == (D("6.00"), D("7.20"))
        assert result.totals.total_fixed_cost.excl_vat == D(0)

    def test_costs_7_00_when_tariff_18_used_after_22_min_i266(self) -> None:
        # 22 -> 30 min x 3.00 = 1.50 (1.80) + 0.50 (0.60) + 5.00 (5.50) = 7.00 / 7.90.
        line = timeline("2024-06-03T10:00", AMS, reserve(22), charge(60, 20, 20))
        assert costs(price(official("tariff_18_reservation_with_expire_time"), line)) == (
            D("7.00"),
            D("7.90"),
        )

    def test_prices_time_with_expires_element_when_tariff_18_expired_i266(self) -> None:
        # 1.5 h x 6.00 (RESERVATION_EXPIRES wins for TIME) = 9.00, x1.20 = 10.80.
        line = timeline("2024-06-03T10:00", AMS, reserve(90), reservation_expired=True)
        assert costs(price(official("tariff_18_reservation_with_expire_time"), line)) == (
            D("9.00"),
            D("10.80"),
        )
