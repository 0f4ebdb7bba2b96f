"""Act three of the demo: drivers of the eMSP charge at the CPO and are billed correctly.

The eMSP issues tokens (pushed to the CPO); Anna starts a session from her app, the eMSP sees
the energy grow, she stops it, the CPO prices the CDR with the tariff engine and sends it, and
the eMSP reconciles it and prints the bill with its explanation. Ben taps an RFID card (the CPO
asks the eMSP in real time); Carl reserves an EVSE and cancels. The CPO's simulated chargers run
faster than real time; every action goes through the real CLI or HTTP to the live servers.
"""

import asyncio
import json
import time
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from sqlalchemy import select

from evroam.errors import EvroamError
from evroam.modules.cdrs.model import Cdr
from evroam.modules.cdrs.repository import cdrs
from evroam.modules.locations.repository import locations
from evroam.modules.sessions.model import Session
from evroam.modules.sessions.repository import sessions
from evroam.modules.tokens.repository import tokens
from evroam.protocol.timestamps import format_datetime, utc_now
from evroam.sim.processes import Node

console = Console()
SPEED = 120  # simulated seconds per real second at the CPO's charge points
NEEDED = {"REMOTE_START_STOP_CAPABLE", "RFID_READER", "RESERVABLE"}
DRIVERS = [  # uid, type, whitelist, who
    ("ANNA-APP", "APP_USER", "NEVER", "Anna"),
    ("04B1E2A3C4D5", "RFID", "ALLOWED_OFFLINE", "Ben"),
    ("CARL-APP", "APP_USER", "NEVER", "Carl"),
]


def step(number: int, text: str) -> None:
    console.print(f"\n[bold cyan]{number:>2}.[/] [bold]{text}[/]")


def stored(node: Node, table: Any, *, own: bool) -> list[dict[str, Any]]:
    """Documents of a table on a node: its own, or those received from partners."""

    async def read() -> list[dict[str, Any]]:
        column = table.c.partner_id
        where = column.is_(None) if own else column.is_not(None)
        async with node.opened() as platform, platform.sessions() as db:
            query = select(table.c.document).where(where).order_by(table.c.pk)
            return list((await db.execute(query)).scalars())

    return asyncio.run(read())


def until(check: Callable[[], Any], what: str, seconds: float = 60) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.3)
    raise EvroamError(f"Not within {seconds:.0f} s: {what}; see the server logs.")


def received_session(emsp: Node, test: Callable[[Session], bool]) -> Session | None:
    found = [Session.model_validate(d) for d in stored(emsp, sessions, own=False)]
    return next((s for s in found if test(s)), None)


def pick_site(cpo: Node, avoid: str) -> tuple[str, list[str]]:
    """A published Location of ours with three free AC EVSEs that can do everything."""
    for location in stored(cpo, locations, own=True):
        if not location["publish"] or location["id"] == avoid:
            continue
        fit = [
            e["uid"]
            for e in location.get("evses") or []
            if e["status"] == "AVAILABLE"
            and set(e.get("capabilities") or []) >= NEEDED
            and len(e["connectors"]) == 1
            and e["connectors"][0]["power_type"] != "DC"
            and e["connectors"][0].get("tariff_ids")
        ]
        if len(fit) >= 3:
            return location["id"], fit[:3]
    raise EvroamError("The generated network has no Location fit for the charging story.")


def issue_tokens(cpo: Node, emsp: Node, workdir: Path) -> None:
    step(9, "The eMSP issues three driver tokens; they reach the CPO by push")
    lines = [
        {
            "country_code": "DE",
            "party_id": "MSP",
            "uid": uid,
            "type": kind,
            "contract_id": f"DEMSPC{uid[:8].replace('-', '')}",
            "issuer": "Drive Co",
            "visual_number": name,
            "valid": True,
            "whitelist": whitelist,
            "last_updated": format_datetime(utc_now()),
        }
        for uid, kind, whitelist, name in DRIVERS
    ]
    path = workdir / "drivers.ndjson"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    emsp.cli("tokens", "import", str(path))
    held = until(lambda: _held(cpo), "the tokens at the CPO")
    table = Table(title="Tokens of DE*MSP the CPO now holds")
    for column in ("uid", "type", "whitelist", "who"):
        table.add_column(column)
    for token in held:
        table.add_row(token["uid"], token["type"], token["whitelist"], token.get("visual_number"))
    console.print(table)


