"""Live progress of long lab waits on pytest's terminal, past pytest's output capture.

A lab router waits in wall time: a 240 s hold-down, a 300 s keepalive-time, a reboot.  The
:class:`~harness.clock.LabClock` shows what it waits for, elapsed and limit (issue 4, "Time and
faults"); written to ``sys.stderr`` that line would be swallowed by pytest's capture until the
test ends.  :class:`TerminalProgress` writes it through the terminal reporter with capture
suspended, as pytest's own live logging does.  On a terminal the line is rewritten in place;
elsewhere (a CI log) a line is written at most every :data:`PLAIN_EVERY` seconds.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterator
from typing import Any

import pytest

from harness.clock import LabClock, RouterClock
from harness.options import progress_after
from harness.pool import LabClockFactory
from re_contract.testbed import RouterSpec

__all__ = ["PLAIN_EVERY", "TerminalProgress", "lab_clocks"]

log = logging.getLogger(__name__)

#: Seconds between progress lines when the output is not a terminal.
PLAIN_EVERY = 30.0


class TerminalProgress:
    """A :class:`~harness.clock.ProgressDisplay` on the terminal reporter of ``config``.

    Without a terminal reporter (``-p no:terminal``) the lines go to the log only.
    """

    def __init__(self, config: pytest.Config) -> None:
        self._config = config
        self._line_open = False
        self._in_wait = False
        self._last_plain = -PLAIN_EVERY
        self._pending = ""

    def _reporter(self) -> Any:
        return self._config.pluginmanager.get_plugin("terminalreporter")

    @contextlib.contextmanager
    def _uncaptured(self) -> Iterator[None]:
        capman = self._config.pluginmanager.get_plugin("capturemanager")
        if capman is None:
            yield
            return
        with capman.global_and_fixture_disabled():
            yield

    def show(self, text: str) -> None:
        """Show ``text`` as the live line of the current wait."""
        reporter = self._reporter()
        if reporter is None:
            log.info("%s", text)
            return
        with self._uncaptured():
            if _isatty(reporter):
                self._rewrite(reporter, text)
            else:
                self._plain(reporter, text)

    def _start(self, reporter: Any) -> None:
        # A new wait: end the line pytest left open (the test's name) or our previous wait's.
        if reporter.currentfspath:
            reporter.ensure_newline()
        elif self._line_open:
            reporter.write("\n")
        self._line_open = False
        self._in_wait = True

    def _rewrite(self, reporter: Any, text: str) -> None:
        if not self._in_wait:
            self._start(reporter)
        reporter.rewrite(text, erase=True, flush=True)

    def _plain(self, reporter: Any, text: str) -> None:
        first = not self._in_wait
        if first:
            self._start(reporter)
        now = time.monotonic()
        if first or now - self._last_plain >= PLAIN_EVERY:
            reporter.write_line(text, flush=True)
            self._last_plain = now
            self._pending = ""
        else:
            self._pending = text

    def end(self) -> None:
        """The wait is over; its last line stays (pytest's next output starts a new line)."""
        reporter = self._reporter()
        if self._in_wait and reporter is not None:
            if _isatty(reporter):
                self._line_open = True
            elif self._pending:
                with self._uncaptured():
                    reporter.write_line(self._pending, flush=True)
        self._pending = ""
        self._in_wait = False


def _isatty(reporter: Any) -> bool:
    # pytest 9: a callable bool; older: a bool.
    return bool(getattr(reporter, "isatty", False))


def lab_clocks(config: pytest.Config) -> LabClockFactory:
    """Return the factory of lab routers' clocks for this run: their progress on the terminal
    (one display shared by all routers: a process runs one test at a time), or on stderr in
    an xdist worker, which has no terminal of its own.

    Raises pytest.UsageError for a bad ``re_harness_progress_after`` ini value.
    """
    after = progress_after(config)
    worker = getattr(config, "workerinput", None) is not None
    display = None if worker else TerminalProgress(config)

    def make(spec: RouterSpec) -> RouterClock:
        return LabClock(progress_after=after, display=display)

    return make
