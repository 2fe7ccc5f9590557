"""The mastership log (``/var/log/mastership``, ``show log mastership``) as typed records.

Spec: the Junos chapter "Host Redundancy Overview", section "Determining Why Mastership Switched"
(Table 107 "Logging Events" and its "Sample Output"), and ``junos/NOTES.md`` section 3.3.

Pure code, no I/O and no wall clock: text in, records out.

- :func:`parse_log` turns the text of one RE's log into a list of :data:`LogEntry` records.
  Syslog stamps carry no year, so the caller passes the year of the first entry; a Dec -> Jan
  step increments it.
- :class:`LogMark` / :func:`entries_since` show a test only what happened since it began (the
  sonic-mgmt loganalyzer idea), also when the log was cleared or rotated in between.
- :func:`expect` and friends build :class:`EventPattern` values; :func:`match_subsequence`
  finds them as an ordered subsequence and :meth:`MatchResult.explain` renders expected vs
  found, with near misses, for a pytest failure.
- :func:`merge_logs` / :func:`parse_logs` / :func:`group_by_re` combine both REs' logs into one
  story ordered by time.

Assertions read well through :class:`MastershipLog`, a value wrapping the entries:

- ``assert [expect("E_CMD_S", state="master"), "E_REQ_G"] in log`` -- the patterns occur in this
  order, other entries may sit in between (a single pattern or code name works too);
- ``assert log == [...]`` -- the log is exactly these entries, one pattern each, in order;
- the plugin's ``pytest_assertrepr_compare`` hook returns :func:`explain_comparison`
  so that a failing one prints
  :meth:`MatchResult.explain`.
"""

from __future__ import annotations

import heapq
import logging
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any, TypeAlias, TypeVar

__all__ = [
    "EntryBase",
    "EventCode",
    "EventPattern",
    "ExpectationFailed",
    "KeepaliveLoss",
    "KeepaliveSendFailure",
    "LogCleared",
    "LogEntry",
    "LogMark",
    "MarkMismatch",
    "MastershipEvent",
    "MastershipLog",
    "MastershipLogError",
    "MastershipRequest",
    "MatchResult",
    "NearMiss",
    "NearMissReason",
    "NewState",
    "PatternLike",
    "SendFailure",
    "StateTransition",
    "Timestamp",
    "UnknownEventCode",
    "Unparsed",
    "entries_since",
    "expect",
    "expect_entry",
    "expect_new_state",
    "expect_transition",
    "explain_comparison",
    "group_by_re",
    "mark_log",
    "match_exact",
    "match_subsequence",
    "merge_logs",
    "parse_log",
    "parse_logs",
]

_log = logging.getLogger(__name__)


# --------------------------------------------------------------------------- errors


class MastershipLogError(Exception):
    """Base of the errors this module raises (a misuse by the caller, not a router fault)."""


class UnknownEventCode(MastershipLogError, ValueError):
    """A pattern names an event code that Table 107 does not have."""


class MarkMismatch(MastershipLogError, ValueError):
    """A :class:`LogMark` taken on one RE's log was applied to another RE's log."""


# --------------------------------------------------------------------------- vocabulary


class EventCode(Enum):
    """The event codes of Table 107 ("Logging Events"); the value is the table's description."""

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
    E_CMD_A = (
        "The command request chassis routing-engine master acquire was issued from the backup "
        "Routing Engine."
    )
    E_CMD_F = "Force switchover command was issued."
    E_CMD_R = (
        "The command request chassis routing-engine master release was issued from the master "
        "Routing Engine."
    )
    E_CMD_S = (
        "The command request chassis routing-engine master switch was issued from a Routing Engine."
    )
    E_NO_ORE = "No other Routing Engine is detected."
    E_TMOUT = "A request timed out."
    E_NO_IPC = "Routing Engine connection was lost."
    E_ORE_M = "Other Routing Engine state was changed to master."
    E_ORE_B = "Other Routing Engine state was changed to backup."
    E_ORE_D = "Other Routing Engine state was changed to disabled."

    @property
    def description(self) -> str:
        """Return Table 107's description of the code."""
        return str(self.value)

    @classmethod
    def from_name(cls, name: str) -> EventCode:
        """Return the code named ``name`` (``"E_CMD_S"``; surrounding blanks ignored).

        Raises:
            UnknownEventCode: ``name`` is not in Table 107; the message lists similar codes.
        """
        try:
            return cls[name.strip()]
        except KeyError:
            similar = [c.name for c in cls if _edit_distance(c.name, name.strip()) <= 2]
            hint = f" (similar: {', '.join(similar)})" if similar else ""
            raise UnknownEventCode(f"{name!r} is not an event code of Table 107{hint}") from None


