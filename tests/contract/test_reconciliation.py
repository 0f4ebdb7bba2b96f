"""Management API: GET /manage/reconciliation, the same statement as `evroam reconcile`."""

import json
from collections.abc import AsyncIterator, Callable
from decimal import Decimal
from typing import Any

import pytest

from evroam.settings import Settings
from tests.support import Running, platforms
from tests.unit.reconciliation.cdrs import june_cdrs, store_partner_data

D = Decimal
ADMIN = {"Authorization": "Bearer admin-secret"}
JUNE = {"partner": "cpo", "from": "2024-06-01", "to": "2024-06-30"}


@pytest.fixture
async def emsp(make_settings: Callable[..., Settings]) -> AsyncIterator[Running]:
    settings = make_settings("emsp", "EMSP:DE:MSP", admin_token="admin-secret")
    async with platforms(settings) as (_, (running,)):
        await store_partner_data(running.platform, *june_cdrs())
        yield running


def data(text: str) -> Any:
    return json.loads(text, parse_float=Decimal)["data"]


class TestGetReconciliation:
    async def test_returns_statement_with_exact_amounts(self, emsp: Running) -> None:
        response = await emsp.client.get("/manage/reconciliation", params=JUNE, headers=ADMIN)
        assert response.status_code == 200
        statement = data(response.text)
        assert (statement["partner"], statement["count"]) == ("cpo", 3)
        assert statement["by_status"] == {"MATCH": 1, "MISMATCH": 2}
        assert statement["by_cause"] == {"ROUNDING": 1, "UNEXPLAINED": 1}
        # See june_cdrs: 9.00 + 10.00 + 4.75 CDR excl; ours 9.00 + 9.00 + 4.75; +1.00.
        [eur] = statement["amounts"]
        assert eur["cdr_total"]["excl_vat"] == D("23.75")
        assert eur["our_total"] == {"excl_vat": D("22.75"), "incl_vat": D("25.597")}
        assert eur["difference"] == 1
        assert statement["worst"][0]["cdr_id"] == "CDR-B"
        assert (statement["date_from"], statement["date_to"]) == (
            "2024-06-01T00:00:00Z",
            "2024-07-01T00:00:00Z",
        )

    @pytest.mark.parametrize("header", [{}, {"Authorization": "Bearer wrong"}])
    async def test_refuses_without_admin_token(self, emsp: Running, header: dict[str, str]) -> None:
        response = await emsp.client.get("/manage/reconciliation", params=JUNE, headers=header)
        assert response.status_code == 401

    async def test_says_partner_unknown(self, emsp: Running) -> None:
        params = JUNE | {"partner": "nobody"}
        response = await emsp.client.get("/manage/reconciliation", params=params, headers=ADMIN)
        assert response.status_code == 404
        assert "partner list" in response.json()["status_message"]

    async def test_refuses_range_that_ends_before_it_starts(self, emsp: Running) -> None:
        params = JUNE | {"from": "2024-06-30", "to": "2024-06-01"}
        response = await emsp.client.get("/manage/reconciliation", params=params, headers=ADMIN)
        assert response.json()["status_code"] == 2001
