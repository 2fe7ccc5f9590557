"""How a router object reaches the world: its NETCONF sessions, the clock of a lab router, the
local commands of lab faults, and the pauses between reconnects.

:class:`~harness.router.DualRERouter` takes everything it does not compute through a
:class:`Transport`.  :data:`LIVE` is the real world; :mod:`harness.recording.record` wraps it to
keep what happens (``--record``), and :mod:`harness.recording.replay` answers from what was kept
(``--replay``), offline and without waiting.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable, Sequence
from typing import Protocol

from harness.clock import RouterClock
from harness.session import ConnectParams, RESession

__all__ = ["LIVE", "CommandRunner", "LiveTransport", "Transport", "run_command"]

#: Runs a local command (argv, timeout in seconds) and returns how it ended.  Raises OSError
#: when it cannot run, subprocess.TimeoutExpired when it outlives the timeout.
CommandRunner = Callable[[Sequence[str], float], "subprocess.CompletedProcess[str]"]


def run_command(argv: Sequence[str], timeout: float) -> subprocess.CompletedProcess[str]:
    """Run ``argv`` (no shell), its output captured as text; return how it ended.

    Raises OSError when it cannot run, subprocess.TimeoutExpired past ``timeout`` seconds.
    """
    return subprocess.run(list(argv), capture_output=True, text=True, timeout=timeout,
                          check=False)


class Transport(Protocol):
    """What a router object reaches the world through."""

    @property
    def offline(self) -> bool:
        """Return True when nothing real is reached (no emulator is started either)."""

    def session(self, label: str, params: Callable[[], ConnectParams]) -> RESession:
        """Return a new, unopened session for ``label`` (``router/re0``, ``router/control``);
        ``params`` is called only when a real connection is made (it may need a password)."""

    def clock(self, router: str, clock: RouterClock) -> RouterClock:
        """Return the clock router ``router`` reads and waits on, given its wall clock."""

    def command_runner(self, router: str) -> CommandRunner:
        """Return how router ``router``'s lab faults run their local commands."""

    def pause(self, seconds: float) -> None:
        """Pause ``seconds`` of wall time (between reconnect attempts)."""


class LiveTransport:
    """The real world: real sessions, the given clock, real commands, real pauses."""

    offline = False

    def __repr__(self) -> str:
        return "<LiveTransport>"

    def session(self, label: str, params: Callable[[], ConnectParams]) -> RESession:
        """Return ``RESession(params())``."""
        return RESession(params())

    def clock(self, router: str, clock: RouterClock) -> RouterClock:
        """Return ``clock`` itself."""
        return clock

    def command_runner(self, router: str) -> CommandRunner:
        """Return :func:`run_command`."""
        return run_command

    def pause(self, seconds: float) -> None:
        """Sleep ``seconds``."""
        time.sleep(max(0.0, seconds))


#: The real world, for routers built without a transport.
LIVE = LiveTransport()
