"""Command results end to end: the CPO's charge points answer, the result reaches the eMSP that
sent the command and no one else (CONFORMANCE K.302, K.306–K.309, K.315, K.317–K.321, K.325)."""

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update

from evroam.chargers.interface import EventStream, ReservationMade, SessionStarted
from evroam.chargers.simulated import SimulatedNetwork
from evroam.modules.commands.execution import expire_executions
from evroam.modules.commands.model import (
    CancelReservation,
    CommandResultType,
    ReserveNow,
    StartSession,
    StopSession,
)
from evroam.modules.commands.repository import command_callbacks, commands_received, commands_sent
from evroam.modules.commands.sending import SentCommand, get_sent, send_command, wait_for_result
from evroam.modules.locations.enums import Status
from evroam.modules.locations.publish import find_own_location, save_locations
from evroam.protocol.timestamps import utc_now
from evroam.settings import Settings
from evroam.storage.tables import outbox
from tests.contract.commands_support import (
    COMMANDS,
    Setup,
    cancel,
    command_token,
    connected,
    ocpi,
    received_rows,
    reserve,
    start,
    stop,
    token,
)
from tests.contract.conftest import Pair
from tests.contract.locations_support import Link, link
from tests.support import Running, platforms
from tests.unit.chargers.sites import site

URL = "http://placeholder.test/"  # replaced by the eMSP's own response_url when sent


@dataclass
class Trio:
    """The CPO and its eMSP, plus a second eMSP (DE*OTH) connected to both."""

    setup: Setup
    other: Running
    other_in: Link  # the second eMSP calling the CPO
    emsp_from_other: Link  # the second eMSP calling the first

    async def other_posts(self, command: str, body: dict[str, Any]) -> Any:
        """The second eMSP sends a command to the CPO, with its own response_url."""
        body = body | {"response_url": f"http://other.test/r/{command}"}
        return await self.other_in.call("POST", f"{COMMANDS}/{command}", body)


@pytest.fixture
async def trio(make_settings: Callable[..., Settings]) -> AsyncIterator[Trio]:
    configs = [
        make_settings("cpo", "CPO:NL:CPO"),
        make_settings("emsp", "EMSP:DE:MSP"),
        make_settings("other", "EMSP:DE:OTH"),
    ]
    async with platforms(*configs) as (router, (cpo, emsp, other)):
        setup = await connected(router, cpo, emsp)
        yield Trio(setup, other, await link(other, cpo), await link(other, emsp))


@pytest.fixture
async def setup(pair: Pair) -> Setup:
    return await connected(*pair)


@pytest.fixture
async def quick(make_settings: Callable[..., Settings]) -> AsyncIterator[Setup]:
    """A CPO announcing a 2 s timeout."""
    cpo = make_settings("cpo", "CPO:NL:CPO", chargers={"command_timeout_seconds": 2})
    async with platforms(cpo, make_settings("emsp", "EMSP:DE:MSP")) as (router, (a, b)):
        yield await connected(router, a, b)


async def started(setup: Setup, evse: str = "AC") -> SentCommand:
    body = StartSession(response_url=URL, token=command_token(), location_id="LOC1", evse_uid=evse)
    sent = await send_command(setup.emsp.platform, "cpo", body)
    await setup.settle()
    return await get_sent(setup.emsp.platform, sent.id)


async def reserved(setup: Setup, reservation_id: str = "R1", evse: str = "AC") -> SentCommand:
    body = ReserveNow.model_validate(reserve(reservation_id, evse) | {"token": command_token()})
    sent = await send_command(setup.emsp.platform, "cpo", body)
    await setup.settle()
    return await get_sent(setup.emsp.platform, sent.id)


async def owed(setup: Setup) -> int:
    """Command results the CPO still has to deliver."""
    query = select(func.count()).select_from(outbox).where(outbox.c.module == "commands")
    async with setup.cpo.platform.sessions() as session:
        return int((await session.execute(query)).scalar_one())


async def session_id_of(setup: Setup) -> str:
    rows = await received_rows(setup.cpo)
    found = [r["session_id"] for r in rows if r["command"] == "START_SESSION"]
    assert found[-1]
    return str(found[-1])


