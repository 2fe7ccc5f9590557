"""One served router on the event loop: its model, the sessions open to it, the wire state.

The model is pure (no lock, no session state, no wall clock); everything a face does to it goes
through :meth:`RouterRuntime.run` on the server's one event loop, so calls never overlap.
``run`` moves a real-time router's clock to the wall clock's time first, and afterwards notices
whether an RE went down, came back or rebooted: only then are sessions reaped and terminals told
(no per-session or per-second polling).  In real-time mode one loop timer per router is armed for
the clock's next deadline, so a keepalive timeout or a boot completes when due, with nobody
connected.

The wire state the faces need lives here, not in the model: the RE slots whose next reply is
truncated, and the sessions to drop (control RPC results say which).

Replies to read-only RPCs are kept between two changes of the router (:class:`ReplyCache`):
every ``run`` may change the model, so it starts a new :attr:`RouterRuntime.version`, except a
dispatch of a row that only reads (``Command.read_only``).  The model changes only inside
``run`` (faces, control RPCs, ``EmulatorServer.call``), so a kept reply is the one the model
would compute again.  In real time the clock moves between two requests: nothing is kept.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Hashable
from typing import Protocol, TypeVar

from lxml import etree

from emulator.commands.dispatch import Dispatcher, DispatchResult
from emulator.commands.table import CommandContext
from emulator.incidents import ErrorLog
from emulator.limits import InputBudget, Limits
from emulator.model.router import RouterModel
from emulator.netconf.messages import RequestMemo
from re_contract.listeners import CONTROL, MASTER

__all__ = ["Link", "ReplyCache", "RouterRuntime", "SessionFace", "TerminalFace"]

log = logging.getLogger(__name__)


T = TypeVar("T")


class Link(Protocol):
    """The byte channel under a face (an SSH channel, a console's TCP connection)."""

    @property
    def writable(self) -> bool:
        """Return False while the connection under the link cannot take more bytes."""
        ...

    def write(self, data: bytes) -> None:
        """Queue ``data`` for the client (the transport reports a full buffer separately)."""

    def close(self) -> None:
        """Send what is queued, then close (an SSH channel sends exit status 0 first)."""

    def abort(self) -> None:
        """Close now, discarding what is queued (a client that stopped reading)."""

    def close_connection(self) -> None:
        """Close the whole connection under the link (its server went away), after what is
        queued."""

    def pause_reading(self) -> None:
        """Stop delivering the client's bytes (its window fills, it blocks)."""

    def resume_reading(self) -> None:
        """Deliver the client's bytes again."""


class SessionFace(Protocol):
    """A management session on one RE (NETCONF or CLI over SSH): reaped when its RE goes."""

    @property
    def slot(self) -> int:
        """Return the RE slot the session was opened on."""
        ...

    @property
    def pinned(self) -> bool:
        """Return True for a control session, which outlives its RE."""
        ...

    @property
    def boot_stamp(self) -> float:
        """Return the start time of the RE when the session opened (a reboot changes it)."""
        ...

    def close(self) -> None:
        """End the session; the client sees its channel close."""

    def disconnect(self) -> None:
        """End the session and its connection: its RE (and so its sshd) went away."""


class TerminalFace(Protocol):
    """A terminal (CLI shell or console) that follows its RE even while nobody types."""

    def tick(self) -> None:
        """Look at the model again after an RE changed state."""


class ReplyCache:
    """Rendered replies of read-only RPCs, valid for one :attr:`RouterRuntime.version`.

    Keys are the caller's (the face's: RE slot, user, reply namespaces and the request); at
    most ``limit`` replies are kept per version (the oldest is forgotten first).
    """

    def __init__(self, limit: int = 256) -> None:
        self._limit = limit
        self._version = -1
        self._replies: dict[Hashable, bytes] = {}

    def get(self, version: int, key: Hashable) -> bytes | None:
        """Return the reply kept for ``key`` in ``version``, or None."""
        if version != self._version:
            return None
        return self._replies.get(key)

    def put(self, version: int, key: Hashable, reply: bytes) -> None:
        """Keep ``reply`` for ``key`` in ``version`` (replies of older versions are dropped)."""
        if version != self._version:
            self._replies.clear()
            self._version = version
        elif len(self._replies) >= self._limit:
            del self._replies[next(iter(self._replies))]
        self._replies[key] = reply

    def __len__(self) -> int:
        return len(self._replies)


class RouterRuntime:
    """The serving state of one router on the event loop."""

    def __init__(self, model: RouterModel, loop: asyncio.AbstractEventLoop, *, real_time: bool,
                 errors: ErrorLog, limits: Limits, requests: RequestMemo | None = None) -> None:
        self.model = model
        self.loop = loop
        self.errors = errors
        self.limits = limits
        #: Partial input of every session of this router, against one cap.
        self.budget = InputBudget(limits.max_buffered_input)
        self.dispatcher = Dispatcher(model)
        self.sessions: set[SessionFace] = set()
        self.terminals: set[TerminalFace] = set()
        #: RE slots whose next reply is cut short (truncate-next-reply fault).
        self.truncate_next: set[int] = set()
        #: Open SSH connections (for ``Limits.connection_limit``).
        self.connections = 0
        self._real_time = real_time
        self._base_loop = loop.time()
        self._base_clock = model.clock.now()
        self._timer: asyncio.TimerHandle | None = None
        self._signature = self._liveness()
        self._paused = False
        self._parked: list[Callable[[], None]] = []
        #: ``--state-dir``: starts a save of the router and returns its future (None: nothing
        #: is kept).  The server sets it.
        self.persist: Callable[[], asyncio.Future[None]] | None = None
        #: True from a commit until a save of it has started.
        self.unsaved = False
        self._commits = self._commit_mark()
        #: Starts anew with every call that may have changed the model (module docstring).
        self.version = 0
        #: Replies of read-only RPCs in this version (virtual time only).
        self.replies: ReplyCache | None = None if real_time else ReplyCache()
        #: Requests classified before, by their text (the server's routers share one).
        self.requests = RequestMemo() if requests is None else requests

    @property
    def name(self) -> str:
        """Return the router's name."""
        return self.model.name

    # ------------------------------------------------------------------ the model
    def run(self, call: Callable[[], T]) -> T:
        """Return ``call()`` run on the model with its clock caught up; afterwards reap and
        tick if an RE changed state, and re-arm the real-time timer.  Raises what ``call``
        raises."""
        return self._run(call, lambda _: False)

    def _run(self, call: Callable[[], T], reads_only: Callable[[T], bool]) -> T:
        """:meth:`run`; the :attr:`version` is kept when ``reads_only(result)`` says so."""
        self._catch_up()
        done = False
        try:
            result = call()
            done = reads_only(result)
            return result
        finally:
            if not done:
                self.version += 1
            self._after()

    def dispatch(self, ctx: CommandContext, op: etree._Element, *, control: bool
                 ) -> DispatchResult:
        """Return the reply to RPC ``op``; apply its wire effects (truncate the next reply of
        an RE, drop its sessions after this reply).  Raises RpcError and what handlers raise.

        A read-only row's dispatch keeps the :attr:`version` (its reply may be kept)."""
        result = self._run(lambda: self.dispatcher.dispatch(ctx, op, control=control),
                           lambda res: res.read_only)
        self.truncate_next |= result.truncate
        if result.drop:
            self.loop.call_soon(self._drop, frozenset(result.drop))
        return result

    def take_truncate(self, slot: int) -> bool:
        """Return True (once) if the next reply on RE ``slot`` is to be cut short."""
        if slot not in self.truncate_next:
            return False
        self.truncate_next.discard(slot)
        return True

    def resolve_slot(self, listener: str) -> int | None:
        """Return the RE slot a new connection to ``listener`` reaches, or None when nothing
        answers there (a halted RE runs no sshd; no master behind the master-only address)."""
        def resolve() -> int | None:
            chassis = self.model.chassis
            if listener == CONTROL:
                return chassis.master_slot() or 0
            if listener == MASTER:
                return chassis.master_slot()
            slot = int(listener.removeprefix("re"))
            return slot if chassis.re(slot).alive else None

        return self._run(resolve, lambda _: True)

    def boot_stamp(self, slot: int) -> float:
        """Return the start time of RE ``slot`` (a session remembers it to notice a reboot)."""
        return self.model.chassis.re(slot).start_time

    # ------------------------------------------------------------------ sessions
    def attach(self, face: SessionFace) -> None:
        """Register a session to reap when its RE goes down."""
        self.sessions.add(face)

    def detach(self, face: SessionFace) -> None:
        """Forget a session that ended."""
        self.sessions.discard(face)

    def _drop(self, slots: frozenset[int]) -> None:
        """``drop-sessions`` (and ``reset-router``): close the sessions of ``slots``."""
        for face in list(self.sessions):
            if face.slot in slots and not face.pinned:
                face.disconnect()

    def _reap(self) -> None:
        """Close the sessions whose RE went down or rebooted since they opened."""
        res = self.model.chassis.res
        for face in list(self.sessions):
            r = res.get(face.slot)
            if face.pinned or (r is not None and r.alive and r.start_time == face.boot_stamp):
                continue
            face.disconnect()  # its sshd is gone with it: the connection ends too

    def _follow(self) -> None:
        """An RE changed state: reap the sessions it carried, let the terminals redraw."""
        self._reap()
        for terminal in list(self.terminals):
            terminal.tick()
        self.version += 1  # a terminal may have acted on what it saw

    def _liveness(self) -> tuple[object, ...]:
        """Return what reaping and terminals depend on: each RE's state and boot, the chassis."""
        chassis = self.model.chassis
        return (id(chassis), *((r.state, r.start_time) for r in chassis.res.values()))

    # ------------------------------------------------------------------ holding
    @property
    def paused(self) -> bool:
        """Return True while requests to this router wait (:meth:`pause`)."""
        return self._paused

    def pause(self) -> None:
        """Hold every request to this router until :meth:`resume` (the router stops answering,
        its sessions stay open)."""
        self._paused = True

    def park(self, resume: Callable[[], None]) -> None:
        """Call ``resume`` when the router is resumed (a face with a request waiting)."""
        self._parked.append(resume)

    def resume(self) -> None:
        """Answer again: the parked faces go on, in the order they stopped."""
        self._paused = False
        parked, self._parked = self._parked, []
        for resume in parked:
            self.loop.call_soon(resume)

    # ------------------------------------------------------------------ time
    def _catch_up(self, due: float | None = None) -> None:
        """Real time: move the clock to the wall clock's time (firing due timers), or to the
        deadline ``due`` of the loop timer that fired (the loop may fire it a clock tick
        early).  A clock advanced past both by a control RPC goes on from there at wall speed
        (its timers -- a switchover resolving, FPCs coming back -- must not stall)."""
        if not self._real_time:
            return
        elapsed = self.loop.time() - self._base_loop
        target = self._base_clock + elapsed
        if due is not None:
            target = max(target, due)
        now = self.model.clock.now()
        if target > now:
            self.model.clock.advance_to(target)
        elif due is None and now > target:
            self._base_clock = now - elapsed

    # ------------------------------------------------------------------ durability
    def _commit_mark(self) -> tuple[object, ...]:
        """Return what changes with every commit: each RE's newest commit record."""
        return tuple(db.history[0] if db.history else None for db in self.model.configs.values())

    def save_now(self) -> asyncio.Future[None]:
        """Start saving the router (``--state-dir``); return the future done once it is on
        disk.  Raises RuntimeError without a state directory."""
        if self.persist is None:
            raise RuntimeError(f"{self.name}: no state directory to save to")
        self.unsaved = False
        return self.persist()

    def _save_unclaimed(self) -> None:
        """A commit no reply waits for (a confirmed commit rolled back by its timer): save it."""
        if self.unsaved and self.persist is not None:
            self.save_now()

    def _after(self) -> None:
        if self.persist is not None:
            mark = self._commit_mark()
            if mark != self._commits:
                self._commits = mark
                self.unsaved = True
                self.loop.call_soon(self._save_unclaimed)
        signature = self._liveness()
        if signature != self._signature:
            self._signature = signature
            self.loop.call_soon(self._follow)
        if self._real_time:
            self._arm()

    def _arm(self) -> None:
        """Arm the loop timer for the clock's next deadline (only that one; none if idle)."""
        deadline = self.model.clock.next_deadline()
        when = None if deadline is None else self._base_loop + (deadline - self._base_clock)
        if self._timer is not None:
            if when is not None and self._timer.when() == when:
                return
            self._timer.cancel()
            self._timer = None
        if when is not None and deadline is not None:
            self._timer = self.loop.call_at(when, self._due, deadline)

    def _due(self, deadline: float) -> None:
        """The loop timer of the clock's next deadline fired: fire the model's due timers."""
        self._timer = None
        self._catch_up(deadline)
        self.run(lambda: None)

    def close(self) -> None:
        """Stop the timer and close every session (the server is stopping)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        for face in list(self.sessions):
            face.close()
        self._parked.clear()