def _held(cpo: Node) -> list[dict[str, Any]] | None:
    found = stored(cpo, tokens, own=False)
    return found if len(found) == len(DRIVERS) else None


def charge_remotely(cpo: Node, emsp: Node, site: tuple[str, list[str]]) -> Session:
    location_id, (evse, *_) = site
    step(10, f"Anna starts charging from her app at {location_id} / {evse} (START_SESSION)")
    answer = emsp.cli(
        "commands", "start-session", "chargeco", "--location", location_id, "--evse", evse,
        "--token", "ANNA-APP", "--auth-ref", "ANNA-0001",
    )  # fmt: skip
    console.print("   " + escape(answer.stdout.strip().splitlines()[0]))
    live = until(lambda: received_session(emsp, _charging("ANNA-APP")), "Anna's session")
    console.print(
        f"   the CPO's charge point started session {live.id}; the eMSP holds it {live.status},"
        f" token DE*MSP {live.cdr_token.uid}, authorization_reference"
        f" {live.authorization_reference}"
    )
    step(11, f"The car charges; the eMSP sees the energy live (simulated time runs {SPEED}x)")
    zone = ZoneInfo(_time_zone(cpo, location_id))
    for _ in range(4):
        time.sleep(1.5)
        now = until(lambda: received_session(emsp, lambda s: s.id == live.id), "the session")
        cost = "-" if now.total_cost is None else f"{now.total_cost.excl_vat:.2f} {now.currency}"
        local = now.last_updated.astimezone(zone)
        periods = len(now.charging_periods or [])
        console.print(
            f"   {local:%H:%M} local: {now.kwh:>7} kWh   estimated {cost} excl. VAT,"
            f" {periods} period(s) closed"
        )
    step(12, "Anna stops charging from her app (STOP_SESSION)")
    answer = emsp.cli("commands", "stop-session", "chargeco", live.id)
    console.print("   " + escape(answer.stdout.strip().splitlines()[0]))
    done: Session = until(
        lambda: received_session(emsp, lambda s: s.id == live.id and s.status == "COMPLETED"),
        "the session COMPLETED at the eMSP",
    )
    console.print(f"   the eMSP holds it COMPLETED: {done.kwh} kWh")
    return done


def _charging(uid: str) -> Callable[[Session], bool]:
    return lambda s: s.cdr_token.uid == uid and s.status == "ACTIVE" and s.kwh > 0


def _time_zone(cpo: Node, location_id: str) -> str:
    found = [d for d in stored(cpo, locations, own=True) if d["id"] == location_id]
    return str(found[0]["time_zone"])


def bill(cpo: Node, emsp: Node, session: Session) -> None:
    step(13, "The CPO prices the CDR with the tariff engine and sends it to this eMSP only")
    cdr = until(lambda: _cdr(emsp, session.id), "the CDR at the eMSP")
    console.print(cdr_table(cdr))
    console.print(signed_readings(cdr))
    step(14, "The eMSP reconciles the CDR and prints the bill with its explanation")
    first = (cdr.start_date_time - timedelta(days=1)).strftime("%Y-%m-%d")
    last = (cdr.end_date_time + timedelta(days=1)).strftime("%Y-%m-%d")
    console.print(
        emsp.cli("reconcile", "--partner", "chargeco", "--from", first, "--to", last).stdout
    )
    console.print(emsp.cli("cdrs", "show", cdr.id, "--explain").stdout)
    status = json.loads(emsp.cli("cdrs", "show", cdr.id, "--json").stdout).get("reconciliation")
    if status != "MATCH":
        raise EvroamError(f"The eMSP's reconciliation of CDR {cdr.id} says {status}, not MATCH")


def signed_readings(cdr: Cdr) -> str:
    """The meter's signed start and end readings the CDR carries, as a line to read."""
    if cdr.signed_data is None:
        return "   no signed meter values (the charge point's meter does not sign)"
    readings = [json.loads(v.plain_data) for v in cdr.signed_data.signed_values]
    start, end = (Decimal(r["register_wh"]) for r in (readings[0], readings[-1]))
    return (
        f"   signed by the meter ({cdr.signed_data.encoding_method}), unchanged: register"
        f" {start:,} Wh → {end:,} Wh = {(end - start) / 1000} kWh"
    )


