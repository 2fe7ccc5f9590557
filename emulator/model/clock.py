"""Virtual time for the model.

The model never reads the wall clock (DESIGN.md, "Time and faults"): every time it needs "now"
it asks a :class:`VirtualClock`, and every delayed effect (a keepalive timeout, a reboot, the
end of a PFE re-initialisation) is a timer on that clock.  The clock only moves when
:meth:`VirtualClock.advance` or :meth:`VirtualClock.advance_to` is called: by a control RPC in
deterministic mode; in ``--time real`` mode the server also moves it to the wall clock's time
before each request it hands the model, and when :meth:`VirtualClock.next_deadline` comes due
(one event-loop timer per router, armed only for the next deadline: nothing polls).  Timers
fire in deadline order, ties in the order they were scheduled, so a run is reproducible.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["DEFAULT_EPOCH", "ClockError", "TimerHandle", "VirtualClock"]

#: 2026-01-12 21:50:00 UTC: the chapter's sample log starts on "Jan 12 21:50".
DEFAULT_EPOCH = 1768254600.0


class ClockError(ValueError):
    """Raised for a request that would move virtual time backwards."""


@dataclass(order=True, slots=True)
class TimerHandle:
    """A scheduled callback; ``cancel()`` it to stop it from firing."""

    deadline: float
    seq: int
    name: str = field(compare=False)
    callback: Callable[[], None] = field(compare=False, repr=False)
    cancelled: bool = field(default=False, compare=False)

    def cancel(self) -> None:
        """Mark the timer cancelled; the clock drops it when it comes due."""
        self.cancelled = True


class VirtualClock:
    """A clock that moves only when told to, and fires timers as it passes them."""

    def __init__(self, start: float = DEFAULT_EPOCH) -> None:
        self._now = float(start)
        self._timers: list[TimerHandle] = []
        self._seq = itertools.count()

    def now(self) -> float:
        """Return the current virtual time as a POSIX timestamp."""
        return self._now

    def call_at(self, deadline: float, callback: Callable[[], None], name: str) -> TimerHandle:
        """Schedule ``callback`` at ``deadline`` (not before now) and return its handle."""
        handle = TimerHandle(max(deadline, self._now), next(self._seq), name, callback)
        heapq.heappush(self._timers, handle)
        return handle

    def call_later(self, delay: float, callback: Callable[[], None], name: str) -> TimerHandle:
        """Schedule ``callback`` ``delay`` seconds from now and return its handle."""
        return self.call_at(self._now + max(0.0, delay), callback, name)

    def advance(self, seconds: float) -> int:
        """Move time forward by ``seconds``, firing due timers; return how many fired.

        Raises:
            ClockError: ``seconds`` is negative.
        """
        if seconds < 0:
            raise ClockError(f"cannot advance the clock by a negative amount: {seconds}")
        return self.advance_to(self._now + seconds)

    def advance_to(self, target: float) -> int:
        """Move time forward to ``target``, firing timers in deadline order; return the count.

        A timer may schedule further timers; those due before ``target`` fire in the same call.
        Raises:
            ClockError: ``target`` is in the past.
        """
        if target < self._now:
            raise ClockError(f"cannot move the clock back from {self._now} to {target}")
        fired = 0
        while self._timers and self._timers[0].deadline <= target:
            handle = heapq.heappop(self._timers)
            if handle.cancelled:
                continue
            self._now = handle.deadline
            handle.callback()
            fired += 1
        self._now = target
        return fired

    def clear_timers(self) -> None:
        """Drop every scheduled timer (a router reset starts from a quiet chassis)."""
        for handle in self._timers:
            handle.cancel()
        self._timers.clear()

    def pending(self) -> list[TimerHandle]:
        """Return the live timers in firing order (for diagnostics and tests)."""
        return sorted(t for t in self._timers if not t.cancelled)

    def next_deadline(self) -> float | None:
        """Return the deadline of the next live timer, or None if none is scheduled.

        Cancelled timers at the head of the queue are dropped on the way (amortised O(log n)).
        """
        while self._timers and self._timers[0].cancelled:
            heapq.heappop(self._timers)
        return self._timers[0].deadline if self._timers else None
