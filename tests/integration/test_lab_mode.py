"""The suites as a lab user runs them: against a router reached WITHOUT control RPCs.

The router is the emulator, served in-process on loopback with a virtual clock, posing as a lab
router: the testbed the inner runs read has no ``control`` credentials, ``emulated: false``, a
password from the environment, ``host_keys: ignore`` (with its lint warning), and a
``power_on_re`` fault made by a command, as a PDU script would (:data:`PDU_SCRIPT`, which
reaches the emulator's control endpoint as a PDU reaches the mains).  The inner runs are
``pytest`` subprocesses over a copy of ``suites/``.

A lab's clock is the wall clock; so that the 240 s hold-down and the boots do not take minutes
here, the runs that wait are given a lab clock that moves the emulator's virtual clock
(:data:`FAST_LAB_CONFTEST` overrides ``router_pool`` with one): everything else is the lab path
(faults from the testbed, the restore-mastership fixture, the plugin's skips).  The live
progress line of the real wall-clock wait is checked on its own, with short waits.
"""

from __future__ import annotations

import re
import shutil
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from emulator.server import EmulatorServer
from emulator.testbed_bridge import router_entry
from harness.procedures import check_logs_clean
from harness.router import DualRERouter
from re_contract.listeners import CONTROL
from re_contract.testbed import Endpoint, default_testbed_path, load_testbed

# tests/integration's conftest does not load pytester (tests/plugin's does, for its own).
pytest_plugins = ["pytester"]

SUITES = Path(__file__).resolve().parents[2] / "suites"
PASSWORD_ENV = "LAB_MODE_PASSWORD"
CONTROL_ENV = "LAB_MODE_CONTROL_PORT"
ALLOW_HINT = "run with --allow-disruptive to allow it"

LAB_TESTBED = """\
testbed:
  name: lab-mode
routers:
  pe1:
    platform: MX480
    emulated: false
    allow_disruptive: true
    re0: {{host: 127.0.0.1, port: {re0}}}
    re1: {{host: 127.0.0.1, port: {re1}}}
    master_only: {{host: 127.0.0.1, port: {master}}}
    credentials: {{username: lab, password_env: {password_env}}}
    host_keys: {{policy: ignore}}
    timeouts: {{connect: 5, rpc: 10, switchover: 600, halt: 120, reboot: 900}}
{faults}"""

POWER_ON_FAULT = """\
    faults:
      power_on_re: {{command: "{python} {script} {{re}}"}}
"""

#: The lab's PDU: powers an RE on through the emulator's control endpoint (port in the
#: environment, as a PDU script keeps its PDU's address).
PDU_SCRIPT = f"""\
import os
import sys

from harness.router import DualRERouter
from re_contract.testbed import Endpoint, default_testbed_path, load_testbed

spec = load_testbed(default_testbed_path()).router("r1")
pdu = DualRERouter(spec, control=Endpoint("127.0.0.1", int(os.environ["{CONTROL_ENV}"])))
try:
    pdu.control("power-on-re", re=sys.argv[1])
finally:
    pdu.close()
"""

#: The inner run's conftest: a lab whose clock runs fast (sleeps move the virtual clock).
FAST_LAB_CONFTEST = f"""\
import os

import pytest

from harness.clock import EmulatedClock
from harness.pool import RouterPool
from harness.router import DualRERouter
from re_contract.testbed import Endpoint, default_testbed_path, load_testbed


@pytest.fixture(scope="session")
def router_pool(testbed):
    spec = load_testbed(default_testbed_path()).router("r1")
    keeper = DualRERouter(spec, control=Endpoint("127.0.0.1",
                                                 int(os.environ["{CONTROL_ENV}"])))
    pool = RouterPool(testbed, lab_clock=lambda spec: EmulatedClock(keeper.control_rpc))
    yield pool
    pool.close()
    keeper.close()
"""


@dataclass(frozen=True)
class Lab:
    """The emulated router posing as a lab router, and the lab testbed naming it ``pe1``."""

    testbed: Path
    control: Endpoint

    def router(self) -> DualRERouter:
        """Return the router as a lab user's script sees it (no control RPCs)."""
        return DualRERouter(load_testbed(self.testbed).router("pe1"))


def _serve(time_mode: str) -> tuple[EmulatorServer, dict[str, Endpoint]]:
    spec = load_testbed(default_testbed_path()).router("r1")
    server = EmulatorServer([router_entry(spec)], time_mode=time_mode)
    return server, {ep.re: Endpoint(ep.host, ep.port) for ep in server.start()}


