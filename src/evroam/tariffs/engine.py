"""Price a session with one OCPI 2.2.1 Tariff (TARIFF-RULES §0; Tariffs ch. 11, CDRs ch. 10).

Pure: no I/O, Decimal only. Cut the timeline (segments), choose a component per dimension
(selection), price the quantities (lines, flat), round once per session (steps), sum and clamp
(totals), explain.
"""

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from evroam.modules.tariffs.model import Tariff
from evroam.tariffs.explain import ExplanationLine, explain
from evroam.tariffs.flat import flat_lines
from evroam.tariffs.lines import Line, usage_lines
from evroam.tariffs.options import DEFAULT_OPTIONS, PricingOptions
from evroam.tariffs.plan import TariffPlan, plan_of
from evroam.tariffs.segments import split_timeline
from evroam.tariffs.selection import Chooser, Period, merge, moment_of
from evroam.tariffs.steps import step_lines
from evroam.tariffs.timeline import SessionState, SessionTimeline, TimelineError
from evroam.tariffs.totals import Totals, compute_totals


@dataclass(frozen=True)
class PricingResult:
    tariff: Tariff
    timeline: SessionTimeline
    periods: list[Period]
    lines: list[Line]
    totals: Totals
    notes: list[str]
    """What changed the total beyond the lines: validity, min_price, max_price."""

    @cached_property
    def explanation(self) -> list[ExplanationLine]:
        """One line per priced quantity, then the notes; written when first asked for (CDRs
        and reconciliation need only the numbers)."""
        return explain(self.lines, self.notes)


def price_session(
    tariff: Tariff,
    timeline: SessionTimeline,
    time_zone: str | ZoneInfo,
    options: PricingOptions = DEFAULT_OPTIONS,
) -> PricingResult:
    """Charging periods, every CDR total and the explanation of one session."""
    zone = zone_of(time_zone)
    plan = plan_of(tariff, options)
    if plan.restricts_current:
        _require_current(timeline)
    periods = _periods(plan, timeline, zone, options)
    usage = usage_lines(periods)
    priced = sorted(flat_lines(periods, options) + usage, key=lambda line: line.period_index)
    lines = priced + step_lines(usage, periods, options)
    span = (timeline.start_date_time, timeline.end_date_time)
    totals, notes = compute_totals(tariff, periods, lines, span)
    notes = _validity_notes(tariff, timeline.start_date_time) + notes
    return PricingResult(tariff, timeline, periods, lines, totals, notes)


def _periods(
    plan: TariffPlan, timeline: SessionTimeline, zone: ZoneInfo, options: PricingOptions
) -> list[Period]:
    chooser = Chooser(plan, options)
    start, expired = timeline.charging_start, timeline.reservation_expired
    periods: list[Period] = []
    for piece in split_timeline(timeline, plan, zone):
        moment = moment_of(piece, zone=zone, charging_start=start, expired=expired)
        periods.append(Period(piece, chooser.choose(moment, piece.state)))
    return merge(periods)


def zone_of(time_zone: str | ZoneInfo) -> ZoneInfo:
    """The Location's IANA time zone; an unknown name is an error, never a guess (A16)."""
    if isinstance(time_zone, ZoneInfo):
        return time_zone
    try:
        return ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise TimelineError(f"unknown IANA time zone {time_zone!r}") from exc


def tariff_valid_at(tariff: Tariff, instant: datetime) -> bool:
    """The tariff's own validity (start inclusive, end exclusive; CONFORMANCE I.269, R1)."""
    starts, ends = tariff.start_date_time, tariff.end_date_time
    return (starts is None or starts <= instant) and (ends is None or instant < ends)


def _validity_notes(tariff: Tariff, start: datetime) -> list[str]:
    if tariff_valid_at(tariff, start):
        return []
    return [f"tariff {tariff.id} was not valid at session start {start:%Y-%m-%dT%H:%M:%SZ}"]


def _require_current(timeline: SessionTimeline) -> None:
    """A18: current restrictions need the current of every charging interval."""
    for point in timeline.points:
        if point.state is SessionState.CHARGING and point.current_a is None:
            raise TimelineError(
                f"the tariff restricts current: the CHARGING point at {point.at} needs current_a"
            )
