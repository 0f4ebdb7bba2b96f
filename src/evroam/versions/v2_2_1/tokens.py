"""OCPI 2.2.1 Tokens module wire models (chapter 12): in 2.2.1 they equal the domain models."""

from evroam.modules.tokens.model import (
    AllowedType,
    AuthorizationInfo,
    EnergyContract,
    LocationReferences,
    ProfileType,
    Token,
    TokenType,
    WhitelistType,
)

__all__ = [
    "AllowedType",
    "AuthorizationInfo",
    "EnergyContract",
    "LocationReferences",
    "ProfileType",
    "Token",
    "TokenType",
    "WhitelistType",
]
