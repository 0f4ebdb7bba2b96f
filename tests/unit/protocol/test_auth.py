"""The Authorization: Token codec (DIGEST §1.2; CONFORMANCE A.4–A.8)."""

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evroam.protocol.auth import (
    TokenEncoding,
    credential_of,
    decode_base64_token,
    encode_token,
    hash_token,
    hashes_match,
    new_token,
    redact,
    token_candidates,
)

TOKEN_CHARS = st.text(
    st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=64
)


class TestEncodeToken:
    def test_base64_of_example_token_has_no_trailing_newline_when_encoding_base64(self) -> None:
        """CONFORMANCE A.5: example-token → ZXhhbXBsZS10b2tlbg== (not the spec's …bgo=)."""
        assert encode_token("example-token", TokenEncoding.BASE64) == "Token ZXhhbXBsZS10b2tlbg=="

    def test_raw_token_is_sent_as_is_when_encoding_raw(self) -> None:
        """CONFORMANCE A.6: legacy peers get the raw token."""
        assert encode_token("example-token", TokenEncoding.RAW) == "Token example-token"

    @given(TOKEN_CHARS)
    def test_base64_round_trips_when_any_valid_token(self, token: str) -> None:
        """A.4: RFC 4648 Base64 with padding, one space after `Token`."""
        header = encode_token(token, TokenEncoding.BASE64)
        scheme, value = header.split(" ")
        assert scheme == "Token"
        assert base64.b64decode(value, validate=True).decode() == token
        assert len(value) % 4 == 0


class TestCredentialOf:
    @pytest.mark.parametrize(
        ("header", "expected"),
        [
            ("Token abc", "abc"),
            ("token abc", "abc"),
            ("TOKEN   abc  ", "abc"),
            ("Bearer abc", None),
            ("Token", None),
            ("", None),
            (None, None),
            ("Token a b", None),
        ],
    )
    def test_extracts_value_when_scheme_is_token(
        self, header: str | None, expected: str | None
    ) -> None:
        assert credential_of(header) == expected


class TestTokenCandidates:
    def test_base64_reading_comes_first_when_value_is_base64_of_a_token(self) -> None:
        assert token_candidates("ZXhhbXBsZS10b2tlbg==") == [
            ("example-token", TokenEncoding.BASE64),
            ("ZXhhbXBsZS10b2tlbg==", TokenEncoding.RAW),
        ]

    def test_only_raw_reading_when_value_is_not_base64(self) -> None:
        """A.7 / tolerant input: a raw token is still recognised."""
        assert token_candidates("example-token") == [("example-token", TokenEncoding.RAW)]

    def test_spec_example_with_encoded_newline_is_tolerated_when_decoding(self) -> None:
        """DIGEST §14: the spec's `ZXhhbXBsZS10b2tlbgo=` carries a newline; peers copy it."""
        assert decode_base64_token("ZXhhbXBsZS10b2tlbgo=") == "example-token"

    def test_base64_of_text_with_inner_whitespace_is_not_a_token(self) -> None:
        value = base64.b64encode(b"example token").decode()
        assert decode_base64_token(value) is None
        assert token_candidates("abc\n") == []

    def test_missing_padding_is_tolerated_when_decoding(self) -> None:
        assert decode_base64_token("ZXhhbXBsZS10b2tlbg") == "example-token"

    @given(TOKEN_CHARS)
    def test_encoded_token_is_always_found_when_round_tripped(self, token: str) -> None:
        value = encode_token(token, TokenEncoding.BASE64).split(" ")[1]
        assert token in [t for t, _ in token_candidates(value)]


class TestTokens:
    def test_new_tokens_are_unique_and_within_spec_alphabet(self) -> None:
        """CONFORMANCE D.87: ≤ 64 characters, U+0021..U+007E only."""
        tokens = {new_token() for _ in range(200)}
        assert len(tokens) == 200
        for token in tokens:
            assert 1 <= len(token) <= 64
            assert all(0x21 <= ord(c) <= 0x7E for c in token)

    def test_hash_is_stable_and_does_not_contain_token(self) -> None:
        token = new_token()
        assert hash_token(token) == hash_token(token)
        assert token not in hash_token(token)
        assert hashes_match(hash_token(token), hash_token(token))
        assert not hashes_match(hash_token(token), hash_token(token + "x"))

    def test_redacted_form_never_shows_the_token(self) -> None:
        token = new_token()
        assert token not in redact(token)
        assert redact(None) == "<none>"
