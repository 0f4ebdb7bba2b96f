"""Management API: commands sent by the eMSP's operators (/manage/commands) and the CPO's
simulated charge points (/manage/chargers). Operator only (CONFORMANCE K.323)."""

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from evroam.settings import Settings
from tests.contract.commands_support import Setup, connected
from tests.support import platforms

ADMIN = {"Authorization": "Bearer admin-secret"}


@pytest.fixture
async def setup(make_settings: Callable[..., Settings]) -> AsyncIterator[Setup]:
    configs = [
        make_settings("cpo", "CPO:NL:CPO", admin_token="admin-secret"),
        make_settings("emsp", "EMSP:DE:MSP", admin_token="admin-secret"),
    ]
    async with platforms(*configs) as (router, (cpo, emsp)):
        yield await connected(router, cpo, emsp)


def data(response: httpx.Response) -> Any:
    assert response.json()["status_code"] == 1000, response.text
    return response.json()["data"]


async def post(setup: Setup, body: dict[str, Any], **kw: Any) -> httpx.Response:
    headers = kw.pop("headers", ADMIN)
    return await setup.emsp.client.post("/manage/commands", json=body, headers=headers)


UNLOCK = {
    "partner": "cpo",
    "type": "UNLOCK_CONNECTOR",
    "command": {"location_id": "LOC1", "evse_uid": "AC", "connector_id": "1"},
}


class TestManageCommands:
    async def test_401_without_the_admin_token(self, setup: Setup) -> None:
        """K.323: unlocking is for operators, never for a driver's app."""
        assert (await post(setup, UNLOCK, headers={})).status_code == 401
        assert setup.posted_results() == []

    async def test_sent_then_result_readable(self, setup: Setup) -> None:
        sent = data(await post(setup, UNLOCK))
        assert (sent["response"], sent["outcome"], sent["final"]) == ("ACCEPTED", "PENDING", False)
        await setup.settle()
        done = data(await setup.emsp.client.get(f"/manage/commands/{sent['id']}", headers=ADMIN))
        assert (done["outcome"], done["final"]) == ("ACCEPTED", True)
        listing = data(await setup.emsp.client.get("/manage/commands", headers=ADMIN))
        assert [c["id"] for c in listing["items"]] == [sent["id"]]

    async def test_token_given_by_uid_is_completed_as_ours(self, setup: Setup) -> None:
        body = {
            "partner": "cpo",
            "type": "START_SESSION",
            "command": {"location_id": "LOC1", "evse_uid": "AC", "token": {"uid": "APP7"}},
        }
        sent = data(await post(setup, body))
        token = sent["request"]["token"]
        assert (token["country_code"], token["party_id"], token["uid"]) == ("DE", "MSP", "APP7")

    async def test_2001_when_command_invalid(self, setup: Setup) -> None:
        body = UNLOCK | {"command": {"location_id": "LOC1"}}
        assert (await post(setup, body)).json()["status_code"] == 2001

    async def test_404_when_partner_or_command_unknown(self, setup: Setup) -> None:
        assert (await post(setup, UNLOCK | {"partner": "nobody"})).status_code == 404
        missing = await setup.emsp.client.get("/manage/commands/nope", headers=ADMIN)
        assert missing.status_code == 404


class TestManageChargers:
    async def test_fault_switched_on_and_off(self, setup: Setup) -> None:
        path = "/manage/chargers/LOC1/AC/faults/OFFLINE"
        evse = data(await setup.cpo.client.put(path, headers=ADMIN))
        assert (evse["status"], evse["faults"]) == ("UNKNOWN", ["OFFLINE"])
        evse = data(await setup.cpo.client.delete(path, headers=ADMIN))
        assert (evse["status"], evse["faults"]) == ("AVAILABLE", [])
        listed = data(
            await setup.cpo.client.get("/manage/chargers?location_id=loc1", headers=ADMIN)
        )
        assert len(listed) == 6

    async def test_404_when_evse_unknown(self, setup: Setup) -> None:
        path = "/manage/chargers/LOC1/NOPE/faults/OFFLINE"
        assert (await setup.cpo.client.put(path, headers=ADMIN)).status_code == 404

    async def test_reservation_cancelled_by_the_operator_reaches_the_emsp(
        self, setup: Setup
    ) -> None:
        """K.321 through the operator's API."""
        body = {
            "partner": "cpo",
            "type": "RESERVE_NOW",
            "command": {
                "location_id": "LOC1",
                "evse_uid": "AC",
                "reservation_id": "R7",
                "expiry_date": "2099-01-01T00:00:00Z",
                "token": {"uid": "APP1"},
            },
        }
        sent = data(await post(setup, body))
        await setup.settle()
        path = "/manage/chargers/reservations/DE*MSP*R7?reason=roadworks"
        assert data(await setup.cpo.client.delete(path, headers=ADMIN))["outcome"] == "ACCEPTED"
        await setup.settle()
        done = data(await setup.emsp.client.get(f"/manage/commands/{sent['id']}", headers=ADMIN))
        assert done["outcome"] == "CANCELED_RESERVATION"
        assert "roadworks" in done["result_message"]
