"""Who may see one of our unpublished Locations (Locations §8.3.1 `publish`, §8.4.20).

A Location with `publish: false` is shown only to the owners of the Tokens its
`publish_allowed_to` names; a PublishTokenType matches a Token when every field it sets is
equal (uid and group_id compared case-insensitively, as CiStrings). A partner is among the
owners when the CPO holds a matching Token of one of its parties: the Tokens its eMSPs sent us
(Tokens Receiver), stored under its partner id. Such a partner receives the Location, listed,
read and pushed like a published one; every other partner never learns of it (CONFORMANCE
E.154). An unpublished Location naming no Token is kept from every partner.

The entries live in `location_audiences` (kept by `store_audiences` when our Locations are
saved), so EVSE status changes never make the answer stale. It is kept until a write to that
table (the entries) or to `tokens` (each partner's answer), as the change feed's write
generations report them (storage/changes.py).
"""

import time
from collections.abc import Iterable, Sequence
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import bindparam, delete, func, insert, select, tuple_
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from evroam.modules.locations.enums import TokenType
from evroam.modules.locations.model import Location
from evroam.modules.locations.repository import location_audiences, locations
from evroam.modules.tokens.repository import stored_id, tokens
from evroam.partners.model import Partner
from evroam.protocol.timestamps import utc_now
from evroam.push.outbox import Change, enqueue
from evroam.storage.changes import cache_ttl, write_generation
from evroam.storage.documents import ObjectKey, chunked
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
    wanted: dict[str, set[str]] = {"key": set(), "group": set(), "visual": set()}
    for criterion in criteria:
        for kind, value in _selectors(criterion)[:1]:  # one is enough: matches() checks all
            wanted[kind].add(value)
    columns = {
        "key": c.object_id,
        "group": func.upper(c.document["group_id"].as_string()),
        "visual": c.document["visual_number"].as_string(),
    }
    wheres = [columns[kind].in_(sorted(values)) for kind, values in wanted.items() if values]
    found = []
    for where in wheres:
        query = select(c.document).where(c.partner_id == partner_id, where)
        found += [json_value(row[0]) for row in await session.execute(query)]
    return found


def audience_of_location(location: Location) -> list[dict[str, Any]]:
    """The PublishTokenTypes of an unpublished Location, as stored (empty when published)."""
    if location.publish or not location.publish_allowed_to:
        return []
    return [a.model_dump(mode="json", exclude_none=True) for a in location.publish_allowed_to]


async def store_audiences(session: AsyncSession, saved: Sequence[Location]) -> None:
    """Keep `location_audiences` equal to what the saved Locations of ours name; written
    only where it differs, so saving published Locations writes nothing there."""
    a = location_audiences.c
    wanted = {
        ObjectKey(x.country_code, x.party_id, x.id).normalised(): audience_of_location(x)
        for x in saved
    }
    stored: dict[ObjectKey, Any] = {}
    keys = [(k.country_code, k.party_id, k.object_id) for k in wanted]
    for chunk in chunked(keys):
        query = select(a.country_code, a.party_id, a.object_id, a.audience).where(
            tuple_(a.country_code, a.party_id, a.object_id).in_(chunk)
        )
        for cc, pid, oid, audience in await session.execute(query):
            stored[ObjectKey(cc, pid, oid)] = json_value(audience)
    gone = [k for k in stored if stored[k] != wanted[k]]
    new = [k for k, audience in wanted.items() if audience and stored.get(k) != audience]
    if gone:
        await session.execute(
            delete(location_audiences).where(
                a.country_code == bindparam("cc"),
                a.party_id == bindparam("pid"),
                a.object_id == bindparam("oid"),
            ),
            [{"cc": k.country_code, "pid": k.party_id, "oid": k.object_id} for k in gone],
        )
    if new:
        await session.execute(
            insert(location_audiences),
            [
                {
                    "country_code": k.country_code,
                    "party_id": k.party_id,
                    "object_id": k.object_id,
                    "audience": wanted[k],
                }
                for k in new
            ],
        )


def audience_of(document: dict[str, Any]) -> list[dict[str, Any]]:
    """The PublishTokenTypes of an unpublished Location (empty for a published one)."""
    if document.get("publish", True):
        return []
    return list(document.get("publish_allowed_to") or [])


Criteria = tuple[tuple[int, tuple[dict[str, Any], ...]], ...]  # (pk, PublishTokenTypes) each

_criteria: WeakKeyDictionary[Engine, dict[tuple[str, str] | None, tuple[int, Criteria, float]]] = (
    WeakKeyDictionary()
)
_shown: WeakKeyDictionary[Engine, dict[Any, tuple[int, Criteria, tuple[int, ...], float]]] = (
    WeakKeyDictionary()
)


async def unpublished_shown_to(
    engine: AsyncEngine, partner_id: int, party: tuple[str, str] | None
) -> tuple[int, ...]:
    """Row keys (pk) of our unpublished Locations (of `party`, if given) the partner may see.

    Two caches: the unpublished Locations' PublishTokenTypes until a write to
    `location_audiences`, and each partner's answer until a write to `tokens` or a change of
    those PublishTokenTypes (either at most the change feed's TTL when it does not cover the
    table, as for the Sender lists' own caches).
    """
    sync = engine.sync_engine
    criteria = await _unpublished(engine, party)
    if not criteria:
        return ()
    generation = write_generation(sync, "tokens")
    shown = _shown.setdefault(sync, {})
    kept = shown.get((partner_id, party))
    fresh = time.monotonic() - cache_ttl(sync, "tokens")
    if (
        kept is not None
        and kept[0] == generation
        and kept[3] > fresh
        and (kept[1] is criteria or kept[1] == criteria)
    ):
        return kept[2]
    read_at = time.monotonic()
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
    shown[(partner_id, party)] = (generation, criteria, visible, read_at)
    return visible


