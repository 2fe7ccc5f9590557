"""Markers, router selection, xdist grouping, skips and the mastership-restoring context.

Markers (see :class:`Mark`):
  ``disruptive``            the test switches, halts or reboots: the router's testbed entry must
                            say ``allow_disruptive: true``, and on a lab router the run needs
                            ``--allow-disruptive`` too (else the test is skipped).  Unmarked
                            tests are held to the same consent when they act: the operation
                            raises DisruptiveNotAllowedError (:class:`harness.faults.Consent`).
  ``platform(*names)``      run only on routers of these platforms.
  ``requires_gres``         graceful Routing Engine switchover must be configured on the router.
  ``dual_re``               the router must have two REs (every ``router`` test does, unless
                            marked ``single_re_ok``).
  ``single_re_ok``          the test also makes sense on single-RE platforms.
  ``emulated_only``         needs the emulator's control RPCs beyond time and faults.
  ``acceptance``            part of the pre-upgrade acceptance profile (select with
                            ``-m acceptance``; no skip).
  ``snapshots(...)``        pre/post snapshots and their diff around the test, with its rules
                            (:mod:`harness.snapshots.pytest_side`).

Skips come in two kinds.  :func:`skip_reason` reads only the testbed and the options, so the
plugin adds it as a ``skip`` mark at collection (:func:`mark_skips`): pytest skips the test
before any fixture runs, so no connection is attempted.  :func:`gres_skip_reason` has to ask
the router.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator
from enum import Enum

import pytest
from lxml import etree

from harness import rpcs
from harness.errors import FaultUnavailableError
from harness.faults import DisruptiveAction
from harness.router import DualRERouter
from re_contract.testbed import RouterSpec, Testbed

__all__ = [
    "MARKER_HELP",
    "ROUTER_PARAM",
    "TESTBED_KEY",
    "Mark",
    "Restorer",
    "check_marker_use",
    "gres_configured",
    "gres_skip_reason",
    "group_by_router",
    "mark_skips",
    "register",
    "restoring",
    "router_of",
    "selected_routers",
    "wants_router",
    "skip_reason",
    "skip_unavailable_fault",
]

log = logging.getLogger(__name__)

TESTBED_KEY = pytest.StashKey[Testbed]()

#: The parameter the plugin parametrizes ``router`` tests over.
ROUTER_PARAM = "router_name"


class Mark(Enum):
    """The markers of the plugin, by name."""

    DISRUPTIVE = "disruptive"
    PLATFORM = "platform"
    REQUIRES_GRES = "requires_gres"
    DUAL_RE = "dual_re"
    SINGLE_RE_OK = "single_re_ok"
    EMULATED_ONLY = "emulated_only"
    ACCEPTANCE = "acceptance"
    SNAPSHOTS = "snapshots"


MARKER_HELP = {
    Mark.DISRUPTIVE: "disruptive: switches, halts or reboots an RE (the testbed entry must "
                     "allow it; lab routers also need --allow-disruptive)",
    Mark.PLATFORM: "platform(*names): run only on routers of these platforms",
    Mark.REQUIRES_GRES: "requires_gres: needs graceful Routing Engine switchover configured",
    Mark.DUAL_RE: "dual_re: needs two Routing Engines (the default for router tests)",
    Mark.SINGLE_RE_OK: "single_re_ok: also runs on single-RE platforms",
    Mark.EMULATED_ONLY: "emulated_only: needs the emulator (control RPCs)",
    Mark.ACCEPTANCE: "acceptance: part of the pre-upgrade acceptance profile",
    Mark.SNAPSHOTS: "snapshots(expect=None, strict=False, settle=None, items=None): pre/post "
                    "snapshots and an HA-aware diff around the test",
}

SINGLE_RE_REASON = ("{name} ({platform}) has one Routing Engine: the chapter says M5, M10, M7i "
                    "and M40 routers do not support Routing Engine redundancy")

def register(config: pytest.Config) -> None:
    """Register the markers (so ``--strict-markers`` accepts them)."""
    for text in MARKER_HELP.values():
        config.addinivalue_line("markers", text)


def _has(node: pytest.Item, mark: Mark) -> bool:
    return node.get_closest_marker(mark.value) is not None


# ------------------------------------------------------------------ selection and grouping
def selected_routers(config: pytest.Config) -> list[str]:
    """Return the routers to run against: ``--router`` choices, else all of the testbed.

    Raises pytest.UsageError for a router name the testbed does not have.
    """
    testbed = config.stash[TESTBED_KEY]
    chosen = list(dict.fromkeys(config.getoption("--router"))) or list(testbed.routers)
    unknown = [n for n in chosen if n not in testbed.routers]
    if unknown:
        raise pytest.UsageError(f"--router: expected a router of testbed {testbed.name!r} "
                                f"({', '.join(testbed.routers)}), got {', '.join(unknown)}")
    return chosen


def wants_router(metafunc: pytest.Metafunc) -> bool:
    """Return True when the test uses the ``router`` fixture (directly or through another
    fixture), so the plugin parametrizes it over the routers; False when the test itself
    parametrizes an argument called ``router``."""
    if "router" not in metafunc.fixturenames:
        return False
    for mark in metafunc.definition.iter_markers("parametrize"):
        names = mark.args[0] if mark.args else mark.kwargs.get("argnames", ())
        if isinstance(names, str):
            names = [n.strip() for n in names.split(",")]
        if "router" in names:
            return False
    return True


def router_of(item: pytest.Item) -> str | None:
    """Return the router a collected test runs against, or None for a test without ``router``."""
    callspec = getattr(item, "callspec", None)
    name = callspec.params.get(ROUTER_PARAM) if callspec is not None else None
    return str(name) if name is not None else None


def group_by_router(items: list[pytest.Item]) -> None:
    """Put every test of one router in one xdist group, so under ``-n N --dist loadgroup``
    no router is used by two workers at once."""
    for item in items:
        name = router_of(item)
        if name is not None:
            item.add_marker(pytest.mark.xdist_group(name=f"router-{name}"))


def check_marker_use(items: list[pytest.Item]) -> None:
    """Check how tests use the markers.

    Raises pytest.UsageError for ``platform()`` without platform names (or with non-strings),
    and for ``dual_re`` together with ``single_re_ok``.
    """
    for item in items:
        platform = item.get_closest_marker(Mark.PLATFORM.value)
        if platform is not None and (not platform.args or
                                     not all(isinstance(a, str) for a in platform.args)):
            raise pytest.UsageError(f"{item.nodeid}: @pytest.mark.platform: expected platform "
                                    f"names such as 'MX480', got {platform.args!r}")
        if _has(item, Mark.DUAL_RE) and _has(item, Mark.SINGLE_RE_OK):
            raise pytest.UsageError(f"{item.nodeid}: expected at most one of the markers "
                                    f"dual_re and single_re_ok, got both")


# --------------------------------------------------------------------------------- skips
def mark_skips(items: list[pytest.Item], testbed: Testbed, allow_disruptive: bool) -> None:
    """Add a ``skip`` mark (with :func:`skip_reason`) to each router test whose router does not
    qualify; pytest then skips it before its fixtures run, reported at the test's location."""
    for item in items:
        name = router_of(item)
        if name is None:
            continue
        reason = skip_reason(item, testbed.router(name), allow_disruptive)
        if reason:
            item.add_marker(pytest.mark.skip(reason=reason))


