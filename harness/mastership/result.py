"""The outcome of matching patterns against a log, and its explanation for a pytest failure:
expected beside found, with near misses."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from harness.mastership.patterns import EventPattern
from harness.mastership.records import LogEntry, squash

__all__ = [
    "ExpectationFailed",
    "MatchResult",
    "NearMiss",
    "NearMissReason",
]


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



_LEFT_MAX = 44
_ENTRY_MAX = 110
_FULL_LOG_MAX = 40  # longer logs show only marked entries and some context
_CONTEXT = 2


def _render_entry(entry: LogEntry) -> str:
    """Return an entry as one display line: its RE, then its source text on one line."""
    text = squash(entry.raw) or "(empty)"
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