@pytest.fixture
def lab(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Lab]:
    """A fresh router posing as a lab, with its testbed (and PDU script) in ``tmp_path``."""
    server, eps = _serve("virtual")
    script = tmp_path / "pdu_on.py"
    script.write_text(PDU_SCRIPT)
    faults = POWER_ON_FAULT.format(python=sys.executable, script=script)
    path = tmp_path / "lab.yaml"
    path.write_text(LAB_TESTBED.format(re0=eps["re0"].port, re1=eps["re1"].port,
                                       master=eps["master"].port, password_env=PASSWORD_ENV,
                                       faults=faults))
    monkeypatch.setenv(PASSWORD_ENV, "lab123")
    monkeypatch.setenv(CONTROL_ENV, str(eps[CONTROL].port))
    try:
        yield Lab(path, eps[CONTROL])
    finally:
        server.stop()


def _suites(pytester: pytest.Pytester, fast_clock: bool) -> Path:
    """Copy ``suites/`` into the inner run's directory (with the fast lab clock if asked)."""
    target = pytester.path / "suites"
    shutil.copytree(SUITES, target, ignore=shutil.ignore_patterns("__pycache__"))
    if fast_clock:
        (pytester.path / "conftest.py").write_text(FAST_LAB_CONFTEST)
    return target


def _run(pytester: pytest.Pytester, lab: Lab, *args: str, fast_clock: bool = False,
         module: str = "") -> pytest.RunResult:
    """Run the copied suites (or one ``module`` of them) against the lab, with ``args``."""
    suites = _suites(pytester, fast_clock)
    return pytester.runpytest_subprocess(
        str(suites / module), f"--testbed={lab.testbed}", "-p", "no:cacheprovider", "-rs",
        "--lock-dir", str(pytester.path / "locks"), *args)


def _skips(result: pytest.RunResult) -> list[str]:
    """Return the reasons of the ``-rs`` summary lines."""
    found = [re.match(r"SKIPPED \[\d+\] [^:]+(?::\d+)?: (.*)", line)
             for line in result.outlines]
    return [m.group(1) for m in found if m]


def _left_as_found(lab: Lab) -> None:
    dut = lab.router()
    try:
        assert dut.master == "re0"
        assert all(dut.answers(name) for name in dut.re_names)
        assert {r.name: r.mastership_state for r in dut.status(via="re1")} == {
            "re0": "master", "re1": "backup"}
    finally:
        dut.close()


def test_read_only_run_passes_and_disruptive_tests_say_how_to_allow_them(
        pytester: pytest.Pytester, lab: Lab) -> None:
    """``pytest suites --testbed lab.yaml`` without --allow-disruptive: the read-only tests
    pass, every disruptive test skips saying how to allow it, and the header shows the
    testbed's lint warning."""
    result = _run(pytester, lab)
    outcomes = result.parseoutcomes()
    assert outcomes.get("passed", 0) >= 5
    assert "failed" not in outcomes and "errors" not in outcomes
    reasons = _skips(result)
    assert reasons and all(ALLOW_HINT in r or "needs the emulator" in r for r in reasons)
    assert any(ALLOW_HINT in r for r in reasons)
    result.stdout.fnmatch_lines(["re-harness testbed warning: *host key is not checked*"])
    _left_as_found(lab)


def test_faults_the_lab_does_not_declare_skip_with_what_to_declare(
        pytester: pytest.Pytester, lab: Lab) -> None:
    """Keepalive-loss, pull and crash tests need faults the lab testbed does not declare:
    they skip (not fail), naming the faults and the testbed key, before changing anything."""
    result = _run(pytester, lab, "--allow-disruptive", "-k",
                  "no_failover_by_default or pulled or kernel_crash or loss_lines",
                  fast_clock=True)
    result.assert_outcomes(skipped=4)
    reasons = _skips(result)
    assert len(reasons) == 4
    assert all("lab router pe1 declares no way to make fault(s)" in r for r in reasons)
    assert any("'sever_link', 'restore_link'" in r and "faults: {sever_link:" in r
               for r in reasons)
    assert any("'pull_re', 'insert_re'" in r for r in reasons)
    _left_as_found(lab)


def test_halt_backup_and_power_on_by_the_labs_pdu_command(
        pytester: pytest.Pytester, lab: Lab) -> None:
    """The halt-the-backup suite on a lab: the backup is halted by RPC and powered on by the
    testbed's ``power_on_re`` command; the router is left with both REs up, RE0 master."""
    result = _run(pytester, lab, "--allow-disruptive", module="test_halt_backup.py",
                  fast_clock=True)
    result.assert_outcomes(passed=2, skipped=1)
    assert any("needs the emulator" in r for r in _skips(result))
    _left_as_found(lab)


