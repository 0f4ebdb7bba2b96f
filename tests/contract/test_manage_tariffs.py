"""Management API: our own Tariffs under /manage/tariffs (admin token, OCPI envelope)."""

from typing import Any

import pytest

from tests.contract import test_manage_locations as manage
from tests.contract.test_manage_locations import ADMIN, Managed, outbox_rows
from tests.support import connect

managed = manage.managed  # the same fixture: a CPO with an admin token and an eMSP


def tariff(tariff_id: str = "AC", price: str = "0.25", **changes: Any) -> dict[str, Any]:
    return {
        "country_code": "NL",
        "party_id": "CPO",
        "id": tariff_id,
        "currency": "EUR",
        "elements": [{"price_components": [{"type": "ENERGY", "price": price, "step_size": 1}]}],
        "last_updated": "2026-05-01T08:00:00Z",
    } | changes


class TestTariffs:
    async def test_saved_tariffs_are_listed_with_exact_prices(self, managed: Managed) -> None:
        cpo, _ = managed
        body = [tariff("AC", "0.1"), tariff("DC", "0.59")]
        saved = await cpo.client.put("/manage/tariffs", json=body, headers=ADMIN)
        assert saved.json()["data"]["created"] == 2
        listing = (await cpo.client.get("/manage/tariffs?limit=1", headers=ADMIN)).json()["data"]
        assert listing["total"] == 2
        [first] = listing["items"]
        assert first["elements"][0]["price_components"][0]["price"] == 0.1

    async def test_one_tariff_is_read_back(self, managed: Managed) -> None:
        cpo, _ = managed
        await cpo.client.put("/manage/tariffs", json=tariff(), headers=ADMIN)
        got = await cpo.client.get("/manage/tariffs/nl/cpo/ac", headers=ADMIN)
        assert got.json()["data"]["id"] == "AC"

    async def test_delete_removes_it_and_queues_a_delete(self, managed: Managed) -> None:
        cpo, emsp = managed
        await cpo.client.put("/manage/tariffs", json=tariff(), headers=ADMIN)
        await connect(cpo, emsp)
        response = await cpo.client.delete("/manage/tariffs/NL/CPO/AC", headers=ADMIN)
        assert response.json()["status_code"] == 1000
        assert [(r.module, r.object_id) for r in await outbox_rows(cpo)] == [("tariffs", "AC")]
        gone = await cpo.client.get("/manage/tariffs/NL/CPO/AC", headers=ADMIN)
        assert gone.status_code == 404

    async def test_deleting_an_unknown_tariff_is_404(self, managed: Managed) -> None:
        cpo, _ = managed
        response = await cpo.client.delete("/manage/tariffs/NL/CPO/NOPE", headers=ADMIN)
        assert response.status_code == 404

    @pytest.mark.parametrize(
        "body",
        [tariff(currency="EURO"), tariff(elements=[]), tariff(country_code="DE", party_id="XYZ")],
    )
    async def test_invalid_tariff_is_2001(self, managed: Managed, body: dict[str, Any]) -> None:
        cpo, _ = managed
        response = await cpo.client.put("/manage/tariffs", json=[tariff("OK"), body], headers=ADMIN)
        assert response.json()["status_code"] == 2001
        listing = await cpo.client.get("/manage/tariffs", headers=ADMIN)
        assert listing.json()["data"]["total"] == 0

    @pytest.mark.parametrize(
        ("method", "path"),
        [
            ("GET", "/manage/tariffs"),
            ("PUT", "/manage/tariffs"),
            ("DELETE", "/manage/tariffs/NL/CPO/AC"),
        ],
    )
    async def test_missing_admin_token_is_401(
        self, managed: Managed, method: str, path: str
    ) -> None:
        cpo, _ = managed
        await cpo.client.put("/manage/tariffs", json=tariff(), headers=ADMIN)
        response = await cpo.client.request(method, path, json=tariff(price="9"))
        assert response.status_code == 401
        kept = await cpo.client.get("/manage/tariffs/NL/CPO/AC", headers=ADMIN)
        assert kept.json()["data"]["elements"][0]["price_components"][0]["price"] == 0.25

    async def test_openapi_lists_the_routes(self, managed: Managed) -> None:
        cpo, _ = managed
        paths = (await cpo.client.get("/openapi.json")).json()["paths"]
        assert set(paths["/manage/tariffs"]) == {"get", "put"}
        assert {"get", "delete"} <= set(
            paths["/manage/tariffs/{country_code}/{party_id}/{tariff_id}"]
        )


