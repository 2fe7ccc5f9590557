"""A mastership log as a value that assertions read well: ``patterns in log``,
``log == patterns``."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TypeVar

from harness.mastership.codes import EventCode
from harness.mastership.marks import LogMark, entries_since, mark_log
from harness.mastership.matching import match_exact, match_subsequence
from harness.mastership.parser import merge_logs, parse_log
from harness.mastership.patterns import PatternLike, as_patterns
from harness.mastership.records import EntryBase, LogEntry, MastershipEvent
from harness.mastership.result import MatchResult

__all__ = [
    "MastershipLog",
]

_E = TypeVar("_E", bound=EntryBase)


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
        wanted = as_patterns(patterns)
        return wanted is not None and match_subsequence(self.entries, wanted).matched

    def __eq__(self, other: object) -> bool:
        """Return True for the same entries, or for patterns matching the entries exactly.

        Raises:
            UnknownEventCode: a pattern given as a name that is not in Table 107.
        """
        if isinstance(other, MastershipLog):
            return self.entries == other.entries
        wanted = as_patterns(other)
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
