"""Our own Tariffs: saved or deleted with their outbox rows in one transaction, then pushed."""

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Text, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from evroam.errors import EvroamError
from evroam.modules.locations.model import Location
from evroam.modules.locations.publish import SaveResult, Saving, save_own
from evroam.modules.locations.repository import locations
from evroam.modules.tariffs.advice import alt_text_warnings
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
    for tariff in batch:
        result.warnings.extend(alt_text_warnings(tariff))
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
    """Remove one of our Tariffs and DELETE it at every partner.

    Refused while a Connector of ours still names it in `tariff_ids` (CONFORMANCE 223): a
    partner would be left pricing that Connector with a Tariff it was told is gone.
    """
    async with platform.unit_of_work() as session:
        users = await connectors_using(session, key)
        if users:
            shown = ", ".join(users[:5]) + (f" and {len(users) - 5} more" if len(users) > 5 else "")
            raise EvroamError(
                f"Tariff {key.object_id} is still named in tariff_ids of our Connector(s) {shown}."
                " Give them another tariff (re-import their Locations) first, then delete it."
            )
        # Only ours: a partner's tariff under the same key must never be deleted (and pushed).
        if not await TariffRepository(session).delete(key, tariffs.c.partner_id.is_(None)):
            raise EvroamError(f"No Tariff {key.object_id} of {key.country_code}*{key.party_id}.")
        await enqueue(session, [Change("tariffs", key, (key.object_id,))], now=utc_now())
    platform.push_wakeup.set()


async def connectors_using(session: AsyncSession, key: ObjectKey) -> list[str]:
    """`LOCATION/EVSE/CONNECTOR` of each of our Connectors whose tariff_ids name the Tariff."""
    norm, c = key.normalised(), locations.c
    wanted = norm.object_id.lower()
    conditions = [
        c.partner_id.is_(None),
        c.country_code == norm.country_code,
        c.party_id == norm.party_id,
    ]
    if '"' not in wanted and "\\" not in wanted:  # else written escaped: read them all
        pattern = "%" + _like_escaped(f'"{wanted}"') + "%"
        conditions.append(func.lower(cast(c.document, Text)).like(pattern, escape="\\"))
    candidates = await session.execute(select(c.document).where(*conditions))
    found = []
    for (document,) in candidates:
        location = Location.model_validate(document)
        for evse in location.evses or []:
            for connector in evse.connectors:
                if any(t.lower() == wanted for t in connector.tariff_ids or []):
                    found.append(f"{location.id}/{evse.uid}/{connector.id}")
    return found


def _like_escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


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