# --------------------------------------------------------------------------- records


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

# --------------------------------------------------------------------------- parsing

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# A syslog stamp. The chapter's sample wraps "Jan\n21:50:34" (the day is lost), so the day is
# optional. "timestamp: Wed Jan 12 21:50:34 2000" holds a stamp that is part of a body, hence the
# look-behind for "timestamp: <weekday>".
_STAMP = re.compile(
    r"(?<!timestamp: [A-Z][a-z]{2}\s)"
    rf"\b(?P<month>{'|'.join(_MONTHS)})(?:[ \t]+(?P<day>\d{{1,2}}))?\s+"
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
    """Return a Timestamp, its text read as ctime(3) output when it is one."""
    try:
        stamped: datetime | None = datetime.strptime(m["text"], "%a %b %d %H:%M:%S %Y")
    except ValueError:
        stamped = None
    return Timestamp(**common, text=m["text"], stamped=stamped)


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


def _squash(text: str) -> str:
    """Return ``text`` with every run of whitespace (line breaks too) as one blank, stripped."""
    return " ".join(text.split())


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
    whole = _classify(_squash(body), common)
    if not isinstance(whole, Unparsed) or "\n" not in raw:
        return [whole]
    first_raw, rest_raw = raw.split("\n", 1)
    first_body = body.strip().split("\n", 1)[0]
    first = _classify(_squash(first_body), {**common, "raw": first_raw.rstrip()})
    if isinstance(first, Unparsed):
        return [whole]
    rest = Unparsed(**{**common, "raw": rest_raw.strip()}, text=_squash(rest_raw))
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
            0, Unparsed(timestamp=when, raw=head.strip(), re=routing_engine, text=_squash(head))
        )
    return entries


def parse_log(text: str, *, year: int, re: str | None = None) -> list[LogEntry]:
    """Return the entries of one RE's mastership log, oldest first.

    ``year`` is the year of the first stamp (the log has none; no wall clock is read); a later
    stamp whose month is earlier than the previous one's starts the next year. ``re`` ("re0",
    "re1") is copied into every entry. Several entries pasted on one line and entries wrapped
    across lines (as in the chapter's sample) are handled; a stamp that lost its day to a wrap
    takes the previous entry's day. Text that fits no known shape becomes :class:`Unparsed`:
    nothing is dropped. Never raises on odd text.
    """
    return _parse(text, year, re)


def parse_logs(texts: Mapping[str, str], *, year: int) -> list[LogEntry]:
    """Return the logs of several REs (``{"re0": text, "re1": text}``) as one story by time.

    Each text is parsed with its key as ``re``; entries are merged as by :func:`merge_logs`.
    """
    return merge_logs(*(parse_log(text, year=year, re=name) for name, text in texts.items()))


# --------------------------------------------------------------------------- combining


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


# --------------------------------------------------------------------------- marks


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


# --------------------------------------------------------------------------- patterns

_E = TypeVar("_E", bound=EntryBase)