async def _unpublished(
    engine: AsyncEngine, party: tuple[str, str] | None, session: AsyncSession | None = None
) -> Criteria:
    """The PublishTokenTypes of our unpublished Locations (of `party`), by row key; read in
    `session` when a transaction is under way (on SQLite another connection would wait for
    its write lock)."""
    sync = engine.sync_engine
    generation = write_generation(sync, "location_audiences")
    kept = _criteria.setdefault(sync, {})
    found = kept.get(party)
    fresh = time.monotonic() - cache_ttl(sync, "location_audiences")
    if found is not None and found[0] == generation and found[2] > fresh:
        return found[1]
    a, c = location_audiences.c, locations.c
    # the row key of each by the unique key's index (which holds it): one lookup per entry
    pk = (
        select(c.pk)
        .where(
            c.country_code == a.country_code,
            c.party_id == a.party_id,
            c.object_id == a.object_id,
        )
        .scalar_subquery()
    )
    query = select(pk.label("pk"), a.audience, a.country_code, a.party_id, a.object_id).select_from(
        location_audiences
    )
    if party is not None:
        query = query.where(a.country_code == party[0], a.party_id == party[1])
    read_at = time.monotonic()
    if session is not None:
        found_rows = (await session.execute(query)).all()
    else:
        async with engine.connect() as connection:
            found_rows = (await connection.execute(query)).all()
    rows = sorted((row for row in found_rows if row[0]), key=lambda row: int(row[0]))
    criteria = tuple((row[0], tuple(json_value(row[1]))) for row in rows)
    if found is not None and found[1] == criteria:
        criteria = found[1]  # the same object: partners' answers compare equal at once
    kept[party] = (generation, criteria, read_at)
    _keys.setdefault(sync, {}).update({row[0]: ObjectKey(*row[2:5]) for row in rows})
    return criteria


# ── a Token that arrives after the Location ────────────────────────────────────────────────

_Selector = tuple[str, str]  # what a PublishTokenType is found by: ("key"|"group"|"visual", …)
_indexes: WeakKeyDictionary[Engine, tuple[Criteria, dict[_Selector, list[Any]]]] = (
    WeakKeyDictionary()
)
_keys: WeakKeyDictionary[Engine, dict[int, ObjectKey]] = WeakKeyDictionary()


def _selectors(entry: dict[str, Any]) -> list[_Selector]:
    """How a PublishTokenType (or a Token: every way it can be named) is looked up."""
    found = []
    if entry.get("uid") is not None and entry.get("type") is not None:
        found.append(("key", stored_id(str(entry["uid"]), TokenType(entry["type"]))))
    if entry.get("group_id") is not None:
        found.append(("group", str(entry["group_id"]).upper()))
    if entry.get("visual_number") is not None:
        found.append(("visual", str(entry["visual_number"])))
    return found


async def shown_by(
    engine: AsyncEngine, token: dict[str, Any], session: AsyncSession | None = None
) -> list[ObjectKey]:
    """Our unpublished Locations a Token is named by (any partner's)."""
    criteria = await _unpublished(engine, None, session)
    if not criteria:
        return []
    sync = engine.sync_engine
    kept = _indexes.get(sync)
    if kept is None or kept[0] is not criteria:
        index: dict[_Selector, list[Any]] = {}
        for pk, allowed in criteria:
            for entry in allowed:
                for selector in _selectors(entry)[:1]:  # one is enough: matches() checks all
                    index.setdefault(selector, []).append((pk, entry))
        kept = (criteria, index)
        _indexes[sync] = kept
    pks = {
        pk
        for selector in _selectors(token)
        for pk, entry in kept[1].get(selector, [])
        if matches(entry, token)
    }
    keys = _keys.get(sync, {})
    return [keys[pk] for pk in sorted(pks) if pk in keys]


async def push_newly_shown(
    session: AsyncSession, engine: AsyncEngine, partner: Partner, token: dict[str, Any]
) -> int:
    """Queue, for the partner whose Token this is, a PUT of each unpublished Location of ours
    that names it: stored after the Location, the Token would otherwise show it to the partner
    only at the Location's next change or a full pull. A PUT of one it has is harmless."""
    keys = await shown_by(engine, token, session)
    if keys:
        changes = [Change("locations", key, (key.object_id,)) for key in keys]
        await enqueue(session, changes, now=utc_now(), partners=[partner])
    return len(keys)


async def partners_shown(
    session: AsyncSession, document: dict[str, Any], partners: Iterable[Partner]
) -> list[Partner]:
    """Those of `partners` an unpublished Location is pushed to (none for a published one:
    its pushes go to every partner)."""
    return await partners_holding(session, audience_of(document), partners)


async def partners_holding(
    session: AsyncSession, allowed: list[dict[str, Any]], partners: Iterable[Partner]
) -> list[Partner]:
    """Those of `partners` holding a Token one of the PublishTokenTypes names."""
    if not allowed:
        return []
    return [p for p in partners if p.id is not None and await shown_to(session, p.id, allowed)]
