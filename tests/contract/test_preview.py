"""Price preview over the management API (issue #4 item 4)."""

from collections.abc import AsyncIterator, Callable
from decimal import Decimal

import pytest

from evroam.modules.locations.publish import save_locations
from evroam.modules.tariffs.publish import save_tariffs
from evroam.settings import Settings
from tests.contract.test_push import location, tariff
from tests.support import Running, platforms

ADMIN = {"Authorization": "Bearer admin-secret"}
URL = "/manage/preview/NL/CPO/LOC1/E1-0/1"


@pytest.fixture
async def cpo(make_settings: Callable[..., Settings]) -> AsyncIterator[Running]:
    settings = make_settings("cpo", "CPO:NL:CPO", admin_token="admin-secret")
    async with platforms(settings) as (_, (running,)):
        await save_tariffs(running.platform, [tariff("0.25")])
        await save_locations(running.platform, [location(1)])
        yield running


class TestPreview:
    async def test_prices_a_planned_session_with_the_connectors_tariff(self, cpo: Running) -> None:
        """20 kWh at 0.25 EUR/kWh, VAT 21 %: 5.00 excl, 6.05 incl; 20 kWh at 11 kW."""
        response = await cpo.client.get(
            URL,
            params={"energy_kwh": "20", "power_kw": "11", "start": "2026-05-01T10:00:00Z"},
            headers=ADMIN,
        )
        assert response.status_code == 200
        body = response.json(parse_float=Decimal)
        assert body["status_code"] == 1000
        data = body["data"]
        assert data["total_cost"] == {"excl_vat": Decimal("5.00"), "incl_vat": Decimal("6.05")}
        assert Decimal(data["total_energy"]) == 20
        assert data["explanation"]

    async def test_unknown_connector_is_404(self, cpo: Running) -> None:
        response = await cpo.client.get(
            "/manage/preview/NL/CPO/LOC1/E1-0/9",
            params={"energy_kwh": "1", "power_kw": "1"},
            headers=ADMIN,
        )
        assert response.status_code == 404

    @pytest.mark.parametrize(
        "params",
        [
            {"energy_kwh": "-1", "power_kw": "11"},
            {"energy_kwh": "1", "power_kw": "0"},
            {"energy_kwh": "1", "power_kw": "1", "start": "soon"},
        ],
    )
    async def test_bad_parameters_are_2001(self, cpo: Running, params: dict[str, str]) -> None:
        response = await cpo.client.get(URL, params=params, headers=ADMIN)
        assert response.status_code == 200
        assert response.json()["status_code"] == 2001

    async def test_admin_token_required(self, cpo: Running) -> None:
        response = await cpo.client.get(URL, params={"energy_kwh": "1", "power_kw": "1"})
        assert response.status_code == 401
