"""Readiness gates against the emulator: each gate passes on a healthy router and fails, with
a detail that says why, when its condition is broken (version / model mismatch from the
testbed's ``emulator:`` section, hold-down, unsynchronised configuration, GRES)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.pool import RouterPool
from harness.readiness import Gate, NotReadyError, check_readiness, require_ready
from harness.router import DualRERouter
from re_contract.testbed import default_testbed_path, load_testbed


def _mismatched(tmp_path: Path, old: str, new: str) -> Iterator[DualRERouter]:
    text = default_testbed_path().read_text()
    assert old in text
    path = tmp_path / "mismatch.yaml"
    path.write_text(text.replace(old, new))
    p = RouterPool(load_testbed(path))
    try:
        yield p.get("r1")
    finally:
        p.close()


def test_healthy_router_is_ready(dut: DualRERouter) -> None:
    report = require_ready(dut)
    assert report.passed and [r.gate for r in report.results] == list(Gate)
    assert "re0 15.1F5.15, re1 15.1F5.15" in report.result(Gate.SAME_VERSION).detail
    assert "not configured" in report.result(Gate.GRACEFUL_SWITCHOVER).detail


def test_version_mismatch_is_visible(tmp_path: Path) -> None:
    for dut in _mismatched(tmp_path, "versions: {re0: 15.1F5.15, re1: 15.1F5.15}",
                           "versions: {re0: 15.1F5.15, re1: 14.2R3.8}"):
        report = check_readiness(dut, [Gate.SAME_VERSION, Gate.SAME_MODEL])
        version = report.result(Gate.SAME_VERSION)
        assert not version.passed
        assert dict(version.values) == {"re0": "15.1F5.15", "re1": "14.2R3.8"}
        assert report.result(Gate.SAME_MODEL).passed


def test_model_mismatch_is_visible(tmp_path: Path) -> None:
    for dut in _mismatched(tmp_path, "re_models: {re0: RE-S-1800x4, re1: RE-S-1800x4}",
                           "re_models: {re0: RE-S-1800x4, re1: RE-S-2000}"):
        model = check_readiness(dut, [Gate.SAME_MODEL]).result(Gate.SAME_MODEL)
        assert not model.passed and "re1 RE-S-2000" in model.detail


def test_hold_down_after_a_switchover(dut: DualRERouter) -> None:
    dut.switchover("switch")
    with pytest.raises(NotReadyError, match="240 s hold-down") as info:
        require_ready(dut)
    assert [r.gate for r in info.value.report.failures] == [Gate.HOLD_DOWN]
    dut.clock.sleep(240, "hold-down")
    assert check_readiness(dut, [Gate.HOLD_DOWN]).passed


def test_unsynchronised_commit_fails_the_config_gate(dut: DualRERouter) -> None:
    dut.load_config("re0", "set system host-name only-on-re0")
    dut.commit("re0")
    gate = check_readiness(dut, [Gate.CONFIG_SYNCED]).result(Gate.CONFIG_SYNCED)
    assert not gate.passed and "only-on-re0" in gate.detail
    dut.commit("re0", synchronize=True)
    assert check_readiness(dut, [Gate.CONFIG_SYNCED]).passed


def test_group_differences_do_not_count_as_unsynchronised(dut: DualRERouter) -> None:
    dut.load_config("re0", "set groups re0 system host-name r1-re0\n"
                           "set groups re1 system host-name r1-re1\n"
                           "set apply-groups [ re0 re1 ]")
    dut.commit("re0", synchronize=True)
    assert check_readiness(dut, [Gate.CONFIG_SYNCED]).passed


def test_gres_state_on_the_backup(dut: DualRERouter) -> None:
    gate = check_readiness(dut, [Gate.GRACEFUL_SWITCHOVER], require_gres=True).failures
    assert [g.gate for g in gate] == [Gate.GRACEFUL_SWITCHOVER]
    dut.load_config("re0", "set chassis redundancy graceful-switchover")
    dut.commit("re0", synchronize=True)
    dut.clock.sleep(240, "GRES replication")
    result = check_readiness(dut, [Gate.GRACEFUL_SWITCHOVER], require_gres=True)
    assert result.passed, result.explain()
    assert result.result(Gate.GRACEFUL_SWITCHOVER).detail.startswith("on, Ready")


def test_missing_backup_fails_both_present(dut: DualRERouter) -> None:
    dut.halt("re1")
    report = check_readiness(dut, [Gate.BOTH_PRESENT, Gate.SAME_VERSION])
    assert not report.result(Gate.BOTH_PRESENT).passed
    assert "re1 not answering" in report.result(Gate.BOTH_PRESENT).detail
    assert not report.passed and "NOT ready" in report.explain()