@dataclass(frozen=True, slots=True)
class EventPattern:
    """What one expected entry looks like.

    An entry matches when it is a ``kind`` (MastershipEvent by default), has ``code`` / ``state``
    / ``param`` when those are set, belongs to ``re`` when set, and satisfies ``predicate``.
    Build them with :func:`expect`, :func:`expect_new_state`, :func:`expect_transition` and
    :func:`expect_entry`; ``label`` is how the pattern reads in :meth:`MatchResult.explain`.
    """

    code: EventCode | None = None
    state: str | None = None
    param: int | None = None
    kind: type[EntryBase] = MastershipEvent
    predicate: Callable[[Any], bool] | None = None
    label: str | None = None
    re: str | None = None

    def is_candidate(self, entry: LogEntry) -> bool:
        """Return True when ``entry`` has the pattern's kind and code (other fields aside)."""
        if not isinstance(entry, self.kind):
            return False
        return self.code is None or getattr(entry, "code", None) is self.code

    def differences(self, entry: LogEntry) -> list[str]:
        """Return how ``entry`` differs from the pattern beyond kind and code (empty: none)."""
        found: list[str] = []
        for name, want in (("state", self.state), ("param", self.param), ("re", self.re)):
            have = getattr(entry, name, None)
            if want is not None and have != want:
                found.append(f"{name} {_show(have, name)} instead of {_show(want, name)}")
        if self.predicate is not None and not self.predicate(entry):
            found.append("not as expected")
        return found

    def matches(self, entry: LogEntry) -> bool:
        """Return True when ``entry`` is what the pattern expects."""
        return self.is_candidate(entry) and not self.differences(entry)

    def describe(self) -> str:
        """Return the pattern as one short line (its label, or its fields)."""
        if self.label is not None:
            return self.label
        head = self.code.name if self.code is not None else self.kind.__name__
        fields = [f"{n}={_show(v, n)}" for n, v in self._set_fields() if n != "re"]
        where = f"{self.re}: " if self.re is not None else ""
        return where + " ".join([head, *fields])

    def _set_fields(self) -> list[tuple[str, object]]:
        """Return the optional fields that are set, by name."""
        pairs: list[tuple[str, object]] = [
            ("state", self.state),
            ("param", self.param),
            ("re", self.re),
        ]
        return [(name, value) for name, value in pairs if value is not None]


PatternLike: TypeAlias = EventPattern | EventCode | str


def _show(value: object, name: str) -> str:
    """Return a field value as the log writes it (params in hex)."""
    if name == "param" and isinstance(value, int):
        return hex(value)
    return str(value)


def expect(
    code: EventCode | str,
    *,
    state: str | None = None,
    param: int | None = None,
    re: str | None = None,
) -> EventPattern:
    """Return a pattern for an ``event = ...`` entry: ``expect("E_CMD_S", state="master")``.

    Raises:
        UnknownEventCode: ``code`` is a name that is not in Table 107.
    """
    event = code if isinstance(code, EventCode) else EventCode.from_name(code)
    return EventPattern(code=event, state=state, param=param, re=re)


def expect_new_state(state: str, *, re: str | None = None) -> EventPattern:
    """Return a pattern for ``new state = <state>``."""
    return EventPattern(kind=NewState, state=state, re=re, label=_on(re, f"new state = {state}"))


def expect_transition(
    current_state: str | None = None, next_state: str | None = None, *, re: str | None = None
) -> EventPattern:
    """Return a pattern for ``Currentstate: <current> NextState:<next>`` (None: any state)."""

    def fits(entry: StateTransition) -> bool:
        return current_state in (None, entry.current_state) and next_state in (
            None,
            entry.next_state,
        )

    label = f"Currentstate: {current_state or '*'} NextState:{next_state or '*'}"
    return EventPattern(kind=StateTransition, predicate=fits, re=re, label=_on(re, label))


def expect_entry(
    kind: type[_E],
    predicate: Callable[[_E], bool] | None = None,
    *,
    label: str | None = None,
    re: str | None = None,
) -> EventPattern:
    """Return a pattern for any entry of ``kind`` satisfying ``predicate``.

    Example: ``expect_entry(KeepaliveLoss, lambda e: e.seconds >= 300, label="loss >= 300 s")``.
    """
    text = label if label is not None else kind.__name__
    return EventPattern(kind=kind, predicate=predicate, re=re, label=_on(re, text))


def _on(re: str | None, text: str) -> str:
    """Return ``text`` prefixed with the RE it is expected on, if any."""
    return f"{re}: {text}" if re is not None else text


