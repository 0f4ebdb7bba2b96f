"""CDR builder and Credit CDRs (CDRs chapter 10; CONFORMANCE G.189-205, G.193-199)."""

import json
from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from evroam.modules.cdrs.model import (
    SESSION_ONLY_DIMENSIONS,
    AuthMethod,
    Cdr,
    CdrDimensionType,
    CdrToken,
)
from evroam.modules.locations.model import Location
from evroam.modules.tariffs.model import Tariff
from evroam.tariffs import SessionState, SessionTimeline, TimelinePoint, price_session
from evroam.tariffs.cdr_builder import CdrError, FinishedSession, build_cdr, build_credit_cdr
from evroam.tariffs.session_file import load_json
from tests.examples import EXAMPLES

D = Decimal
BRUSSELS = ZoneInfo("Europe/Brussels")
CREATED = datetime(2024, 6, 3, 13, 0, tzinfo=UTC)


def location() -> Location:
    return Location.model_validate(load_json((EXAMPLES / "location_example.json").read_text()))


def tariff_4() -> Tariff:
    return Tariff.model_validate(load_json((EXAMPLES / "tariff_4_complex.json").read_text()))


def monday_session(**changes: object) -> FinishedSession:
    """tariff_4 Monday case in Brussels: 09:30 local, 165 min at 16 A, then 42 min parked."""
    start = datetime(2024, 6, 3, 9, 30, tzinfo=BRUSSELS).astimezone(UTC)
    charged = datetime(2024, 6, 3, 12, 15, tzinfo=BRUSSELS).astimezone(UTC)
    end = datetime(2024, 6, 3, 12, 57, tzinfo=BRUSSELS).astimezone(UTC)
    points = (
        TimelinePoint(start, D(0), SessionState.CHARGING, D("3.6"), D(16)),
        TimelinePoint(charged, D("9.9"), SessionState.PARKING),
        TimelinePoint(end, D("9.9"), SessionState.END),
    )
    fields: dict[str, object] = {
        "country_code": "BE",
        "party_id": "BEC",
        "session_id": "S-1",
        "timeline": SessionTimeline(start, end, points),
        "token": CdrToken(
            country_code="DE",
            party_id="TNM",
            uid="12345678905880",
            type="RFID",
            contract_id="DE8ACC12E46L89",
        ),
        "location": location(),
        "evse_uid": "3256",
        "connector_id": "2",
        "auth_method": AuthMethod.AUTH_REQUEST,
        "authorization_reference": "REF-1",
    }
    return FinishedSession(**(fields | changes))  # type: ignore[arg-type]


