"""The `Authorization: Token …` codec and credentials-token handling (DIGEST §1.2).

2.2.x sends Base64 of the token, 2.1.1 and many real 2.2 peers send it raw. We send what the
connection's version (or the partner's override) says and accept both forms on input.
Tokens are secrets: only their SHA-256 hash is stored for inbound lookup, and the plain value
never reaches a log line.
"""

import base64
import binascii
import hashlib
import hmac
import re
import secrets
from enum import StrEnum

_TOKEN_CHARS = re.compile(r"^[\x21-\x7E]{1,64}$")
_SCHEME = re.compile(r"^\s*token\s+(\S+)\s*$", re.IGNORECASE)


class TokenEncoding(StrEnum):
    """How the token travels in the Authorization header."""

    BASE64 = "base64"
    RAW = "raw"


def encode_token(token: str, encoding: TokenEncoding) -> str:
    """The full Authorization header value for a token: `Token <base64 or raw>`."""
    if encoding is TokenEncoding.RAW:
        return f"Token {token}"
    return "Token " + base64.b64encode(token.encode("utf-8")).decode("ascii")


def credential_of(header: str | None) -> str | None:
    """The value after `Token ` (scheme matched case-insensitively), or None when absent."""
    if not header:
        return None
    match = _SCHEME.fullmatch(header)
    return match.group(1) if match else None


def decode_base64_token(value: str) -> str | None:
    """The token inside a Base64 credential, or None when the value is not Base64 of a token."""
    padded = value + "=" * (-len(value) % 4)
    try:
        raw = base64.b64decode(padded, validate=True)
        text = raw.decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    # Peers that followed the spec's own example (`echo token | base64`) encode a newline.
    text = text.removesuffix("\n").removesuffix("\r")
    return text if _TOKEN_CHARS.fullmatch(text) else None


def token_candidates(credential: str) -> list[tuple[str, TokenEncoding]]:
    """What the credential may stand for, most likely first: the Base64 reading, then raw."""
    candidates: list[tuple[str, TokenEncoding]] = []
    decoded = decode_base64_token(credential)
    if decoded is not None and decoded != credential:
        candidates.append((decoded, TokenEncoding.BASE64))
    if _TOKEN_CHARS.fullmatch(credential):
        candidates.append((credential, TokenEncoding.RAW))
    return candidates


def new_token() -> str:
    """A fresh credentials token: 256 random bits, 43 URL-safe characters (≤ 64, U+0021..U+007E)."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """The stored form of an inbound token (random 256-bit values, so SHA-256 suffices)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def hashes_match(stored: str, presented: str) -> bool:
    """Constant-time comparison of two token hashes."""
    return hmac.compare_digest(stored.encode("ascii"), presented.encode("ascii"))


def redact(token: str | None) -> str:
    """A log-safe stand-in for a token: never the token, only a short fingerprint of its hash."""
    if not token:
        return "<none>"
    return "tok#" + hash_token(token)[:8]
