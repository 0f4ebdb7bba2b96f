"""The CDR of one of our finished sessions: priced by the tariff engine, issued exactly once.

Built from the charging record (modules/sessions/charging_records.py): the readings as the
engine's timeline, the Location and Tariff as they were at the start (CONFORMANCE G.200), priced
in the Location's time zone (tariffs/cdr_builder.py). The CDR's id is the Session's (at most 36
characters, G.189), so issuing it again is refused (G.197) and a restart cannot bill twice. The
CdrLocation holds only the EVSE and connector used, its address and state cut to 45 and 20
characters (G.201, G.202); a reservation never used has `#NA` there.

Not billed: a session that delivered no energy and costs nothing (a car that never drew power
at a tariff without fees), and a session at a connector without a tariff (no price to apply:
logged, and left to the parties' agreement).
"""

import logging

from evroam.errors import EvroamError
from evroam.modules.cdrs.model import Cdr
from evroam.modules.cdrs.publish import issue_cdr
from evroam.modules.sessions.charging_records import ChargingRecord, save_record
from evroam.modules.sessions.metering import timeline_of
from evroam.modules.sessions.model import Session
from evroam.platform import Platform
from evroam.protocol.timestamps import utc_now
from evroam.tariffs import TimelineError
from evroam.tariffs.cdr_builder import CdrError, FinishedSession, build_cdr

log = logging.getLogger("evroam.cdrs")


async def bill_session(platform: Platform, record: ChargingRecord, session: Session) -> Cdr | None:
    """Issue the CDR of a finished session (once), and mark the record billed."""
    cdr = None
    if not record.billed:
        cdr = cdr_of(record, session)
    if cdr is not None:
        try:
            cdr = await issue_cdr(platform, cdr)
        except EvroamError as exc:  # issued already (a restart cut the marking short)
            log.warning("CDR %s not issued: %s", cdr.id, exc)
            cdr = None
    await save_record(platform, record.model_copy(update={"billed": True}))
    return cdr


def cdr_of(record: ChargingRecord, session: Session) -> Cdr | None:
    """The CDR of the session, or None when there is nothing to bill."""
    if record.tariff is None:
        log.warning("Session %s: its connector has no tariff, so no CDR is built", session.id)
        return None
    meter = record.meter
    end = meter.last_at if meter is not None else session.end_date_time or session.start_date_time
    timeline = timeline_of(meter, reserved_at=record.reserved_at, end=end, expired=record.expired)
    if timeline is None:
        return None  # no length: nothing happened
    used = meter is not None  # a reservation never used has no EVSE or connector (#NA)
    finished = FinishedSession(
        country_code=session.country_code,
        party_id=session.party_id,
        session_id=session.id,
        timeline=timeline,
        token=session.cdr_token,
        location=record.location,
        evse_uid=session.evse_uid if used else None,
        connector_id=session.connector_id if used else None,
        auth_method=session.auth_method,
        authorization_reference=session.authorization_reference,
        meter_id=session.meter_id,
        remark=record.remark,
        signed_data=record.signed_data,
    )
    try:
        cdr = build_cdr(finished, record.tariff, cdr_id=session.id, last_updated=utc_now())
    except (CdrError, TimelineError, ValueError) as exc:
        log.error("The CDR of session %s cannot be built: %s", session.id, exc)
        return None
    if cdr.total_energy == 0 and cdr.total_cost.excl_vat == 0:
        return None
    return cdr
