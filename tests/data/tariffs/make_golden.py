"""Freeze the engine's outputs for the generated golden cases (tests/unit/tariffs/golden_cases.py).

Run from the repository root: `.venv/bin/python -m tests.data.tariffs.make_golden`. Only when a
result is meant to change; a speed-up must leave golden_outputs.json as it is.
"""

import json

from tests.unit.tariffs.golden_cases import GOLDEN, fingerprints


def main() -> None:
    GOLDEN.write_text(json.dumps(fingerprints(), indent=0) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
