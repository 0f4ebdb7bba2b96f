"""The engine answers every generated golden case exactly as when the outputs were frozen."""

import json

from tests.unit.tariffs.golden_cases import GOLDEN, fingerprints


class TestGoldenOutputs:
    def test_outputs_unchanged_when_engine_is_reworked(self) -> None:
        frozen = json.loads(GOLDEN.read_text(encoding="utf-8"))
        changed = sorted(
            (int(number) for number, found in fingerprints().items() if frozen[number] != found)
        )
        assert changed == [], f"cases whose output changed: {changed[:20]}"
