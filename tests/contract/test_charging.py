"""The charging flow in process: the CPO's charger events become Sessions and CDRs that reach
the eMSP owning the token (issue #5; CONFORMANCE F.178-F.183, G.200-G.209, J.287, K.315,
K.317, K.325). The chargers run on a virtual clock (tests/contract/charging_support.py)."""

import json
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from decimal import Decimal

import httpx
import pytest

from evroam.chargers.evse import Fault
from evroam.chargers.interface import Outcome, StartRequest
from evroam.chargers.signing import MeterSigner
from evroam.chargers.simulated import SimulatedNetwork
from evroam.modules.cdrs.bill import explain_cdr
from evroam.modules.cdrs.model import AuthMethod, CdrDimensionType
from evroam.modules.cdrs.reconciliation import (
    Status,
    known_for,
    reconcile_cdr,
    reconcile_partner,
)
from evroam.modules.commands.model import CancelReservation, ReserveNow, StartSession, StopSession
from evroam.modules.commands.sending import get_sent, send_command
from evroam.modules.locations.enums import TokenType
from evroam.modules.sessions.charging import ChargingFlow
from evroam.modules.sessions.model import Session, SessionStatus
from evroam.modules.sessions.recovery import close_lost
from evroam.modules.tokens.model import WhitelistType
from evroam.modules.tokens.publish import NewToken, block_token, issue_token
from evroam.protocol.timestamps import utc_now
from evroam.settings import Settings
from tests.contract.charging_support import (
    START,
    STILL,
    Flow,
    charging,
    priced_site,
    stored_cdrs,
    stored_sessions,
)
from tests.contract.commands_support import command_token
from tests.support import platforms
from tests.unit.chargers.sites import token

URL = "http://emsp.test/ocpi/2.2.1/sender/commands/X/C1"
QUARTER, HALF_HOUR = timedelta(minutes=15), timedelta(minutes=30)


@pytest.fixture
async def flow(make_settings: Callable[..., Settings]) -> AsyncIterator[Flow]:
    cpo = make_settings("cpo", "CPO:NL:CPO", **STILL)
    emsp = make_settings("emsp", "EMSP:DE:MSP")
    async with platforms(cpo, emsp) as (router, (a, b)):
        yield await charging(router, a, b, priced_site())


async def start(flow: Flow, evse: str = "AC", reference: str = "AUTH1") -> str:
    """A remote start through the eMSP's service; the new Session's id."""
    command = StartSession(
        response_url=URL,
        token=command_token(),
        location_id="LOC1",
        evse_uid=evse,
        authorization_reference=reference,
    )
    sent = await send_command(flow.emsp.platform, "cpo", command)
    await flow.settle()
    assert (await get_sent(flow.emsp.platform, sent.id)).result == "ACCEPTED"
    return (await stored_sessions(flow.cpo.platform, own=True))[-1].id


async def stop(flow: Flow, session_id: str) -> str | None:
    sent = await send_command(
        flow.emsp.platform, "cpo", StopSession(response_url=URL, session_id=session_id)
    )
    await flow.settle()
    done = await get_sent(flow.emsp.platform, sent.id)
    return done.result or done.response


async def received(flow: Flow) -> Session:
    [session] = await stored_sessions(flow.emsp.platform, own=False)
    return session