def cdr_table(cdr: Cdr) -> Table:
    table = Table(title=f"CDR {cdr.id}, as the eMSP received it")
    for column in ("token", "where", "kWh", "hours", "total excl VAT", "incl VAT", "periods"):
        table.add_column(column)
    where = cdr.cdr_location
    table.add_row(
        f"{cdr.cdr_token.country_code}*{cdr.cdr_token.party_id} {cdr.cdr_token.uid}",
        f"{where.id} / {where.evse_uid} / {where.connector_id}",
        str(cdr.total_energy),
        f"{cdr.total_time:.4f}",
        f"{cdr.total_cost.excl_vat:.2f} {cdr.currency}",
        "-" if cdr.total_cost.incl_vat is None else f"{cdr.total_cost.incl_vat:.2f}",
        f"{len(cdr.charging_periods)} (tariff {', '.join(t.id for t in cdr.tariffs or [])})",
    )
    return table


def _cdr(emsp: Node, session_id: str) -> Cdr | None:
    found = [Cdr.model_validate(d) for d in stored(emsp, cdrs, own=False)]
    return next((c for c in found if c.session_id == session_id), None)


def tap_card(cpo: Node, emsp: Node, site: tuple[str, list[str]], admin: str) -> None:
    location_id, (_, evse, _) = site
    step(15, f"Ben plugs in at {evse} and taps his RFID card: the CPO asks the eMSP in real time")
    answer = httpx.post(
        f"{cpo.base_url}/manage/chargers/{location_id}/{evse}/tap",
        json={"uid": "04B1E2A3C4D5"},
        headers={"Authorization": f"Bearer {admin}"},
        timeout=30,
    ).json()["data"]
    if answer["outcome"] != "ACCEPTED":
        raise EvroamError(f"Ben's card was refused: {answer.get('message')}")
    console.print(f"   the charge point: ACCEPTED, charging (session {answer['session_id']})")
    card = until(lambda: received_session(emsp, _charging("04B1E2A3C4D5")), "Ben's session")
    console.print(
        f"   the eMSP holds it {card.status}: auth_method {card.auth_method}, with the"
        f" authorization_reference it gave in real time, {card.authorization_reference}"
    )


def reserve_and_cancel(emsp: Node, site: tuple[str, list[str]]) -> None:
    location_id, (*_, evse) = site
    step(16, f"Carl reserves {evse} from his app, then changes his mind and cancels")
    emsp.cli(
        "commands", "reserve", "chargeco", "--location", location_id, "--evse", evse,
        "--token", "CARL-APP", "--reservation-id", "CARL1", "--minutes", "600",
    )  # fmt: skip
    held = until(
        lambda: received_session(emsp, lambda s: s.status == "RESERVATION"), "Carl's reservation"
    )
    console.print(f"   the eMSP holds session {held.id} RESERVATION at {held.evse_uid}")
    emsp.cli("commands", "cancel-reservation", "chargeco", "CARL1")
    until(
        lambda: received_session(emsp, lambda s: s.id == held.id and s.status == "COMPLETED"),
        "Carl's reservation COMPLETED",
    )
    console.print("   cancelled: the reservation's session is COMPLETED, nothing to bill")
    console.print(sessions_table(emsp))


def sessions_table(emsp: Node) -> Table:
    table = Table(title="The eMSP's Sessions at the CPO")
    for column in ("driver", "status", "auth_method", "EVSE", "kWh", "cost excl VAT"):
        table.add_column(column)
    names = {uid: name for uid, _, _, name in DRIVERS}
    for session in [Session.model_validate(d) for d in stored(emsp, sessions, own=False)]:
        cost = session.total_cost
        table.add_row(
            names.get(session.cdr_token.uid, session.cdr_token.uid),
            session.status.value,
            session.auth_method.value,
            session.evse_uid,
            str(session.kwh),
            "-" if cost is None else f"{cost.excl_vat:.2f} {session.currency}",
        )
    return table


def act_charging(cpo: Node, emsp: Node, workdir: Path, *, admin: str, avoid: str) -> None:
    """Steps 9-16; raises EvroamError when any step does not behave as it should."""
    site = pick_site(cpo, avoid)
    issue_tokens(cpo, emsp, workdir)
    session = charge_remotely(cpo, emsp, site)
    bill(cpo, emsp, session)
    tap_card(cpo, emsp, site, admin)
    reserve_and_cancel(emsp, site)
