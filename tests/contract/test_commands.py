"""Commands over HTTP: the CPO's Receiver and the eMSP's response_urls (CONFORMANCE K.299–K.325,
2.2.1). The eMSP (DE*MSP) commands the CPO (NL*CPO), whose simulated chargers carry them out."""

from typing import Any

import pytest

from evroam.chargers.evse import Fault
from evroam.modules.commands.model import (
    CommandResultType,
    StartSession,
)
from evroam.modules.commands.sending import get_sent, send_command
from tests.contract.commands_support import (
    COMMANDS,
    Setup,
    cancel,
    command_token,
    connected,
    ocpi,
    received_rows,
    reserve,
    response_url,
    start,
    stop,
    token,
    unlock,
)
from tests.contract.conftest import Pair
from tests.contract.locations_support import unauthenticated


@pytest.fixture
async def setup(pair: Pair) -> Setup:
    return await connected(*pair)


UNLOCK_FIELDS = ("location_id", "evse_uid", "connector_id")


def without(body: dict[str, Any], field: str) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k != field}


def response_of(answer: Any) -> tuple[int, str, int]:
    status, data = ocpi(answer)
    return status, data["result"], data["timeout"]


class TestPostCommand:
    async def test_401_when_no_or_unknown_token(self, setup: Setup) -> None:
        """A.1, A.2."""
        path = f"{COMMANDS}/START_SESSION"
        assert await unauthenticated(setup.emsp_in, "POST", path, start()) == [401, 401]

    async def test_accepted_with_positive_timeout_when_start_session_valid(
        self, setup: Setup
    ) -> None:
        """K.299, K.300; K.316: a token never pushed through the Tokens module is fine."""
        status, result, timeout = response_of(await setup.post("START_SESSION", start()))
        assert (status, result) == (1000, "ACCEPTED")
        assert isinstance(timeout, int)
        assert timeout > 0

    async def test_answer_when_command(self, setup: Setup) -> None:
        """K.303 (EVSE without the capability), K.314 (connector required), K.302 (unknown
        session), K.320 (an unknown reservation is the charge point's to say); K.300 always."""
        cases = [
            ("START_SESSION", start("DUMB"), "NOT_SUPPORTED"),
            ("RESERVE_NOW", reserve(evse="DUMB"), "NOT_SUPPORTED"),
            ("UNLOCK_CONNECTOR", unlock("DUMB"), "NOT_SUPPORTED"),
            ("START_SESSION", start("TWIN"), "REJECTED"),
            ("STOP_SESSION", stop("NOPE"), "UNKNOWN_SESSION"),
            ("CANCEL_RESERVATION", cancel("R9"), "ACCEPTED"),
        ]
        got = [response_of(await setup.post(command, body)) for command, body, _ in cases]
        assert [(status, result) for status, result, _ in got] == [(1000, e) for *_, e in cases]
        assert all(timeout > 0 for *_, timeout in got)

    async def test_2003_and_rejected_when_location_unknown(self, setup: Setup) -> None:
        """K.301 (and its EVSE, connector); K.307: no result is POSTed."""
        cases = [
            ("START_SESSION", start(location_id="NOPE")),
            ("START_SESSION", start("NOPE")),
            ("START_SESSION", start("AC", connector_id="9")),
            ("RESERVE_NOW", reserve(location_id="NOPE")),
            ("UNLOCK_CONNECTOR", unlock(location_id="NOPE")),
        ]
        got = [response_of(await setup.post(command, body)) for command, body in cases]
        assert [(status, result) for status, result, _ in got] == [(2003, "REJECTED")] * 5
        assert all(timeout > 0 for *_, timeout in got)
        await setup.settle()
        assert setup.posted_results() == []

    async def test_2001_when_required_field_missing_or_invalid(self, setup: Setup) -> None:
        """K.304; K.313 (connector_id without evse_uid); K.322 (UNLOCK needs all three)."""
        cases: list[tuple[str, Any]] = [
            ("START_SESSION", without(start(), "response_url")),
            ("START_SESSION", without(start(), "token")),
            ("START_SESSION", start(response_url="ftp://emsp.test/x")),
            ("START_SESSION", start(token=token(valid="maybe"))),
            ("START_SESSION", [start()]),
            ("START_SESSION", start(None, connector_id="1")),
            ("STOP_SESSION", without(stop("S1"), "session_id")),
            ("RESERVE_NOW", without(reserve(), "expiry_date")),
            ("CANCEL_RESERVATION", without(cancel("R1"), "response_url")),
            *[("UNLOCK_CONNECTOR", without(unlock(), field)) for field in UNLOCK_FIELDS],
        ]
        answers = [await setup.post(command, body) for command, body in cases]
        assert [(a.status_code, ocpi(a)[0]) for a in answers] == [(200, 2001)] * len(cases)
        assert await received_rows(setup.cpo) == []

    async def test_2001_when_response_url_is_not_the_senders(self, setup: Setup) -> None:
        """Results carry our token for the partner: never to another host."""
        body = start(response_url=response_url(host="elsewhere.test"))
        assert ocpi(await setup.post("START_SESSION", body))[0] == 2001

    async def test_2001_when_command_unknown(self, setup: Setup) -> None:
        """K.305."""
        statuses = [ocpi(await setup.post(c, start()))[0] for c in ("START_CHARGING", "X")]
        assert statuses == [2001, 2001]

    async def test_405_when_not_post(self, setup: Setup) -> None:
        """K.324."""
        for path in (COMMANDS, f"{COMMANDS}/START_SESSION"):
            for method in ("GET", "PUT", "PATCH", "DELETE"):
                body = start() if method != "GET" else None
                response = await setup.emsp_in.call(method, path, body)
                assert response.status_code == 405, (method, path)

    async def test_rejected_when_token_of_another_party(self, setup: Setup) -> None:
        """K.325."""
        body = start(token=token(party="OTH"))
        status, result, _ = response_of(await setup.post("START_SESSION", body))
        assert (status, result) == (1000, "REJECTED")

    async def test_token_is_neither_authorized_nor_stored(self, setup: Setup) -> None:
        """K.310, K.311, K.316: no call back to the eMSP, and no trace of the token kept."""
        await setup.post("START_SESSION", start(token=token("SECRET-UID")))
        await setup.settle()
        assert not [r for r in setup.router.requests if "authorize" in r.url.path]
        assert "SECRET-UID" not in repr(await received_rows(setup.cpo))

    async def test_not_supported_when_no_charge_points(self, setup: Setup) -> None:
        """K.303: a CPO with `[chargers] kind = "none"` forwards nothing."""
        setup.cpo.platform.chargers = None
        status, result, _ = response_of(await setup.post("START_SESSION", start()))
        assert (status, result) == (1000, "NOT_SUPPORTED")