class TestRemoteStart:
    async def test_session_reaches_the_emsp_with_the_command_token_and_reference(
        self, flow: Flow
    ) -> None:
        """K.315, J.287, F.178: cdr_token and authorization_reference of the command."""
        session_id = await start(flow)
        session = await received(flow)
        assert (session.id, session.status) == (session_id, SessionStatus.ACTIVE)
        assert session.cdr_token.uid == "APP1"
        assert session.authorization_reference == "AUTH1"
        assert (session.location_id, session.evse_uid, session.connector_id) == ("LOC1", "AC", "1")
        assert session.currency == "EUR"
        assert session.start_date_time == START

    async def test_energy_and_cost_estimate_grow_while_charging(self, flow: Flow) -> None:
        await start(flow)
        await flow.run(10)
        first = await received(flow)
        await flow.run(10)
        later = await received(flow)
        assert 0 < first.kwh < later.kwh
        assert first.total_cost is not None
        assert later.total_cost is not None
        assert first.total_cost.excl_vat < later.total_cost.excl_vat

    async def test_period_appended_once_at_every_tariff_relevant_change(self, flow: Flow) -> None:
        """F.183: 10:00 local time changes the energy price, and a period closes there (and at
        least every 15 minutes, for progress); each period is sent once."""
        await start(flow)
        await flow.run(10)
        assert (await received(flow)).charging_periods is None
        await flow.run(25)  # 09:05 UTC: past 10:00 in Amsterdam
        periods = (await received(flow)).charging_periods or []
        assert [p.start_date_time for p in periods] == [START, START + QUARTER]
        assert {p.tariff_id for p in periods} == {"T1"}
        await flow.run(15)
        starts = [p.start_date_time for p in (await received(flow)).charging_periods or []]
        assert starts == [START, START + QUARTER, START + HALF_HOUR]


class TestStop:
    async def test_completed_session_and_cdr_priced_by_the_engine(self, flow: Flow) -> None:
        """G.200, G.201, G.203, G.208, G.209; the eMSP holds both and reconciles a MATCH."""
        session_id = await start(flow)
        await flow.run(60)
        assert await stop(flow, session_id) == "ACCEPTED"
        await flow.settle()
        session = await received(flow)
        assert session.status is SessionStatus.COMPLETED
        [cdr] = await stored_cdrs(flow.emsp.platform, own=False)
        assert (cdr.id, cdr.session_id) == (session_id, session_id)
        assert cdr.authorization_reference == "AUTH1"
        assert cdr.auth_method == session.auth_method
        assert cdr.total_energy == session.kwh
        assert session.total_cost == cdr.total_cost
        location = cdr.cdr_location
        assert (location.evse_uid, location.connector_id) == ("AC", "1")
        [ours] = await stored_cdrs(flow.cpo.platform, own=True)
        assert ours.total_cost == cdr.total_cost
        [outcome] = await reconcile_partner(
            flow.emsp.platform, "cpo", START, START + timedelta(days=1)
        )
        assert (outcome.status, outcome.causes) == (Status.MATCH, [])
        periods = session.charging_periods or []
        starts = [p.start_date_time for p in periods]
        assert START + HALF_HOUR in starts
        assert starts == sorted(set(starts))
        energy = sum(d.volume for p in periods for d in p.dimensions if d.type == "ENERGY")
        assert abs(energy - session.kwh) < Decimal("0.001")
        bill = await explain_cdr(flow.emsp.platform, cdr.id)
        assert bill.result.totals.total_cost.excl_vat == cdr.total_cost.excl_vat
        assert bill.time_zone == "Europe/Amsterdam"
        assert any("ENERGY" in line.text for line in bill.result.explanation)

    async def test_signed_meter_values_reach_the_emsp_unchanged_g210(self, flow: Flow) -> None:
        """The charge point's signed start and end readings travel in the CDR as produced."""
        session_id = await start(flow)
        await flow.run(60)
        await stop(flow, session_id)
        await flow.settle()
        [cdr] = await stored_cdrs(flow.emsp.platform, own=False)
        assert cdr.signed_data is not None
        assert [v.nature for v in cdr.signed_data.signed_values] == ["Start", "End"]
        assert MeterSigner.for_seed(0).verifies(cdr.signed_data)  # not a character changed
        [ours] = await stored_cdrs(flow.cpo.platform, own=True)
        assert ours.signed_data == cdr.signed_data
        end = json.loads(cdr.signed_data.signed_values[1].plain_data)
        start_reading = json.loads(cdr.signed_data.signed_values[0].plain_data)
        metered = Decimal(end["register_wh"]) - Decimal(start_reading["register_wh"])
        assert metered / 1000 == cdr.total_energy

    async def test_session_without_energy_completes_without_a_cdr(self, flow: Flow) -> None:
        await flow.network.set_fault("LOC1", "AC", Fault.NO_VEHICLE)
        await flow.network.set_fault("LOC1", "AC", Fault.NO_VEHICLE, on=False)
        session_id = await start(flow)
        assert await stop(flow, session_id) == "ACCEPTED"  # at once: no time, no energy
        session = await received(flow)
        assert (session.status, session.kwh) == (SessionStatus.COMPLETED, Decimal(0))
        assert await stored_cdrs(flow.cpo.platform, own=True) == []

    async def test_meter_reset_never_makes_energy_go_back(self, flow: Flow) -> None:
        session_id = await start(flow)
        await flow.run(20)
        before = (await received(flow)).kwh
        await flow.network.set_fault("LOC1", "AC", Fault.METER_RESET)
        await flow.run(20)
        assert (await received(flow)).kwh > before
        await stop(flow, session_id)
        [cdr] = await stored_cdrs(flow.emsp.platform, own=False)
        assert "reset" in (cdr.remark or "")
        assert cdr.total_energy == (await received(flow)).kwh


