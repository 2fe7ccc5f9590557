"""DualRERouter against the in-process emulator over loopback: sessions that survive
mastership changes, HA operations with post-conditions, configuration helpers, faults."""

from __future__ import annotations

import pytest

from harness.errors import (
    ConfigError,
    FaultUnavailableError,
    SwitchoverFailedError,
    SwitchoverRefusedError,
)
from harness.junos import NOT_MASTER_TEXT, reply_text
from harness.mastership import EventCode
from harness.pool import RouterPool
from harness.router import DualRERouter, OperationResult, ShutdownResult, SwitchoverResult


# ------------------------------------------------------------------------------- sessions
def test_dropped_session_is_reopened_with_a_new_session_id(dut: DualRERouter) -> None:
    dut.status(via="re0")
    first = dut.session("re0").session_id
    dut.faults.drop_sessions("re0")
    assert [r.name for r in dut.status(via="re0")] == ["re0", "re1"]
    assert dut.session("re0").session_id != first


def test_sessions_survive_reset_router(dut: DualRERouter) -> None:
    dut.status(via="re1")
    dut.control("reset-router")  # sessions die under the harness, as on a real reload
    assert dut.find_master() == "re0"


def test_master_target_follows_the_mastership(dut: DualRERouter) -> None:
    inventory = dut.rpc("master", "<get-chassis-inventory/>")
    assert NOT_MASTER_TEXT not in reply_text(inventory)
    dut.switchover("switch")
    dut.faults.drop_sessions("re1")
    again = dut.rpc("master", "<get-chassis-inventory/>")
    assert NOT_MASTER_TEXT not in reply_text(again)
    assert dut.find_master() == "re1"


# ---------------------------------------------------------------------------- switchovers
@pytest.mark.parametrize("method", ["switch", "acquire", "release"])
def test_switchover_waits_for_the_end_state(dut: DualRERouter, method: str) -> None:
    seen: list[OperationResult] = []
    dut.listeners.append(seen.append)
    result = dut.switchover(method)
    assert isinstance(result, SwitchoverResult)
    assert (result.method, result.master_before, result.master_after) == (method, "re0", "re1")
    assert result.duration >= 0 and result.wall_duration > 0
    assert dut.master == "re1" and dut.backup == "re0"
    assert seen == [result]


def test_switch_within_hold_down_is_refused_with_the_seconds_left(
        dut: DualRERouter) -> None:
    dut.switchover("switch", until="master")
    with pytest.raises(SwitchoverRefusedError) as info:
        dut.switchover("switch")
    assert info.value.retry_after == 240
    dut.wait_ready_for_switch()
    assert dut.switchover("switch").master_after == "re0"


def test_release_with_unreachable_backup_fails_after_e_maxtry(dut: DualRERouter) -> None:
    dut.faults.sever_link()
    try:
        with pytest.raises(SwitchoverFailedError, match="E_MAXTRY") as info:
            dut.switchover("release", timeout=120)
        assert (info.value.method, info.value.target) == ("release", "re1")
        assert dut.master == "re0"
        assert dut.mastership_log("re0").events(EventCode.E_MAXTRY)
    finally:
        dut.faults.restore_link()


# ------------------------------------------------------------------ halt, reboot, power-on
def test_halt_backup_then_power_on(dut: DualRERouter) -> None:
    halted = dut.halt("re1")
    assert isinstance(halted, ShutdownResult)
    assert (halted.master_before, halted.master_after) == ("re0", "re0")
    assert not dut.answers("re1")
    powered = dut.power_on("re1")
    assert powered.duration >= 180  # the testbed's boot_time, on the virtual clock
    assert dut.answers("re1") and dut.backup == "re1"


def test_halt_master_hands_over(dut: DualRERouter) -> None:
    result = dut.halt("re0")
    assert result.master_before == "re0"
    dut.wait_for_master("re1", 60)  # re1 resolves mastership after re0 went down


