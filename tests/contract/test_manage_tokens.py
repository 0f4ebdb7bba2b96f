"""Management API: our own Tokens under /manage/tokens (admin token, OCPI envelope;
CONFORMANCE J.294–J.297 for what we emit)."""

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from evroam.settings import Settings
from tests.contract.test_manage_locations import ADMIN, outbox_rows
from tests.contract.tokens_support import REQUIRED, token
from tests.support import Running, connect, platforms

Managed = tuple[Running, Running]


@pytest.fixture
async def managed(make_settings: Callable[..., Settings]) -> AsyncIterator[Managed]:
    emsp = make_settings("emsp", "EMSP:DE:MSP", admin_token="secret")
    cpo = make_settings("cpo", "CPO:NL:CPO")
    async with platforms(emsp, cpo) as (_, (a, b)):
        yield a, b


async def call(running: Running, method: str, path: str, body: Any = None) -> Any:
    response = await running.client.request(method, path, json=body, headers=ADMIN)
    return response


class TestIssue:
    async def test_401_without_the_admin_token(self, managed: Managed) -> None:
        emsp, _ = managed
        assert (await emsp.client.get("/manage/tokens")).status_code == 401

    async def test_issued_token_is_listed_and_shown(self, managed: Managed) -> None:
        """J.294: the issued Token has every required field, contract id and issuer filled."""
        emsp, _ = managed
        response = await call(emsp, "POST", "/manage/tokens", {"uid": "04A2B3", "group_id": "G1"})
        assert (response.status_code, response.json()["status_code"]) == (201, 1000)
        issued = response.json()["data"]
        assert set(REQUIRED) <= set(issued)
        assert (issued["issuer"], issued["whitelist"], issued["valid"]) == (
            "Emsp DEMSP",
            "ALLOWED",
            True,
        )
        assert issued["contract_id"].startswith("DEMSPC")
        listing = (await call(emsp, "GET", "/manage/tokens")).json()["data"]
        assert (listing["total"], listing["items"]) == (1, [issued])
        shown = (await call(emsp, "GET", "/manage/tokens/04a2b3")).json()["data"]
        assert shown == {"token": issued}

    async def test_app_user_gets_a_uid_and_whitelist_never(self, managed: Managed) -> None:
        """J.295."""
        emsp, _ = managed
        issued = (await call(emsp, "POST", "/manage/tokens", {"type": "APP_USER"})).json()
        assert (issued["data"]["whitelist"], len(issued["data"]["uid"])) == ("NEVER", 36)
        shown = await call(emsp, "GET", f"/manage/tokens/{issued['data']['uid']}?type=APP_USER")
        assert shown.status_code == 200

    async def test_2001_and_nothing_issued_when_the_order_is_refused(
        self, managed: Managed
    ) -> None:
        emsp, _ = managed
        for order in (
            {"type": "APP_USER", "whitelist": "ALLOWED"},  # J.295
            {"uid": "X1", "group_id": "G" * 21},  # J.296
            {"type": "RFID"},  # an RFID card's uid is read from the card
            {"uid": "X1", "party": "NL*CPO"},  # not one of our eMSP parties
            {"uid": "X1", "language": "nld"},
            {"uid": "X1", "policy": {"expires": "2027-01-01T00:00:00Z"}},
        ):
            response = await call(emsp, "POST", "/manage/tokens", order)
            assert response.json()["status_code"] == 2001, order
        assert (await call(emsp, "GET", "/manage/tokens")).json()["data"]["total"] == 0

    async def test_2001_when_the_uid_is_issued_already(self, managed: Managed) -> None:
        emsp, _ = managed
        await call(emsp, "POST", "/manage/tokens", {"uid": "X1"})
        again = await call(emsp, "POST", "/manage/tokens", {"uid": "x1"})
        assert again.json()["status_code"] == 2001
        assert "issued already" in again.json()["status_message"]


class TestImport:
    async def test_saved_tokens_are_counted_and_queued(self, managed: Managed) -> None:
        emsp, cpo = managed
        await connect(emsp, cpo)
        body = [token("T1"), token("T2")]
        saved = (await call(emsp, "PUT", "/manage/tokens", body)).json()["data"]
        assert (saved["created"], saved["updated"]) == (2, 0)
        assert len(await outbox_rows(emsp)) == 2

    async def test_2001_and_nothing_saved_when_not_ours_to_emit(self, managed: Managed) -> None:
        emsp, _ = managed
        for body in (
            token(country_code="NL", party_id="CPO"),
            token(token_type="AD_HOC_USER"),  # J.295: whitelist ALLOWED
            token(group_id="G" * 21),  # J.296
        ):
            response = await call(emsp, "PUT", "/manage/tokens", [token("OK"), body])
            assert response.json()["status_code"] == 2001, body
        assert (await call(emsp, "GET", "/manage/tokens")).json()["data"]["total"] == 0


class TestBlock:
    async def test_block_and_unblock_are_queued_as_patches(self, managed: Managed) -> None:
        """J.297: a Token is blocked, never deleted."""
        emsp, cpo = managed
        await call(emsp, "POST", "/manage/tokens", {"uid": "X1"})
        await connect(emsp, cpo)
        blocked = await call(emsp, "POST", "/manage/tokens/X1/block")
        assert blocked.json()["data"]["valid"] is False
        assert [r.fields for r in await outbox_rows(emsp)] == [["valid"]]
        unblocked = await call(emsp, "POST", "/manage/tokens/X1/unblock?type=RFID")
        assert unblocked.json()["data"]["valid"] is True
        assert (await call(emsp, "GET", "/manage/tokens")).json()["data"]["total"] == 1

    async def test_404_when_unknown(self, managed: Managed) -> None:
        emsp, _ = managed
        await call(emsp, "POST", "/manage/tokens", {"uid": "X1"})
        for path in ("/manage/tokens/NOPE/block", "/manage/tokens/X1/block?type=APP_USER"):
            assert (await call(emsp, "POST", path)).status_code == 404, path
        assert (await call(emsp, "GET", "/manage/tokens/NOPE")).status_code == 404


class TestPolicy:
    async def test_policy_is_stored_and_shown_but_not_pushed(self, managed: Managed) -> None:
        emsp, cpo = managed
        await call(emsp, "POST", "/manage/tokens", {"uid": "X1"})
        await connect(emsp, cpo)
        policy = {"expires_at": "2027-01-01T00:00:00Z", "locations": [{"location_id": "L1"}]}
        response = await call(emsp, "PUT", "/manage/tokens/X1/policy", policy)
        assert response.json()["data"]["policy"] == policy | {"no_credit": False}
        shown = (await call(emsp, "GET", "/manage/tokens/X1")).json()["data"]
        assert shown["policy"] == policy | {"no_credit": False}
        assert await outbox_rows(emsp) == []
