"""``re-emulator clone``: a lab router recorded over NETCONF (read-only) and cloned into the
emulator (docs/clone.md).

:func:`clone_router` reads the router a lab testbed names (:mod:`.record`, over the read-only
client of :mod:`.client`), decides where each fact goes (:mod:`.plan`), and writes into the
output directory:

* ``testbed.yaml``: one emulated router, named as in the lab, with its platform, inventory,
  versions, RE models, serials, timing, and ``emulator.state_dir: state``;
* ``state/<router>/state.json``: the recorded state (committed configuration and mastership
  log per RE, the clock), in the state directory format of ``re-emulator serve --state-dir``;
* ``clone-report.txt``: what was carried and, line by line, what was not;
* ``clone-checks.yaml``: the fixed set of RPCs the clone answers as its original does, as a
  snapshot file (:mod:`.checks`).

``re-emulator serve --testbed DIR/testbed.yaml`` (or ``pytest --testbed DIR/testbed.yaml``) then
serves the clone; the router starts, and is reset, from the recorded state.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

import yaml

from emulator.clone.checks import snapshot_file
from emulator.clone.errors import CloneError
from emulator.clone.plan import ClonePlan, plan_clone
from emulator.clone.record import Recording, read_router
from emulator.clone.timing import Measured, measured_timing
from emulator.model.clock import VirtualClock
from emulator.model.errors import ModelError
from emulator.model.router import RouterModel
from emulator.state import SavedRouter, StateDir
from emulator.testbed_bridge import router_params
from re_contract.errors import TestbedError
from re_contract.testbed import load_testbed

__all__ = ["CHECKS_NAME", "REPORT_NAME", "STATE_NAME", "TESTBED_NAME", "CloneError",
           "CloneResult", "clone_router", "write_clone"]

log = logging.getLogger(__name__)

TESTBED_NAME = "testbed.yaml"
REPORT_NAME = "clone-report.txt"
CHECKS_NAME = "clone-checks.yaml"
STATE_NAME = "state"
#: Seconds the whole recording may take, beyond the testbed's own connect and rpc timeouts.
READ_DEADLINE = 300.0

_HEADER = """\
# Written by re-emulator clone: one lab router recorded over NETCONF and cloned into the
# emulator.  clone-report.txt says what was carried and what was not.
#   re-emulator serve --testbed {testbed}
#   pytest suites --testbed {testbed}
"""


@dataclass(frozen=True, slots=True)
class CloneResult:
    """Where a clone was written, and its plan (testbed data, state, report)."""

    directory: Path
    testbed: Path
    report: Path
    checks: Path
    plan: ClonePlan


def clone_router(testbed: str | os.PathLike[str], router: str, out: str | os.PathLike[str],
                 report_dir: str | os.PathLike[str] | None = None) -> CloneResult:
    """Read the lab router ``router`` of ``testbed`` and write its clone into ``out``.

    ``report_dir``: the report directory (or ``report.json``) of an earlier lab run, whose
    measured switchover, FPC recovery and boot times become the clone's timing.

    Raises TestbedError (the testbed, or a router that is emulated there), ReportDirError, and
    CloneError (the router could not be read, or its clone is not one the emulator serves).
    """
    spec = load_testbed(testbed).router(router)
    if spec.emulated:
        raise CloneError(f"{router}: emulated in {testbed}; re-emulator clone reads a live "
                         "router (emulated: false) over NETCONF")
    measured = measured_timing(report_dir, router) if report_dir is not None else None
    deadline = READ_DEADLINE + len(spec.endpoints) * (spec.timeouts.connect
                                                      + 8 * spec.timeouts.rpc)
    recording = read_router(spec, deadline)
    return write_clone(recording, out, measured)


def write_clone(recording: Recording, out: str | os.PathLike[str],
                measured: Measured | None = None) -> CloneResult:
    """Plan the clone of ``recording`` and write it into ``out`` (created if missing; the
    clone's files replaced).  The written testbed is then loaded and its router built, as
    ``serve`` will, and the report says whether it elects the master the original had.

    Raises CloneError (OSError writing, or a clone the emulator does not build).
    """
    directory = Path(out)
    plan = plan_clone(recording, measured, state_dir=STATE_NAME)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        StateDir(directory / STATE_NAME).write(plan.router, SavedRouter(
            clock=plan.clock, configs=dict(plan.configs), logs=dict(plan.logs)))
        testbed = directory / TESTBED_NAME
        testbed.write_text(_HEADER.format(testbed=testbed) + yaml.safe_dump(
            plan.testbed, sort_keys=False, allow_unicode=True, width=100), encoding="utf-8")
        checks = directory / CHECKS_NAME
        checks.write_text("# The fixed RPC set a clone answers as its original (normalised): "
                          "a snapshot file.\n" + yaml.safe_dump(snapshot_file(), sort_keys=False),
                          encoding="utf-8")
    except OSError as exc:
        raise CloneError(f"{directory}: cannot write the clone: {exc}") from exc
    _verify(testbed, plan)
    report = directory / REPORT_NAME
    try:
        report.write_text(plan.report.text(), encoding="utf-8")
    except OSError as exc:
        raise CloneError(f"{report}: cannot write the clone report: {exc}") from exc
    log.info("clone of %s written to %s", plan.router, directory)
    return CloneResult(directory, testbed, report, checks, plan)


def _verify(testbed: Path, plan: ClonePlan) -> None:
    """Load the written testbed and build its router as ``serve`` does; note in the report
    which RE it elects master.  Raises CloneError when it cannot be built."""
    try:
        params = router_params(load_testbed(testbed).router(plan.router))
        model = RouterModel(params, VirtualClock(plan.clock))
    except (TestbedError, ModelError) as exc:
        raise CloneError(f"{testbed}: the clone is not a router the emulator serves: {exc}"
                         ) from exc
    slot = model.chassis.master_slot()
    elected = f"re{slot}" if slot is not None else None
    if plan.master is None:
        plan.report.miss(f"mastership: no RE reported itself master when the router was read "
                         f"(a mastership change under way?); the clone elects "
                         f"{elected or 'no master'} at start, as its configuration says")
    elif elected != plan.master:
        plan.report.miss(f"mastership: {plan.master} was master when the router was read; the "
                         f"clone elects {elected or 'no master'} at start, as its configuration "
                         "says (switch over once to match)")
    else:
        plan.report.carry(f"mastership: {elected or 'no master'} master, as when read")