def skip_reason(node: pytest.Item, spec: RouterSpec, allow_disruptive: bool) -> str | None:
    """Return why the test ``node`` cannot run on the router ``spec`` (which says what to
    change), or None when it qualifies.  Reads only the testbed and the options: no I/O."""
    platform = node.get_closest_marker(Mark.PLATFORM.value)
    if platform is not None and spec.platform.upper() not in {str(p).upper()
                                                              for p in platform.args}:
        return (f"{spec.name} is a {spec.platform}; the test is for "
                f"{', '.join(map(str, platform.args))}")
    if len(spec.endpoints) < 2 and not _has(node, Mark.SINGLE_RE_OK):
        return SINGLE_RE_REASON.format(name=spec.name, platform=spec.platform)
    if _has(node, Mark.EMULATED_ONLY) and not spec.emulated:
        return (f"{spec.name} is a lab router; the test needs the emulator's control RPCs "
                f"(run it with an emulated testbed, e.g. --testbed emulated)")
    if _has(node, Mark.DISRUPTIVE):
        return _disruptive_reason(spec, allow_disruptive)
    return None


def _disruptive_reason(spec: RouterSpec, allow_disruptive: bool) -> str | None:
    if not spec.allow_disruptive:
        extra = "" if spec.emulated else " and run with --allow-disruptive"
        return (f"disruptive test: router {spec.name} does not allow disruptive operations; "
                f"to allow them set 'allow_disruptive: true' on it in the testbed{extra}")
    if not spec.emulated and not allow_disruptive:
        return (f"disruptive test on lab router {spec.name}: its testbed entry allows it; "
                f"run with --allow-disruptive to allow it")
    return None


