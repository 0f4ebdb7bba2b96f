"""Our own Tariffs: saved or deleted with their outbox rows in one transaction, then pushed."""

from collections.abc import Iterable
from typing import Any

from evroam.errors import EvroamError
from evroam.modules.locations.publish import SaveResult, Saving, save_own
from evroam.modules.tariffs.model import Tariff
from evroam.modules.tariffs.repository import TariffRepository, tariffs
from evroam.platform import Platform
from evroam.protocol.timestamps import utc_now
from evroam.push.outbox import Change, enqueue, recipients
from evroam.storage.documents import ObjectKey


def key_of(tariff: Tariff) -> ObjectKey:
    return ObjectKey(tariff.country_code, tariff.party_id, tariff.id)


def check_ours(platform: Platform, tariff: Tariff) -> None:
    """Refuse a Tariff that is not of one of our CPO parties."""
    platform.check_own_cpo(f"Tariff {tariff.id}", tariff.country_code, tariff.party_id)


async def save_tariffs(platform: Platform, items: Iterable[Tariff]) -> SaveResult:
    """Create or replace our Tariffs, queueing a PUT to every partner for each change."""
    batch = list(items)
    for tariff in batch:
        check_ours(platform, tariff)
    result = SaveResult()
    async with platform.unit_of_work() as session:
        partners = await recipients(session, "tariffs")
        how = Saving("tariffs", utc_now(), partners, _no_columns, _always)
        await save_own(TariffRepository(session), batch, result, how)
    platform.push_wakeup.set()
    return result


def _no_columns(_: Tariff) -> dict[str, Any]:
    return {}


def _always(_: Tariff) -> bool:
    return True


async def delete_tariff(platform: Platform, key: ObjectKey) -> None:
    """Remove one of our Tariffs and DELETE it at every partner."""
    async with platform.unit_of_work() as session:
        # Only ours: a partner's tariff under the same key must never be deleted (and pushed).
        if not await TariffRepository(session).delete(key, tariffs.c.partner_id.is_(None)):
            raise EvroamError(f"No Tariff {key.object_id} of {key.country_code}*{key.party_id}.")
        await enqueue(session, [Change("tariffs", key, (key.object_id,))], now=utc_now())
    platform.push_wakeup.set()


async def own_tariffs(
    platform: Platform, *, offset: int = 0, limit: int = 50
) -> tuple[list[Tariff], int]:
    """A page of our Tariffs and their total."""
    from evroam.protocol.pagination import page_request

    page = page_request(offset=offset, limit=limit, date_from=None, date_to=None, cap=max(limit, 1))
    async with platform.sessions() as session:
        found = await TariffRepository(session).page(page, tariffs.c.partner_id.is_(None))
    return [Tariff.model_validate(d) for d in found.documents], found.total


async def find_own_tariff(platform: Platform, key: ObjectKey) -> Tariff | None:
    """One of our Tariffs (never a partner's with the same key), or None."""
    norm, c = key.normalised(), tariffs.c
    async with platform.sessions() as session:
        found = await TariffRepository(session).find_documents(
            c.partner_id.is_(None),
            c.country_code == norm.country_code,
            c.party_id == norm.party_id,
            c.object_id == norm.object_id,
        )
    return Tariff.model_validate(found[0]) if found else None