def _as_pattern(item: PatternLike) -> EventPattern:
    """Return ``item`` as a pattern (a code or a code name means "that event").

    Raises:
        UnknownEventCode: a name that is not in Table 107.
    """
    if isinstance(item, EventPattern):
        return item
    return expect(item)


def _as_patterns(obj: object) -> tuple[EventPattern, ...] | None:
    """Return ``obj`` as a pattern sequence, or None when it is not one.

    Raises:
        UnknownEventCode: a name that is not in Table 107.
    """
    if isinstance(obj, EventPattern | EventCode | str):
        return (_as_pattern(obj),)
    if isinstance(obj, list | tuple) and all(
        isinstance(item, EventPattern | EventCode | str) for item in obj
    ):
        return tuple(_as_pattern(item) for item in obj)
    return None


# --------------------------------------------------------------------------- matching


class NearMissReason(Enum):
    """Why an entry is shown as a near miss of a pattern that was not found."""

    MISMATCH = "right code, other details differ"
    OUT_OF_ORDER = "matches, but before the previous match"
    SIMILAR_CODE = "similar code"


@dataclass(frozen=True, slots=True)
class NearMiss:
    """An entry that almost matched the failed pattern: where it is and why it did not."""

    index: int
    entry: LogEntry
    reason: NearMissReason
    detail: str


@dataclass(frozen=True, slots=True)
class MatchResult:
    """The outcome of matching patterns against a log.

    ``indices`` are the log positions of the entries matched so far (one per pattern, in
    order); ``failed_index`` is the first pattern not found (None when all were); ``exact``
    records that the log had to hold nothing but the matched entries.
    """

    patterns: tuple[EventPattern, ...]
    entries: tuple[LogEntry, ...]
    indices: tuple[int, ...]
    failed_index: int | None
    near_misses: tuple[NearMiss, ...] = ()
    exact: bool = False

    @property
    def matched_entries(self) -> tuple[LogEntry, ...]:
        """Return the entries matched, in pattern order."""
        return tuple(self.entries[i] for i in self.indices)

    @property
    def extra_indices(self) -> tuple[int, ...]:
        """Return the positions of entries that break an exact match (empty unless exact)."""
        if not self.exact:
            return ()
        used = set(self.indices)
        return tuple(i for i in range(len(self.entries)) if i not in used)

    @property
    def matched(self) -> bool:
        """Return True when every pattern was found (and, if exact, nothing else is there)."""
        return self.failed_index is None and not self.extra_indices

    def check(self) -> None:
        """Return None when matched.

        Raises:
            ExpectationFailed: carrying this result; its message is :meth:`explain`.
        """
        if not self.matched:
            raise ExpectationFailed(self)

    def explain(self) -> str:
        """Return a two-column text: the expected sequence beside what the log holds.

        Matched patterns and entries carry ✓, the failed pattern ✗ and the patterns after it ·;
        near-miss entries carry ~ and are listed with their reason below the table; with an
        exact match, entries no pattern wants carry +.
        """
        return "\n".join(_Explainer(self).lines())


class ExpectationFailed(AssertionError):
    """Expected mastership log entries were not found; ``result`` holds the details."""

    def __init__(self, result: MatchResult) -> None:
        super().__init__(result.explain())
        self.result = result


def _find(entries: Sequence[LogEntry], pattern: EventPattern, start: int) -> int | None:
    """Return the first index at or after ``start`` whose entry matches, or None."""
    for index in range(start, len(entries)):
        if pattern.matches(entries[index]):
            return index
    return None


def match_subsequence(entries: Sequence[LogEntry], patterns: Sequence[PatternLike]) -> MatchResult:
    """Return where ``patterns`` occur in ``entries`` in order, others allowed in between.

    Each pattern takes the earliest matching entry after the previous one's (greedy, which finds
    an ordered subsequence whenever one exists). On failure the result names the first pattern
    not found and its near misses.

    Raises:
        UnknownEventCode: a pattern given as a name that is not in Table 107.
    """
    wanted = tuple(_as_pattern(p) for p in patterns)
    indices: list[int] = []
    for k, pattern in enumerate(wanted):
        start = indices[-1] + 1 if indices else 0
        found = _find(entries, pattern, start)
        if found is None:
            near = _near_misses(entries, pattern, start, indices)
            return MatchResult(wanted, tuple(entries), tuple(indices), k, near)
        indices.append(found)
    return MatchResult(wanted, tuple(entries), tuple(indices), None)


