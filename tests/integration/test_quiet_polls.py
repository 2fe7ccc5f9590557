"""Skipping a wait's quiet polls changes nothing the harness reports.

The harness's end-state waits are ``state_only``: on the emulator each poll's ``advance-clock``
asks to go on past the polls before the router's next change by itself (``until-change``).
Here the same HA operations run on two fresh emulators, one router with that clock and one
with a clock that makes every poll, and every result must be the same but for wall times:
the same phases, the same states seen at the same router times, the same durations.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any, TypeVar

import pytest
from lxml import etree

from emulator.server import EmulatorServer
from emulator.testbed_bridge import router_entry
from harness.clock import EmulatedClock
from harness.router import DualRERouter
from re_contract.listeners import CONTROL
from re_contract.testbed import Endpoint, default_testbed_path, load_testbed

T = TypeVar("T")


class Skipping(EmulatedClock):
    """The emulator's clock as the harness uses it, counting its advances."""

    skips = True

    def __init__(self, rpc: Callable[[etree._Element], etree._Element]) -> None:
        super().__init__(rpc)
        self.advances = 0

    def _advance(self, seconds: float, what: str, until_change: float | None = None) -> None:
        self.advances += 1
        super()._advance(seconds, what, until_change if self.skips else None)


class EveryPoll(Skipping):
    """The same clock making every poll of every wait."""

    skips = False


@pytest.fixture
def routers() -> Iterator[Callable[[type[Skipping]], DualRERouter]]:
    """Build a router on a fresh emulator of testbed router r1 with the given clock."""
    made: list[tuple[EmulatorServer, DualRERouter]] = []

    def build(clock: type[Skipping]) -> DualRERouter:
        spec = load_testbed(default_testbed_path()).router("r1")
        server = EmulatorServer([router_entry(spec)])
        eps = {ep.re: Endpoint(ep.host, ep.port) for ep in server.start()}
        spec = replace(spec, endpoints={n: eps[n] for n in spec.endpoints},
                       master_only=eps.get("master"))
        router = DualRERouter(spec, control=eps[CONTROL])
        router.consent.run_allows = True
        router.clock = clock(router.control_rpc)
        made.append((server, router))
        return router

    yield build
    for server, router in made:
        router.close()
        server.stop()


def _story(router: DualRERouter) -> list[Any]:
    """Run HA operations one after another, each waiting for its end state; return what each
    reported, wall times left out."""
    results: list[Any] = []

    def keep(result: T) -> T:
        fields = {f.name: getattr(result, f.name) for f in dataclasses.fields(result)}
        results.append({k: v for k, v in fields.items() if not k.startswith("wall")})
        return result

    first = keep(router.switchover("switch", until="redundant"))
    master, backup = str(first.master_after), str(first.master_before)
    keep(router.halt(backup))
    keep(router.power_on(backup, until="redundant"))
    keep(router.failover("crash_re", master, until="forwarding"))
    keep(router.reboot(master, until="redundant"))
    return results


def test_skipping_quiet_polls_reports_the_same_as_making_every_poll(
        routers: Callable[[type[Skipping]], DualRERouter]) -> None:
    every, skipping = routers(EveryPoll), routers(Skipping)
    assert _story(skipping) == _story(every)
    clock_every, clock_skipping = every.clock, skipping.clock
    assert isinstance(clock_every, EveryPoll) and isinstance(clock_skipping, Skipping)
    # The point of it: most polls saw nothing new (FPCs and readiness take minutes).
    assert clock_skipping.advances * 2 < clock_every.advances