def test_reboot_with_reply_cut_short_counts_once_back(dut: DualRERouter) -> None:
    assert dut.answers("re1")  # the session the reboot is sent on is open already
    dut.faults.truncate_next_reply("re1")
    result = dut.reboot("re1")
    assert result.reply_cut_short
    assert result.duration >= 180
    assert result.master_after == "re0" and dut.backup == "re1"


def test_disruptive_operations_need_the_testbed_to_allow_them(pool: RouterPool) -> None:
    from dataclasses import replace

    from harness.errors import DisruptiveNotAllowedError

    base = pool.get("r1")
    locked = DualRERouter(replace(base.spec, allow_disruptive=False))
    with pytest.raises(DisruptiveNotAllowedError, match="allow_disruptive: true"):
        locked.switchover("switch")
    with pytest.raises(DisruptiveNotAllowedError):
        locked.halt("re1")


# ---------------------------------------------------------------------------- configuration
def test_commit_synchronize_reports_each_re_step(dut: DualRERouter) -> None:
    assert dut.load_config("re0", "set system host-name sync-me") == ()
    report = dut.commit("re0", synchronize=True, comment="harness test")
    assert report.checked_on == ("re0", "re1")
    assert report.committed_on == ("re1", "re0")
    assert report.warnings == ()
    for name in ("re0", "re1"):
        assert "host-name sync-me;" in dut.committed_config(name)


def test_commit_synchronize_with_other_re_halted_warns(dut: DualRERouter) -> None:
    dut.halt("re1")
    dut.load_config("re0", "set system host-name alone")
    report = dut.commit("re0", synchronize=True)
    assert report.committed_on == ("re0",)
    assert report.warnings, report


def test_commit_check_commits_nothing(dut: DualRERouter) -> None:
    dut.load_config("re0", "set system host-name checked")
    report = dut.commit("re0", check=True)
    assert report.check_only and report.committed_on == ()
    assert "checked" not in dut.committed_config("re0")


def test_rollback_restores_the_previous_commit(dut: DualRERouter) -> None:
    before = dut.committed_config("re0")
    dut.load_config("re0", "system { host-name curly; }", format="text")
    dut.commit("re0")
    assert "curly" in dut.committed_config("re0")
    dut.rollback("re0", 1)
    dut.commit("re0")
    assert dut.committed_config("re0") == before


def test_inherit_applies_the_re_group(dut: DualRERouter) -> None:
    dut.load_config("re0", "set groups re0 system domain-name re0.example.net\n"
                           "set apply-groups re0")
    dut.commit("re0", synchronize=True)
    assert "re0.example.net" in dut.committed_config("re0", inherit=True)
    assert "re0.example.net" not in dut.committed_config("re1", inherit=True)


def test_bad_config_raises_config_error(dut: DualRERouter) -> None:
    with pytest.raises(ConfigError):
        dut.load_config("re0", "system { host-name", format="text")
    with pytest.raises(ConfigError):
        dut.rollback("re0", 49)
    with pytest.raises(ValueError, match="format"):
        dut.load_config("re0", "x", format="json")


# ---------------------------------------------------------------------------- faults, time
def test_emulator_faults_are_control_rpcs(dut: DualRERouter) -> None:
    assert dut.faults.available("sever_link")
    with pytest.raises(FaultUnavailableError):
        dut.faults.make("set_on_fire")
    dut.faults.crash_re("re0")  # the master crashes: the backup takes over
    dut.wait_for_master("re1", 60)
    assert dut.find_master() == "re1"


def test_clock_sleep_advances_virtual_time(dut: DualRERouter) -> None:
    start = dut.clock.now()
    dut.clock.sleep(3600, "an hour")
    assert dut.clock.now() - start == pytest.approx(3600, abs=1)
    seen = dut.clock.wait_until(lambda: dut.clock.now() - start >= 3700, 200,
                                   "virtual time", poll=50)
    assert seen is True
