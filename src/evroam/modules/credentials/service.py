"""The credentials lifecycle, both sides (DIGEST §4).

Server side (`accept_*`): a partner POSTs, PUTs or DELETEs its credentials at us.
Client side (`invite`, `register`, `rotate`, `unregister`): the operator starts it.

No transaction is held open while we wait for a partner: we read, call the partner, then write
the outcome in one short transaction, so a failed handshake stores nothing.
"""

import logging
from dataclasses import dataclass, replace
from datetime import timedelta

from evroam.errors import (
    EvroamError,
    InvalidParameters,
    InvalidTransition,
    MethodNotAllowed,
    NoMatchingEndpoints,
    PartnerError,
    PartnerHttpError,
    PartnerNotFound,
    PartnerProtocolError,
    UnableToUseClientApi,
    UnsupportedVersion,
)
from evroam.modules.credentials import client as wire
from evroam.modules.credentials.model import Credentials
from evroam.partners.auth import Caller
from evroam.partners.lifecycle import LifecycleEvent, PartnerState
from evroam.partners.model import Endpoint, Partner, TokenKind
from evroam.partners.repository import PartnerRepository
from evroam.platform import Platform
from evroam.protocol.auth import TokenEncoding, hash_token, new_token, redact
from evroam.protocol.timestamps import utc_now
from evroam.versions import VersionSpec, counterpart_of
from evroam.versions import offered as offered_versions

log = logging.getLogger("evroam.credentials")


@dataclass(frozen=True)
class Discovery:
    """What we learnt from a partner's versions endpoints."""

    spec: VersionSpec
    endpoints: list[Endpoint]
    encoding: TokenEncoding


# ── discovery, shared by both sides ─────────────────────────────────────────────────────────


async def discover(
    platform: Platform,
    versions_url: str,
    token: str,
    *,
    encoding: TokenEncoding,
    version: str | None = None,
    tolerate_encoding: bool = True,
) -> Discovery:
    """GET the partner's versions and the details of `version` (or the highest mutual one).

    If the partner refuses our Base64 token with 401 we retry once with the raw token: many
    real 2.2 peers expect it raw (DIGEST §1.2), and we then keep that for this partner.
    """
    try:
        return await _discover(platform, versions_url, token, encoding, version)
    except PartnerHttpError as exc:
        if not (tolerate_encoding and exc.http_status == 401 and encoding is TokenEncoding.BASE64):
            raise
        return await _discover(platform, versions_url, token, TokenEncoding.RAW, version)


async def _discover(
    platform: Platform, versions_url: str, token: str, encoding: TokenEncoding, version: str | None
) -> Discovery:
    async with platform.client(token, encoding) as client:
        offers = await wire.fetch_versions(client, versions_url)
        mine = offered_versions(platform.settings)
        ours = mine if version is None else [s for s in mine if s.number == version]
        match = wire.highest_mutual(offers, ours)
        if match is None:
            offered = ", ".join(o.version for o in offers)
            wanted = version or ", ".join(s.number for s in mine)
            raise UnsupportedVersion(
                f"No mutual version: partner offers {offered}; we need {wanted}"
            )
        spec, offer = match
        endpoints = await wire.fetch_version_details(client, offer.url)
    return Discovery(spec, endpoints, encoding)


def settled(platform: Platform, partner: Partner, found: Discovery) -> Discovery:
    """The discovery with the token encoding of the version agreed: the versions were asked
    before the version was known (a 2.1.1 peer takes the raw token, 2.2 Base64), unless the
    partner's encoding is set or the peer refused the Base64 form already."""
    if found.encoding is TokenEncoding.RAW:
        return found
    return replace(found, encoding=platform.encoding_for(partner, found.spec.number))


def missing_endpoints(
    platform: Platform, spec: VersionSpec, endpoints: list[Endpoint], remote_roles: list[str] | None
) -> list[str]:
    """The endpoints our parties need that the partner does not publish."""
    partner = Partner(
        name="?", state=PartnerState.REGISTERING, created_at=utc_now(), updated_at=utc_now()
    )
    partner.endpoints = endpoints
    needed = spec.required_from(platform.local_roles, remote_roles)
    return [
        f"{req.module} {req.role or ''}".strip()
        for req in needed
        if partner.endpoint(req.module, req.role) is None
    ]


# ── server side: the partner calls our credentials endpoint ─────────────────────────────────


async def accept_registration(
    platform: Platform, caller: Caller, offered: Credentials, spec: VersionSpec
) -> Credentials:
    """Credentials POST: fetch the partner's endpoints with its token B, then issue token C."""
    if caller.kind is not TokenKind.INVITATION or caller.partner.connected:
        raise MethodNotAllowed("Already registered: use PUT to update credentials, or DELETE first")
    found = await _discover_for_server(platform, caller.partner, offered, spec)
    return await _issue_token(
        platform, caller, offered, found, LifecycleEvent.REGISTRATION_RECEIVED, single_use=True
    )