class TestReservation:
    async def test_reservation_session_becomes_active_when_the_driver_starts(
        self, flow: Flow
    ) -> None:
        """K.317, F.181: RESERVATION, then ACTIVE on use (the same Session)."""
        expiry = START + timedelta(days=400)
        reserve = ReserveNow(
            response_url=URL,
            token=command_token(),
            expiry_date=expiry,
            reservation_id="R1",
            location_id="LOC1",
            evse_uid="DC",
            authorization_reference="RES1",
        )
        await send_command(flow.emsp.platform, "cpo", reserve)
        await flow.settle()
        reserved = await received(flow)
        assert reserved.status is SessionStatus.RESERVATION
        assert (reserved.evse_uid, reserved.connector_id) == ("DC", "1")
        await flow.run(10)
        session_id = await start(flow, "DC", reference="AUTH2")
        assert session_id == reserved.id
        active = await received(flow)
        assert active.status is SessionStatus.ACTIVE
        assert active.authorization_reference == "AUTH2"  # the latest (F.178)
        await flow.run(10)
        await stop(flow, session_id)
        [cdr] = await stored_cdrs(flow.emsp.platform, own=False)
        assert cdr.start_date_time == START
        kinds = [d.type for p in cdr.charging_periods for d in p.dimensions]
        assert CdrDimensionType.RESERVATION_TIME in kinds


async def reserve(flow: Flow, reservation_id: str = "R1", evse: str = "DC") -> None:
    command = ReserveNow(
        response_url=URL,
        token=command_token(),
        expiry_date=START + timedelta(days=400),
        reservation_id=reservation_id,
        location_id="LOC1",
        evse_uid=evse,
    )
    await send_command(flow.emsp.platform, "cpo", command)
    await flow.settle()


class TestReservationEnds:
    async def test_cancelled_reservation_completes_unbilled(self, flow: Flow) -> None:
        """F.181, F.179: COMPLETED when not used, its connector still `#NA` (TWIN has two);
        T1 prices no reservation time, so no CDR."""
        await reserve(flow, evse="TWIN")
        await flow.run(10)
        command = CancelReservation(response_url=URL, reservation_id="R1")
        await send_command(flow.emsp.platform, "cpo", command)
        await flow.settle()
        session = await received(flow)
        assert session.status is SessionStatus.COMPLETED
        assert session.end_date_time == START + timedelta(minutes=10)
        assert (session.evse_uid, session.connector_id) == ("TWIN", "#NA")
        assert await stored_cdrs(flow.cpo.platform, own=True) == []

    async def test_same_reservation_id_again_keeps_one_session(self, flow: Flow) -> None:
        """K.319 at the same EVSE: the reservation is replaced, not doubled."""
        await reserve(flow)
        await reserve(flow)
        [session] = await stored_sessions(flow.cpo.platform, own=True)
        assert session.status is SessionStatus.RESERVATION

    async def test_expired_reservation_completes_at_its_expiry(self, flow: Flow) -> None:
        """F.181: COMPLETED on expiry, ended at the expiry_date."""
        expiry = utc_now().replace(microsecond=0) + timedelta(days=1)
        command = ReserveNow(
            response_url=URL,
            token=command_token(),
            expiry_date=expiry,
            reservation_id="R3",
            location_id="LOC1",
            evse_uid="AC",
        )
        await send_command(flow.emsp.platform, "cpo", command)
        await flow.settle()
        flow.clock.advance((expiry - START).total_seconds() + 60)
        await flow.network.tick()
        await flow.settle()
        session = await received(flow)
        assert (session.status, session.end_date_time) == (SessionStatus.COMPLETED, expiry)