class TestCommandResult:
    async def test_result_posted_to_response_url_when_accepted(self, setup: Setup) -> None:
        """K.306, K.308, through the services of both sides."""
        sent = await send_command(
            setup.emsp.platform,
            "cpo",
            StartSession(
                response_url="http://x.test/",
                token=command_token(),
                location_id="LOC1",
                evse_uid="AC",
            ),
        )
        assert (sent.response, sent.outcome) == ("ACCEPTED", "PENDING")
        await setup.settle()
        done = await get_sent(setup.emsp.platform, sent.id)
        assert (done.result, done.final, done.late) == ("ACCEPTED", True, False)
        [posted] = setup.posted_results()
        assert posted.url.path.endswith(f"/sender/commands/START_SESSION/{sent.id}")

    async def test_failed_result_when_charger_offline(self, setup: Setup) -> None:
        await setup.post("START_SESSION", start())  # teaches the simulator LOC1
        await setup.settle()
        await setup.network.set_fault("LOC1", "DC", Fault.OFFLINE)
        sent = await send_command(
            setup.emsp.platform,
            "cpo",
            StartSession(
                response_url="http://x.test/",
                token=command_token(),
                location_id="LOC1",
                evse_uid="DC",
            ),
        )
        await setup.settle()
        done = await get_sent(setup.emsp.platform, sent.id)
        assert done.result == CommandResultType.FAILED
        assert "offline" in (done.result_message or "")
