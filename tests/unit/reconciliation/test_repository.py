"""CDR storage and partner reconciliation on the real database (SQLite, or PostgreSQL in the
PostgreSQL run): CDRs never overwritten (G.197, G.211), date ranges, stored results."""

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from evroam.modules.cdrs.model import Cdr
from evroam.modules.cdrs.reconciliation import reconcile_partner
from evroam.modules.cdrs.repository import CdrRepository, key_of
from evroam.platform import Platform
from evroam.settings import Settings

from .cdrs import built, changed, monday, store_partner_data, tariff

D = Decimal


@pytest.fixture
async def platform(make_settings: Callable[..., Settings]) -> AsyncIterator[Platform]:
    opened = await Platform.open(make_settings("emsp", "EMSP:DE:MSP"), migrate_now=True)
    yield opened
    await opened.close()


def cdr(cdr_id: str = "CDR-1", **fields: object) -> Cdr:
    return changed(built(tariff("tariff_4_complex"), monday()), id=cdr_id, **fields)


class TestCdrRepository:
    async def test_keeps_first_cdr_when_same_id_arrives_again_g211(
        self, platform: Platform
    ) -> None:
        partner_id = await store_partner_data(platform, cdr())
        again = cdr(total_energy=D(99))
        async with platform.unit_of_work() as session:
            added = await CdrRepository(session).add(
                again, partner_id=partner_id, received_at=datetime.now(UTC)
            )
            stored = await CdrRepository(session).get(key_of(again))
        assert added is False
        assert stored is not None
        assert stored.total_energy == D("9.9")

    async def test_finds_id_case_insensitively_when_39_characters(self, platform: Platform) -> None:
        long_id = "c" * 36 + "-CR"
        await store_partner_data(platform, cdr(long_id))
        async with platform.sessions() as session:
            found = await CdrRepository(session).get(key_of(cdr(long_id.upper())))
        assert found is not None
        assert found.id == long_id

    async def test_lists_partner_cdrs_started_in_range_only(self, platform: Platform) -> None:
        # Sessions start 2024-06-03 07:30Z; 2024-06-04's copy and another partner's are out.
        next_day = cdr("CDR-2", start_date_time="2024-06-04T07:30:00Z")
        partner_id = await store_partner_data(platform, cdr(), next_day)
        await store_partner_data(platform, cdr("CDR-9"), name="other")
        start, end = datetime(2024, 6, 3, tzinfo=UTC), datetime(2024, 6, 4, 7, 30, tzinfo=UTC)
        async with platform.sessions() as session:
            found = await CdrRepository(session).in_range(partner_id, start, end)
        assert [c.id for c in found] == ["CDR-1"]

    async def test_stores_reconciliation_beside_unchanged_cdr(self, platform: Platform) -> None:
        wrong = cdr(total_cost={"excl_vat": D("10.00"), "incl_vat": D("10.30")})
        await store_partner_data(platform, wrong)
        start, end = datetime(2024, 6, 1, tzinfo=UTC), datetime(2024, 7, 1, tzinfo=UTC)
        [result] = await reconcile_partner(platform, "cpo", start, end)
        async with platform.sessions() as session:
            stored = await CdrRepository(session).reconciliation(key_of(wrong))
            document = await CdrRepository(session).get_document(key_of(wrong))
        assert stored is not None
        saved, at = stored
        assert saved == result.model_dump(mode="json")
        assert saved["status"] == "MISMATCH"
        assert saved["difference"] == 1
        assert at.tzinfo is not None
        assert document is not None
        assert document["total_cost"] == {"excl_vat": 10, "incl_vat": 10.3}
