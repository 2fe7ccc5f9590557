"""Markers, router selection, xdist grouping, skips and the mastership-restoring context.

Markers:
  ``disruptive``            the test switches, halts or reboots: needs ``allow_disruptive``.
  ``platform(*names)``      run only on routers of these platforms.
  ``dual_re``               the router must have two REs (every ``router`` test is, unless
                            marked ``single_re_ok``).
  ``single_re_ok``          the test also makes sense on single-RE platforms.
  ``emulated_only``         needs the emulator's control RPCs beyond time and faults.
  ``acceptance``            part of the pre-upgrade acceptance profile.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

import pytest

from harness.router import DualRERouter
from harness.testbed import Testbed

__all__ = [
    "TESTBED_KEY",
    "group_by_router",
    "register",
    "restoring",
    "selected_routers",
    "skip_unless_qualified",
]

log = logging.getLogger(__name__)

TESTBED_KEY = pytest.StashKey[Testbed]()

MARKERS = {
    "disruptive": "disruptive: switches, halts or reboots an RE (needs allow_disruptive)",
    "platform": "platform(*names): run only on routers of these platforms",
    "dual_re": "dual_re: needs two Routing Engines (the default for router tests)",
    "single_re_ok": "single_re_ok: also runs on single-RE platforms",
    "emulated_only": "emulated_only: needs the emulator (control RPCs)",
    "acceptance": "acceptance: part of the pre-upgrade acceptance profile",
}

SINGLE_RE_REASON = ("{name} ({platform}) has one Routing Engine: the chapter says M5, M10, M7i "
                    "and M40 routers do not support Routing Engine redundancy")


def register(config: pytest.Config) -> None:
    """Register the markers (so ``--strict-markers`` accepts them)."""
    for text in MARKERS.values():
        config.addinivalue_line("markers", text)


def selected_routers(config: pytest.Config) -> list[str]:
    """Return the routers to run against: ``--router`` choices, else all of the testbed.

    Raises pytest.UsageError for a router name the testbed does not have.
    """
    testbed = config.stash[TESTBED_KEY]
    chosen = config.getoption("--router") or list(testbed.routers)
    unknown = [n for n in chosen if n not in testbed.routers]
    if unknown:
        raise pytest.UsageError(f"--router: unknown router(s) {unknown}; testbed "
                                f"{testbed.name!r} has {list(testbed.routers)}")
    return chosen


def group_by_router(items: list[pytest.Item]) -> None:
    """Put every test of one router in one xdist group, so under ``-n N --dist loadgroup``
    no router is used by two workers at once."""
    for item in items:
        callspec = getattr(item, "callspec", None)
        name = callspec.params.get("router_name") if callspec else None
        if name is not None:
            item.add_marker(pytest.mark.xdist_group(name=f"router-{name}"))


def skip_unless_qualified(request: pytest.FixtureRequest, dut: DualRERouter) -> None:
    """Skip (with a reason that says what to change) when the router does not qualify."""
    node = request.node
    spec = dut.spec
    platform = node.get_closest_marker("platform")
    if platform and spec.platform.upper() not in {str(p).upper() for p in platform.args}:
        pytest.skip(f"{spec.name} is a {spec.platform}; test is for {list(platform.args)}")
    if len(spec.endpoints) < 2 and node.get_closest_marker("single_re_ok") is None:
        pytest.skip(SINGLE_RE_REASON.format(name=spec.name, platform=spec.platform))
    if node.get_closest_marker("emulated_only") and not dut.emulated:
        pytest.skip(f"{spec.name} is a lab router; test needs the emulator")
    if node.get_closest_marker("disruptive"):
        _require_disruptive(request, dut)


def _require_disruptive(request: pytest.FixtureRequest, dut: DualRERouter) -> None:
    spec = dut.spec
    if not spec.allow_disruptive:
        pytest.skip(f"disruptive test: router {spec.name} does not allow disruptive operations; "
                    f"set 'allow_disruptive: true' on it in the testbed and run with "
                    f"--allow-disruptive")
    if not spec.emulated and not request.config.getoption("--allow-disruptive"):
        pytest.skip(f"disruptive test on lab router {spec.name}: run with --allow-disruptive "
                    f"to allow it")


@contextlib.contextmanager
def restoring(request: pytest.FixtureRequest, dut: DualRERouter) -> Iterator[None]:
    """Give the test a router in its initial state and leave it as found.

    Emulated routers are reset to their testbed state (one control RPC).  On a lab router,
    after a disruptive test, mastership is switched back to the RE that held it before.
    """
    if dut.emulated:
        dut.reset()
        yield
        return
    before = dut.master if request.node.get_closest_marker("disruptive") else None
    yield
    if before is not None and dut.master != before:
        # A failure here errors the test's teardown: the router is not as the test found it.
        log.warning("%s: restoring mastership to %s", dut.name, before)
        dut.wait_ready_for_switch()
        dut.switchover("switch")
