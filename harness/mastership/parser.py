"""Text of ``/var/log/mastership`` in, :data:`~harness.mastership.records.LogEntry` records out.

Pure code, no I/O and no wall clock.  Syslog stamps carry no year, so the caller passes the
year of the first entry; a Dec -> Jan step increments it."""

from __future__ import annotations

import heapq
import logging
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any, TypeAlias

from harness.mastership.codes import EventCode
from harness.mastership.records import (
    KeepaliveLoss,
    KeepaliveSendFailure,
    LogCleared,
    LogEntry,
    MastershipEvent,
    MastershipRequest,
    NewState,
    SendFailure,
    StateTransition,
    Timestamp,
    Unparsed,
    squash,
)

_log = logging.getLogger(__name__)

__all__ = [
    "group_by_re",
    "merge_logs",
    "parse_log",
    "parse_logs",
]

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# A syslog stamp. The chapter's sample wraps "Jan\n21:50:34" (the day is lost), so the day is
# optional. "timestamp: Wed Jan 12 21:50:34 2000" holds a stamp that is part of a body, hence the
# look-behinds for "timestamp: <weekday>" (its blank may be a line break, or lost with it). No
# word boundary before the month: a log pasted with its line breaks lost glues an entry onto the
# previous one ("... 20 secJan 12 21:50:34 event = E_CMD_R").
_STAMP = re.compile(
    r"(?<!timestamp: [A-Z][a-z]{2}\s)(?<!timestamp: [A-Z][a-z]{2})"
    rf"(?P<month>{'|'.join(_MONTHS)})(?:[ \t]+(?P<day>\d{{1,2}}))?\s+"
    r"(?P<time>\d\d:\d\d:\d\d)\b"
)

_Common: TypeAlias = dict[str, Any]
_Builder: TypeAlias = Callable[["re.Match[str]", _Common], "LogEntry | None"]


def _event(m: re.Match[str], common: _Common) -> LogEntry | None:
    """Return a MastershipEvent, or None when the code is not in Table 107."""
    code = EventCode.__members__.get(m["code"])
    if code is None:
        return None
    return MastershipEvent(**common, code=code, state=m["state"], param=int(m["param"], 0))


def _transition(m: re.Match[str], common: _Common) -> LogEntry:
    """Return a StateTransition."""
    reason = int(m["reason"]) if m["reason"] is not None else None
    return StateTransition(
        **common, current_state=m["current"], next_state=m["next"], reason_code=reason
    )


def _timestamp(m: re.Match[str], common: _Common) -> LogEntry:
    """Return a Timestamp, its text read as ctime(3) output when it is one.  The chapter wraps
    the ctime after its weekday; a paste that lost that line break glues "WedJan": a blank is
    put back."""
    text = _GLUED_WEEKDAY.sub(r"\1 ", m["text"])
    try:
        stamped: datetime | None = datetime.strptime(text, "%a %b %d %H:%M:%S %Y")
    except ValueError:
        stamped = None
    return Timestamp(**common, text=text, stamped=stamped)


_GLUED_WEEKDAY = re.compile(rf"^([A-Z][a-z]{{2}})(?=(?:{'|'.join(_MONTHS)}) )")


# Each body shape of the chapter's sample (and NOTES.md 3.3), matched on the body with its
# whitespace squashed to single blanks. NOTES.md quotes "NextState:giveupreason_code: 1" without
# a blank, hence the lazy state name.
_SHAPES: tuple[tuple[re.Pattern[str], _Builder], ...] = (
    (
        re.compile(
            r"event ?= ?(?P<code>E_[A-Z_]+) ?, ?state ?= ?(?P<state>\w+) ?, ?"
            r"param ?= ?(?P<param>0[xX][0-9a-fA-F]+|\d+)"
        ),
        _event,
    ),
    (
        re.compile(
            r"Currentstate: ?(?P<current>[A-Za-z]+) ?NextState: ?(?P<next>[A-Za-z]+?) ?"
            r"(?:reason_code: ?(?P<reason>\d+))?"
        ),
        _transition,
    ),
    (
        re.compile(r"new state ?= ?(?P<state>\w+)"),
        lambda m, c: NewState(**c, state=m["state"]),
    ),
    (
        re.compile(r"failed to receive keepalives from other RE for the last (?P<s>\d+) sec"),
        lambda m, c: KeepaliveLoss(**c, seconds=int(m["s"])),
    ),
    (
        re.compile(
            r"failed to send RE info/keepalive: errno=(?P<errno>\d+), total=(?P<total>\d+) "
            r"in the last (?P<window>\d+) sec"
        ),
        lambda m, c: KeepaliveSendFailure(
            **c, errno=int(m["errno"]), total=int(m["total"]), window=int(m["window"])
        ),
    ),
    (
        re.compile(r'send "(?P<text>[^"]*)" request'),
        lambda m, c: MastershipRequest(**c, text=m["text"]),
    ),
    (
        re.compile(r"Failed to send RE mastership cmd\. err = (?P<err>-?\d+)"),
        lambda m, c: SendFailure(**c, err=int(m["err"])),
    ),
    (re.compile(r"timestamp: ?(?P<text>.*)"), _timestamp),
    (re.compile(r"clear-log\[\d+\]: logfile cleared"), lambda m, c: LogCleared(**c)),
)