def match_exact(entries: Sequence[LogEntry], patterns: Sequence[PatternLike]) -> MatchResult:
    """Return whether ``entries`` are exactly ``patterns``, one entry per pattern, in order.

    Raises:
        UnknownEventCode: a pattern given as a name that is not in Table 107.
    """
    result = match_subsequence(entries, patterns)
    return MatchResult(
        result.patterns,
        result.entries,
        result.indices,
        result.failed_index,
        result.near_misses,
        exact=True,
    )


def _near_misses(
    entries: Sequence[LogEntry], pattern: EventPattern, start: int, used: Sequence[int]
) -> tuple[NearMiss, ...]:
    """Return the entries that almost match ``pattern``, in log order."""
    found: list[NearMiss] = []
    for index, entry in enumerate(entries):
        miss = _near_miss(index, entry, pattern, start, used)
        if miss is not None:
            found.append(miss)
    return tuple(found)


def _near_miss(
    index: int, entry: LogEntry, pattern: EventPattern, start: int, used: Sequence[int]
) -> NearMiss | None:
    """Return why ``entry`` almost matches ``pattern``, or None when it does not come close."""
    if pattern.matches(entry):
        # Only entries before ``start`` can match a pattern that was not found.
        owner = f"already matched by #{used.index(index) + 1}" if index in used else "earlier"
        return NearMiss(index, entry, NearMissReason.OUT_OF_ORDER, owner)
    if index < start:
        return None
    if pattern.is_candidate(entry):
        detail = ", ".join(pattern.differences(entry))
        return NearMiss(index, entry, NearMissReason.MISMATCH, detail)
    return _similar_code(index, entry, pattern)


def _similar_code(index: int, entry: LogEntry, pattern: EventPattern) -> NearMiss | None:
    """Return a near miss when ``entry`` is an event whose code is close to the pattern's."""
    if pattern.code is None or not isinstance(entry, MastershipEvent):
        return None
    if _edit_distance(entry.code.name, pattern.code.name) > 2:
        return None
    return NearMiss(index, entry, NearMissReason.SIMILAR_CODE, f"{entry.code.name}")


def _edit_distance(a: str, b: str) -> int:
    """Return the Levenshtein distance between ``a`` and ``b``."""
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i]
        for j, char_b in enumerate(b, start=1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b))
            )
        previous = current
    return previous[-1]


# --------------------------------------------------------------------------- explaining

_LEFT_MAX = 44
_ENTRY_MAX = 110
_FULL_LOG_MAX = 40  # longer logs show only marked entries and some context
_CONTEXT = 2


def _render_entry(entry: LogEntry) -> str:
    """Return an entry as one display line: its RE, then its source text on one line."""
    text = _squash(entry.raw) or "(empty)"
    line = f"{entry.re}: {text}" if entry.re is not None else text
    return line if len(line) <= _ENTRY_MAX else line[: _ENTRY_MAX - 1] + "…"


