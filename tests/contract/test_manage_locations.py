"""Management API: our own Locations under /manage/locations (admin token, OCPI envelope)."""

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from sqlalchemy import select

from evroam.settings import Settings
from evroam.sim.network import location_data
from evroam.storage.tables import outbox
from tests.support import Running, connect, platforms

ADMIN = {"Authorization": "Bearer secret"}
Managed = tuple[Running, Running]


def location(number: int, **changes: Any) -> dict[str, Any]:
    return location_data(7, number, ("NL", "CPO")) | changes


@pytest.fixture
async def managed(make_settings: Callable[..., Settings]) -> AsyncIterator[Managed]:
    cpo = make_settings("cpo", "CPO:NL:CPO", admin_token="secret")
    emsp = make_settings("emsp", "EMSP:DE:MSP")
    async with platforms(cpo, emsp) as (_, (a, b)):
        yield a, b


async def outbox_rows(running: Running) -> list[Any]:
    async with running.platform.sessions() as session:
        return list((await session.execute(select(outbox))).all())


class TestPutLocations:
    async def test_saved_locations_can_be_read_back(self, managed: Managed) -> None:
        cpo, _ = managed
        body = [location(1), location(2)]
        response = await cpo.client.put("/manage/locations", json=body, headers=ADMIN)
        assert response.status_code == 200
        assert response.json()["status_code"] == 1000
        assert response.json()["data"] == {
            "created": 2,
            "updated": 0,
            "unchanged": 0,
            "rejected": [],
            "warnings": [],
        }
        got = await cpo.client.get("/manage/locations/LOC000002", headers=ADMIN)
        assert got.json()["data"]["id"] == "LOC000002"
        assert got.json()["data"]["city"] == body[1]["city"]

    async def test_one_location_is_accepted_without_a_list(self, managed: Managed) -> None:
        cpo, _ = managed
        await cpo.client.put("/manage/locations", json=location(1), headers=ADMIN)
        again = await cpo.client.put("/manage/locations", json=location(1), headers=ADMIN)
        assert again.json()["data"]["unchanged"] == 1

    async def test_saved_location_is_queued_for_a_connected_emsp(self, managed: Managed) -> None:
        cpo, emsp = managed
        await connect(cpo, emsp)
        await cpo.client.put("/manage/locations", json=location(1), headers=ADMIN)
        [row] = await outbox_rows(cpo)
        assert (row.module, row.object_id) == ("locations", "LOC000001")

    async def test_invalid_body_is_2001_and_saves_nothing(self, managed: Managed) -> None:
        cpo, _ = managed
        body = [location(1), location(2, coordinates={"latitude": "north"})]
        response = await cpo.client.put("/manage/locations", json=body, headers=ADMIN)
        assert response.json()["status_code"] == 2001
        assert "latitude" in response.json()["status_message"]
        listing = await cpo.client.get("/manage/locations", headers=ADMIN)
        assert listing.json()["data"]["total"] == 0

    async def test_location_of_another_party_is_2001(self, managed: Managed) -> None:
        cpo, _ = managed
        body = location(1, country_code="DE", party_id="XYZ")
        response = await cpo.client.put("/manage/locations", json=body, headers=ADMIN)
        assert response.json()["status_code"] == 2001
        assert "DE*XYZ" in response.json()["status_message"]

    async def test_non_json_body_is_2001(self, managed: Managed) -> None:
        cpo, _ = managed
        response = await cpo.client.put(
            "/manage/locations",
            content=b"{",
            headers={**ADMIN, "Content-Type": "application/json"},
        )
        assert response.json()["status_code"] == 2001


