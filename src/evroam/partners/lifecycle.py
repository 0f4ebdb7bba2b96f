"""The credentials lifecycle of a partner as an explicit state machine (DIGEST §4).

    (new) ──invite──▶ INVITED ──registration_received──▶ REGISTERED ◀──resume── SUSPENDED
      │                  │                                 │   ▲  │ ──suspend──▶    │
      └─start_registration─▶ REGISTERING ──completed───────┘   │  │                 │
                              │                                │  credentials_updated
                              └─failed─▶ UNREGISTERED ◀──unregister (either side)───┘

INVITED: we issued a Token A and wait for the partner's POST. REGISTERING: we are posting our
credentials to the partner. REGISTERED: tokens exchanged, traffic flows. SUSPENDED: inbound still
accepted, our automated outbound traffic paused. UNREGISTERED: all tokens void; a new invitation
or registration starts over.
"""

from enum import StrEnum

from evroam.errors import InvalidTransition


class PartnerState(StrEnum):
    INVITED = "INVITED"
    REGISTERING = "REGISTERING"
    REGISTERED = "REGISTERED"
    SUSPENDED = "SUSPENDED"
    UNREGISTERED = "UNREGISTERED"


class LifecycleEvent(StrEnum):
    INVITE = "invite"
    START_REGISTRATION = "start_registration"
    REGISTRATION_RECEIVED = "registration_received"
    REGISTRATION_COMPLETED = "registration_completed"
    REGISTRATION_FAILED = "registration_failed"
    CREDENTIALS_UPDATED = "credentials_updated"
    SUSPEND = "suspend"
    RESUME = "resume"
    UNREGISTER = "unregister"


S, E = PartnerState, LifecycleEvent
TRANSITIONS: dict[tuple[PartnerState | None, LifecycleEvent], PartnerState] = {
    (None, E.INVITE): S.INVITED,
    (None, E.START_REGISTRATION): S.REGISTERING,
    (S.INVITED, E.INVITE): S.INVITED,
    (S.INVITED, E.REGISTRATION_RECEIVED): S.REGISTERED,
    (S.INVITED, E.START_REGISTRATION): S.REGISTERING,
    (S.REGISTERING, E.REGISTRATION_COMPLETED): S.REGISTERED,
    (S.REGISTERING, E.REGISTRATION_FAILED): S.UNREGISTERED,
    (S.REGISTERED, E.CREDENTIALS_UPDATED): S.REGISTERED,
    (S.REGISTERED, E.SUSPEND): S.SUSPENDED,
    (S.REGISTERED, E.UNREGISTER): S.UNREGISTERED,
    (S.SUSPENDED, E.CREDENTIALS_UPDATED): S.SUSPENDED,
    (S.SUSPENDED, E.RESUME): S.REGISTERED,
    (S.SUSPENDED, E.UNREGISTER): S.UNREGISTERED,
    (S.UNREGISTERED, E.INVITE): S.INVITED,
    (S.UNREGISTERED, E.START_REGISTRATION): S.REGISTERING,
}

CONNECTED = frozenset({S.REGISTERED, S.SUSPENDED})
"""States in which the partner counts as registered (credentials POST → 405, PUT/DELETE allowed)."""


def next_state(current: PartnerState | None, event: LifecycleEvent) -> PartnerState:
    """The state after `event`, or InvalidTransition naming what is allowed instead."""
    try:
        return TRANSITIONS[(current, event)]
    except KeyError:
        allowed = sorted(e.value for (s, e) in TRANSITIONS if s == current)
        raise InvalidTransition(
            f"Cannot {event.value.replace('_', ' ')} a partner in state {current or 'new'};"
            f" possible now: {', '.join(allowed) or 'nothing'}."
        ) from None
