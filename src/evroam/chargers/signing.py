"""Signed meter values of simulated charge points (CDRs §10.4.7 SignedData).

Calibration-law ("Eichrecht") meters sign their start and end readings so a driver can check
the bill without trusting the CPO; OCPI carries them in the CDR's `signed_data`, and the CPO
passes them on exactly as the meter produced them (CONFORMANCE G.210). Real meters sign with
ECDSA in formats such as OCMF; the simulator signs with HMAC-SHA256 under a key derived from
its seed and names its own encoding, so no one mistakes its values for a real meter's. What
matters for the platform is the path: charge point → charging record → CDR → eMSP, unchanged.
"""

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from evroam.modules.cdrs.model import SignedData, SignedValue
from evroam.protocol.timestamps import format_datetime

ENCODING_METHOD = "EVROAM-SIMULATED-HMAC-SHA256"  # CiString(36)
ENCODING_VERSION = 1


@dataclass(frozen=True)
class MeterSigner:
    """The signing key of a simulated network's meters."""

    key: bytes

    @classmethod
    def for_seed(cls, seed: int) -> "MeterSigner":
        return cls(hashlib.sha256(f"evroam simulated meters {seed}".encode()).digest())

    def signed_data(
        self,
        evse_uid: str,
        session_id: str,
        start: tuple[datetime, Decimal],
        end: tuple[datetime, Decimal],
    ) -> SignedData:
        """The session's start and end readings, each signed on its own."""
        values = [
            self._value("Start", evse_uid, session_id, *start),
            self._value("End", evse_uid, session_id, *end),
        ]
        return SignedData(
            encoding_method=ENCODING_METHOD,
            encoding_method_version=ENCODING_VERSION,
            signed_values=values,
        )

    def _value(
        self, nature: str, evse_uid: str, session_id: str, at: datetime, register_wh: Decimal
    ) -> SignedValue:
        reading = {
            "evse": evse_uid,
            "session": session_id,
            "time": format_datetime(at),
            "register_wh": str(register_wh),
        }
        plain = json.dumps(reading, separators=(",", ":"), sort_keys=True)
        return SignedValue(nature=nature, plain_data=plain, signed_data=self._sign(plain))

    def _sign(self, plain: str) -> str:
        digest = hmac.new(self.key, plain.encode(), hashlib.sha256).digest()
        return base64.b64encode(digest).decode()

    def verifies(self, signed: SignedData) -> bool:
        """Whether every value was signed by these meters and is unchanged."""
        return signed.encoding_method == ENCODING_METHOD and all(
            hmac.compare_digest(value.signed_data, self._sign(value.plain_data))
            for value in signed.signed_values
        )
