"""The credentials lifecycle state machine (DIGEST §4)."""

import pytest

from evroam.errors import InvalidTransition
from evroam.partners.lifecycle import (
    CONNECTED,
    TRANSITIONS,
    LifecycleEvent,
    PartnerState,
    next_state,
)

S, E = PartnerState, LifecycleEvent


class TestNextState:
    @pytest.mark.parametrize(
        ("path", "end"),
        [
            ([E.INVITE, E.REGISTRATION_RECEIVED], S.REGISTERED),
            ([E.START_REGISTRATION, E.REGISTRATION_COMPLETED], S.REGISTERED),
            ([E.START_REGISTRATION, E.REGISTRATION_FAILED], S.UNREGISTERED),
            ([E.INVITE, E.REGISTRATION_RECEIVED, E.CREDENTIALS_UPDATED], S.REGISTERED),
            ([E.INVITE, E.REGISTRATION_RECEIVED, E.UNREGISTER, E.INVITE], S.INVITED),
            ([E.INVITE, E.REGISTRATION_RECEIVED, E.SUSPEND, E.RESUME], S.REGISTERED),
            ([E.INVITE, E.REGISTRATION_RECEIVED, E.SUSPEND, E.UNREGISTER], S.UNREGISTERED),
        ],
    )
    def test_lifecycle_paths_end_in_expected_state(
        self, path: list[LifecycleEvent], end: PartnerState
    ) -> None:
        state: PartnerState | None = None
        for event in path:
            state = next_state(state, event)
        assert state is end

    @pytest.mark.parametrize(
        ("state", "event"),
        [
            (S.REGISTERED, E.REGISTRATION_RECEIVED),
            (S.REGISTERED, E.INVITE),
            (S.UNREGISTERED, E.UNREGISTER),
            (S.INVITED, E.CREDENTIALS_UPDATED),
            (None, E.UNREGISTER),
        ],
    )
    def test_forbidden_steps_raise_with_the_allowed_ones(
        self, state: PartnerState | None, event: LifecycleEvent
    ) -> None:
        with pytest.raises(InvalidTransition, match="possible now"):
            next_state(state, event)

    def test_every_state_can_be_left_or_ended(self) -> None:
        sources = {s for (s, _) in TRANSITIONS}
        assert set(PartnerState) <= sources

    def test_connected_states_are_registered_and_suspended(self) -> None:
        assert {S.REGISTERED, S.SUSPENDED} == CONNECTED
