"""The entries of a mastership log as frozen records, one class per line shape of the
chapter's sample (and NOTES.md 3.3)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TypeAlias

from harness.mastership.codes import EventCode

__all__ = [
    "EntryBase",
    "KeepaliveLoss",
    "KeepaliveSendFailure",
    "LogCleared",
    "LogEntry",
    "MastershipEvent",
    "MastershipRequest",
    "NewState",
    "SendFailure",
    "StateTransition",
    "Timestamp",
    "Unparsed",
    "squash",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class EntryBase:
    """What every log entry has: its time, the RE whose log holds it, and its source text.

    ``raw`` is the text the entry was parsed from, stamp included, exactly as in the input
    (it may span lines when the input wrapped it).
    """

    timestamp: datetime
    raw: str
    re: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class MastershipEvent(EntryBase):
    """``event = E_CMD_R, state = master, param = 0x0``: an event of Table 107."""

    code: EventCode
    state: str
    param: int


@dataclass(frozen=True, slots=True, kw_only=True)
class StateTransition(EntryBase):
    """``Currentstate: master NextState:giveup reason_code: 1`` (reason may be absent)."""

    current_state: str
    next_state: str
    reason_code: int | None


@dataclass(frozen=True, slots=True, kw_only=True)
class NewState(EntryBase):
    """``new state = giveup``: the state the RE entered."""

    state: str


@dataclass(frozen=True, slots=True, kw_only=True)
class KeepaliveLoss(EntryBase):
    """``failed to receive keepalives from other RE for the last 60 sec`` (one per 20 s of loss)."""

    seconds: int


@dataclass(frozen=True, slots=True, kw_only=True)
class KeepaliveSendFailure(EntryBase):
    """``failed to send RE info/keepalive: errno=22, total=6 in the last 20 sec``."""

    errno: int
    total: int
    window: int


@dataclass(frozen=True, slots=True, kw_only=True)
class MastershipRequest(EntryBase):
    """``send "you are the master" request``; ``text`` is the quoted request."""

    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SendFailure(EntryBase):
    """``Failed to send RE mastership cmd. err = 65``."""

    err: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Timestamp(EntryBase):
    """``timestamp: Wed Jan 12 21:50:34 2000``; ``stamped`` is None when the text is not a date."""

    text: str
    stamped: datetime | None


@dataclass(frozen=True, slots=True, kw_only=True)
class LogCleared(EntryBase):
    """``clear-log[865]: logfile cleared``: the first line of a freshly cleared log."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Unparsed(EntryBase):
    """Any other text, kept (whitespace squashed) so that no line is ever dropped."""

    text: str


LogEntry: TypeAlias = (
    MastershipEvent
    | StateTransition
    | NewState
    | KeepaliveLoss
    | KeepaliveSendFailure
    | MastershipRequest
    | SendFailure
    | Timestamp
    | LogCleared
    | Unparsed
)


def squash(text: str) -> str:
    """Return ``text`` with every run of whitespace (line breaks too) as one blank, stripped."""
    return " ".join(text.split())