def with_tariffs(location: dict[str, Any], *tariff_ids: str) -> dict[str, Any]:
    """The Location with each Connector priced by `tariff_ids`."""
    for evse in location["evses"]:
        for connector in evse["connectors"]:
            connector["tariff_ids"] = list(tariff_ids)
    return location


class TestDeleteReferencedTariff:
    async def test_tariff_named_by_a_connector_is_not_deleted_223(self, managed: Managed) -> None:
        cpo, emsp = managed
        await cpo.client.put("/manage/tariffs", json=[tariff("AC"), tariff("DC")], headers=ADMIN)
        site = with_tariffs(manage.location(1), "dc", "ac")  # ids are case-insensitive
        await cpo.client.put("/manage/locations", json=site, headers=ADMIN)
        await connect(cpo, emsp)
        before = await outbox_rows(cpo)

        response = await cpo.client.delete("/manage/tariffs/NL/CPO/AC", headers=ADMIN)

        assert response.status_code == 409
        assert response.json()["status_code"] == 2000
        evse = site["evses"][0]
        assert (
            f"{site['id']}/{evse['uid']}/{evse['connectors'][0]['id']}"
            in (response.json()["status_message"])
        )
        kept = await cpo.client.get("/manage/tariffs/NL/CPO/AC", headers=ADMIN)
        assert kept.status_code == 200
        assert await outbox_rows(cpo) == before

    async def test_tariff_is_deleted_once_no_connector_names_it_223(self, managed: Managed) -> None:
        cpo, _ = managed
        await cpo.client.put("/manage/tariffs", json=[tariff("AC"), tariff("AC2")], headers=ADMIN)
        site = with_tariffs(manage.location(1), "AC")
        await cpo.client.put("/manage/locations", json=site, headers=ADMIN)
        # A Connector priced by AC2, an id containing this one, does not hold it back.
        await cpo.client.put("/manage/locations", json=with_tariffs(site, "AC2"), headers=ADMIN)

        response = await cpo.client.delete("/manage/tariffs/NL/CPO/AC", headers=ADMIN)

        assert response.json()["status_code"] == 1000
        gone = await cpo.client.get("/manage/tariffs/NL/CPO/AC", headers=ADMIN)
        assert gone.status_code == 404


class TestAltTextAdvice:
    async def test_alt_text_repeating_prices_is_saved_with_a_warning_224(
        self, managed: Managed
    ) -> None:
        cpo, _ = managed
        text = [{"language": "en", "text": "0.25 euro per kWh"}]
        body = [tariff("AC", tariff_alt_text=text), tariff("DC")]
        saved = (await cpo.client.put("/manage/tariffs", json=body, headers=ADMIN)).json()
        assert saved["status_code"] == 1000
        assert saved["data"]["created"] == 2
        [warning] = saved["data"]["warnings"]
        assert warning.startswith("Tariff AC: tariff_alt_text (en) states a price")

    async def test_additional_alt_text_gives_no_warning_224(self, managed: Managed) -> None:
        cpo, _ = managed
        text = [{"language": "en", "text": "Cheaper at night"}]
        body = tariff("AC", tariff_alt_text=text)
        saved = (await cpo.client.put("/manage/tariffs", json=body, headers=ADMIN)).json()
        assert saved["data"]["warnings"] == []
