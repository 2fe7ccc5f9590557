"""No disruption of a lab router without consent, marked ``disruptive`` or not: the run's
``--allow-disruptive`` AND the router's ``allow_disruptive``.  The lab router is the emulator
posing as one (``lab_router`` in conftest); the outer test checks it over the emulator's
control endpoint, which the inner runs do not know."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import replace

import pytest

from harness.mastership import EventCode
from harness.report import EntryKind, load_json
from harness.router import DualRERouter
from re_contract.testbed import default_testbed_path, load_testbed
from tests.plugin.conftest import LabRouter

UNMARKED = """
import os

import pytest

from harness.errors import DisruptiveNotAllowedError
from re_contract.testbed import Endpoint, default_testbed_path, load_testbed
from harness.router import DualRERouter


def test_switch_unmarked(router) -> None:
    router.switchover("switch", until="master")


def test_load_config_unmarked(router) -> None:
    router.load_config("re0", "set system host-name changed")


def test_fault_unmarked(router) -> None:
    router.faults.make("sever_link")


def test_raw_reboot_unmarked(router) -> None:
    router.rpc("re1", "<request-reboot/>")


def test_commit_check_and_switch_check_need_no_consent(router) -> None:
    router.commit("re0", check=True)
    assert router.hold_down_remaining() == 0
"""


@pytest.fixture
def outside(lab_router: LabRouter) -> Iterator[DualRERouter]:
    """The lab router as the outer test sees it: with its emulator's control endpoint."""
    spec = replace(load_testbed(default_testbed_path()).router("r1"),
                   endpoints=lab_router.endpoints, master_only=None)
    dut = DualRERouter(spec, control=lab_router.control)
    yield dut
    dut.close()


def test_unmarked_disruption_of_a_lab_router_needs_allow_disruptive(
        pytester: pytest.Pytester, lab_router: LabRouter, outside: DualRERouter) -> None:
    testbed = lab_router.write(pytester, allow=True)
    pytester.makepyfile(UNMARKED)
    result = pytester.runpytest("--testbed", str(testbed), "--lock-dir",
                                str(pytester.path / "locks"), "-p", "no:randomly")

    result.assert_outcomes(failed=4, passed=1)
    refused = [line for line in result.stdout.lines if line.startswith("E ")
               and "DisruptiveNotAllowedError: lab1: " in line
               and "is a lab router: the run must be started with --allow-disruptive" in line]
    assert [line.split("lab1: ")[1].split(" is disruptive")[0] for line in refused] == [
        "switchover (switch)", "load (set) on re0", "fault sever_link", "<request-reboot>"]
    # The router is untouched: same master, nothing in either log, same configuration.
    assert outside.master == "re0"
    for re_name in outside.re_names:
        log = outside.mastership_log(re_name)
        assert not log.events(EventCode.E_CMD_S), f"{re_name} logged a switch"
        assert "changed" not in outside.committed_config(re_name)
    assert outside.answers("re1")


def test_the_testbed_entry_must_allow_it_too(pytester: pytest.Pytester, lab_router: LabRouter,
                                             outside: DualRERouter) -> None:
    testbed = lab_router.write(pytester, allow=False)
    pytester.makepyfile(UNMARKED)
    result = pytester.runpytest("--testbed", str(testbed), "--allow-disruptive",
                                "--lock-dir", str(pytester.path / "locks"), "-p", "no:randomly")

    result.assert_outcomes(failed=4, passed=1)
    result.stdout.fnmatch_lines(["E *DisruptiveNotAllowedError: lab1: switchover (switch) is "
                                 "disruptive and the router's testbed entry does not allow it*"])
    assert outside.master == "re0"


RESTORED = """
import os

from re_contract.testbed import Endpoint, default_testbed_path, load_testbed
from harness.router import DualRERouter


def advance_emulator_clock(seconds: int) -> None:
    spec = load_testbed(default_testbed_path()).router("r1")
    control = DualRERouter(spec, control=Endpoint("127.0.0.1", int(os.environ["CONTROL_PORT"])))
    try:
        control.control("advance-clock", seconds=seconds)
    finally:
        control.close()


def test_1_unmarked_switch(router, restore_mastership) -> None:
    assert restore_mastership is None  # not marked: nothing taken before the test
    assert router.switchover("switch", until="master").master_after == "re1"
    advance_emulator_clock(241)  # the hold-down passes before the restore switches back


def test_2_restored(router) -> None:
    assert router.master == "re0"
"""


def test_an_unmarked_test_that_disrupted_is_restored_and_listed(
        pytester: pytest.Pytester, lab_router: LabRouter, monkeypatch: pytest.MonkeyPatch
        ) -> None:
    testbed = lab_router.write(pytester, allow=True)
    monkeypatch.setenv("CONTROL_PORT", str(lab_router.control.port))
    pytester.makepyfile(RESTORED)
    out = pytester.path / "out"
    result = pytester.runpytest("--testbed", str(testbed), "--allow-disruptive",
                                "--lock-dir", str(pytester.path / "locks"),
                                "--report-dir", str(out), "--junitxml", "junit.xml",
                                "-p", "no:randomly")

    result.assert_outcomes(passed=2)
    actions = [(e.nodeid.split("::")[-1], e.detail.what)  # type: ignore[union-attr]
               for e in load_json(out / "report.json").entries("lab1")
               if e.kind is EntryKind.DISRUPTION]
    # The test's switch, then the restore's switch back (in the same test's teardown).
    assert actions == [("test_1_unmarked_switch[lab1]", "switchover (switch)"),
                       ("test_1_unmarked_switch[lab1]", "switchover (switch)")]
    html = (out / "report.html").read_text()
    assert "Disruptive actions on this lab router" in html
    cases = {c.get("name"): [(p.get("name"), p.get("value")) for p in c.iter("property")]
             for c in ET.parse(pytester.path / "junit.xml").getroot().iter("testcase")}
    assert ("disruptive_action", "switchover (switch)") in cases["test_1_unmarked_switch[lab1]"]
    assert not any(n == "disruptive_action" for n, _ in cases["test_2_restored[lab1]"])
