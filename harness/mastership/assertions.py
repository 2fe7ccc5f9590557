"""pytest's assertion rewriting for :class:`~harness.mastership.log.MastershipLog`: the plugin's
``pytest_assertrepr_compare`` returns :func:`explain_comparison`."""

from __future__ import annotations

from harness.mastership.errors import UnknownEventCode
from harness.mastership.log import MastershipLog
from harness.mastership.matching import match_exact, match_subsequence
from harness.mastership.patterns import as_patterns
from harness.mastership.result import MatchResult

__all__ = [
    "explain_comparison",
]


def _compare_result(op: str, left: object, right: object) -> MatchResult | None:
    """Return the match behind a failed ``in`` / ``not in`` / ``==``, or None if not ours."""
    if op in ("in", "not in") and isinstance(right, MastershipLog):
        wanted = as_patterns(left)
        return match_subsequence(right.entries, wanted) if wanted is not None else None
    if op == "==":
        log, other = (left, right) if isinstance(left, MastershipLog) else (right, left)
        wanted = as_patterns(other) if isinstance(log, MastershipLog) else None
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