class _Explainer:
    """Renders a MatchResult as the text of :meth:`MatchResult.explain`."""

    def __init__(self, result: MatchResult) -> None:
        self._result = result
        self._pattern_of = {index: k for k, index in enumerate(result.indices)}
        self._near = {miss.index for miss in result.near_misses}
        self._extra = set(result.extra_indices)

    def lines(self) -> list[str]:
        """Return the header, the two-column table and the near-miss list."""
        rows = self._rows()
        width = min(_LEFT_MAX, max(len(left) for left, _ in rows))
        table = [f"{_fit(left, width):<{width}} | {right}".rstrip() for left, right in rows]
        return [self._header(), *table, *self._near_lines()]

    def _header(self) -> str:
        """Return the one-line summary."""
        r = self._result
        found = f"{len(r.indices)} of {len(r.patterns)} expected entries found in order"
        if r.failed_index is not None:
            missing = r.patterns[r.failed_index].describe()
            return f"mastership log: {found}; missing #{r.failed_index + 1} {missing}"
        if self._extra:
            return f"mastership log: {found}, but {len(self._extra)} other entries (exact match)"
        return f"mastership log: {found}"

    def _rows(self) -> list[tuple[str, str]]:
        """Return (expected, log) rows: the log in order, unmatched patterns last."""
        rows = [("expected (in order)", f"log holds ({len(self._result.entries)} entries)")]
        rows.extend(self._log_rows())
        rows.extend(self._pending_rows())
        return rows

    def _log_rows(self) -> list[tuple[str, str]]:
        """Return one row per shown entry, with the pattern it matched beside it."""
        rows: list[tuple[str, str]] = []
        shown = self._shown()
        for index, entry in enumerate(self._result.entries):
            if index not in shown:
                if index - 1 in shown or index == 0:
                    hidden = self._run_length(index, shown)
                    rows.append(("", f"  … {hidden} more {'entry' if hidden == 1 else 'entries'}"))
                continue
            rows.append(self._entry_row(index, entry))
        return rows

    def _entry_row(self, index: int, entry: LogEntry) -> tuple[str, str]:
        """Return the row of one entry."""
        k = self._pattern_of.get(index)
        if k is not None:
            left = f"✓ {k + 1} {self._result.patterns[k].describe()}"
            return left, f"✓ {_render_entry(entry)}"
        mark = "~" if index in self._near else "+" if index in self._extra else " "
        return "", f"{mark} {_render_entry(entry)}"

    def _pending_rows(self) -> list[tuple[str, str]]:
        """Return the rows of the patterns not found: the failed one, then those not checked."""
        r = self._result
        if r.failed_index is None:
            return []
        after = f"after entry {r.indices[-1] + 1}" if r.indices else "in the log"
        rows = [
            (
                f"✗ {r.failed_index + 1} {r.patterns[r.failed_index].describe()}",
                f"  (not found {after})",
            )
        ]
        for k in range(r.failed_index + 1, len(r.patterns)):
            rows.append((f"· {k + 1} {r.patterns[k].describe()}", "  (not checked)"))
        return rows

    def _shown(self) -> set[int]:
        """Return the entry positions worth showing (all of a short log)."""
        count = len(self._result.entries)
        if count <= _FULL_LOG_MAX:
            return set(range(count))
        marked = set(self._pattern_of) | self._near | self._extra | {count - 1}
        return {i for m in marked for i in range(m - _CONTEXT, m + _CONTEXT + 1) if 0 <= i < count}

    def _run_length(self, index: int, shown: set[int]) -> int:
        """Return how many consecutive entries from ``index`` on are hidden."""
        end = index
        while end < len(self._result.entries) and end not in shown:
            end += 1
        return end - index

    def _near_lines(self) -> list[str]:
        """Return the near misses of the failed pattern, one per line."""
        r = self._result
        if r.failed_index is None or not r.near_misses:
            return []
        head = f"near misses for ✗ {r.failed_index + 1} {r.patterns[r.failed_index].describe()}:"
        return [head] + [
            f"  ~ entry {m.index + 1} ({m.reason.value}: {m.detail}): {_render_entry(m.entry)}"
            for m in r.near_misses
        ]


def _fit(text: str, width: int) -> str:
    """Return ``text`` cut to ``width`` characters (with … when cut)."""
    return text if len(text) <= width else text[: width - 1] + "…"


# --------------------------------------------------------------------------- the value wrapper