class TestBuildCdr:
    def test_builds_cdr_matching_engine_totals_when_tariff_4_monday_i260(self) -> None:
        session = monday_session()
        cdr = build_cdr(session, tariff_4(), cdr_id="CDR-1", last_updated=CREATED)
        # Validates as a wire CDR after a JSON round trip.
        again = Cdr.model_validate(json.loads(cdr.model_dump_json(exclude_none=True)))
        assert again.id == "CDR-1"
        # 2.50 + 2.75 h x 1.00 + 45 min x 5.00 = 9.00; incl 2.875 + 3.30 + 4.125 = 10.30.
        assert (cdr.total_cost.excl_vat, cdr.total_cost.incl_vat) == (D("9.00"), D("10.30"))
        engine = price_session(tariff_4(), session.timeline, "Europe/Brussels").totals
        assert cdr.total_cost.excl_vat == engine.total_cost.excl_vat
        assert cdr.total_parking_cost is not None
        assert cdr.total_parking_cost.excl_vat == engine.total_parking_cost.excl_vat == D("3.75")
        assert cdr.total_fixed_cost is not None
        assert cdr.total_fixed_cost.excl_vat == D("2.50")

    def test_carries_location_token_and_tariff_when_built_g200_g201(self) -> None:
        cdr = build_cdr(monday_session(), tariff_4(), cdr_id="CDR-1", last_updated=CREATED)
        assert cdr.cdr_location.evse_id == "BE*BEC*E041503001"
        assert (cdr.cdr_location.connector_id, cdr.cdr_location.connector_standard) == (
            "2",
            "IEC_62196_T2",
        )
        assert cdr.cdr_token.uid == "12345678905880"
        assert cdr.tariffs is not None
        assert cdr.tariffs[0].id == "14"
        assert cdr.auth_method is AuthMethod.AUTH_REQUEST
        assert cdr.currency == "EUR"

    def test_names_the_applying_tariff_in_every_period_g207(self) -> None:
        cdr = build_cdr(monday_session(), tariff_4(), cdr_id="CDR-1", last_updated=CREATED)
        assert len(cdr.charging_periods) > 1
        assert {period.tariff_id for period in cdr.charging_periods} == {"14"}

    def test_sums_periods_into_totals_when_built_g203_g204_g205(self) -> None:
        cdr = build_cdr(monday_session(), tariff_4(), cdr_id="CDR-1", last_updated=CREATED)

        def volume(kind: CdrDimensionType) -> Decimal:
            return sum(
                (d.volume for p in cdr.charging_periods for d in p.dimensions if d.type is kind),
                D(0),
            )

        assert volume(CdrDimensionType.ENERGY) == cdr.total_energy == D("9.9")
        # 09:30-12:57 = 207 min; parking 42 min; charging 165 min.
        assert cdr.total_time == D(207) / 60
        assert volume(CdrDimensionType.PARKING_TIME) == cdr.total_parking_time == D(42) / 60
        assert volume(CdrDimensionType.TIME) == D("2.75")

    def test_emits_no_session_only_dimension_when_built_g193_g194(self) -> None:
        cdr = build_cdr(monday_session(), tariff_4(), cdr_id="CDR-1", last_updated=CREATED)
        kinds = {d.type for p in cdr.charging_periods for d in p.dimensions}
        assert not kinds & SESSION_ONLY_DIMENSIONS
        assert kinds >= {CdrDimensionType.MIN_CURRENT, CdrDimensionType.MAX_CURRENT}

    def test_shortens_address_to_45_when_location_address_longer_g202(self) -> None:
        place = location().model_copy(update={"address": "x" * 60, "state": "y" * 30})
        cdr = build_cdr(
            monday_session(location=place), tariff_4(), cdr_id="C", last_updated=CREATED
        )
        assert cdr.cdr_location.address == "x" * 45
        assert cdr.cdr_location.state == "y" * 20

    def test_refuses_id_over_36_when_not_credit_g189(self) -> None:
        with pytest.raises(CdrError, match="36"):
            build_cdr(monday_session(), tariff_4(), cdr_id="x" * 37, last_updated=CREATED)

    def test_uses_na_ids_when_reservation_never_used(self) -> None:
        # An expired reservation (tariff_17): 1 h reserved -> 4.00 + 2.00 = 6.00.
        start = datetime(2024, 6, 3, 8, 0, tzinfo=UTC)
        end = datetime(2024, 6, 3, 9, 0, tzinfo=UTC)
        points = (
            TimelinePoint(start, D(0), SessionState.RESERVATION),
            TimelinePoint(end, D(0), SessionState.END),
        )
        session = monday_session(
            session_id=None,
            evse_uid=None,
            connector_id=None,
            auth_method=AuthMethod.COMMAND,
            timeline=SessionTimeline(start, end, points, reservation_expired=True),
        )
        tariff = Tariff.model_validate(
            load_json((EXAMPLES / "tariff_17_reservation_with_expire_fee.json").read_text())
        )
        cdr = build_cdr(session, tariff, cdr_id="R-1", last_updated=CREATED)
        assert (cdr.cdr_location.evse_uid, cdr.cdr_location.connector_id) == ("#NA", "#NA")
        assert cdr.total_cost.excl_vat == D("6.00")
        assert cdr.charging_periods[0].dimensions[0].type is CdrDimensionType.RESERVATION_TIME


class TestBuildCreditCdr:
    def test_negates_only_total_cost_when_crediting_g198(self) -> None:
        cdr = build_cdr(monday_session(), tariff_4(), cdr_id="CDR-1", last_updated=CREATED)
        credit = build_credit_cdr(cdr, last_updated=CREATED)
        assert (credit.id, credit.credit, credit.credit_reference_id) == ("CDR-1-C", True, "CDR-1")
        assert (credit.total_cost.excl_vat, credit.total_cost.incl_vat) == (D("-9.00"), D("-10.30"))
        assert credit.total_parking_cost == cdr.total_parking_cost
        unchanged = {"id", "credit", "credit_reference_id", "total_cost", "last_updated"}
        assert credit.model_dump(exclude=unchanged) == cdr.model_dump(exclude=unchanged)

    def test_accepts_39_character_credit_id_when_original_has_36(self) -> None:
        cdr = build_cdr(monday_session(), tariff_4(), cdr_id="x" * 36, last_updated=CREATED)
        assert build_credit_cdr(cdr, last_updated=CREATED).id == "x" * 36 + "-C"

    def test_refuses_when_crediting_a_credit_cdr(self) -> None:
        cdr = build_cdr(monday_session(), tariff_4(), cdr_id="CDR-1", last_updated=CREATED)
        credit = build_credit_cdr(cdr, last_updated=CREATED)
        with pytest.raises(CdrError, match="Credit CDR"):
            build_credit_cdr(credit, last_updated=CREATED)

    def test_corrected_cdr_has_new_id_and_no_credit_fields_g199(self) -> None:
        corrected = build_cdr(monday_session(), tariff_4(), cdr_id="CDR-2", last_updated=CREATED)
        assert (corrected.credit, corrected.credit_reference_id) == (None, None)
