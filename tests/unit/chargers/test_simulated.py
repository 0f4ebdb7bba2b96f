"""The simulated charger network: commands, events in virtual time, and every failure mode."""

from datetime import timedelta

import pytest

from evroam.chargers.clock import VirtualClock
from evroam.chargers.evse import Fault
from evroam.chargers.interface import (
    Answer,
    Authorization,
    ChargerEvent,
    EventStream,
    MeterValues,
    Outcome,
    ReservationCancelled,
    ReservationExpired,
    ReservationMade,
    ReserveRequest,
    SessionEnded,
    SessionStarted,
    StartRequest,
    StatusChanged,
    StopReason,
)
from evroam.chargers.simulated import SimulatedNetwork
from evroam.modules.cdrs.model import AuthMethod, CdrToken
from evroam.modules.locations.enums import Status, TokenType
from evroam.sim.network import generate_locations
from tests.unit.chargers.sites import site, token


class Rig:
    """A network on a virtual clock, with every event it emitted."""

    def __init__(self, seed: int = 3) -> None:
        self.clock = VirtualClock()
        self.network = SimulatedNetwork.from_locations([site()], self.clock, seed=seed)
        self.events: list[ChargerEvent] = []
        self.network.subscribe(self._record)

    async def _record(self, event: ChargerEvent) -> None:
        self.events.append(event)

    async def start(
        self,
        evse: str | None = "AC",
        *,
        connector_id: str | None = None,
        session_id: str | None = None,
        driver: CdrToken | None = None,
    ) -> Answer:
        request = StartRequest(
            location_id="LOC1",
            evse_uid=evse,
            connector_id=connector_id,
            token=driver or token(),
            authorization_reference="AUTH1",
            session_id=session_id,
        )
        return await self.network.start(request)

    async def reserve(self, reservation_id: str = "R1", evse: str | None = "AC") -> Answer:
        request = ReserveRequest(
            reservation_id=reservation_id,
            location_id="LOC1",
            evse_uid=evse,
            expiry=self.clock.now() + timedelta(minutes=30),
            token=token(),
        )
        return await self.network.reserve(request)

    async def run(self, minutes: float) -> None:
        self.clock.advance(minutes * 60)
        await self.network.tick()

    def of(self, kind: type) -> list:  # type: ignore[type-arg]
        return [e for e in self.events if isinstance(e, kind)]


@pytest.fixture
def rig() -> Rig:
    return Rig()


class TestStart:
    async def test_accepted_with_session_started_and_status_charging(self, rig: Rig) -> None:
        answer = await rig.start(session_id="S1")
        assert answer.outcome is Outcome.ACCEPTED
        assert answer.session_id == "S1"
        [started] = rig.of(SessionStarted)
        assert (started.session_id, started.evse_uid, started.connector_id) == ("S1", "AC", "1")
        assert (started.token, started.authorization_reference) == (token(), "AUTH1")
        assert rig.of(StatusChanged)[-1].status is Status.CHARGING

    async def test_charge_point_chooses_a_free_evse_when_none_named(self, rig: Rig) -> None:
        answer = await rig.start(evse=None)
        assert answer.outcome is Outcome.ACCEPTED
        assert answer.evse_uid == "AC"

    @pytest.mark.parametrize(
        ("evse", "connector", "outcome"),
        [
            ("DUMB", None, Outcome.NOT_SUPPORTED),
            ("BROKEN", None, Outcome.EVSE_INOPERATIVE),
            ("GONE", None, Outcome.FAILED),
            ("NOPE", None, Outcome.REJECTED),
            ("AC", "9", Outcome.REJECTED),
        ],
    )
    async def test_refused_when_the_evse_cannot(
        self, rig: Rig, evse: str, connector: str | None, outcome: Outcome
    ) -> None:
        answer = await rig.start(evse=evse, connector_id=connector)
        assert answer.outcome is outcome
        assert answer.message
        assert not rig.of(SessionStarted)

    async def test_occupied_when_already_charging(self, rig: Rig) -> None:
        await rig.start()
        assert (await rig.start()).outcome is Outcome.EVSE_OCCUPIED

    async def test_failed_when_no_vehicle_plugged_in(self, rig: Rig) -> None:
        await rig.network.set_fault("LOC1", "AC", Fault.NO_VEHICLE)
        answer = await rig.start()
        assert answer.outcome is Outcome.FAILED
        assert "vehicle" in (answer.message or "")


