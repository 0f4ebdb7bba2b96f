"""evroam: an open OCPI roaming platform (2.2.1 primary, 2.1.1 secondary)."""

__version__ = "0.1.0"
