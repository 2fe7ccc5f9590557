"""Table 107 ("Logging Events") of the chapter: the mastership event codes.

The codes are the contract's (:mod:`re_contract.events`: one declaration for the emulator that
writes the log and the harness that reads it); this module adds the edit distance the matching
uses to find near misses.
"""

from __future__ import annotations

from re_contract.events import EventCode

__all__ = [
    "EventCode",
    "edit_distance",
]


def edit_distance(a: str, b: str) -> int:
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