class TestReconciliationAtTheEmsp:
    async def test_cdr_without_tariffs_reconciled_with_the_tariff_the_emsp_holds(
        self, flow: Flow
    ) -> None:
        """The eMSP holds T1 (pushed by the CPO) and the Location: a CDR that does not carry
        its tariff is priced again with the connector's stored tariff, in the Location's zone."""
        session_id = await start(flow)
        await flow.run(45)
        await stop(flow, session_id)
        [cdr] = await stored_cdrs(flow.emsp.platform, own=False)
        bare = cdr.model_copy(update={"tariffs": None})
        async with flow.emsp.platform.sessions() as db:
            known = await known_for(db, bare)
        assert [t.id for t in known.tariffs] == ["T1"]
        outcome = reconcile_cdr(bare, known)
        assert (outcome.status, outcome.tariff_id, outcome.time_zone) == (
            Status.MATCH,
            "T1",
            "Europe/Amsterdam",
        )


class TestTap:
    async def issue(self, flow: Flow, uid: str, whitelist: WhitelistType) -> None:
        new = NewToken(type=TokenType.RFID, uid=uid, whitelist=whitelist)
        await issue_token(flow.emsp.platform, new)
        await flow.emsp.app.state.outbox.drain()

    async def test_whitelisted_card_charges_without_asking_the_emsp(self, flow: Flow) -> None:
        """J.288, J.291: decided locally, auth_method WHITELIST."""
        await self.issue(flow, "CARD1", WhitelistType.ALLOWED)
        asked = len(flow.router.requests)
        answer = await flow.network.tap("LOC1", "AC", "CARD1")
        assert answer.outcome is Outcome.ACCEPTED
        assert not [r for r in flow.router.requests[asked:] if "authorize" in r.url.path]
        await flow.settle()
        session = await received(flow)
        assert (session.cdr_token.uid, session.auth_method) == ("CARD1", AuthMethod.WHITELIST)

    async def test_card_of_real_time_whitelist_carries_the_emsp_reference(self, flow: Flow) -> None:
        """J.289, J.287: asked at the eMSP; its authorization_reference reaches the CDR."""
        await self.issue(flow, "CARD2", WhitelistType.NEVER)
        answer = await flow.network.tap("LOC1", "AC", "CARD2")
        assert answer.outcome is Outcome.ACCEPTED
        assert answer.session_id is not None
        await flow.run(20)
        session = await received(flow)
        assert session.auth_method is AuthMethod.AUTH_REQUEST
        assert session.authorization_reference
        await stop(flow, answer.session_id)
        [cdr] = await stored_cdrs(flow.emsp.platform, own=False)
        assert cdr.authorization_reference == session.authorization_reference

    async def test_blocked_card_is_refused_at_the_next_tap(self, flow: Flow) -> None:
        await self.issue(flow, "CARD3", WhitelistType.ALLOWED)
        await block_token(flow.emsp.platform, "CARD3", TokenType.RFID)
        await flow.emsp.app.state.outbox.drain()
        answer = await flow.network.tap("LOC1", "AC", "CARD3")
        assert answer.outcome is Outcome.REJECTED
        assert "BLOCKED" in (answer.message or "")
        assert await stored_sessions(flow.cpo.platform, own=True) == []