def test_every_suite_runs_on_a_lab_and_leaves_the_router_as_found(
        pytester: pytest.Pytester, lab: Lab) -> None:
    """``pytest suites --allow-disruptive`` on a lab: nothing fails; what cannot run there
    (faults the testbed does not declare, emulator-only tests) skips with its reason."""
    result = _run(pytester, lab, "--allow-disruptive", fast_clock=True)
    outcomes = result.parseoutcomes()
    assert "failed" not in outcomes and "errors" not in outcomes, result.stdout.str()
    assert outcomes.get("passed", 0) >= 30
    reasons = _skips(result)
    assert all("declares no way to make fault(s)" in r or "needs the emulator" in r
               for r in reasons), reasons
    _left_as_found(lab)


def test_switchover_suites_restore_mastership_and_wait_out_hold_downs(
        pytester: pytest.Pytester, lab: Lab) -> None:
    """Two switchover tests in a row on a lab: after the first, the restore fixture switches
    mastership back (after the hold-down); the second is not refused by the hold-down that
    switch-back started.  The router ends as found."""
    result = _run(pytester, lab, "--allow-disruptive", "-k",
                  "test_switch_moves_mastership or test_switch_from_the_backup "
                  "or master_only_address_follows", fast_clock=True)
    result.assert_outcomes(passed=3)
    _left_as_found(lab)


def test_acceptance_profile_on_a_lab_writes_its_report(
        pytester: pytest.Pytester, lab: Lab) -> None:
    """``pytest suites -m acceptance --allow-disruptive --report-dir out``: readiness,
    switchover and switch-back pass; the acceptance report says PASS with two switchovers."""
    out = pytester.path / "out"
    result = _run(pytester, lab, "-m", "acceptance", "--allow-disruptive", "--report-dir",
                  str(out), fast_clock=True)
    result.assert_outcomes(passed=2)
    text = (out / "acceptance-pe1.txt").read_text()
    assert "Result: PASS" in text
    assert text.count("switchover switch:") == 2
    assert (out / "report.html").is_file()
    _left_as_found(lab)


def test_acceptance_logs_check_reads_the_routers_clock_not_ours(lab: Lab) -> None:
    """The "logs clean" readiness check looks back from the router's own time (its log
    timestamps), not from this host's: a router whose clock is months off still has its
    recent trouble found."""
    dut = lab.router()
    keeper = DualRERouter(load_testbed(default_testbed_path()).router("r1"), control=lab.control)
    try:
        assert check_logs_clean(dut).passed
        keeper.faults.make("sever_link")
        keeper.clock.sleep(25, "keepalive loss lines")
        keeper.faults.make("restore_link")
        skew = abs(keeper.clock.now() - time.time())
        assert skew > 86400, "the router's clock must be far from ours for this test"
        result = check_logs_clean(dut)
        assert not result.passed
        assert "failed to receive keepalives" in result.detail
    finally:
        dut.close()
        keeper.close()


# ---------------------------------------------------------------------- wall-clock progress
PROGRESS_TEST = """
def test_waits(router) -> None:
    router.clock.sleep(0.3, "the keepalive-time")
    polls = iter([False, False, True])
    router.clock.wait_until(lambda: next(polls) and router.master == "re0", 2,
                            "RE0 to be master", poll=0.1)
"""


def test_lab_wait_progress_reaches_the_terminal_despite_capture(
        pytester: pytest.Pytester, lab: Lab) -> None:
    """A wall-clock wait on a lab router prints its progress line (what, elapsed, limit) on
    the terminal while pytest captures the test's output."""
    pytester.makeini("[pytest]\nre_harness_progress_after = 0.1\n")
    pytester.makepyfile(PROGRESS_TEST)
    result = pytester.runpytest_subprocess(f"--testbed={lab.testbed}", "-p",
                                           "no:cacheprovider", "-v")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines([
        "*[[]re-harness] waiting for the keepalive-time: *s / 0.3s*",
        "*[[]re-harness] waiting for RE0 to be master: *s / 2.0s*",
        "*test_waits*PASSED*",
    ])
    assert "Captured stderr" not in result.stdout.str()


def test_progress_after_must_be_seconds(pytester: pytest.Pytester, lab: Lab) -> None:
    """A bad ``re_harness_progress_after`` is a usage error naming the key."""
    pytester.makeini("[pytest]\nre_harness_progress_after = soon\n")
    pytester.makepyfile(PROGRESS_TEST)
    result = pytester.runpytest_subprocess(f"--testbed={lab.testbed}", "-p",
                                           "no:cacheprovider")
    assert result.ret != 0
    result.stderr.fnmatch_lines(["*re_harness_progress_after: expected seconds >= 0, "
                                 "got 'soon'*"])

