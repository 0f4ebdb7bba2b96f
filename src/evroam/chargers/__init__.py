"""The CPO's charge points: the `ChargerNetwork` interface and a simulated network implementing it.

`interface.py` says what the CPO needs from its chargers (commands and a stream of events); an
OCPP bridge will implement the same interface later. `simulated.py` is a deterministic network
with realistic power curves and switchable failure modes, driven by an injectable clock.
"""
