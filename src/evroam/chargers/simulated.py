"""A simulated charger network built from our stored Locations (ChargerNetwork, see interface.py).

Deterministic for a seed and a sequence of calls: cars are drawn from the physics catalogue with
an arrival state of charge and a time of departure, charge along realistic power curves and
report meter values every `meter_interval` seconds of the injected clock. Faults switched per
EVSE (evse.Fault) make it misbehave the way real charge points do.
"""

import asyncio
import logging
import random
from collections.abc import Callable, Iterable
from typing import Any

from evroam.chargers.clock import Clock
from evroam.chargers.drivers import Grants, arrival, authorize_tap
from evroam.chargers.evse import (
    ChargingSession,
    Fault,
    Reservation,
    SimConnector,
    SimEvse,
    advance,
    busy_for,
    choose,
    connectors_of,
    end_session,
    free_for,
    made,
    refusal,
    reservable_for,
    startable_for,
    started_event,
)
from evroam.chargers.interface import (
    Answer,
    Authorizer,
    ChargerEvent,
    Listener,
    Outcome,
    ReservationCancelled,
    ReserveRequest,
    StartRequest,
    StopReason,
)
from evroam.chargers.signing import MeterSigner
from evroam.modules.cdrs.model import AuthMethod
from evroam.modules.locations.enums import Capability, Status, TokenType
from evroam.modules.locations.model import Location
from evroam.protocol.types import ci_key

log = logging.getLogger("evroam.chargers")
Key = tuple[str, str]  # (location id, EVSE uid), CiString-normalised
RFID = Capability.RFID_READER


def key(location_id: str, evse_uid: str) -> Key:
    return ci_key(location_id), ci_key(evse_uid)


