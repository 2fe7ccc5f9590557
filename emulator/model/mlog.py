"""``/var/log/mastership``: the redundancy log each Routing Engine keeps.

Lines follow the chapter's "Determining Why Mastership Switched" sample, one entry per line:
``Jan 12 21:50:34 event = E_CMD_R, state = master, param = 0x0``.  Timestamps are formatted from
virtual time in UTC (the emulated router's time zone).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from enum import Enum

__all__ = ["EventCode", "LogLine", "MastershipLog", "syslog_stamp"]


class EventCode(Enum):
    """The event codes of Table 107 ("Logging Events")."""

    E_NULL = "The event is a null event."
    E_CFG_M = "The Routing Engine is configured as master."
    E_CFG_B = "The Routing Engine is configured as backup."
    E_CFG_D = "The Routing Engine is configured as disabled."
    E_MAXTRY = "The maximum number of tries to acquire or release mastership was exceeded."
    E_REQ_C = "A claim mastership request was sent."
    E_ACK_C = "A claim mastership acknowledgement was received."
    E_NAK_C = "A claim mastership request was not acknowledged."
    E_REQ_Y = "Confirmation of mastership is requested."
    E_ACK_Y = "Mastership is acknowledged."
    E_NAK_Y = "Mastership is not acknowledged."
    E_REQ_G = "A giveup mastership request was sent by a Routing Engine."
    E_ACK_G = "The Routing Engine acknowledges giveup of mastership."
    E_CMD_A = "The command request chassis routing-engine master acquire was issued."
    E_CMD_F = "Force switchover command was issued."
    E_CMD_R = "The command request chassis routing-engine master release was issued."
    E_CMD_S = "The command request chassis routing-engine master switch was issued."
    E_NO_ORE = "No other Routing Engine is detected."
    E_TMOUT = "A request timed out."
    E_NO_IPC = "Routing Engine connection was lost."
    E_ORE_M = "Other Routing Engine state was changed to master."
    E_ORE_B = "Other Routing Engine state was changed to backup."
    E_ORE_D = "Other Routing Engine state was changed to disabled."


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
        """Append the chapter's state-change block: Currentstate/NextState, timestamp, new state."""
        self.write(at, f"Currentstate: {current} NextState:{nxt} reason_code: {reason}")
        self.write(at, f"timestamp: {time.strftime('%a %b %d %H:%M:%S %Y', time.gmtime(at))}")
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
