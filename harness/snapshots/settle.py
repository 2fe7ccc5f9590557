"""A post snapshot taken once the router has settled.

Right after a switchover without graceful switchover the FPCs are still offline, and the new
backup's readiness comes later (chapter: "the Packet Forwarding Engine components are
rebooted"); a post snapshot taken at once would report that as a change, though the router is
on its way back.  :func:`settled_diff` takes the post snapshot again, on the router's clock
(virtual on the emulator: no wall time), for as long as unexpected changes remain in items that
settle (``settles``: FPCs, PICs, interfaces, alarms, switchover readiness), up to a limit.  A
change in anything else (a configuration line, a version) never settles: it is reported as it
is, with the settling items as they were last seen.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from harness.clock import RouterClock
from harness.snapshots.capture import Snapshot
from harness.snapshots.diff import SnapshotDiff, diff
from harness.snapshots.items import SnapshotPlan
from harness.snapshots.rules import Rule

__all__ = ["POLL", "settled_diff"]

log = logging.getLogger(__name__)

#: Router seconds between two post snapshots while the router settles.
POLL = 5.0

#: Takes a snapshot of the router: (name, plan) -> snapshot.
Taker = Callable[[str, SnapshotPlan], Snapshot]


def _waiting(found: SnapshotDiff, plan: SnapshotPlan) -> bool:
    """Return True when an unexpected change is in an item that settles."""
    settling = {i.name for i in plan.items if i.settles}
    return any(c.item in settling for c in found.unexpected)


def settled_diff(take: Taker, clock: RouterClock, pre: Snapshot, plan: SnapshotPlan, *,
                 name: str = "post", settle: float = 0.0,
                 expect: Mapping[str, Any] | Sequence[Rule] | None = None,
                 poll: float = POLL) -> tuple[Snapshot, SnapshotDiff]:
    """Take snapshot ``name`` and diff it with ``pre`` (``expect`` first, then the plan's
    rules); while settling items differ unexpectedly and less than ``settle`` router seconds
    have passed, wait ``poll`` router seconds and take it again.  Return the last
    snapshot and its diff.

    Raises ValueError for a bad rule in ``expect``, and the clock's errors.
    """
    start = clock.now()
    post = take(name, plan)
    found = diff(pre, post, expect, rules=plan.rules)
    while _waiting(found, plan) and (left := settle - (clock.now() - start)) > 0:
        log.info("%s: %d settling change(s); post snapshot again in %.0f s", pre.router,
                 len(found.unexpected), min(poll, left))
        clock.sleep(min(poll, left), f"{pre.router} to settle before the post snapshot")
        post = take(name, plan)
        found = diff(pre, post, expect, rules=plan.rules)
    return post, found