class TestCharging:
    async def test_meter_values_every_minute_with_growing_energy(self, rig: Rig) -> None:
        await rig.start()
        await rig.run(10)
        readings = rig.of(MeterValues)
        assert len(readings) == 10
        assert [r.at for r in readings] == sorted(r.at for r in readings)
        energies = [r.energy_wh for r in readings]
        assert energies == sorted(energies)
        assert energies[0] > rig.of(SessionStarted)[0].meter_start
        assert all(0 < r.power_w <= 11_040 for r in readings)
        assert all(r.soc_percent is not None and 0 < r.soc_percent <= 100 for r in readings)

    async def test_session_ends_when_the_driver_leaves(self, rig: Rig) -> None:
        await rig.start()
        await rig.run(8 * 60)
        [ended] = rig.of(SessionEnded)
        [started] = rig.of(SessionStarted)
        assert ended.reason is StopReason.EV_DISCONNECTED
        assert ended.meter_stop >= rig.of(MeterValues)[-1].energy_wh > started.meter_start
        assert rig.of(StatusChanged)[-1].status is Status.AVAILABLE
        assert not rig.network.sessions

    async def test_dc_power_never_rises_once_past_the_plateau(self, rig: Rig) -> None:
        await rig.start(evse="DC")
        await rig.run(60)
        late = [r.power_w for r in rig.of(MeterValues) if r.soc_percent and r.soc_percent > 56]
        assert late, "a DC session passes 56 % within the hour"
        assert late == sorted(late, reverse=True)

    async def test_same_seed_same_story(self) -> None:
        stories = []
        for _ in range(2):
            rig = Rig(seed=11)
            await rig.start(evse="DC")
            await rig.start(evse="AC")
            await rig.run(90)
            stories.append(rig.events)
        assert stories[0] == stories[1]

    async def test_meter_reset_is_reported_as_a_drop(self, rig: Rig) -> None:
        await rig.start()
        await rig.run(2)
        await rig.network.set_fault("LOC1", "AC", Fault.METER_RESET)
        await rig.run(2)
        readings = [r.energy_wh for r in rig.of(MeterValues)]
        assert readings[2] < readings[1]
        assert readings[3] > readings[2]  # counting again from zero

    async def test_offline_charger_sends_no_meter_values_and_reports_unknown(
        self, rig: Rig
    ) -> None:
        await rig.start()
        await rig.network.set_fault("LOC1", "AC", Fault.OFFLINE)
        assert rig.of(StatusChanged)[-1].status is Status.UNKNOWN
        await rig.run(5)
        assert not rig.of(MeterValues)
        stopped = await rig.network.stop(rig.of(SessionStarted)[0].session_id)
        assert stopped.outcome is Outcome.FAILED
        await rig.network.set_fault("LOC1", "AC", Fault.OFFLINE, on=False)
        assert rig.of(StatusChanged)[-1].status is Status.CHARGING


class TestStop:
    async def test_accepted_and_session_ended_remotely(self, rig: Rig) -> None:
        await rig.start(session_id="S1")
        await rig.run(3)
        assert (await rig.network.stop("S1")).outcome is Outcome.ACCEPTED
        assert rig.of(SessionEnded)[0].reason is StopReason.REMOTE

    async def test_unknown_session(self, rig: Rig) -> None:
        assert (await rig.network.stop("NOPE")).outcome is Outcome.UNKNOWN_SESSION


class TestReservations:
    async def test_reserved_then_expired(self, rig: Rig) -> None:
        assert (await rig.reserve()).outcome is Outcome.ACCEPTED
        assert rig.of(ReservationMade)[0].evse_uid == "AC"
        assert rig.of(StatusChanged)[-1].status is Status.RESERVED
        await rig.run(31)
        assert rig.of(ReservationExpired)[0].reservation_id == "R1"
        assert rig.of(StatusChanged)[-1].status is Status.AVAILABLE

    async def test_same_id_replaces_the_reservation(self, rig: Rig) -> None:
        await rig.reserve("R1", "AC")
        assert (await rig.reserve("r1", "DC")).outcome is Outcome.ACCEPTED
        [cancelled] = rig.of(ReservationCancelled)
        assert (cancelled.evse_uid, cancelled.requested) == ("AC", True)
        assert rig.network.evses["LOC1", "AC"].reservation is None
        assert len(rig.network.reservations) == 1

    async def test_start_by_the_holder_uses_the_reservation(self, rig: Rig) -> None:
        await rig.reserve()
        assert (await rig.start(driver=token("OTHER"))).outcome is Outcome.EVSE_OCCUPIED
        assert (await rig.start()).outcome is Outcome.ACCEPTED
        assert rig.of(SessionStarted)[0].reservation_id == "R1"
        assert not rig.network.reservations

    async def test_any_free_reservable_evse_when_none_named(self, rig: Rig) -> None:
        await rig.start(evse="AC")
        answer = await rig.reserve(evse=None)
        assert (answer.outcome, answer.evse_uid) == (Outcome.ACCEPTED, "DC")

    async def test_cancel_then_unknown(self, rig: Rig) -> None:
        await rig.reserve()
        assert (await rig.network.cancel_reservation("R1")).outcome is Outcome.ACCEPTED
        assert rig.of(ReservationCancelled)[0].requested
        again = await rig.network.cancel_reservation("R1")
        assert again.outcome is Outcome.UNKNOWN_RESERVATION

    async def test_cancelled_by_the_cpo_is_not_requested(self, rig: Rig) -> None:
        await rig.reserve()
        await rig.network.cancel_reservation_by_cpo("R1", "roadworks")
        [cancelled] = rig.of(ReservationCancelled)
        assert (cancelled.requested, cancelled.reason) == (False, "roadworks")

    async def test_occupied_evse_cannot_be_reserved(self, rig: Rig) -> None:
        await rig.start()
        assert (await rig.reserve()).outcome is Outcome.EVSE_OCCUPIED


