"""The official OCPI 2.2.1 examples, shipped unmodified under tests/data/2.2.1 (see its README)."""

import json
from pathlib import Path
from typing import Any

EXAMPLES = Path(__file__).parent / "data" / "2.2.1"


def example(name: str) -> Any:
    """The parsed JSON of one official example file, e.g. `example("tariff_4_complex.json")`."""
    return json.loads((EXAMPLES / name).read_text(encoding="utf-8"))
