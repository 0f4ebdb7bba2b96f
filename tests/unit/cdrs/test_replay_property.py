"""The eMSP prices a CDR again from its periods (reconciliation) and gets the CPO's total:
random meter curves across price changes, start times to the microsecond (CONFORMANCE I.260).

Found: volumes with more digits than a double holds crossed the wire a few 1e-17 kWh off, their
sum landed just above the whole Wh the meter read, and step_size rounding billed one Wh more
(0.0003 EUR in a live scenario); the replay now takes the CDR's total_energy as the reading."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from evroam.modules.cdrs.model import Cdr
from evroam.modules.cdrs.reconciliation import Known, Status, reconcile_cdr
from evroam.modules.tariffs.model import Tariff
from evroam.tariffs import SessionState, SessionTimeline, TimelinePoint
from evroam.tariffs.cdr_builder import build_cdr
from tests.contract.charging_support import TARIFF as T1
from tests.unit.cdrs.test_cdr_builder import CREATED, location, monday_session

# T1 of the charging-flow tests, re-owned by the Location's party: FLAT 0.50, ENERGY 0.30 until
# 10:00 local, else 0.40
TARIFF = Tariff.model_validate(T1 | {"country_code": "BE", "party_id": "BEC"})


@st.composite
def sessions(draw: st.DrawFn) -> SessionTimeline:
    # around 10:00 or 00:00 Brussels (UTC+2 in June): 07:xx or 21:xx UTC
    hour = draw(st.sampled_from([7, 21, 22]))
    start = datetime(2024, 6, 3, hour, 0, tzinfo=UTC) + timedelta(
        microseconds=draw(st.integers(0, 3_600_000_000))
    )
    at, energy, points = start, Decimal(0), []
    for _ in range(draw(st.integers(1, 8))):
        power = Decimal(draw(st.integers(1, 220))) / 10
        points.append(TimelinePoint(at, energy, SessionState.CHARGING, power, Decimal(16)))
        seconds = draw(st.integers(1, 1800)) + Decimal(draw(st.integers(0, 999_999))) / 10**6
        at += timedelta(seconds=float(seconds))
        energy += (power * seconds / 3600).quantize(Decimal("0.001"))
    points.append(TimelinePoint(at, energy, SessionState.END))
    return SessionTimeline(start, at, tuple(points))


TIMED = Tariff.model_validate(
    TARIFF.model_dump(mode="json")
    | {
        "id": "T2",
        "elements": [
            {"price_components": [{"type": "TIME", "price": 1.2, "vat": 20, "step_size": 300}]},
            *TARIFF.model_dump(mode="json")["elements"],
        ],
    }
)


@settings(max_examples=1000, deadline=None)
@given(sessions(), st.sampled_from([TARIFF, TIMED]))
def test_replay_of_the_cdr_prices_it_as_the_cpo_did(
    timeline: SessionTimeline, tariff: Tariff
) -> None:
    session = monday_session(timeline=timeline)
    cdr = build_cdr(session, tariff, cdr_id="CDR-1", last_updated=CREATED)
    sent = Cdr.model_validate_json(cdr.model_dump_json(exclude_none=True))  # as on the wire
    outcome = reconcile_cdr(sent, Known(location(), [tariff]))
    assert outcome.our_total is not None
    assert outcome.status is Status.MATCH, outcome
    assert abs(outcome.our_total.excl_vat - sent.total_cost.excl_vat) < Decimal("0.0001")
