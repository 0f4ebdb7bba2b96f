"""Version-neutral behaviour, one package per OCPI module."""
