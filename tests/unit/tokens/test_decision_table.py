"""The CPO's whitelist decision table (Tokens §12.4.5; CONFORMANCE J.288–J.293), pure parts:
whether to ask in real time, and what to decide when no eMSP gave an answer."""

import pytest

from evroam.errors import (
    PartnerError,
    PartnerHttpError,
    PartnerOcpiError,
    PartnerProtocolError,
    PartnerUnreachable,
)
from evroam.modules.tokens.decision import Method, local, needs_real_time, unanswered, unavailable
from evroam.modules.tokens.model import AllowedType, Token, WhitelistType
from tests.examples import example

ALLOWED, BLOCKED, NOT_ALLOWED = AllowedType.ALLOWED, AllowedType.BLOCKED, AllowedType.NOT_ALLOWED
W = WhitelistType


def token(whitelist: WhitelistType, valid: bool) -> Token:
    raw = example("token_example_2_full_rfid.json")
    return Token.model_validate(raw | {"whitelist": whitelist, "valid": valid})


@pytest.mark.parametrize(
    ("whitelist", "valid", "asks"),
    [
        (W.ALWAYS, True, False),  # J.288
        (W.ALWAYS, False, False),  # J.293: refused locally
        (W.ALLOWED, True, False),  # J.291: locally
        (W.ALLOWED, False, True),  # J.291: real time is allowed; state may have changed
        (W.ALLOWED_OFFLINE, True, True),  # J.290
        (W.ALLOWED_OFFLINE, False, True),  # J.292
        (W.NEVER, True, True),  # J.289
        (W.NEVER, False, True),  # J.292
    ],
)
def test_real_time_asked_when_the_whitelist_requires_it(
    whitelist: WhitelistType, valid: bool, asks: bool
) -> None:
    assert needs_real_time(token(whitelist, valid)) is asks


@pytest.mark.parametrize(
    ("whitelist", "valid", "expected"),
    [
        (W.ALLOWED, False, BLOCKED),  # J.293
        (W.ALLOWED_OFFLINE, True, ALLOWED),  # J.290
        (W.ALLOWED_OFFLINE, False, BLOCKED),  # J.293
        (W.NEVER, True, NOT_ALLOWED),  # J.289: no fallback
        (W.NEVER, False, NOT_ALLOWED),
    ],
)
def test_decided_offline_when_the_emsp_cannot_be_reached(
    whitelist: WhitelistType, valid: bool, expected: AllowedType
) -> None:
    decision = unanswered(token(whitelist, valid), [PartnerUnreachable("down")], reachable=False)
    assert (decision.allowed, decision.method) == (expected, Method.OFFLINE)


def test_refused_when_the_emsp_answered_with_an_error() -> None:
    """An eMSP that answers (e.g. 2002) has decided: no offline fallback."""
    error = PartnerOcpiError("2002", status_code=2002, status_message="location needed")
    decision = unanswered(token(W.ALLOWED_OFFLINE, True), [error], reachable=True)
    assert (decision.allowed, decision.method) == (NOT_ALLOWED, Method.REAL_TIME)


@pytest.mark.parametrize(
    ("errors", "reason"),
    [
        ([PartnerHttpError("404", http_status=404)], "unknown Token"),
        ([PartnerUnreachable("down")], "no eMSP answered"),
        ([], "no eMSP answered"),
    ],
)
def test_unknown_token_refused_without_an_answer(errors: list[PartnerError], reason: str) -> None:
    decision = unanswered(None, errors, reachable=False)
    assert (decision.allowed, decision.reason) == (NOT_ALLOWED, reason)


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (PartnerUnreachable("timeout"), True),
        (PartnerHttpError("503", http_status=503), True),
        (PartnerHttpError("401", http_status=401), True),
        (PartnerProtocolError("not an envelope"), True),
        (PartnerOcpiError("3000", status_code=3000, status_message=""), True),
        (PartnerHttpError("404", http_status=404), False),
        (PartnerOcpiError("2002", status_code=2002, status_message=""), False),
    ],
)
def test_unavailable_tells_no_answer_from_a_refusal(error: PartnerError, expected: bool) -> None:
    assert unavailable(error) is expected


def test_local_decision_follows_valid() -> None:
    assert local(token(W.ALWAYS, True), Method.LOCAL).ok
    assert local(token(W.ALWAYS, False), Method.LOCAL).allowed is BLOCKED
