"""Versions and credentials endpoints and the registration handshake (chapters 6 and 7)."""
