"""A post snapshot taken once the router has settled.

Right after a switchover without graceful switchover the FPCs are still offline, and the new
backup's readiness comes later (chapter: "the Packet Forwarding Engine components are
rebooted"); a post snapshot taken at once would report that as a change, though the router is
on its way back.  :func:`settled_diff` reads the settling items again (``settles``: FPCs, PICs,
interfaces, alarms, switchover readiness) on the router's clock (virtual on the emulator: no
wall time), for as long as unexpected changes remain in them, up to a limit.  A change in
anything else (a configuration line, a version) never settles: it is reported as it is, with
the settling items as they were last seen.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from harness.clock import RouterClock
from harness.snapshots.capture import Snapshot
from harness.snapshots.diff import SnapshotDiff, diff
from harness.snapshots.items import SnapshotPlan
from harness.snapshots.rules import Rule

__all__ = ["MAX_POLL", "POLL", "settled_diff"]

log = logging.getLogger(__name__)

#: Router seconds before the first retake; each wait is twice the one before, up to
#: :data:`MAX_POLL` (few retakes when recovery is slow, a quick one when it is fast).
POLL = 5.0
MAX_POLL = 30.0

#: Takes a snapshot of the router: (name, plan) -> snapshot.
Taker = Callable[[str, SnapshotPlan], Snapshot]


def _settling(plan: SnapshotPlan) -> set[str]:
    return {i.name for i in plan.items if i.settles}


def _waiting(found: SnapshotDiff, plan: SnapshotPlan) -> bool:
    """Return True when an unexpected change is in an item that settles."""
    settling = _settling(plan)
    return any(c.item in settling for c in found.unexpected)


def _refreshed(post: Snapshot, again: Snapshot) -> Snapshot:
    """Return ``post`` with the items read ``again`` replaced; it spans both readings (so an
    uptime read in the first is judged against the whole time since)."""
    return dataclasses.replace(post, finished=again.finished, roles=again.roles,
                               captures={**post.captures, **again.captures})


def settled_diff(take: Taker, clock: RouterClock, pre: Snapshot, plan: SnapshotPlan, *,
                 name: str = "post", settle: float = 0.0,
                 expect: Mapping[str, Any] | Sequence[Rule] | None = None,
                 poll: float = POLL, restarted: Iterable[str] = ()
                 ) -> tuple[Snapshot, SnapshotDiff]:
    """Take snapshot ``name`` and diff it with ``pre`` (``expect`` first, then the plan's
    rules; ``restarted``: the REs the test restarted, as :func:`diff`); while settling items
    differ unexpectedly and less than ``settle`` router seconds have passed, wait (``poll``
    router seconds, then twice as long each time, at most :data:`MAX_POLL`) and read the
    settling items again, unless the clock tells that the router did not change meanwhile
    (:meth:`RouterClock.pause`).  Return the last snapshot and its diff.

    Raises ValueError for a bad rule in ``expect``, and the clock's errors.
    """
    start = clock.now()
    post = take(name, plan)
    found = diff(pre, post, expect, rules=plan.rules, restarted=restarted)
    again = plan.only([i.name for i in plan.items if i.settles])
    wait = poll
    while _waiting(found, plan) and (left := settle - (clock.now() - start)) > 0:
        log.info("%s: %d settling change(s); reading them again in %.0f s", pre.router,
                 len(found.unexpected), min(wait, left))
        if not clock.pause(min(wait, left), f"{pre.router} to settle before the post snapshot"):
            # The router did not change meanwhile (the emulator says so): a new reading
            # would judge the same; the next one may not.
            wait = min(wait * 2, MAX_POLL)
            continue
        post = _refreshed(post, take(name, again))
        found = diff(pre, post, expect, rules=plan.rules, restarted=restarted)
        wait = min(wait * 2, MAX_POLL)
    return post, found