class TestResults:
    async def test_accepted_result_when_session_started(self, setup: Setup) -> None:
        """K.306."""
        assert (await started(setup)).result == CommandResultType.ACCEPTED

    async def test_response_url_answers_1000_without_data(self, setup: Setup) -> None:
        """K.308; the same result delivered twice is recorded once."""
        sent = await started(setup)
        path = f"/ocpi/2.2.1/sender/commands/START_SESSION/{sent.id}"
        answer = await setup.cpo_in.call("POST", path, {"result": "ACCEPTED"})
        assert ocpi(answer) == (1000, None)
        assert "data" not in answer.json()
        assert len((await get_sent(setup.emsp.platform, sent.id)).results) == 1

    async def test_404_when_result_comes_from_another_partner(self, trio: Trio) -> None:
        """Results are accepted only from the partner the command went to."""
        setup = trio.setup
        body = StartSession(response_url=URL, token=command_token(), location_id="LOC1")
        sent = await send_command(setup.emsp.platform, "cpo", body)
        path = f"/ocpi/2.2.1/sender/commands/START_SESSION/{sent.id}"
        answer = await trio.emsp_from_other.call("POST", path, {"result": "FAILED"})
        assert answer.status_code == 404
        assert (await get_sent(setup.emsp.platform, sent.id)).result is None

    async def test_stop_accepted_for_own_session_and_rejected_for_another_emsps(
        self, trio: Trio
    ) -> None:
        """K.302 (a known session is stopped), K.325 (not by another eMSP)."""
        setup = trio.setup
        await started(setup)
        session_id = await session_id_of(setup)
        answer = await trio.other_posts("STOP_SESSION", stop(session_id))
        assert ocpi(answer)[1]["result"] == "REJECTED"
        body = StopSession(response_url=URL, session_id=session_id)
        sent = await send_command(setup.emsp.platform, "cpo", body)
        await setup.settle()
        assert (await get_sent(setup.emsp.platform, sent.id)).result == CommandResultType.ACCEPTED
        assert setup.network.sessions == {}

    async def test_timeout_then_late_result_recorded(self, setup: Setup) -> None:
        """K.309: no result by the deadline is TIMEOUT; the late result is kept, marked late."""
        body = StartSession(response_url=URL, token=command_token(), location_id="LOC1")
        sent = await send_command(setup.emsp.platform, "cpo", body)
        async with setup.emsp.platform.unit_of_work() as session:
            past = utc_now() - timedelta(seconds=1)
            await session.execute(update(commands_sent).values(deadline=past))
        timed_out = await wait_for_result(setup.emsp.platform, sent.id)
        assert (timed_out.result, timed_out.final) == (CommandResultType.TIMEOUT, True)
        await setup.settle()
        late = await get_sent(setup.emsp.platform, sent.id)
        assert (late.result, late.late) == ("ACCEPTED", True)
        assert late.timed_out_at == timed_out.timed_out_at


class TestEvents:
    async def test_session_carries_the_command_token_and_reference(self, setup: Setup) -> None:
        """K.315: what the Sessions module builds the Session's cdr_token from."""
        await setup.post("START_SESSION", start())  # teaches the simulator LOC1
        await setup.settle()
        stream = EventStream(setup.network)
        await setup.post("START_SESSION", start("DC") | {"authorization_reference": "REF9"})
        await setup.settle()
        [event] = [e for e in stream.pending() if isinstance(e, SessionStarted)]
        assert event.token == command_token().cdr_token()
        assert event.authorization_reference == "REF9"

    async def test_reservation_made_when_reserve_now_accepted(self, setup: Setup) -> None:
        """K.317: the event the Sessions module turns into a RESERVATION session."""
        stream = EventStream(setup.network)
        assert (await reserved(setup)).result == CommandResultType.ACCEPTED
        [made] = [e for e in stream.pending() if isinstance(e, ReservationMade)]
        assert made.token == command_token().cdr_token()


class TestReservations:
    async def test_same_reservation_id_of_two_emsps_kept_apart(self, trio: Trio) -> None:
        """K.318."""
        setup = trio.setup
        assert (await reserved(setup, "R1", "AC")).result == CommandResultType.ACCEPTED
        theirs = reserve("R1", "DC", token=token(party="OTH"))
        assert ocpi(await trio.other_posts("RESERVE_NOW", theirs))[1]["result"] == "ACCEPTED"
        await setup.settle()
        assert len(setup.network.reservations) == 2
        await trio.other_posts("CANCEL_RESERVATION", cancel("R1"))
        await setup.settle()
        assert [e.uid for e in setup.network.reservations.values()] == ["AC"]

    async def test_same_id_again_replaces_the_reservation(self, setup: Setup) -> None:
        """K.319."""
        await reserved(setup, "R1", "AC")
        assert (await reserved(setup, "R1", "DC")).result == CommandResultType.ACCEPTED
        assert [e.uid for e in setup.network.reservations.values()] == ["DC"]

    async def test_unknown_reservation_when_cancelled_without_one(self, setup: Setup) -> None:
        """K.320."""
        body = CancelReservation(response_url=URL, reservation_id="NONE")
        sent = await send_command(setup.emsp.platform, "cpo", body)
        await setup.settle()
        done = await get_sent(setup.emsp.platform, sent.id)
        assert done.result == CommandResultType.UNKNOWN_RESERVATION

    async def test_canceled_reservation_posted_when_cpo_cancels(self, setup: Setup) -> None:
        """K.321: to the RESERVE_NOW's response_url, after its ACCEPTED."""
        sent = await reserved(setup, "R1", "AC")
        await setup.network.cancel_reservation_by_cpo("DE*MSP*R1", "roadworks")
        await setup.settle()
        done = await get_sent(setup.emsp.platform, sent.id)
        assert [r["result"] for r in done.results] == ["ACCEPTED", "CANCELED_RESERVATION"]
        assert done.result == CommandResultType.CANCELED_RESERVATION


