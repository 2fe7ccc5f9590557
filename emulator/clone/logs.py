"""A live router's ``/var/log/mastership`` as the emulator keeps one: lines with their times.

``show log mastership`` prints each line after a syslog stamp without a year (``Jan 12
21:50:34 event = E_CMD_R, state = master, param = 0x0``; chapter, "Determining Why Mastership
Switched").  The year is inferred backwards from the router's clock: the last line is no later
than the router's time, and each line no later than the next (a stamp that would be later
belongs to the year before -- the log crossed a new year).  Times are kept as the router printed
them (its own time zone, taken as UTC), so the emulator, which prints UTC, prints the same
stamps; the clone's clock is moved by the same offset (see :mod:`emulator.clone.plan`).
"""

from __future__ import annotations

import calendar
import re
import time
from dataclasses import dataclass

__all__ = ["ParsedLog", "parse_log"]

_STAMP = re.compile(r"^([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d\d):(\d\d):(\d\d)(?: (.*))?$")
_MONTHS = {name: number for number, name in enumerate(calendar.month_abbr) if name}
#: How far a stamp may lie after the next line's (or the clock's) before it is taken to be
#: from the year before: clocks of the two REs drift, lines are written out of order by a little.
_SLACK = 86400.0


@dataclass(frozen=True, slots=True)
class ParsedLog:
    """The lines of a log with their times (oldest first), and how many lines carried no stamp
    (each kept with the time of the line before it)."""

    lines: tuple[tuple[float, str], ...]
    unstamped: int = 0


def _at(year: int, fields: tuple[str, ...]) -> float:
    month, day, hour, minute, second = fields
    return float(calendar.timegm((year, _MONTHS[month], int(day), int(hour), int(minute),
                                  int(second), 0, 0, 0)))


def parse_log(text: str, now: float) -> ParsedLog:
    """Return the lines of ``text`` (``show log mastership``) with their times, the year of
    each inferred from ``now`` (the router's wall time, in the zone its stamps use).

    Raises nothing: a line without a stamp keeps the time of the line before it (the first
    stamped line's, or ``now``, for leading ones) and is counted in ``unstamped``.
    """
    raw = [line for line in text.splitlines() if line.strip()]
    parsed: list[tuple[tuple[str, ...] | None, str]] = []
    for line in raw:
        match = _STAMP.match(line)
        if match is None or match.group(1) not in _MONTHS:
            parsed.append((None, line))
        else:
            parsed.append((match.groups()[:5], match.group(6) or ""))
    times: list[float | None] = [None] * len(parsed)
    year = time.gmtime(now).tm_year
    limit = now
    for index in range(len(parsed) - 1, -1, -1):
        fields = parsed[index][0]
        if fields is None:
            continue
        at = _at(year, fields)
        while at > limit + _SLACK and year > 1970:
            year -= 1
            at = _at(year, fields)
        times[index] = at
        limit = at
    fallback = next((t for t in times if t is not None), now)
    lines: list[tuple[float, str]] = []
    for (_fields, body), stamped in zip(parsed, times, strict=True):
        at = stamped if stamped is not None else (lines[-1][0] if lines else fallback)
        lines.append((at, body))
    return ParsedLog(tuple(lines), sum(1 for f, _ in parsed if f is None))