async def accept_update(
    platform: Platform, caller: Caller, offered: Credentials, spec: VersionSpec
) -> Credentials:
    """Credentials PUT: re-fetch the partner's endpoints, switch version, issue a new token."""
    if caller.kind is not TokenKind.CREDENTIALS or not caller.partner.connected:
        raise MethodNotAllowed("Not registered: POST credentials first")
    found = await _discover_for_server(platform, caller.partner, offered, spec)
    return await _issue_token(platform, caller, offered, found, LifecycleEvent.CREDENTIALS_UPDATED)


async def _issue_token(
    platform: Platform,
    caller: Caller,
    offered: Credentials,
    found: Discovery,
    event: LifecycleEvent,
    *,
    single_use: bool = False,
) -> Credentials:
    """Adopt the partner's credentials and replace every token we issued it by a new one."""
    token = new_token()
    async with platform.unit_of_work() as session:
        repo = PartnerRepository(session)
        if single_use and not await repo.consume_token(caller.token_hash):
            raise MethodNotAllowed("Token A was used concurrently; the partner is registered")
        partner = await repo.get(_id(caller.partner))
        assert partner is not None
        partner.apply(event)
        _adopt(partner, offered, found)
        await repo.revoke_tokens(partner)
        await repo.add_token(partner, hash_token(token), TokenKind.CREDENTIALS, now=utc_now())
        await repo.save(partner)
    log.info(
        "Partner %s: %s on %s (issued %s)", partner.name, event, found.spec.number, redact(token)
    )
    return platform.credentials(token)


async def accept_unregistration(platform: Platform, caller: Caller) -> None:
    """Credentials DELETE: every token of the connection becomes void, traffic stops."""
    if caller.kind is not TokenKind.CREDENTIALS or not caller.partner.connected:
        raise MethodNotAllowed("Not registered: nothing to delete")
    async with platform.unit_of_work() as session:
        repo = PartnerRepository(session)
        partner = await repo.get(_id(caller.partner))
        assert partner is not None
        _close(partner)
        await repo.revoke_tokens(partner)
        await repo.save(partner)
    log.info("Partner %s unregistered itself", partner.name)


async def _discover_for_server(
    platform: Platform, partner: Partner, offered: Credentials, spec: VersionSpec
) -> Discovery:
    """Discovery as the spec's server does it: failures become 3001 / 3002 / 3003."""
    encoding = platform.encoding_for(partner, spec.number)
    try:
        found = await discover(
            platform, offered.url, offered.token, encoding=encoding, version=spec.number
        )
    except PartnerError as exc:
        raise UnableToUseClientApi(f"Could not use your versions endpoints: {exc}") from exc
    claimed = own_parties_claimed(platform, offered)
    if claimed:
        raise InvalidParameters(
            f"Party {claimed} is hosted on this platform; a partner cannot carry it"
        )
    missing = missing_endpoints(platform, spec, found.endpoints, [r.role for r in offered.roles])
    if missing:
        raise NoMatchingEndpoints(f"Required endpoints missing: {', '.join(missing)}")
    return found


def own_parties_claimed(platform: Platform, offered: Credentials) -> str | None:
    """One of our own parties among the partner's roles, if any (it could then write our data)."""
    ours = {(p.country_code, p.party_id) for p in platform.parties}
    for role in offered.roles:
        if (role.country_code.upper(), role.party_id.upper()) in ours:
            return f"{role.country_code}*{role.party_id}"
    return None


def _adopt(partner: Partner, offered: Credentials, found: Discovery) -> None:
    partner.token_out = offered.token
    partner.versions_url = offered.url
    partner.roles = offered.roles
    partner.version = found.spec.number
    partner.endpoints = found.endpoints
    if found.spec.peer_endpoint_roles is not None and len(offered.roles) == 1:
        # a version naming no interface roles (2.1.1): the partner's role tells which it is
        roles = found.spec.peer_endpoint_roles.get(offered.roles[0].role, {})
        partner.endpoints = [
            Endpoint(e.identifier, roles.get(e.identifier), e.url) for e in found.endpoints
        ]
    if (
        partner.token_encoding is None
        and found.encoding is TokenEncoding.RAW
        and found.spec.token_encoding is not TokenEncoding.RAW
    ):  # a peer of a Base64 version that wants the raw token: kept for this partner
        partner.token_encoding = TokenEncoding.RAW
    stamp = utc_now()
    partner.updated_at = stamp
    partner.registered_at = partner.registered_at or stamp
    partner.last_error = None


def _close(partner: Partner) -> None:
    partner.apply(LifecycleEvent.UNREGISTER)
    partner.token_out = None
    partner.updated_at = utc_now()


