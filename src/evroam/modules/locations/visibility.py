"""Who may see one of our unpublished Locations (Locations §8.3.1 `publish`, §8.4.20).

A Location with `publish: false` is shown only to the owners of the Tokens its
`publish_allowed_to` names; a PublishTokenType matches a Token when every field it sets is
equal (uid and group_id compared case-insensitively, as CiStrings). A partner is among the
owners when the CPO holds a matching Token of one of its parties: the Tokens its eMSPs sent us
(Tokens Receiver), stored under its partner id. Such a partner receives the Location, listed,
read and pushed like a published one; every other partner never learns of it (CONFORMANCE
E.154). An unpublished Location naming no Token is kept from every partner.

The answer depends on two tables, so it is kept per partner until a write to either (the
change feed's write generations, storage/changes.py).
"""

from collections.abc import Iterable
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from evroam.modules.locations.enums import TokenType
from evroam.modules.locations.repository import locations
from evroam.modules.tokens.repository import stored_id, tokens
from evroam.partners.model import Partner
from evroam.storage.changes import write_generation
from evroam.storage.point_reads import json_value

_CI_FIELDS = ("uid", "group_id")
_EXACT_FIELDS = ("type", "visual_number", "issuer")


def matches(allowed: dict[str, Any], token: dict[str, Any]) -> bool:
    """Whether a Token (its document) has every field the PublishTokenType sets."""
    for name in _CI_FIELDS:
        wanted, held = allowed.get(name), token.get(name)
        if wanted is not None and (held is None or str(held).upper() != str(wanted).upper()):
            return False
    return all(
        allowed.get(name) is None or token.get(name) == allowed[name] for name in _EXACT_FIELDS
    )


async def shown_to(
    session: AsyncSession, partner_id: int, allowed: Iterable[dict[str, Any]]
) -> bool:
    """Whether the partner holds a Token matching one of the PublishTokenTypes."""
    criteria = list(allowed)
    return any(
        matches(criterion, token)
        for token in await _candidates(session, partner_id, criteria)
        for criterion in criteria
    )


async def _candidates(
    session: AsyncSession, partner_id: int, criteria: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The partner's Tokens that may match one of the criteria: at most three queries, by key
    (uid and type), by group_id and by visual_number."""
    c = tokens.c
    keys, groups, visuals = set(), set(), set()
    for criterion in criteria:
        if criterion.get("uid") is not None and criterion.get("type") is not None:
            keys.add(stored_id(criterion["uid"], TokenType(criterion["type"])))
        elif criterion.get("group_id") is not None:
            groups.add(str(criterion["group_id"]).upper())
        elif criterion.get("visual_number") is not None:
            visuals.add(str(criterion["visual_number"]))
    wheres = []
    if keys:
        wheres.append(c.object_id.in_(sorted(keys)))
    if groups:
        wheres.append(func.upper(c.document["group_id"].as_string()).in_(sorted(groups)))
    if visuals:
        wheres.append(c.document["visual_number"].as_string().in_(sorted(visuals)))
    found = []
    for where in wheres:
        query = select(c.document).where(c.partner_id == partner_id, where)
        found += [json_value(row[0]) for row in await session.execute(query)]
    return found


def audience_of(document: dict[str, Any]) -> list[dict[str, Any]]:
    """The PublishTokenTypes of an unpublished Location (empty for a published one)."""
    if document.get("publish", True):
        return []
    return list(document.get("publish_allowed_to") or [])


Criteria = tuple[tuple[int, tuple[dict[str, Any], ...]], ...]  # (pk, PublishTokenTypes) each

_criteria: WeakKeyDictionary[Engine, dict[tuple[str, str] | None, tuple[int, Criteria]]] = (
    WeakKeyDictionary()
)
_shown: WeakKeyDictionary[Engine, dict[Any, tuple[int, Criteria, tuple[int, ...]]]] = (
    WeakKeyDictionary()
)


async def unpublished_shown_to(
    engine: AsyncEngine, partner_id: int, party: tuple[str, str] | None
) -> tuple[int, ...]:
    """Row keys (pk) of our unpublished Locations (of `party`, if given) the partner may see.

    Two caches: the unpublished Locations' PublishTokenTypes until a write to `locations`
    (re-read with one query on the listing index; status changes leave them equal), and each
    partner's answer until a write to `tokens` or a change of those PublishTokenTypes.
    """
    sync = engine.sync_engine
    criteria = await _unpublished(engine, party)
    if not criteria:
        return ()
    generation = write_generation(sync, "tokens")
    shown = _shown.setdefault(sync, {})
    kept = shown.get((partner_id, party))
    if kept is not None and kept[0] == generation and (kept[1] is criteria or kept[1] == criteria):
        return kept[2]
    async with AsyncSession(engine) as session:
        everyone = [c for _, allowed in criteria for c in allowed]
        tokens_held = await _candidates(session, partner_id, everyone)
    visible = tuple(
        pk
        for pk, allowed in criteria
        if any(matches(c, token) for token in tokens_held for c in allowed)
    )
    if len(shown) > 4096:
        shown.clear()
    shown[(partner_id, party)] = (generation, criteria, visible)
    return visible


async def _unpublished(engine: AsyncEngine, party: tuple[str, str] | None) -> Criteria:
    sync = engine.sync_engine
    generation = write_generation(sync, "locations")
    kept = _criteria.setdefault(sync, {})
    found = kept.get(party)
    if found is not None and found[0] == generation:
        return found[1]
    c = locations.c
    query = select(c.pk, c.document["publish_allowed_to"]).where(
        c.partner_id.is_(None), c.publish.is_(False)
    )
    if party is not None:
        query = query.where(c.country_code == party[0], c.party_id == party[1])
    async with engine.connect() as connection:
        rows = (await connection.execute(query.order_by(c.pk))).all()
    criteria = tuple((pk, tuple(json_value(allowed))) for pk, allowed in rows if allowed)
    if found is not None and found[1] == criteria:
        criteria = found[1]  # the same object: partners' answers compare equal at once
    kept[party] = (generation, criteria)
    return criteria


async def partners_shown(
    session: AsyncSession, document: dict[str, Any], partners: Iterable[Partner]
) -> list[Partner]:
    """Those of `partners` an unpublished Location is pushed to (none for a published one:
    its pushes go to every partner)."""
    allowed = audience_of(document)
    if not allowed:
        return []
    return [p for p in partners if p.id is not None and await shown_to(session, p.id, allowed)]
