"""Finding patterns in a log: as an ordered subsequence, or exactly; with the near misses of
the first pattern not found."""

from __future__ import annotations

from collections.abc import Sequence

from harness.mastership.codes import edit_distance
from harness.mastership.patterns import EventPattern, PatternLike, as_pattern
from harness.mastership.records import LogEntry, MastershipEvent
from harness.mastership.result import MatchResult, NearMiss, NearMissReason

__all__ = [
    "match_exact",
    "match_subsequence",
]


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
    wanted = tuple(as_pattern(p) for p in patterns)
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
    if edit_distance(entry.code.name, pattern.code.name) > 2:
        return None
    return NearMiss(index, entry, NearMissReason.SIMILAR_CODE, f"{entry.code.name}")