class TestGetLocations:
    async def test_pages_carry_the_total(self, managed: Managed) -> None:
        cpo, _ = managed
        body = [location(n) for n in range(1, 6)]
        await cpo.client.put("/manage/locations", json=body, headers=ADMIN)
        response = await cpo.client.get("/manage/locations?offset=1&limit=2", headers=ADMIN)
        data = response.json()["data"]
        assert (data["total"], data["offset"], data["limit"]) == (5, 1, 2)
        assert [item["id"] for item in data["items"]] == ["LOC000002", "LOC000003"]

    @pytest.mark.parametrize("query", ["offset=-1", "limit=0", "limit=100000"])
    async def test_bad_page_parameters_are_2001(self, managed: Managed, query: str) -> None:
        cpo, _ = managed
        response = await cpo.client.get(f"/manage/locations?{query}", headers=ADMIN)
        assert response.json()["status_code"] == 2001

    async def test_unknown_location_is_404(self, managed: Managed) -> None:
        cpo, _ = managed
        response = await cpo.client.get("/manage/locations/NOPE", headers=ADMIN)
        assert response.status_code == 404
        assert "GET /manage/locations" in response.json()["status_message"]


class TestPutEvseStatus:
    PATH = "/manage/locations/LOC000001/evses/LOC000001-1/status"

    async def test_status_change_is_stored_and_queued_as_a_patch(self, managed: Managed) -> None:
        cpo, emsp = managed
        await cpo.client.put("/manage/locations", json=location(1, publish=True), headers=ADMIN)
        await connect(cpo, emsp)
        response = await cpo.client.put(self.PATH, json={"status": "OUTOFORDER"}, headers=ADMIN)
        assert response.status_code == 200
        assert response.json()["data"]["evses"][0]["status"] == "OUTOFORDER"
        [row] = await outbox_rows(cpo)
        assert (row.module, row.path, row.fields) == (
            "locations",
            "LOC000001/LOC000001-1",
            ["status"],
        )
        got = await cpo.client.get("/manage/locations/LOC000001?party=NL*CPO", headers=ADMIN)
        assert got.json()["data"]["evses"][0]["status"] == "OUTOFORDER"

    @pytest.mark.parametrize("body", [{"status": "BROKEN"}, {"status": "charging"}, {}])
    async def test_invalid_status_is_2001(self, managed: Managed, body: dict[str, str]) -> None:
        cpo, _ = managed
        await cpo.client.put("/manage/locations", json=location(1), headers=ADMIN)
        response = await cpo.client.put(self.PATH, json=body, headers=ADMIN)
        assert response.json()["status_code"] == 2001

    async def test_unknown_evse_is_404(self, managed: Managed) -> None:
        cpo, _ = managed
        await cpo.client.put("/manage/locations", json=location(1), headers=ADMIN)
        path = "/manage/locations/LOC000001/evses/NOPE/status"
        response = await cpo.client.put(path, json={"status": "CHARGING"}, headers=ADMIN)
        assert response.status_code == 404

    async def test_malformed_party_is_2001(self, managed: Managed) -> None:
        cpo, _ = managed
        response = await cpo.client.put(
            self.PATH + "?party=NLCPO", json={"status": "CHARGING"}, headers=ADMIN
        )
        assert response.json()["status_code"] == 2001


class TestAdminToken:
    @pytest.mark.parametrize(
        ("method", "path"),
        [
            ("GET", "/manage/locations"),
            ("GET", "/manage/locations/LOC000001"),
            ("PUT", "/manage/locations"),
            ("PUT", "/manage/locations/LOC000001/evses/E1/status"),
        ],
    )
    @pytest.mark.parametrize("header", [{}, {"Authorization": "Bearer wrong"}])
    async def test_missing_or_wrong_admin_token_is_401(
        self, managed: Managed, method: str, path: str, header: dict[str, str]
    ) -> None:
        cpo, _ = managed
        response = await cpo.client.request(method, path, json=location(1), headers=header)
        assert response.status_code == 401
        listing = await cpo.client.get("/manage/locations", headers=ADMIN)
        assert listing.json()["data"]["total"] == 0


class TestDocs:
    async def test_openapi_lists_the_routes_with_their_text(self, managed: Managed) -> None:
        cpo, _ = managed
        paths = (await cpo.client.get("/openapi.json")).json()["paths"]
        assert set(paths["/manage/locations"]) == {"get", "put"}
        assert "get" in paths["/manage/locations/{location_id}"]
        status = paths["/manage/locations/{location_id}/evses/{evse_uid}/status"]["put"]
        assert "PATCH" in status["description"] + status["summary"]
        assert "requestBody" in status
