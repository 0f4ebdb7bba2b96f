"""The drivers of the simulation: the car each one brings, how long they stay, and the
authorization of a card tapped at a charge point.

A driver who sent a command (START_SESSION, RESERVE_NOW) may badge their card at the charge
point as a fallback: for 15 minutes the CPO does not ask anyone in real time (K.312).
"""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from evroam.chargers.evse import ChargingSession, SimConnector
from evroam.chargers.interface import Authorization, Authorizer, StartRequest
from evroam.chargers.physics import Battery, pick_vehicle
from evroam.modules.cdrs.model import AuthMethod, CdrToken
from evroam.modules.locations.enums import PowerType, TokenType
from evroam.protocol.types import ci_key

GRANT_WINDOW = timedelta(minutes=15)


def arrival(
    rng: random.Random,
    *,
    session_id: str,
    connector: SimConnector,
    request: StartRequest,
    now: datetime,
    meter_wh: float,
) -> ChargingSession:
    """A car arrives: drawn from the catalogue, 10-60 % full, staying 20-50 min on DC and
    1-6 h on AC."""
    dc = connector.power_type is PowerType.DC
    stay = rng.uniform(20, 50) if dc else rng.uniform(60, 360)
    return ChargingSession(
        id=session_id,
        connector=connector,
        token=request.token,
        authorization_reference=request.authorization_reference,
        started_at=now,
        battery=Battery(pick_vehicle(rng, dc=dc), soc=rng.uniform(0.1, 0.6)),
        departs_at=now + timedelta(minutes=stay),
        meter_start=meter_wh,
        last_at=now,
    )


@dataclass(frozen=True)
class Grant:
    token: CdrToken
    authorization_reference: str | None
    at: datetime


class Grants:
    """The tokens of recent commands, per location: a tapped card among them passes."""

    def __init__(self) -> None:
        self._grants: dict[tuple[str, str], Grant] = {}

    def record(
        self, location_id: str, token: CdrToken, reference: str | None, now: datetime
    ) -> None:
        self._grants[ci_key(location_id), ci_key(token.uid)] = Grant(token, reference, now)

    def find(self, location_id: str, uid: str, now: datetime) -> Grant | None:
        grant = self._grants.get((ci_key(location_id), ci_key(uid)))
        return grant if grant is not None and now - grant.at <= GRANT_WINDOW else None


async def authorize_tap(
    grants: Grants,
    authorizer: Authorizer | None,
    *,
    where: tuple[str, str],
    uid: str,
    token_type: TokenType,
    now: datetime,
) -> Authorization:
    """A recent command's token passes as is; anything else is the CPO's to decide."""
    location_id, evse_uid = where
    grant = grants.find(location_id, uid, now)
    if grant is not None:
        return Authorization(True, grant.token, grant.authorization_reference, AuthMethod.COMMAND)
    if authorizer is None:
        return Authorization(False, message="No one to ask: the CPO set no authorizer")
    return await authorizer.authorize(
        location_id=location_id, evse_uid=evse_uid, uid=uid, token_type=token_type
    )
