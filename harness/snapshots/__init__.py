"""Pre/post snapshots of a dual-RE router and HA-aware diffs (issue 16).

- :mod:`.items`: what a snapshot captures (the built-in items, a plan with the testbed's);
- :mod:`.normalise`: replies as trees and lines;
- :mod:`.capture`: :func:`take_snapshot` and :class:`Snapshot` (JSON in, JSON out);
- :mod:`.rules`: diff rules and their checks (JSNAPy's operators, pyATS's exclude);
- :mod:`.ha`: the built-in HA rules (roles swap, uptimes move forward, logs grow);
- :mod:`.diff`: :func:`diff` and :class:`SnapshotDiff`, in plain words;
- :mod:`.pytest_side`: the fixture and marker that take snapshots around disruptive tests.

``router.snapshot("pre")`` (:class:`~harness.router.DualRERouter`) takes one with the router's
plan.  Nothing here imports the router: it reads the router through a small protocol.
"""

from harness.snapshots.capture import (
    Capture,
    Snapshot,
    SnapshotError,
    SnapshotSource,
    load_snapshot,
    take_snapshot,
)
from harness.snapshots.diff import Change, SnapshotDiff, diff
from harness.snapshots.ha import HAContext
from harness.snapshots.items import DEFAULT_ITEMS, DEFAULT_KEYS, SnapshotPlan
from harness.snapshots.rules import ChangeKind, HACheck, Rule, Verdict
from re_contract.snapshots import SnapshotCheck, SnapshotScope

__all__ = [
    "DEFAULT_ITEMS",
    "DEFAULT_KEYS",
    "Capture",
    "Change",
    "ChangeKind",
    "HACheck",
    "HAContext",
    "Rule",
    "Snapshot",
    "SnapshotCheck",
    "SnapshotDiff",
    "SnapshotError",
    "SnapshotPlan",
    "SnapshotScope",
    "SnapshotSource",
    "Verdict",
    "diff",
    "load_snapshot",
    "take_snapshot",
]
