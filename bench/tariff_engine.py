"""Tariff engine throughput: the spec's complex tariff (tariff_4) over a ten-period session.

Run: `.venv/bin/python -m bench.tariff_engine [--seconds N]`. One process, one core: it prices
the same finished session again and again and reports sessions per second (wall clock) and
the CPU microseconds per session (steadier on a shared machine). Not a test.

The session (Amsterdam, Friday 7 June 2024 15:30 to Saturday 10:50, smart-charged overnight)
needs ten charging periods because every one of them prices differently under tariff_4:

 1. Fri 15:30 charging 16 A        TIME 1.00/h  (max_current 32)
 2. Fri 16:10 charging 48 A        TIME 2.00/h  (min_current 32, weekday)
 3. Fri 17:00 charging 16 A        TIME 1.00/h
 4. Fri 17:30 parked               PARKING 5.00/h (weekday 09:00-18:00)
 5. Fri 18:00 parked               free: no parking element after 18:00
 6. Fri 23:30 charging 48 A        TIME 2.00/h  (smart charging resumes, still Friday)
 7. Sat 00:00 charging 48 A        TIME 1.25/h  (weekend at local midnight)
 8. Sat 00:40 parked               free: Saturday parking starts 10:00
 9. Sat 10:00 parked               PARKING 6.00/h (Saturday 10:00-17:00)
10. Sat 10:30 charging 16 A        TIME 1.00/h  (top-up before leaving at 10:50)
"""

import argparse
import json
import os
import sys
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from evroam.modules.tariffs.model import Tariff
from evroam.tariffs import SessionState, SessionTimeline, TimelinePoint, price_session
from evroam.tariffs.session_file import load_json

TARIFF_4 = Path(__file__).parents[1] / "tests" / "data" / "2.2.1" / "tariff_4_complex.json"
ZONE = ZoneInfo("Europe/Amsterdam")
PERIODS = 10
D = Decimal

# (local time, state, cumulative kWh at that instant, kW, A)
POINTS = (
    ("2024-06-07T15:30", SessionState.CHARGING, "0", "11", "16"),
    ("2024-06-07T16:10", SessionState.CHARGING, "7.3", "33", "48"),
    ("2024-06-07T17:00", SessionState.CHARGING, "34.8", "11", "16"),
    ("2024-06-07T17:30", SessionState.PARKING, "40.3", "0", None),
    ("2024-06-07T23:30", SessionState.CHARGING, "40.3", "33", "48"),
    ("2024-06-08T00:40", SessionState.PARKING, "78.8", "0", None),
    ("2024-06-08T10:30", SessionState.CHARGING, "78.8", "11", "16"),
    ("2024-06-08T10:50", SessionState.END, "82.4", "0", None),
)


def tariff_4() -> Tariff:
    return Tariff.model_validate(load_json(TARIFF_4.read_text(encoding="utf-8")))


def session() -> SessionTimeline:
    points = tuple(
        TimelinePoint(
            datetime.fromisoformat(local).replace(tzinfo=ZONE).astimezone(UTC),
            D(kwh),
            state,
            D(kw),
            None if amps is None else D(amps),
        )
        for local, state, kwh, kw, amps in POINTS
    )
    return SessionTimeline(points[0].at, points[-1].at, points)


def measure(seconds: float) -> tuple[int, float, float]:
    """Sessions priced, elapsed wall time and CPU time of this process, after one warm-up run
    that checks the shape. CPU time is the figure to compare on a shared machine: other jobs
    stretch the wall clock, much less this process's own CPU seconds."""
    tariff, timeline = tariff_4(), session()
    periods = len(price_session(tariff, timeline, ZONE).periods)
    if periods != PERIODS:
        raise SystemExit(f"the benchmark session has {periods} charging periods, not {PERIODS}")
    count, started, cpu_started = 0, time.perf_counter(), time.process_time()
    deadline = started + seconds
    while time.perf_counter() < deadline:
        for _ in range(100):
            price_session(tariff, timeline, ZONE)
        count += 100
    return count, time.perf_counter() - started, time.process_time() - cpu_started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="how long to measure")
    args = parser.parse_args()
    count, elapsed, cpu = measure(args.seconds)
    report = {
        "benchmark": "tariff_4_complex, ten-period session, one process",
        "command": " ".join(
            [Path(sys.executable).name, "-m", "bench.tariff_engine", *sys.argv[1:]]
        ),
        "sessions": count,
        "seconds": round(elapsed, 3),
        "sessions_per_second": round(count / elapsed),
        "cpu_seconds": round(cpu, 3),
        "cpu_microseconds_per_session": round(cpu / count * 1e6, 1),
        "sessions_per_cpu_second": round(count / cpu),
        "load_average": [round(load, 2) for load in os.getloadavg()],
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