def _id(partner: Partner) -> int:
    assert partner.id is not None
    return partner.id


# ── client side: the operator starts it ─────────────────────────────────────────────────────


async def invite(
    platform: Platform,
    name: str,
    *,
    ttl: timedelta | None = None,
    encoding: TokenEncoding | None = None,
) -> tuple[Partner, str]:
    """Issue a single-use Token A for a partner that will register with us. Returns it once."""
    now = utc_now()
    token_a = new_token()
    lifetime = ttl or timedelta(hours=platform.settings.token_a_ttl_hours)
    async with platform.unit_of_work() as session:
        repo = PartnerRepository(session)
        partner = await repo.by_name(name)
        if partner is None:
            partner = Partner(
                name=name, state=PartnerState.UNREGISTERED, created_at=now, updated_at=now
            )
        partner.apply(LifecycleEvent.INVITE)
        if encoding is not None:
            partner.token_encoding = encoding
        partner.updated_at = now
        await repo.save(partner)
        await repo.revoke_tokens(partner, kind=TokenKind.INVITATION)
        await repo.add_token(
            partner, hash_token(token_a), TokenKind.INVITATION, now=now, expires_at=now + lifetime
        )
    log.info("Invited partner %s (Token A %s, expires in %s)", name, redact(token_a), lifetime)
    return partner, token_a


async def register(
    platform: Platform,
    name: str,
    versions_url: str,
    token_a: str,
    *,
    encoding: TokenEncoding | None = None,
    version: str | None = None,
) -> Partner:
    """Register with a partner that gave us its versions URL and a Token A (DIGEST §4.3), on
    the highest mutual version or on `version`."""
    now = utc_now()
    token_b = new_token()
    async with platform.unit_of_work() as session:
        repo = PartnerRepository(session)
        existing = await repo.by_name(name)
        if existing is not None and existing.connected:
            raise InvalidTransition(
                f"Partner {name} is already registered: use `evroam partner rotate {name}`"
                " to update,"
                f" or `evroam partner unregister {name}` first."
            )
        partner = existing or Partner(
            name=name, state=PartnerState.UNREGISTERED, created_at=now, updated_at=now
        )
        partner.apply(LifecycleEvent.START_REGISTRATION)
        partner.token_encoding = encoding or partner.token_encoding
        partner.versions_url, partner.updated_at = versions_url, now
        await repo.save(partner)
        await repo.revoke_tokens(partner)
        # The partner GETs our versions with token B before it answers our POST.
        await repo.add_token(partner, hash_token(token_b), TokenKind.CREDENTIALS, now=now)
    try:
        partner = await _complete_registration(
            platform, partner, versions_url, (token_a, token_b), version
        )
    except (PartnerError, UnsupportedVersion, NoMatchingEndpoints) as exc:
        await _registration_failed(platform, partner, created=existing is None, error=str(exc))
        raise EvroamError(
            f"Registration with {name} failed: {exc}. Check the versions URL and Token A"
            " (each Token A works once), then run `evroam partner register` again."
        ) from exc
    log.info("Registered with partner %s on %s", name, partner.version)
    return partner


async def _complete_registration(
    platform: Platform,
    partner: Partner,
    versions_url: str,
    tokens: tuple[str, str],
    version: str | None,
) -> Partner:
    token_a, token_b = tokens
    encoding = platform.encoding_for(partner, version)
    found = settled(
        platform,
        partner,
        await discover(platform, versions_url, token_a, encoding=encoding, version=version),
    )
    missing = missing_endpoints(platform, found.spec, found.endpoints, None)
    if missing:
        raise NoMatchingEndpoints(f"The partner does not publish: {', '.join(missing)}")
    credentials_url = _credentials_url(found.endpoints)
    async with platform.client(token_a, found.encoding) as client:
        theirs = await wire.post_credentials(
            client,
            found.spec,
            credentials_url,
            platform.credentials(token_b),
            _counterpart(platform),
        )
    await _refuse_unfit(platform, theirs, found, credentials_url)
    async with platform.unit_of_work() as session:
        repo = PartnerRepository(session)
        partner.apply(LifecycleEvent.REGISTRATION_COMPLETED)
        _adopt(partner, theirs, found)
        partner.versions_url = theirs.url or versions_url
        await repo.save(partner)
    return partner


async def _refuse_unfit(
    platform: Platform, theirs: Credentials, found: Discovery, credentials_url: str
) -> None:
    """Now that the partner's roles are known: withdraw if it claims one of our parties or
    lacks what our roles need from its roles (DIGEST §4.3 step 3)."""
    claimed = own_parties_claimed(platform, theirs)
    missing = missing_endpoints(
        platform, found.spec, found.endpoints, [r.role for r in theirs.roles]
    )
    if not claimed and not missing:
        return
    try:
        async with platform.client(theirs.token, found.encoding) as client:
            await wire.delete_credentials(client, credentials_url)
    except PartnerError:
        log.warning("Could not withdraw the registration just made; the partner may keep it")
    if claimed:
        raise PartnerProtocolError(f"The partner claims party {claimed}, which is hosted here")
    raise NoMatchingEndpoints(f"The partner does not publish: {', '.join(missing)}")


