"""Management API (/manage) and the OpenAPI docs."""

from collections.abc import AsyncIterator, Callable

import pytest

from evroam.settings import Settings
from tests.support import Running, connect, partner_named, platforms

ADMIN = {"Authorization": "Bearer admin-secret"}


@pytest.fixture
async def managed(make_settings: Callable[..., Settings]) -> AsyncIterator[tuple[Running, Running]]:
    cpo = make_settings("cpo", "CPO:NL:CPO", admin_token="admin-secret")
    emsp = make_settings("emsp", "EMSP:DE:MSP")
    async with platforms(cpo, emsp) as (_, (a, b)):
        await connect(a, b)
        yield a, b


class TestPartners:
    async def test_lists_partners_without_tokens(self, managed: tuple[Running, Running]) -> None:
        cpo, _ = managed
        response = await cpo.client.get("/manage/partners", headers=ADMIN)
        assert response.status_code == 200
        [partner] = response.json()["data"]
        assert partner["name"] == "emsp"
        assert partner["state"] == "REGISTERED"
        secret = (await partner_named(cpo.platform, "emsp")).token_out
        assert secret
        assert secret not in response.text
        assert not [key for key in partner if key in ("token", "token_out", "token_hash")]

    async def test_unknown_partner_is_404_with_advice(
        self, managed: tuple[Running, Running]
    ) -> None:
        cpo, _ = managed
        response = await cpo.client.get("/manage/partners/nobody", headers=ADMIN)
        assert response.status_code == 404
        assert "partner list" in response.json()["status_message"]

    @pytest.mark.parametrize(
        "header", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "admin-secret"}]
    )
    async def test_wrong_or_missing_admin_token_is_401(
        self, managed: tuple[Running, Running], header: dict[str, str]
    ) -> None:
        cpo, _ = managed
        assert (await cpo.client.get("/manage/partners", headers=header)).status_code == 401

    async def test_disabled_without_admin_token(self, managed: tuple[Running, Running]) -> None:
        _, emsp = managed
        response = await emsp.client.get("/manage/partners", headers=ADMIN)
        assert response.status_code == 404
        assert "admin_token" in response.json()["status_message"]

    async def test_ocpi_token_does_not_open_management(
        self, managed: tuple[Running, Running]
    ) -> None:
        cpo, _ = managed
        response = await cpo.client.get("/manage/partners", headers={"Authorization": "Token abc"})
        assert response.status_code == 401


class TestDocs:
    async def test_openapi_documents_ocpi_and_management(
        self, managed: tuple[Running, Running]
    ) -> None:
        cpo, _ = managed
        schema = (await cpo.client.get("/openapi.json")).json()
        paths = set(schema["paths"])
        assert {
            "/ocpi/versions",
            "/ocpi/2.2.1",
            "/ocpi/2.2.1/credentials",
            "/manage/partners",
        } <= paths
        post = schema["paths"]["/ocpi/2.2.1/credentials"]["post"]
        assert "requestBody" in post
        assert (await cpo.client.get("/docs")).status_code == 200