class TestTapEndpoint:
    """POST /manage/chargers/{location_id}/{evse_uid}/tap: a driver taps a card."""

    async def tap(self, flow: Flow, uid: str, token: str = "admin") -> httpx.Response:
        return await flow.cpo.client.post(
            "/manage/chargers/LOC1/AC/tap",
            json={"uid": uid},
            headers={"Authorization": f"Bearer {token}"},
        )

    async def test_401_without_the_admin_token(self, flow: Flow) -> None:
        assert (await self.tap(flow, "CARD1", token="wrong")).status_code == 401

    async def test_session_id_when_allowed_and_reason_when_refused(self, flow: Flow) -> None:
        refused = (await self.tap(flow, "NOBODY")).json()["data"]
        assert refused["outcome"] == "REJECTED"
        assert "NOT_ALLOWED" in refused["message"]
        await issue_token(flow.emsp.platform, NewToken(type=TokenType.RFID, uid="CARD1"))
        await flow.emsp.app.state.outbox.drain()
        allowed = (await self.tap(flow, "CARD1")).json()["data"]
        assert allowed["outcome"] == "ACCEPTED"
        [session] = await stored_sessions(flow.cpo.platform, own=True)
        assert session.id == allowed["session_id"]


class TestStopOfAnotherEmsp:
    async def test_rejected_when_the_session_belongs_to_another_emsp(self, flow: Flow) -> None:
        """K.325: the session's token is of FR*OTH, a party the eMSP does not carry."""
        request = StartRequest(
            location_id="LOC1",
            evse_uid="AC",
            token=token("OTHER", "OTH"),
            session_id="S-OTHER",
        )
        assert (await flow.network.start(request)).outcome is Outcome.ACCEPTED
        answer = await flow.post("STOP_SESSION", {"response_url": URL, "session_id": "S-OTHER"})
        assert answer.json()["data"]["result"] == "REJECTED"
        assert await stored_sessions(flow.emsp.platform, own=False) == []


class TestCdrLocation:
    async def test_long_address_and_state_are_cut_to_fit(
        self, make_settings: Callable[..., Settings]
    ) -> None:
        """G.202: CdrLocation address 45, state 20 characters."""
        cpo = make_settings("cpo", "CPO:NL:CPO", **STILL)
        emsp = make_settings("emsp", "EMSP:DE:MSP")
        where = priced_site(address="A" * 60, state="S" * 30)
        async with platforms(cpo, emsp) as (router, (a, b)):
            flow = await charging(router, a, b, where)
            session_id = await start(flow)
            await flow.run(15)
            await stop(flow, session_id)
            [cdr] = await stored_cdrs(flow.emsp.platform, own=False)
        assert (cdr.cdr_location.address, cdr.cdr_location.state) == ("A" * 45, "S" * 20)


class TestRestart:
    async def test_lost_session_completed_at_its_last_reading_and_billed_once(
        self, flow: Flow
    ) -> None:
        """The CPO restarted: the charge points (a new simulator) hold nothing."""
        session_id = await start(flow)
        await flow.run(30)
        last = await received(flow)
        await reserve(flow, "R2")
        restarted = SimulatedNetwork(flow.clock)
        assert await close_lost(flow.cpo.platform, restarted, ChargingFlow(flow.cpo.platform)) == 2
        assert await close_lost(flow.cpo.platform, restarted, ChargingFlow(flow.cpo.platform)) == 0
        await flow.settle()
        charged, reservation = await stored_sessions(flow.emsp.platform, own=False)
        assert (charged.id, charged.status, charged.kwh) == (session_id, "COMPLETED", last.kwh)
        assert charged.end_date_time == last.last_updated
        assert reservation.status is SessionStatus.COMPLETED
        [cdr] = await stored_cdrs(flow.emsp.platform, own=False)
        assert cdr.id == session_id
        assert "restarted" in (cdr.remark or "")
        results = [r.url.path for r in flow.posted_results()]
        assert len(results) == 3  # START_SESSION, RESERVE_NOW, then CANCELED_RESERVATION