async def _registration_failed(
    platform: Platform, partner: Partner, *, created: bool, error: str
) -> None:
    async with platform.unit_of_work() as session:
        repo = PartnerRepository(session)
        if created:
            await repo.delete(partner)
            return
        partner.apply(LifecycleEvent.REGISTRATION_FAILED)
        partner.last_error, partner.updated_at = error, utc_now()
        await repo.revoke_tokens(partner)
        await repo.save(partner)


async def rotate(platform: Platform, name: str) -> Partner:
    """Update our credentials at the partner with a new token B; receive a new token C (§4.4).

    Also picks up a newer mutual version and changed endpoints. The old token B stays valid
    until the partner has confirmed, so no request is refused in between.
    """
    partner = await get_partner(platform, name)
    if not partner.connected or not partner.token_out or not partner.versions_url:
        raise InvalidTransition(f"Partner {name} is {partner.state}: register before rotating.")
    new_b = new_token()
    async with platform.unit_of_work() as session:
        await PartnerRepository(session).add_token(
            partner, hash_token(new_b), TokenKind.CREDENTIALS, now=utc_now()
        )
    try:
        found = settled(
            platform,
            partner,
            await discover(
                platform,
                partner.versions_url,
                partner.token_out,
                encoding=platform.encoding_for(partner, partner.version),
            ),
        )
        async with platform.client(partner.token_out, found.encoding) as client:
            theirs = await wire.put_credentials(
                client,
                found.spec,
                _credentials_url(found.endpoints),
                platform.credentials(new_b),
                _counterpart(platform),
            )
    except (PartnerError, UnsupportedVersion) as exc:
        async with platform.unit_of_work() as session:
            await PartnerRepository(session).consume_token(hash_token(new_b))
        raise EvroamError(
            f"Rotation with {name} failed: {exc}. Nothing changed; try again later."
        ) from exc
    async with platform.unit_of_work() as session:
        repo = PartnerRepository(session)
        partner.apply(LifecycleEvent.CREDENTIALS_UPDATED)
        _adopt(partner, theirs, found)
        await repo.revoke_tokens(partner, keep=hash_token(new_b))
        await repo.save(partner)
    log.info("Rotated tokens with partner %s (now %s)", name, partner.version)
    return partner


async def unregister(platform: Platform, name: str, *, local_only: bool = False) -> Partner:
    """DELETE our credentials at the partner, then void every token of the connection (§4.5)."""
    partner = await get_partner(platform, name)
    if not partner.connected:
        raise InvalidTransition(f"Partner {name} is {partner.state}, not registered.")
    if not local_only:
        endpoint = partner.endpoint("credentials")
        if endpoint is None:
            raise EvroamError(
                f"Partner {name} publishes no credentials endpoint; use --local-only."
            )
        try:
            async with platform.client_for(partner) as client:
                await wire.delete_credentials(client, endpoint.url)
        except PartnerHttpError as exc:
            if exc.http_status != 405:  # 405: the partner already considers us unregistered
                raise EvroamError(f"Partner {name} refused the unregistration: {exc}.") from exc
        except PartnerError as exc:
            raise EvroamError(
                f"Could not reach partner {name}: {exc}. Try again, or use --local-only to forget"
                " the partner here (it will then see its token refused)."
            ) from exc
    async with platform.unit_of_work() as session:
        repo = PartnerRepository(session)
        _close(partner)
        await repo.revoke_tokens(partner)
        await repo.save(partner)
    log.info("Unregistered from partner %s", name)
    return partner


async def get_partner(platform: Platform, name: str) -> Partner:
    async with platform.sessions() as session:
        partner = await PartnerRepository(session).by_name(name)
    if partner is None:
        raise PartnerNotFound(
            f"No partner named {name!r}; `evroam partner list` shows the known ones."
        )
    return partner


async def list_partners(platform: Platform) -> list[Partner]:
    async with platform.sessions() as session:
        return await PartnerRepository(session).all()


def _counterpart(platform: Platform) -> str | None:
    """The role a partner plays where the version does not say (2.1.1)."""
    return counterpart_of({role.value for role in platform.local_roles})


def _credentials_url(endpoints: list[Endpoint]) -> str:
    for endpoint in endpoints:
        if endpoint.identifier == "credentials":
            return endpoint.url
    raise NoMatchingEndpoints("The partner publishes no credentials endpoint")
