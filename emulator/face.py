"""What every face of a router shares: the link under it, the RE it is on, flow control.

A face (NETCONF session, CLI shell, console client) takes requests from its client only while
the client drains its replies (:class:`~emulator.limits.SendFlow`) and the router is not held;
otherwise it stops reading from the link (the client's window fills, the client blocks, nobody
else does) and goes on in :meth:`Face.pump` when that changes.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from emulator.limits import SendFlow
from emulator.runtime import Link, RouterRuntime

__all__ = ["Face"]

log = logging.getLogger(__name__)


class Face:
    """Base of the faces: a client on RE ``slot`` of a router, over ``link``."""

    #: Names the face in logs ("NETCONF session 1001", "terminal").
    kind = "face"

    def __init__(self, link: Link, runtime: RouterRuntime, slot: int, *,
                 pinned: bool = False) -> None:
        self.link = link
        self.runtime = runtime
        self._slot = slot
        self._pinned = pinned
        self._boot_stamp = runtime.boot_stamp(slot)
        self.flow = SendFlow(runtime.loop, runtime.limits, self._stalled)
        self._closed = False
        self._reading = True
        self._stall = False
        self._saving = False
        self._last_input = runtime.loop.time()
        self._idle_timer: asyncio.TimerHandle | None = None

    # -- what the runtime reads (SessionFace) --
    @property
    def slot(self) -> int:
        """Return the RE slot the face was opened on."""
        return self._slot

    @property
    def pinned(self) -> bool:
        """Return True for a control session, which outlives its RE."""
        return self._pinned

    @property
    def boot_stamp(self) -> float:
        """Return the RE's start time when the face opened (a reboot changes it)."""
        return self._boot_stamp

    @property
    def closed(self) -> bool:
        """Return True once the face ended."""
        return self._closed

    # -- flow control (the link reports its buffer) --
    def pause_writing(self) -> None:
        """The client's replies pile up: take no more requests, start the send deadline."""
        self.flow.pause_writing()

    def resume_writing(self) -> None:
        """The client drained its replies: serve it again."""
        self.flow.resume_writing()
        self.pump()

    def resize(self, width: int, height: int) -> None:
        """The client's window changed size (nothing depends on it)."""
        log.debug("%s on %s re%d: window %dx%d", self.kind, self.runtime.name, self._slot,
                  width, height)

    def pump(self) -> None:
        """Answer what the client sent, as far as flow control and the router allow."""

    def close(self) -> None:
        """End the face: forget it, close the link (what is queued is sent first, unless the
        client stalled past the send deadline)."""
        if self._closed:
            return
        self._closed = True
        self.runtime.budget.release(self)
        self.flow.cancel()
        if self._idle_timer is not None:
            self._idle_timer.cancel()
        self.runtime.detach(self)
        if self._stall:
            self.link.abort()
        else:
            self.link.close()

    def disconnect(self) -> None:
        """End the face and the whole connection under it (the RE went down, its sessions were
        dropped): what is queued is sent first."""
        if self._closed:
            return
        self.close()
        self.link.close_connection()

    # -- idle clients (Limits.idle_timeout) --
    def _touch(self) -> None:
        """The client sent something: its idle time starts again (and the watch, if none)."""
        self._last_input = self.runtime.loop.time()
        if self._idle_timer is None and self.runtime.limits.idle_timeout is not None:
            self._arm_idle()

    def _arm_idle(self) -> None:
        timeout = self.runtime.limits.idle_timeout
        if timeout is None or self._closed:
            return
        self._idle_timer = self.runtime.loop.call_at(self._last_input + timeout, self._idle_due)

    def _idle_due(self) -> None:
        """One timer per face, moved on lazily: input does not re-arm it, its firing does."""
        self._idle_timer = None
        timeout = self.runtime.limits.idle_timeout
        if timeout is not None and self.runtime.loop.time() - self._last_input >= timeout:
            log.info("%s on %s re%d: idle for %.0f s; closing", self.kind, self.runtime.name,
                     self._slot, timeout)
            self.close()
        else:
            self._arm_idle()

    # -- for the subclasses' pump --
    def _hold_input(self, size: int) -> bool:
        """Record that the face holds ``size`` bytes of partial input; past the process's cap
        (``Limits.max_buffered_input``) close it and return False."""
        if self.runtime.budget.hold(self, size):
            return True
        log.warning("%s on %s re%d: %d bytes of partial input take the process past its cap "
                    "of %d; closing", self.kind, self.runtime.name, self._slot, size,
                    self.runtime.budget.cap)
        self.close()
        return False

    def _held(self) -> bool:
        """Return True (and stop reading from the client) while the client or the router
        holds requests back; the face is parked on a held router and pumps again on resume."""
        if (self.flow.writable and self.link.writable and not self.runtime.paused
                and not self._saving):
            return False
        if self._reading:
            self._reading = False
            self.link.pause_reading()
        if self.runtime.paused:
            self.runtime.park(self.pump)
        return True

    # -- durability (``--state-dir``) --
    def _acknowledge(self, send: Callable[[], None]) -> None:
        """Run ``send`` (write a reply); when the request committed, only once the router's
        state is on disk: no commit is acknowledged before it would survive a crash.  The face
        takes no request meanwhile."""
        if not self.runtime.unsaved:
            send()
            return
        self._saving = True
        self.runtime.save_now().add_done_callback(lambda done: self._saved(done, send))

    def _saved(self, done: asyncio.Future[None], send: Callable[[], None]) -> None:
        self._saving = False
        if self._closed:
            return
        error: BaseException | None = (asyncio.CancelledError() if done.cancelled()
                                       else done.exception())
        if error is not None:
            # Not on disk: the commit is not acknowledged (the client sees the session end).
            self.runtime.errors.record(f"{self.runtime.name}: saving the state", error)
            self.close()
            return
        send()
        self.pump()

    def _read_again(self) -> None:
        """Read from the client again after :meth:`_held` stopped it."""
        if not self._reading and not self._closed:
            self._reading = True
            self.link.resume_reading()

    def _stalled(self) -> None:
        """The send deadline passed: drop the client, discarding its unread replies."""
        log.warning("%s on %s re%d: the client read nothing for %.0f s; dropping it", self.kind,
                    self.runtime.name, self._slot, self.runtime.limits.send_deadline)
        self._stall = True
        self.close()