class SimulatedNetwork:
    """Charge points that answer commands and emit events, in the clock's time."""

    def __init__(
        self, clock: Clock, *, seed: int = 0, meter_interval: float = 60.0, signed: bool = True
    ) -> None:
        self.clock = clock
        self.seed = seed
        self.meter_interval = meter_interval
        self.signer = MeterSigner.for_seed(seed) if signed else None  # the meters' key
        self.evses: dict[Key, SimEvse] = {}
        self.sessions: dict[str, SimEvse] = {}
        self.reservations: dict[str, SimEvse] = {}
        self._listeners: list[Listener] = []
        self.authorizer: Authorizer | None = None  # the CPO's decision on tapped cards
        # the tokens of commands: the same card tapped soon after passes (K.312)
        self.grants = Grants()
        self._lock = asyncio.Lock()
        self._drawn = 0

    @classmethod
    def from_locations(
        cls,
        locations: Iterable[Location],
        clock: Clock,
        *,
        seed: int = 0,
        meter_interval: float = 60.0,
    ) -> "SimulatedNetwork":
        network = cls(clock, seed=seed, meter_interval=meter_interval)
        for location in locations:
            network.learn(location)
        return network

    def learn(self, location: Location) -> None:
        """Add the Location's EVSEs; known ones keep their state and take new ratings."""
        self.learn_document(location.model_dump(mode="json", exclude_none=True))

    def learn_document(self, location: dict[str, Any]) -> None:
        """`learn` from a stored Location document (validated when it was saved)."""
        for evse in location.get("evses") or []:
            capabilities = frozenset(Capability(c) for c in evse.get("capabilities") or ())
            found = self.evses.get(key(location["id"], evse["uid"]))
            if found is None:
                found = self._new_evse(location["id"], evse)
                self.evses[key(location["id"], evse["uid"])] = found
            found.connectors = connectors_of(evse)
            found.capabilities = capabilities

    def _new_evse(self, location_id: str, evse: dict[str, Any]) -> SimEvse:
        rng = random.Random(f"{self.seed}:{ci_key(location_id)}:{ci_key(evse['uid'])}")
        status = Status(evse["status"])
        offline = status is Status.UNKNOWN
        return SimEvse(
            location_id=location_id,
            uid=evse["uid"],
            connectors=[],
            capabilities=frozenset(),
            idle_status=Status.AVAILABLE if offline else status,
            register_wh=float(rng.randrange(1_000_000, 40_000_000)),
            faults={Fault.OFFLINE} if offline else set(),
            signer=self.signer,
        )

    def has_session(self, session_id: str) -> bool:
        return session_id in self.sessions

    def has_reservation(self, reservation_id: str) -> bool:
        return ci_key(reservation_id) in self.reservations

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    async def _emit(self, events: list[ChargerEvent]) -> None:
        for event in events:
            for listener in list(self._listeners):
                try:
                    await listener(event)
                except Exception:  # one consumer's bug must not stop the chargers
                    log.exception("A charger event listener failed on %s", type(event).__name__)

    # ── time ────────────────────────────────────────────────────────────────────────────

    async def tick(self) -> None:
        """Bring every busy EVSE to the clock's now and emit what happened (idle ones have
        nothing to move: a large network costs nothing between sessions)."""
        async with self._lock:
            now = self.clock.now()
            busy = {id(e): e for e in [*self.sessions.values(), *self.reservations.values()]}
            events = [
                event for evse in busy.values() for event in advance(evse, now, self.meter_interval)
            ]
            self._forget_ended()
        await self._emit(sorted(events, key=lambda e: e.at))

    async def run(self, tick_seconds: float) -> None:
        """Tick forever (the server's background task)."""
        while True:
            await self.clock.sleep(tick_seconds)
            await self.tick()

    def _forget_ended(self) -> None:
        self.sessions = {k: e for k, e in self.sessions.items() if e.session and e.session.id == k}
        self.reservations = {
            k: e
            for k, e in self.reservations.items()
            if e.reservation and ci_key(e.reservation.id) == k
        }

    async def _act(
        self, work: Callable[[list[ChargerEvent]], Answer], evse: SimEvse | None
    ) -> Answer:
        """Run one command at now, after bringing its EVSE up to date; then emit its events."""
        async with self._lock:
            events: list[ChargerEvent] = []
            if evse is not None:
                events += advance(evse, self.clock.now(), self.meter_interval)
            answer = work(events)
            self._forget_ended()
        await self._emit(events)
        return answer

    # ── commands ────────────────────────────────────────────────────────────────────────

    async def start(self, request: StartRequest) -> Answer:
        now = self.clock.now()
        self.grants.record(request.location_id, request.token, request.authorization_reference, now)
        evse = choose(self.evses, request, lambda e: startable_for(e, request))
        if evse is None:
            return Answer(Outcome.REJECTED, f"Unknown location or EVSE at {request.location_id}")
        return await self._act(lambda events: self._start(evse, request, events), evse)

    def _start(
        self,
        evse: SimEvse,
        request: StartRequest,
        events: list[ChargerEvent],
        method: AuthMethod = AuthMethod.COMMAND,
    ) -> Answer:
        needed = RFID if method is not AuthMethod.COMMAND else Capability.REMOTE_START_STOP_CAPABLE
        refused = refusal(evse, needed)
        connector = evse.connector(request.connector_id)
        if refused is None and connector is None:
            refused = Answer(
                Outcome.REJECTED, f"EVSE {evse.uid} has no connector {request.connector_id}"
            )
        if refused is None:
            refused = busy_for(evse, request)
        if refused is None and Fault.NO_VEHICLE in evse.faults:
            refused = Answer(Outcome.FAILED, "No vehicle is plugged in at the EVSE")
        if refused is not None:
            return refused
        assert connector is not None
        session = self._new_session(evse, connector, request)
        session.auth_method = method
        events += [started_event(evse, session), evse.status_event(session.started_at)]
        return Answer(Outcome.ACCEPTED, session_id=session.id, evse_uid=evse.uid)

    def _new_session(
        self, evse: SimEvse, connector: SimConnector, request: StartRequest
    ) -> ChargingSession:
        self._drawn += 1
        session = arrival(
            random.Random(f"{self.seed}:session:{self._drawn}"),
            session_id=request.session_id or self._session_id(),
            connector=connector,
            request=request,
            now=self.clock.now(),
            meter_wh=evse.register_wh,
        )
        if evse.reservation is not None:
            session.reservation_id = evse.reservation.id
            evse.reservation = None
        evse.session = session
        self.sessions[session.id] = evse
        return session

    def _session_id(self) -> str:
        """A new session id for a start without one (a tapped card): unique across restarts of
        the server (it names the clock's moment), deterministic for a seed and a clock."""
        return f"SIM{self.seed % 1000}-{self.clock.now():%Y%m%d%H%M%S%f}-{self._drawn}"

    async def stop(self, session_id: str) -> Answer:
        evse = self.sessions.get(session_id)
        if evse is None:
            return Answer(Outcome.UNKNOWN_SESSION, f"No session {session_id} is charging")
        return await self._act(lambda events: self._stop(evse, session_id, events), evse)

    def _stop(self, evse: SimEvse, session_id: str, events: list[ChargerEvent]) -> Answer:
        if Fault.OFFLINE in evse.faults:
            return Answer(Outcome.FAILED, "The charge point is offline")
        if evse.session is None or evse.session.id != session_id:
            return Answer(Outcome.UNKNOWN_SESSION, f"Session {session_id} has already ended")
        events += end_session(evse, self.clock.now(), StopReason.REMOTE)
        return Answer(Outcome.ACCEPTED, session_id=session_id, evse_uid=evse.uid)

    async def reserve(self, request: ReserveRequest) -> Answer:
        now = self.clock.now()
        self.grants.record(request.location_id, request.token, request.authorization_reference, now)
        evse = choose(self.evses, request, lambda e: reservable_for(e, request))
        if evse is None:
            return Answer(Outcome.REJECTED, f"Unknown location or EVSE at {request.location_id}")
        return await self._act(lambda events: self._reserve(evse, request, events), evse)

    def _reserve(
        self, evse: SimEvse, request: ReserveRequest, events: list[ChargerEvent]
    ) -> Answer:
        refused = refusal(evse, Capability.RESERVABLE)
        if refused is None and not free_for(evse, request):
            refused = Answer(Outcome.EVSE_OCCUPIED, f"EVSE {evse.uid} is not free")
        if refused is None and request.expiry <= self.clock.now():
            refused = Answer(Outcome.REJECTED, "The expiry_date has passed")
        if refused is not None:
            return refused
        earlier = self.reservations.get(ci_key(request.reservation_id))
        if earlier is not None and earlier is not evse:  # the same id again replaces (K.319)
            events += self._drop_reservation(earlier, requested=True, reason="replaced")
        evse.reservation = Reservation(
            request.reservation_id,
            evse.location_id,
            evse.uid,
            request.expiry,
            request.token,
            request.authorization_reference,
        )
        self.reservations[ci_key(request.reservation_id)] = evse
        events += [made(evse.reservation, self.clock.now()), evse.status_event(self.clock.now())]
        return Answer(Outcome.ACCEPTED, evse_uid=evse.uid)

    async def cancel_reservation(self, reservation_id: str) -> Answer:
        return await self._cancel(reservation_id, requested=True, reason="cancelled on request")

    async def cancel_reservation_by_cpo(self, reservation_id: str, reason: str) -> Answer:
        """The CPO's side ends a reservation (defect, roadworks): the eMSP must hear of it."""
        return await self._cancel(reservation_id, requested=False, reason=reason)

    async def _cancel(self, reservation_id: str, *, requested: bool, reason: str) -> Answer:
        evse = self.reservations.get(ci_key(reservation_id))
        if evse is None:
            return Answer(Outcome.UNKNOWN_RESERVATION, f"No reservation {reservation_id}")

        def cancel(events: list[ChargerEvent]) -> Answer:
            if Fault.OFFLINE in evse.faults:
                return Answer(Outcome.FAILED, "The charge point is offline")
            if evse.reservation is None:
                return Answer(Outcome.UNKNOWN_RESERVATION, f"Reservation {reservation_id} ended")
            events += self._drop_reservation(evse, requested=requested, reason=reason)
            return Answer(Outcome.ACCEPTED, evse_uid=evse.uid)

        return await self._act(cancel, evse)

    def _drop_reservation(
        self, evse: SimEvse, *, requested: bool, reason: str
    ) -> list[ChargerEvent]:
        reservation = evse.reservation
        assert reservation is not None
        evse.reservation = None
        now = self.clock.now()
        cancelled = ReservationCancelled(
            at=now,
            reservation_id=reservation.id,
            location_id=evse.location_id,
            evse_uid=evse.uid,
            requested=requested,
            reason=reason,
        )
        return [cancelled, evse.status_event(now)]

    async def unlock(self, location_id: str, evse_uid: str, connector_id: str) -> Answer:
        evse = self.evses.get(key(location_id, evse_uid))
        if evse is None:
            return Answer(Outcome.REJECTED, f"Unknown EVSE {evse_uid} at {location_id}")
        return await self._act(lambda events: self._unlock(evse, connector_id, events), evse)

    def _unlock(self, evse: SimEvse, connector_id: str, events: list[ChargerEvent]) -> Answer:
        refused = refusal(evse, Capability.UNLOCK_CAPABLE, inoperative_ok=True)
        if refused is not None:
            return refused
        connector = evse.connector(connector_id)
        if connector is None:
            return Answer(Outcome.REJECTED, f"EVSE {evse.uid} has no connector {connector_id}")
        if Fault.CONNECTOR_STUCK in evse.faults:
            return Answer(Outcome.FAILED, f"Connector {connector.id} is stuck and did not unlock")
        if evse.session is not None and evse.session.connector.id == connector.id:
            events += end_session(evse, self.clock.now(), StopReason.UNLOCK_COMMAND)
        return Answer(Outcome.ACCEPTED, evse_uid=evse.uid)

    # ── drivers at the charge point ─────────────────────────────────────────────────────

    async def tap(
        self,
        location_id: str,
        evse_uid: str,
        uid: str,
        *,
        token_type: TokenType = TokenType.RFID,
        connector_id: str | None = None,
    ) -> Answer:
        """A driver plugs in and taps a card: the CPO is asked (never within 15 minutes of a
        command for that token at that location, K.312), and charging starts if allowed."""
        evse = self.evses.get(key(location_id, evse_uid))
        if evse is None:
            return Answer(Outcome.REJECTED, f"Unknown EVSE {evse_uid} at {location_id}")
        authorization = await authorize_tap(
            self.grants,
            self.authorizer,
            where=(evse.location_id, evse.uid),
            uid=uid,
            token_type=token_type,
            now=self.clock.now(),
        )
        if not authorization.allowed or authorization.token is None:
            return Answer(Outcome.REJECTED, authorization.message or f"Token {uid} is not allowed")
        request = StartRequest(
            location_id=evse.location_id,
            evse_uid=evse.uid,
            connector_id=connector_id,
            token=authorization.token,
            authorization_reference=authorization.authorization_reference,
        )
        method = authorization.method
        return await self._act(lambda events: self._start(evse, request, events, method), evse)

    # ── simulator controls ──────────────────────────────────────────────────────────────

    async def set_fault(
        self, location_id: str, evse_uid: str, fault: Fault, on: bool = True
    ) -> None:
        """Switch a failure mode of one EVSE on or off."""
        evse = self.evses.get(key(location_id, evse_uid))
        if evse is None:
            raise KeyError(f"No simulated EVSE {evse_uid} at {location_id}")

        def switch(events: list[ChargerEvent]) -> Answer:
            before = evse.status
            (evse.faults.add if on else evse.faults.discard)(fault)
            if evse.status is not before:
                events.append(evse.status_event(self.clock.now()))
            return Answer(Outcome.ACCEPTED)

        await self._act(switch, evse)
