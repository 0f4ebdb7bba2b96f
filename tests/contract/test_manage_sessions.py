"""Management API: Sessions and CDRs under /manage/sessions and /manage/cdrs (admin token).

The CPO's own (pushed by the outbox) and the same objects as the eMSP received them.
"""

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from evroam.modules.cdrs.model import Cdr
from evroam.modules.cdrs.publish import issue_cdr
from evroam.modules.sessions.model import Session
from evroam.modules.sessions.publish import open_session
from evroam.settings import Settings
from tests.contract.sessions_support import cdr, session
from tests.support import Running, connect, platforms

ADMIN = {"Authorization": "Bearer secret"}


@pytest.fixture
async def held(make_settings: Callable[..., Settings]) -> AsyncIterator[tuple[Running, Running]]:
    """S1 and CDR1 of the CPO, delivered to the eMSP; both platforms have an admin token."""
    cpo = make_settings("cpo", "CPO:NL:CPO", admin_token="secret")
    emsp = make_settings("emsp", "EMSP:DE:MSP", admin_token="secret")
    async with platforms(cpo, emsp) as (_, (a, b)):
        await connect(a, b)
        await open_session(a.platform, Session.model_validate(session()))
        await issue_cdr(a.platform, Cdr.model_validate(cdr()))
        await a.app.state.outbox.drain()
        yield a, b


async def listed(running: Running, path: str, **params: Any) -> Any:
    response = await running.client.get(path, params=params, headers=ADMIN)
    assert response.json()["status_code"] == 1000, response.text
    return response.json()["data"]


class TestManageSessions:
    async def test_ours_and_received_when_listed(self, held: tuple[Running, Running]) -> None:
        cpo, emsp = held
        ours = await listed(cpo, "/manage/sessions", origin="own")
        assert (ours["total"], ours["items"][0].get("partner")) == (1, None)
        assert ours["items"][0]["pushed_periods"] == 0
        received = await listed(emsp, "/manage/sessions", partner="cpo", status="ACTIVE")
        assert received["items"][0]["partner"] == "cpo"
        assert received["items"][0]["session"] == ours["items"][0]["session"]
        assert (await listed(emsp, "/manage/sessions", origin="own"))["total"] == 0

    async def test_one_read_back_and_404_when_unknown(self, held: tuple[Running, Running]) -> None:
        cpo, _ = held
        one = await listed(cpo, "/manage/sessions/nl/cpo/s1")
        assert one["session"]["id"] == "S1"
        missing = await cpo.client.get("/manage/sessions/NL/CPO/NOPE", headers=ADMIN)
        assert missing.status_code == 404

    async def test_refused_without_admin_token_or_with_unknown_partner(
        self, held: tuple[Running, Running]
    ) -> None:
        cpo, _ = held
        assert (await cpo.client.get("/manage/sessions")).status_code == 401
        unknown = await cpo.client.get("/manage/sessions?partner=nobody", headers=ADMIN)
        assert unknown.status_code == 404


class TestManageCdrs:
    async def test_ours_with_the_partners_url_and_received(
        self, held: tuple[Running, Running]
    ) -> None:
        cpo, emsp = held
        (ours,) = (await listed(cpo, "/manage/cdrs"))["items"]
        assert ours["pushed_location"] == "http://emsp.test/ocpi/2.2.1/receiver/cdrs/NL/CPO/CDR1"
        (received,) = (await listed(emsp, "/manage/cdrs", origin="received"))["items"]
        assert (received["partner"], received["cdr"]) == ("cpo", ours["cdr"])
        one = await listed(emsp, "/manage/cdrs/NL/CPO/CDR1")
        assert one["cdr"]["id"] == "CDR1"
        assert (await emsp.client.get("/manage/cdrs/NL/CPO/X", headers=ADMIN)).status_code == 404
