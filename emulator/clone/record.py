"""Reading a live router for ``re-emulator clone``: every fact the clone needs, read-only.

One NETCONF session per RE (its own endpoint, as the testbed names it), and from each RE:
``show version`` (its Junos version and host name), its committed configuration (``show
configuration``, curly text) and ``show log mastership``.  From the first RE that answers:
``show chassis routing-engine`` (each RE's state, model, serial number, memory, start time);
from the master: ``show chassis hardware`` (the backup refuses it).  An RE that cannot be reached
is recorded with the error, and the clone says what it could not carry because of it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass

from lxml import etree

from emulator.clone import readers
from emulator.clone.client import Login, ReadOnlySession
from emulator.clone.errors import CloneError, ConnectFailedError, ReplyError, ReplyTimeoutError
from re_contract.records import RouterSpec

__all__ = ["RERecording", "Recording", "read_router", "record_router"]

log = logging.getLogger(__name__)

SOFTWARE = "<get-software-information/>"
CONFIGURATION = "<get-configuration database='committed' format='text'/>"
MASTERSHIP_LOG = "<get-log><filename>mastership</filename></get-log>"
ROUTE_ENGINES = "<get-route-engine-information/>"
INVENTORY = "<get-chassis-inventory/>"


@dataclass(frozen=True, slots=True)
class RERecording:
    """What one RE answered; ``errors`` holds ``what: message`` for each read it failed (or,
    unreachable, the one error of its connection)."""

    name: str
    reached: bool
    software: readers.SoftwareFacts | None = None
    config: str | None = None
    log: tuple[str, float | None] | None = None
    errors: tuple[str, ...] = ()
    #: The capabilities of its NETCONF hello.
    capabilities: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Recording:
    """A live router as read: its REs, the routing-engine view, the master's inventory, and the
    router's clock (POSIX seconds when read; ``zone`` its printed time's offset and name)."""

    spec: RouterSpec
    res: Mapping[str, RERecording]
    engines: tuple[readers.RouteEngineFacts, ...] = ()
    inventory: readers.InventoryFacts | None = None
    now: float = 0.0
    zone: tuple[float, str] = (0.0, "UTC")
    errors: tuple[str, ...] = ()

    @property
    def master(self) -> str | None:
        """Return the RE that reported itself master, or None."""
        return next((f"re{e.slot}" for e in self.engines if e.state == "master"), None)


def _login(spec: RouterSpec, re_name: str) -> Login:
    ep = spec.endpoints[re_name]
    return Login(ep.host, ep.port, spec.credentials, spec.host_keys,
                 spec.timeouts.connect, spec.timeouts.rpc)


async def _ask(session: ReadOnlySession, rpc: str, what: str, errors: list[str]
               ) -> etree._Element | None:
    """Return the reply to ``rpc``, or None with ``what: error`` noted in ``errors``.
    Raises ConnectFailedError and ReplyTimeoutError (the session is gone)."""
    try:
        return await session.rpc(rpc)
    except ReplyError as exc:
        errors.append(f"{what}: {exc}")
        return None


async def _read_re(spec: RouterSpec, re_name: str) -> tuple[RERecording, ReadOnlySession | None]:
    """Open a session to ``re_name`` and read what every RE gives; return the recording and the
    session (left open for the router-wide reads), or no session when it could not be reached."""
    try:
        session = await ReadOnlySession.open(_login(spec, re_name))
    except (ConnectFailedError, ReplyTimeoutError) as exc:
        return RERecording(re_name, reached=False, errors=(str(exc),)), None
    errors: list[str] = []
    try:
        sw = await _ask(session, SOFTWARE, "show version", errors)
        cfg = await _ask(session, CONFIGURATION, "show configuration", errors)
        mlog = await _ask(session, MASTERSHIP_LOG, "show log mastership", errors)
    except (ConnectFailedError, ReplyTimeoutError) as exc:
        await session.close()
        return RERecording(re_name, reached=False, errors=(*errors, str(exc))), None
    recording = RERecording(
        re_name, reached=True,
        software=readers.software(sw) if sw is not None else None,
        config=readers.configuration_text(cfg) if cfg is not None else None,
        log=readers.log_text(mlog) if mlog is not None else None,
        errors=tuple(errors), capabilities=session.capabilities)
    return recording, session


async def record_router(spec: RouterSpec) -> Recording:
    """Read the live router ``spec`` (a lab router of a testbed); return what it answered.

    Raises CloneError when no RE can be reached at all (the message names each RE's error).
    """
    res: dict[str, RERecording] = {}
    sessions: dict[str, ReadOnlySession] = {}
    try:
        for re_name in spec.endpoints:
            res[re_name], session = await _read_re(spec, re_name)
            if session is not None:
                sessions[re_name] = session
        if not sessions:
            raise CloneError(f"{spec.name}: no Routing Engine could be read: " + "; ".join(
                f"{name}: {r.errors[-1]}" for name, r in res.items()))
        return await _router_wide(spec, res, sessions)
    finally:
        for session in sessions.values():
            await session.close()


async def _router_wide(spec: RouterSpec, res: dict[str, RERecording],
                       sessions: Mapping[str, ReadOnlySession]) -> Recording:
    """Read ``show chassis routing-engine`` from the first RE reached and ``show chassis
    hardware`` from the master (any RE when none reports itself master)."""
    errors: list[str] = []
    first_name, first = next(iter(sessions.items()))
    try:
        reply = await _ask(first, ROUTE_ENGINES, f"{first_name}: show chassis routing-engine",
                           errors)
        engines = tuple(readers.route_engines(reply)) if reply is not None else ()
        master = next((f"re{e.slot}" for e in engines if e.state == "master"), None)
        ordered = [master] if master is not None and master in sessions else []
        ordered += [name for name in sessions if name not in ordered]
        found = None
        for name in ordered:
            reply = await _ask(sessions[name], INVENTORY, f"{name}: show chassis hardware",
                               errors)
            found = readers.inventory(reply) if reply is not None else None
            if found is not None:
                break
    except (ConnectFailedError, ReplyTimeoutError) as exc:
        raise CloneError(f"{spec.name}: lost while reading: {exc}") from exc
    now = next((e.now for e in engines if e.now is not None), None)
    if now is None:
        now = next((r.log[1] for r in res.values() if r.log and r.log[1] is not None), None)
    if now is None:
        errors.append("router clock: not shown (no start/up time, no log time); "
                      "this host's clock used")
        now = time.time()
    zone = next((e.zone for e in engines if e.zone is not None), (0.0, "UTC"))
    return Recording(spec, res, engines, found, now, zone, tuple(errors))


def read_router(spec: RouterSpec, deadline: float) -> Recording:
    """Return :func:`record_router` of ``spec``, run on a loop of its own, within ``deadline``
    seconds in all.  Raises CloneError (ReplyTimeoutError when the deadline passes)."""

    async def bounded() -> Recording:
        try:
            return await asyncio.wait_for(record_router(spec), deadline)
        except TimeoutError as exc:
            raise ReplyTimeoutError(f"{spec.name}: not read within {deadline:g} s") from exc

    return asyncio.run(bounded())