def _classify(body: str, common: _Common) -> LogEntry:
    """Return the entry for one squashed body; Unparsed when no shape fits."""
    for pattern, build in _SHAPES:
        m = pattern.fullmatch(body)
        entry = build(m, common) if m is not None else None
        if entry is not None:
            return entry
    return Unparsed(**common, text=body)


class _Calendar:
    """Turns year-less syslog stamps into datetimes, in log order."""

    def __init__(self, year: int) -> None:
        self._year = year
        self._month: int | None = None
        self._day: int | None = None
        self._last: datetime | None = None

    def resolve(self, m: re.Match[str]) -> datetime:
        """Return the datetime of stamp ``m``, given the stamps already seen."""
        month = _MONTHS.index(m["month"]) + 1
        if self._month is not None and month < self._month:
            self._year += 1  # syslog stamps have no year: Dec -> Jan means a new year
        day = int(m["day"]) if m["day"] is not None else self._recover_day(month)
        self._month, self._day = month, day
        self._last = self._build(month, day, m["time"])
        return self._last

    def _recover_day(self, month: int) -> int:
        """Return the day of a stamp that lost it to a line wrap: the previous entry's day."""
        if self._day is None or self._month != month:
            return 1  # nothing to recover from, or the month changed: its first day
        return self._day

    def _build(self, month: int, day: int, hms: str) -> datetime:
        """Return the datetime; an impossible one (Feb 29 of a common year) keeps the last."""
        hour, minute, second = (int(part) for part in hms.split(":"))
        try:
            return datetime(self._year, month, day, hour, minute, second)
        except ValueError:
            _log.warning("impossible stamp %s %d %s in year %d", month, day, hms, self._year)
            return self._last or datetime(self._year, month, 1)


def _segment_entries(raw: str, body: str, common: _Common) -> list[LogEntry]:
    """Return the entries of one stamped segment.

    A segment that does not classify as a whole but whose first line does is split there: the
    rest (a line the input did not stamp) becomes its own Unparsed entry, so a stray line does
    not swallow a good entry.
    """
    whole = _classify(squash(body), common)
    if not isinstance(whole, Unparsed) or "\n" not in raw:
        return [whole]
    first_raw, rest_raw = raw.split("\n", 1)
    first_body = body.strip().split("\n", 1)[0]
    first = _classify(squash(first_body), {**common, "raw": first_raw.rstrip()})
    if isinstance(first, Unparsed):
        return [whole]
    rest = Unparsed(**{**common, "raw": rest_raw.strip()}, text=squash(rest_raw))
    return [first, rest]


def _parse(text: str, year: int, routing_engine: str | None) -> list[LogEntry]:
    """Return the entries of ``text``: split at stamps, then classify each segment."""
    calendar = _Calendar(year)
    stamps = list(_STAMP.finditer(text))
    entries: list[LogEntry] = []
    ends = [following.start() for following in stamps[1:]] + [len(text)]
    for stamp, end in zip(stamps, ends[: len(stamps)], strict=True):
        raw = text[stamp.start() : end].strip()
        common = {"timestamp": calendar.resolve(stamp), "raw": raw, "re": routing_engine}
        entries.extend(_segment_entries(raw, text[stamp.end() : end], common))
    head = text[: stamps[0].start()] if stamps else text
    if head.strip():
        # Text before the first stamp (a CLI prompt, a cut line) gets the first entry's time.
        when = entries[0].timestamp if entries else datetime(year, 1, 1)
        entries.insert(
            0, Unparsed(timestamp=when, raw=head.strip(), re=routing_engine, text=squash(head))
        )
    return entries


def parse_log(text: str, *, year: int, re: str | None = None) -> list[LogEntry]:
    """Return the entries of one RE's mastership log, oldest first.

    ``year`` is the year of the first stamp (the log has none; no wall clock is read); a later
    stamp whose month is earlier than the previous one's starts the next year. ``re`` ("re0",
    "re1") is copied into every entry. Several entries pasted on one line, an entry glued
    onto the previous one (a paste that lost its line breaks) and entries wrapped across lines
    (as in the chapter's sample) are handled; a stamp that lost its day to a wrap
    takes the previous entry's day. Text that fits no known shape becomes :class:`Unparsed`:
    nothing is dropped. Never raises on odd text.
    """
    return _parse(text, year, re)


def parse_logs(texts: Mapping[str, str], *, year: int) -> list[LogEntry]:
    """Return the logs of several REs (``{"re0": text, "re1": text}``) as one story by time.

    Each text is parsed with its key as ``re``; entries are merged as by :func:`merge_logs`.
    """
    return merge_logs(*(parse_log(text, year=year, re=name) for name, text in texts.items()))




def merge_logs(*logs: Iterable[LogEntry]) -> list[LogEntry]:
    """Return the entries of several logs in one list ordered by timestamp.

    Each log keeps its own order; entries of different logs with the same timestamp (a log has a
    resolution of one second) come in the order the logs were passed.
    """
    return list(heapq.merge(*logs, key=lambda entry: entry.timestamp))


def group_by_re(entries: Iterable[LogEntry]) -> dict[str | None, list[LogEntry]]:
    """Return the entries split by their ``re``, each list in the original order."""
    groups: dict[str | None, list[LogEntry]] = {}
    for entry in entries:
        groups.setdefault(entry.re, []).append(entry)
    return groups