class TestUnlock:
    async def test_accepted_and_ends_the_session_on_that_connector(self, rig: Rig) -> None:
        await rig.start()
        assert (await rig.network.unlock("LOC1", "AC", "1")).outcome is Outcome.ACCEPTED
        assert rig.of(SessionEnded)[0].reason is StopReason.UNLOCK_COMMAND

    async def test_failed_when_the_connector_is_stuck(self, rig: Rig) -> None:
        await rig.network.set_fault("LOC1", "AC", Fault.CONNECTOR_STUCK)
        answer = await rig.network.unlock("LOC1", "AC", "1")
        assert answer.outcome is Outcome.FAILED
        assert "stuck" in (answer.message or "")

    @pytest.mark.parametrize(
        ("evse", "connector", "outcome"),
        [("DUMB", "1", Outcome.NOT_SUPPORTED), ("AC", "7", Outcome.REJECTED)],
    )
    async def test_refused(self, rig: Rig, evse: str, connector: str, outcome: Outcome) -> None:
        assert (await rig.network.unlock("LOC1", evse, connector)).outcome is outcome


class TestNetwork:
    def test_built_from_a_generated_network(self) -> None:
        sites = list(generate_locations(20, 5))
        network = SimulatedNetwork.from_locations(sites, VirtualClock())
        assert len(network.evses) == sum(len(s.evses or []) for s in sites)

    async def test_learning_a_location_again_keeps_the_state(self, rig: Rig) -> None:
        await rig.start()
        rig.network.learn(site())
        assert rig.network.evses["LOC1", "AC"].session is not None

    async def test_event_stream_yields_the_events(self, rig: Rig) -> None:
        stream = EventStream(rig.network)
        await rig.start()
        assert [type(e) for e in stream.pending()] == [SessionStarted, StatusChanged]
        stream.close()
        await rig.run(1)
        assert stream.pending() == []


def rfid(uid: str, token_type: TokenType = TokenType.RFID) -> CdrToken:
    return CdrToken(country_code="DE", party_id="MSP", uid=uid, type=token_type, contract_id="C")


class Desk:
    """The CPO's authorization desk: allows the tokens it knows, counts the questions."""

    def __init__(self, *allowed: str) -> None:
        self.allowed = set(allowed)
        self.asked: list[str] = []

    async def authorize(
        self, *, location_id: str, evse_uid: str, uid: str, token_type: TokenType
    ) -> Authorization:
        self.asked.append(uid)
        if uid not in self.allowed:
            return Authorization(False, message="blocked")
        card = CdrToken(
            country_code="DE", party_id="MSP", uid=uid, type=token_type, contract_id="C"
        )
        return Authorization(True, card, "REF-RT")


class TestTap:
    async def test_session_started_when_the_cpo_allows_the_card(self, rig: Rig) -> None:
        rig.network.authorizer = desk = Desk("CARD1")
        answer = await rig.network.tap("LOC1", "AC", "CARD1")
        assert answer.outcome is Outcome.ACCEPTED
        [started] = rig.of(SessionStarted)
        assert (started.token.uid, started.authorization_reference) == ("CARD1", "REF-RT")
        assert started.auth_method is AuthMethod.AUTH_REQUEST
        assert desk.asked == ["CARD1"]

    @pytest.mark.parametrize("desk", [Desk(), None])
    async def test_rejected_when_not_allowed_or_nobody_to_ask(
        self, rig: Rig, desk: Desk | None
    ) -> None:
        rig.network.authorizer = desk
        assert (await rig.network.tap("LOC1", "AC", "CARD1")).outcome is Outcome.REJECTED
        assert not rig.of(SessionStarted)

    async def test_not_supported_without_a_card_reader(self, rig: Rig) -> None:
        rig.network.authorizer = Desk("CARD1")
        assert (await rig.network.tap("LOC1", "DUMB", "CARD1")).outcome is Outcome.NOT_SUPPORTED

    async def test_no_real_time_authorization_within_15_minutes_of_a_command(
        self, rig: Rig
    ) -> None:
        """K.312: the remote start failed (no cable yet); the driver badges the same card."""
        rig.network.authorizer = desk = Desk()
        await rig.network.set_fault("LOC1", "AC", Fault.NO_VEHICLE)
        card = CdrToken(
            country_code="DE", party_id="MSP", uid="CARD1", type="RFID", contract_id="C"
        )
        assert (await rig.start(driver=card)).outcome is Outcome.FAILED
        rig.clock.advance(14 * 60)
        assert (await rig.network.tap("LOC1", "DC", "card1")).outcome is Outcome.ACCEPTED
        [started] = rig.of(SessionStarted)
        assert (started.auth_method, started.authorization_reference) == (
            AuthMethod.COMMAND,
            "AUTH1",
        )
        assert desk.asked == []
        await rig.network.stop(started.session_id)
        rig.clock.advance(2 * 60)
        assert (await rig.network.tap("LOC1", "DC", "CARD1")).outcome is Outcome.REJECTED
        assert desk.asked == ["CARD1"]