@dataclass(frozen=True, slots=True, eq=False)
class MastershipLog:
    """A mastership log (one RE's or a merged story) as a value that assertions read well.

    ``patterns in log``: the patterns occur in order (see :func:`match_subsequence`); ``patterns``
    may be one pattern, an :class:`EventCode` or a code name, or a list/tuple of them.
    ``log == patterns``: the log is exactly these entries (see :func:`match_exact`).
    ``log == other_log``: same entries. :meth:`match` returns the full :class:`MatchResult`.
    """

    entries: tuple[LogEntry, ...]

    @classmethod
    def parse(cls, text: str, *, year: int, re: str | None = None) -> MastershipLog:
        """Return the log of ``text`` (see :func:`parse_log`)."""
        return cls(tuple(parse_log(text, year=year, re=re)))

    @classmethod
    def merged(cls, *logs: MastershipLog) -> MastershipLog:
        """Return one log holding the entries of ``logs`` ordered by time (:func:`merge_logs`)."""
        return cls(tuple(merge_logs(*(log.entries for log in logs))))

    def __iter__(self) -> Iterator[LogEntry]:
        """Return an iterator over the entries, oldest first."""
        return iter(self.entries)

    def __len__(self) -> int:
        """Return the number of entries."""
        return len(self.entries)

    def __contains__(self, patterns: object) -> bool:
        """Return True when ``patterns`` occur in order (False for non-patterns).

        Raises:
            UnknownEventCode: a pattern given as a name that is not in Table 107.
        """
        wanted = _as_patterns(patterns)
        return wanted is not None and match_subsequence(self.entries, wanted).matched

    def __eq__(self, other: object) -> bool:
        """Return True for the same entries, or for patterns matching the entries exactly.

        Raises:
            UnknownEventCode: a pattern given as a name that is not in Table 107.
        """
        if isinstance(other, MastershipLog):
            return self.entries == other.entries
        wanted = _as_patterns(other)
        if wanted is None:
            return NotImplemented
        return match_exact(self.entries, wanted).matched

    __hash__ = None  # type: ignore[assignment]  # equal to pattern lists: not hashable

    def match(self, *patterns: PatternLike) -> MatchResult:
        """Return where ``patterns`` occur in order (:func:`match_subsequence`)."""
        return match_subsequence(self.entries, patterns)

    def mark(self) -> LogMark:
        """Return a mark at the end of the log (:func:`mark_log`)."""
        return mark_log(self.entries)

    def since(self, mark: LogMark) -> MastershipLog:
        """Return the part written after ``mark`` (:func:`entries_since`).

        Raises:
            MarkMismatch: the mark belongs to another RE.
        """
        return MastershipLog(tuple(entries_since(self.entries, mark)))

    def of_kind(self, kind: type[_E]) -> list[_E]:
        """Return the entries of ``kind``, in order."""
        return [entry for entry in self.entries if isinstance(entry, kind)]

    def events(self, code: EventCode | None = None) -> list[MastershipEvent]:
        """Return the event entries (only those of ``code`` when given), in order."""
        return [e for e in self.of_kind(MastershipEvent) if code is None or e.code is code]

    def on(self, re: str) -> MastershipLog:
        """Return the entries of one RE."""
        return MastershipLog(tuple(entry for entry in self.entries if entry.re == re))


# --------------------------------------------------------------------------- pytest


def _compare_result(op: str, left: object, right: object) -> MatchResult | None:
    """Return the match behind a failed ``in`` / ``not in`` / ``==``, or None if not ours."""
    if op in ("in", "not in") and isinstance(right, MastershipLog):
        wanted = _as_patterns(left)
        return match_subsequence(right.entries, wanted) if wanted is not None else None
    if op == "==":
        log, other = (left, right) if isinstance(left, MastershipLog) else (right, left)
        wanted = _as_patterns(other) if isinstance(log, MastershipLog) else None
        if isinstance(log, MastershipLog) and wanted is not None:
            return match_exact(log.entries, wanted)
    return None


def explain_comparison(op: str, left: object, right: object) -> list[str] | None:
    """Return the explanation lines for a failed comparison of a :class:`MastershipLog`.

    Handles ``patterns in log``, ``patterns not in log`` and ``log == patterns`` (either side);
    returns None for anything else, so pytest's own explanation applies. The first line is the
    summary pytest shows after ``assert``. Never raises.
    """
    try:
        result = _compare_result(op, left, right)
    except UnknownEventCode:
        return None
    if result is None:
        return None
    lines = result.explain().splitlines()
    if op == "not in":
        lines[0] = "mastership log: the sequence was found, but it should not be there"
    return lines
