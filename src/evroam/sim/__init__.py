"""Synthetic networks, drivers and the demo scenario: pure generators for tests, demo and bench."""
