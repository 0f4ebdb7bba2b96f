"""The eMSP's real-time answer: pure rules over a Token and its policy (CONFORMANCE J.280–J.286)."""

from datetime import UTC, datetime

import pytest

from evroam.errors import NotEnoughInformation
from evroam.modules.tokens.authorization import TokenPolicy, authorize, permitted
from evroam.modules.tokens.model import AllowedType, LocationReferences, Token
from tests.examples import example

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
TOKEN = Token.model_validate(example("token_example_2_full_rfid.json"))


def refs(location_id: str, *evses: str) -> LocationReferences:
    return LocationReferences(location_id=location_id, evse_uids=list(evses) or None)


def policy(**fields: object) -> TokenPolicy:
    return TokenPolicy.model_validate(fields)


class TestAllowed:
    def test_allowed_with_a_fresh_reference_when_valid(self) -> None:
        first = authorize(TOKEN, None, None, now=NOW)
        second = authorize(TOKEN, None, None, now=NOW)
        assert first.allowed is AllowedType.ALLOWED
        assert first.token == TOKEN
        assert first.authorization_reference != second.authorization_reference
        assert len(first.authorization_reference or "") <= 36

    @pytest.mark.parametrize(
        ("token", "rules", "expected"),
        [
            (TOKEN.model_copy(update={"valid": False}), None, AllowedType.BLOCKED),
            (TOKEN, policy(expires_at="2026-06-01T12:00:00Z"), AllowedType.EXPIRED),
            (TOKEN, policy(expires_at="2026-06-01T12:00:01Z"), AllowedType.ALLOWED),
            (TOKEN, policy(no_credit=True), AllowedType.NO_CREDIT),
            (
                TOKEN.model_copy(update={"valid": False}),
                policy(no_credit=True),
                AllowedType.BLOCKED,
            ),
        ],
    )
    def test_refusal_follows_the_token_then_the_policy(
        self, token: Token, rules: TokenPolicy | None, expected: AllowedType
    ) -> None:
        answer = authorize(token, rules, None, now=NOW)
        assert answer.allowed is expected
        refused = expected is not AllowedType.ALLOWED
        assert (answer.authorization_reference is None) is refused
        assert (answer.info is not None) is refused

    def test_blocked_before_asking_for_a_location(self) -> None:
        rules = policy(locations=[{"location_id": "LOC1"}])
        blocked = TOKEN.model_copy(update={"valid": False})
        assert authorize(blocked, rules, None, now=NOW).allowed is AllowedType.BLOCKED


class TestLocations:
    def test_2002_when_the_policy_limits_locations_and_none_asked(self) -> None:
        """J.282."""
        with pytest.raises(NotEnoughInformation):
            authorize(TOKEN, policy(locations=[{"location_id": "LOC1"}]), None, now=NOW)

    def test_asked_location_returned_as_is_without_limits(self) -> None:
        answer = authorize(TOKEN, None, refs("LOC1", "E1", "E2"), now=NOW)
        assert answer.location == refs("LOC1", "E1", "E2")

    @pytest.mark.parametrize(
        ("rules", "asked", "expected"),
        [
            ([refs("LOC1")], refs("LOC1", "E1"), refs("LOC1", "E1")),
            ([refs("LOC1")], refs("loc1"), refs("loc1")),
            ([refs("LOC1", "E1", "E2")], refs("LOC1", "E2", "E3"), refs("LOC1", "E2")),
            ([refs("LOC1", "E1", "E2")], refs("LOC1"), refs("LOC1", "E1", "E2")),
            ([refs("LOC1", "E1")], refs("LOC1", "e1"), refs("LOC1", "e1")),
            ([refs("LOC1", "E1"), refs("LOC1", "E3")], refs("LOC1", "E3"), refs("LOC1", "E3")),
            ([refs("LOC1", "E1")], refs("LOC1", "E2"), None),
            ([refs("LOC1")], refs("LOC2"), None),
        ],
    )
    def test_only_allowed_evses_are_kept(
        self,
        rules: list[LocationReferences],
        asked: LocationReferences,
        expected: LocationReferences | None,
    ) -> None:
        """J.283."""
        assert permitted(rules, asked) == expected

    def test_not_allowed_elsewhere(self) -> None:
        rules = policy(locations=[{"location_id": "LOC1"}])
        answer = authorize(TOKEN, rules, refs("LOC2"), now=NOW)
        assert answer.allowed is AllowedType.NOT_ALLOWED
        assert answer.location is None

    def test_policy_refuses_unknown_fields(self) -> None:
        with pytest.raises(ValueError, match="extra"):
            policy(expire="2026-01-01T00:00:00Z")