class Hanging:
    """A charge point that never answers."""

    async def start(self, request: Any) -> Any:
        await asyncio.Event().wait()


class TestDelivery:
    async def test_timeout_result_when_charge_point_never_answers(self, quick: Setup) -> None:
        """The CPO's own TIMEOUT, within the timeout it announced."""
        assert quick.cpo.platform.chargers is not None
        quick.cpo.platform.chargers.network = Hanging()  # type: ignore[assignment]
        sent = await started(quick)
        assert sent.result == CommandResultType.TIMEOUT

    async def test_cut_short_command_ends_in_one_timeout_result(self, quick: Setup) -> None:
        """A restart mid-execution: the sweeper owes TIMEOUT once, however often it runs."""
        chargers = quick.cpo.platform.chargers
        assert chargers is not None
        chargers.network = Hanging()  # type: ignore[assignment]
        await quick.post("START_SESSION", start())
        for task in list(chargers.tasks):
            task.cancel()  # the process died while waiting for the charge point
        await chargers.idle()
        async with quick.cpo.platform.unit_of_work() as session:
            past = utc_now() - timedelta(seconds=1)
            await session.execute(update(commands_received).values(deadline=past))
        # the server's own sweeper may be first: however many sweeps, one result
        swept = [await expire_executions(quick.cpo.platform) for _ in range(3)]
        assert swept in ([1, 0, 0], [0, 0, 0])
        await quick.settle()
        [posted] = quick.posted_results()
        assert json.loads(posted.read())["result"] == "TIMEOUT"

    async def test_result_kept_and_delivered_when_emsp_back(self, setup: Setup) -> None:
        """Pending results live in the database until the eMSP confirms them."""
        body = StartSession(response_url=URL, token=command_token(), location_id="LOC1")
        sent = await send_command(setup.emsp.platform, "cpo", body)
        setup.router.down.add("emsp.test")
        await setup.settle()
        assert await owed(setup) == 1
        setup.router.down.clear()
        async with setup.cpo.platform.unit_of_work() as session:
            await session.execute(update(outbox).values(due_at=utc_now()))
        await setup.settle()
        assert (await get_sent(setup.emsp.platform, sent.id)).result == CommandResultType.ACCEPTED
        assert await owed(setup) == 0
        async with setup.cpo.platform.sessions() as session:
            delivered = (await session.execute(select(command_callbacks.c.delivered_at))).scalars()
            assert [d is not None for d in delivered] == [True]


class TestRuntime:
    async def test_status_reported_by_the_charger_is_written_to_our_location(
        self, setup: Setup
    ) -> None:
        await started(setup, "AC")
        location = await find_own_location(setup.cpo.platform, "LOC1")
        assert location is not None
        assert {e.uid: e.status for e in location.evses or []}["AC"] is Status.CHARGING

    async def test_network_built_from_stored_locations_when_the_server_starts(
        self, make_settings: Callable[..., Settings]
    ) -> None:
        settings = make_settings("cpo", "CPO:NL:CPO")
        async with platforms(settings) as (_, [first]):
            await save_locations(first.platform, [site("LOC1"), site("LOC2")])
        async with platforms(settings) as (_, [again]):
            assert again.platform.chargers is not None
            network = again.platform.chargers.network
            assert isinstance(network, SimulatedNetwork)
            for _ in range(100):
                if len(network.evses) == 12:
                    break
                await asyncio.sleep(0.02)
            assert len(network.evses) == 12
            assert network.evses["LOC2", "GONE"].status is Status.UNKNOWN  # offline when stored so
