"""``/var/log/mastership``: the redundancy log each Routing Engine keeps.

Lines follow the chapter's "Determining Why Mastership Switched" sample, one entry per line:
``Jan 12 21:50:34 event = E_CMD_R, state = master, param = 0x0``.  Timestamps are formatted from
virtual time in UTC (the emulated router's time zone).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from re_contract.events import EventCode

__all__ = ["EventCode", "LogLine", "MastershipLog", "ctime_stamp", "syslog_stamp"]


def ctime_stamp(epoch: float) -> str:
    """Return ``epoch`` as ctime(3) writes it (``Wed Jan 12 21:50:34 2000``, ``Sun Nov  5 ...``:
    the day padded with a space, as in syslog stamps)."""
    tm = time.gmtime(epoch)
    return (f"{time.strftime('%a %b', tm)} {tm.tm_mday:2d} "
            f"{time.strftime('%H:%M:%S %Y', tm)}")


def syslog_stamp(epoch: float) -> str:
    """Return ``epoch`` as a syslog stamp (``Jan 12 21:50:34``, day padded with a space)."""
    tm = time.gmtime(epoch)
    return f"{time.strftime('%b', tm)} {tm.tm_mday:2d} {time.strftime('%H:%M:%S', tm)}"


@dataclass(frozen=True, slots=True)
class LogLine:
    """One line of the log: when it was written and its text after the stamp."""

    at: float
    text: str

    def render(self) -> str:
        """Return the line as ``show log mastership`` prints it."""
        return f"{syslog_stamp(self.at)} {self.text}"


class MastershipLog:
    """The append-only mastership log of one Routing Engine."""

    def __init__(self) -> None:
        self._lines: list[LogLine] = []

    def write(self, at: float, text: str) -> None:
        """Append ``text`` stamped with virtual time ``at``."""
        self._lines.append(LogLine(at, text))

    def event(self, at: float, code: EventCode, state: str, param: int = 0) -> None:
        """Append an event line in the chapter's ``event = E_X, state = s, param = 0x0`` form."""
        self.write(at, f"event = {code.name}, state = {state}, param = {param:#x}")

    def transition(self, at: float, current: str, nxt: str, reason: int) -> None:
        """Append the chapter's state-change block: Currentstate/NextState, the ``timestamp:``
        line only when the state really changes (the sample has none for giveup -> giveup),
        then the new state."""
        self.write(at, f"Currentstate: {current} NextState:{nxt} reason_code: {reason}")
        if current != nxt:
            self.write(at, f"timestamp: {ctime_stamp(at)}")
        self.write(at, f"new state = {nxt}")

    def clear(self, at: float, pid: int) -> None:
        """Empty the log, leaving the ``clear-log`` line Junos writes."""
        self._lines = [LogLine(at, f"clear-log[{pid}]: logfile cleared")]

    def lines(self) -> list[LogLine]:
        """Return a copy of the lines, oldest first."""
        return list(self._lines)

    def render(self) -> str:
        """Return the whole log as text, one entry per line, ending with a newline if not empty."""
        return "".join(line.render() + "\n" for line in self._lines)