def skip_unavailable_fault(item: pytest.Item, call: pytest.CallInfo[None],
                           report: pytest.TestReport) -> pytest.TestReport:
    """Return ``report``, turned into a skip at the test's location when the phase raised
    FaultUnavailableError: a fault the router has no way to make (a lab testbed that does not
    declare it) is a reason to skip, which says what to declare, not a failure."""
    if call.excinfo is None or not call.excinfo.errisinstance(FaultUnavailableError):
        return report
    path, line, _ = item.reportinfo()
    report.outcome = "skipped"
    report.longrepr = (str(path), (line or 0) + 1, f"Skipped: {call.excinfo.value}")
    return report


def gres_configured(dut: DualRERouter) -> bool:
    """Return True when the master's committed configuration has ``chassis redundancy
    graceful-switchover`` (the master's configuration is the one in effect).

    Raises the router's errors (NoMasterError, SessionError, ConnectError).
    """
    reply = dut.rpc(dut.master, rpcs.gres_configuration())
    return any(etree.QName(el).localname == "graceful-switchover"
               for el in reply.iter() if isinstance(el.tag, str))


def gres_skip_reason(node: pytest.Item, dut: DualRERouter) -> str | None:
    """Return why a ``requires_gres`` test cannot run on ``dut`` (with how to enable GRES), or
    None when it is not marked or GRES is configured.  Asks the router.

    Raises the router's errors when it cannot be asked.
    """
    if not _has(node, Mark.REQUIRES_GRES) or gres_configured(dut):
        return None
    how = ("add it to emulator.config in the testbed" if dut.spec.emulated
           else "then commit synchronize")
    return (f"{dut.name}: graceful Routing Engine switchover is not configured; enable it with "
            f"'set chassis redundancy graceful-switchover' ({how})")


# ----------------------------------------------------------------------------- restoring
class Restorer:
    """Leaves a lab router as a test found it: which RE was master and which REs answered,
    taken before the test's first disruption (:meth:`snapshot`), put back after the test
    (:meth:`restore`).  ``lock`` (optional) is entered at the first disruption of a test that
    did not say it would disrupt, so that such a test too holds the router's lock."""

    def __init__(self, dut: DualRERouter,
                 lock: Callable[[], contextlib.AbstractContextManager[object]] | None = None
                 ) -> None:
        self.dut = dut
        self.before: str | None = None
        self.answering: list[str] | None = None
        self._lock = lock
        self._held = contextlib.ExitStack()

    def __repr__(self) -> str:
        return f"<Restorer {self.dut.name} before={self.before}>"

    @property
    def disrupted(self) -> bool:
        """Return True once a snapshot was taken (the test disrupted, or said it would)."""
        return self.answering is not None

    def prepare(self) -> str:
        """For a test marked ``disruptive``: wait out a switchover hold-down left by an earlier
        test or run (the test would be refused), then snapshot; return the master."""
        self.dut.wait_ready_for_switch()
        self.snapshot()
        return str(self.before)

    def snapshot(self) -> None:
        """Remember the master and the REs that answer (once per test)."""
        if self.disrupted:
            return
        if self._lock is not None:
            self._held.enter_context(self._lock())
        self.before = self.dut.master
        self.answering = [name for name in self.dut.re_names if self.dut.answers(name)]

    def on_action(self, action: DisruptiveAction) -> None:
        """A consent listener: snapshot before the test's first disruptive action."""
        log.info("%s: %s by the test; the router will be restored after it", action.router,
                 action.what)
        self.snapshot()

    def restore(self) -> None:
        """Power on an RE the test left down, then switch mastership back if it moved (after
        the hold-down, on the router's clock; waiting for the new master only).  Releases the
        lock taken at the first disruption.

        Raises the router's errors: a failure errors the test's teardown, because the router
        is not as the test found it.
        """
        with self._held:
            if not self.disrupted:
                return
            dut = self.dut
            for name in self.answering or []:
                if not dut.answers(name):
                    log.warning("%s: %s was left down by the test; powering it on", dut.name,
                                name)
                    dut.power_on(name)
            now = dut.master
            if self.before is not None and now != self.before:
                log.warning("%s: restoring mastership to %s (now %s)", dut.name, self.before,
                            now)
                dut.wait_ready_for_switch()
                dut.switchover("switch", until="master")


@contextlib.contextmanager
def restoring(dut: DualRERouter) -> Iterator[str]:
    """Make a lab router ready for a disruptive test and leave it as the test found it (see
    :class:`Restorer`): before, wait out a hold-down and snapshot; yield the master; after,
    restore.  Raises the router's errors."""
    restorer = Restorer(dut)
    yield restorer.prepare()
    restorer.restore()
