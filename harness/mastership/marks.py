"""Marks on a log: show a test only what was written since it began (the sonic-mgmt
loganalyzer idea), also when the log was cleared or rotated in between."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from harness.mastership.errors import MarkMismatch
from harness.mastership.records import LogCleared, LogEntry

_log = logging.getLogger(__name__)

__all__ = [
    "LogMark",
    "entries_since",
    "mark_log",
]


@dataclass(frozen=True, slots=True)
class LogMark:
    """Where one RE's log stood when a test began: its entry count and its last entry."""

    re: str | None
    count: int
    last: datetime | None
    last_raw: str | None = None


def _single_re(entries: Sequence[LogEntry]) -> str | None:
    """Return the one RE all entries belong to, or None when there are none or several."""
    names = {entry.re for entry in entries}
    return names.pop() if len(names) == 1 else None


def mark_log(entries: Sequence[LogEntry], re: str | None = None) -> LogMark:
    """Return a mark at the end of ``entries`` (``re`` defaults to the entries' one RE)."""
    last = entries[-1] if entries else None
    return LogMark(
        re=re if re is not None else _single_re(entries),
        count=len(entries),
        last=last.timestamp if last is not None else None,
        last_raw=last.raw if last is not None else None,
    )


def _still_prefix(entries: Sequence[LogEntry], mark: LogMark) -> bool:
    """Return True when the log still starts with the entries the mark saw."""
    if mark.count == 0:
        return True
    if len(entries) < mark.count:
        return False
    seen = entries[mark.count - 1]
    return seen.timestamp == mark.last and (mark.last_raw is None or seen.raw == mark.last_raw)


def entries_since(entries: Sequence[LogEntry], mark: LogMark) -> list[LogEntry]:
    """Return the entries written after ``mark`` was taken.

    When the log no longer starts with what the mark saw (cleared or rotated in between), return
    the entries from the last :class:`LogCleared` on (the clearing is itself news), or all.

    Raises:
        MarkMismatch: the mark belongs to another RE than the entries.
    """
    own = _single_re(entries)
    if mark.re is not None and own is not None and own != mark.re:
        raise MarkMismatch(f"mark taken on {mark.re} applied to the log of {own}")
    if _still_prefix(entries, mark):
        return list(entries[mark.count :])
    _log.debug("mastership log of %s was cleared or rotated since the mark", mark.re)
    cleared = [i for i, entry in enumerate(entries) if isinstance(entry, LogCleared)]
    return list(entries[cleared[-1] :]) if cleared else list(entries)
