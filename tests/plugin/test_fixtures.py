"""Fixtures: ``router`` reset per test on the emulator, mastership restored after a disruptive
test on a lab router, JUnit properties per test."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from tests.plugin.conftest import LabRouter


def test_emulated_router_is_reset_before_each_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        import pytest

        @pytest.mark.disruptive
        def test_1_switch(router) -> None:
            assert router.switchover("switch", until="master").master_after == "re1"

        def test_2_fresh(router) -> None:
            assert router.master == "re0"
            assert router.hold_down_remaining() == 0
    """)
    result = pytester.runpytest()
    result.assert_outcomes(passed=2)


def test_router_pool_is_one_per_session(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        seen = []

        def test_1(router, router_pool) -> None:
            seen.append((router, router_pool))

        def test_2(router, router_pool) -> None:
            assert seen == [(router, router_pool)]
    """)
    pytester.runpytest().assert_outcomes(passed=2)


LAB_RESTORE = """
import os

import pytest

from re_contract.testbed import Endpoint, default_testbed_path, load_testbed
from harness.router import DualRERouter


def advance_emulator_clock(seconds: int) -> None:
    # The outer test's emulator poses as a lab router; only this helper reaches its control
    # port, to let the 240 s switchover hold-down pass without waiting for it.
    spec = load_testbed(default_testbed_path()).router("r1")
    control = DualRERouter(spec, control=Endpoint("127.0.0.1", int(os.environ["CONTROL_PORT"])))
    try:
        control.control("advance-clock", seconds=seconds)
    finally:
        control.close()


@pytest.mark.disruptive
def test_1_switch(router, restore_mastership) -> None:
    assert restore_mastership == "re0"
    assert router.switchover("switch", until="master").master_after == "re1"
    advance_emulator_clock(241)


def test_2_restored(router, restore_mastership) -> None:
    assert restore_mastership is None
    assert router.master == "re0"
"""


def test_mastership_is_restored_after_a_disruptive_test_on_a_lab_router(
        pytester: pytest.Pytester, lab_router: LabRouter, monkeypatch: pytest.MonkeyPatch
        ) -> None:
    testbed = lab_router.write(pytester, allow=True)
    monkeypatch.setenv("CONTROL_PORT", str(lab_router.control.port))
    pytester.makepyfile(LAB_RESTORE)
    result = pytester.runpytest("--testbed", str(testbed), "--allow-disruptive",
                                "--lock-dir", str(pytester.path / "locks"))
    result.assert_outcomes(passed=2)


def test_junit_properties_per_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        import pytest

        @pytest.mark.disruptive
        def test_switch(router) -> None:
            router.switchover("switch")

        def test_look(router) -> None:
            assert router.master == "re0"
    """)
    result = pytester.runpytest("--junitxml", "junit.xml")
    result.assert_outcomes(passed=2)
    root = ET.parse(pytester.path / "junit.xml").getroot()
    props = {case.get("name"): [(p.get("name", ""), p.get("value", ""))
                                for p in case.iter("property")]
             for case in root.iter("testcase")}
    switch = dict(props["test_switch[r1]"])
    assert switch["router"] == "r1"
    assert (switch["operation"], switch["method"]) == ("switchover", "switch")
    assert (switch["master_before"], switch["master_after"]) == ("re0", "re1")
    assert float(switch["duration_router_s"]) >= 0
    assert props["test_look[r1]"] == [("router", "r1")]


def test_a_test_parametrizing_its_own_router_argument_is_left_alone(
        pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        import pytest

        @pytest.mark.parametrize("router", ["mine"])
        def test_own(router) -> None:
            assert router == "mine"
    """)
    pytester.runpytest().assert_outcomes(passed=1)
