"""pytest-xdist scheduling by router: under ``--dist loadgroup`` every test of one router goes
to one worker.

xdist's own ``loadgroup`` learns a test's group from a ``@group`` suffix its workers append to the
node id (from the ``xdist_group`` mark the plugin adds per router).  With pytest 9.2 and
xdist 3.8 that suffix is lost (xdist sets ``item._nodeid``, which pytest 9.2 no longer reads), and
the groups silently become one test each.  :class:`RouterGroupScheduling` therefore also finds the
router in the node id's parameter part (``test_x[mx480-1]``, ``test_y[mx480-1-gres]``): the
plugin parametrizes ``router`` tests with the router names as ids.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import pytest
from xdist.scheduler import LoadGroupScheduling

__all__ = ["RouterGroupScheduling", "make_scheduler", "router_in_nodeid"]

log = logging.getLogger(__name__)


def router_in_nodeid(nodeid: str, routers: Sequence[str]) -> str | None:
    """Return the router whose parameter id is in ``nodeid``'s brackets (the longest one when
    several fit, e.g. ``mx`` and ``mx-a``), or None."""
    if not nodeid.endswith("]") or "[" not in nodeid:
        return None
    ids = f"-{nodeid[nodeid.rindex('[') + 1:-1]}-"
    found = [name for name in routers if f"-{name}-" in ids]
    return max(found, key=len) if found else None


class RouterGroupScheduling(LoadGroupScheduling):  # type: ignore[misc]
    """xdist's ``loadgroup`` scheduling, with the tests of one router as one group."""

    def __init__(self, config: pytest.Config, log: Any, routers: Sequence[str]) -> None:
        super().__init__(config, log)
        self.routers = tuple(routers)

    def _split_scope(self, nodeid: str) -> str:
        """Return the group of ``nodeid``: its ``@group`` suffix when xdist added one, else
        ``router-<name>`` for a router test, else the node id itself (a group of one)."""
        if nodeid.rfind("@") > nodeid.rfind("]"):
            return nodeid.rsplit("@", 1)[-1]
        router = router_in_nodeid(nodeid, self.routers)
        return f"router-{router}" if router is not None else nodeid


def make_scheduler(config: pytest.Config, producer: Any, routers: Sequence[str]
                   ) -> RouterGroupScheduling | None:
    """Return the scheduler for ``--dist loadgroup`` (chosen by the user or by the plugin for
    ``-n`` alone), or None to leave other modes to xdist."""
    if config.getoption("dist", "no") != "loadgroup":
        return None
    log.debug("scheduling tests per router over %d routers", len(routers))
    return RouterGroupScheduling(config, producer, routers)
