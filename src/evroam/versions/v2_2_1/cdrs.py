"""OCPI 2.2.1 CDRs module wire models (chapter 10): in 2.2.1 they equal the domain models."""

from evroam.modules.cdrs.model import (
    AuthMethod,
    Cdr,
    CdrDimension,
    CdrDimensionType,
    CdrLocation,
    CdrToken,
    ChargingPeriod,
    SignedData,
    SignedValue,
)

CDR = Cdr

__all__ = [
    "CDR",
    "AuthMethod",
    "Cdr",
    "CdrDimension",
    "CdrDimensionType",
    "CdrLocation",
    "CdrToken",
    "ChargingPeriod",
    "SignedData",
    "SignedValue",
]
