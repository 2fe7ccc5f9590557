"""The chassis model after review against the chapter: log details, refusals that change
nothing, split-brain resolution, process names, the transition table."""

from __future__ import annotations

import pytest

from emulator.model.chassis import (
    TRANSITIONS,
    Chassis,
    ChassisParams,
    RedundancySettings,
    Scope,
    SwitchMethod,
)
from emulator.model.clock import VirtualClock
from emulator.model.errors import CommandRefusedError
from emulator.model.routing_engine import REHardware, REState

HW = {s: REHardware("RE-S-1800x4", f"S{s}", "15.1F5.15") for s in (0, 1)}


def make(settings: RedundancySettings | None = None) -> Chassis:
    return Chassis(ChassisParams("r1", HW), VirtualClock(),
                   lambda slot: settings or RedundancySettings())


def texts(ch: Chassis, slot: int) -> list[str]:
    return [line.text for line in ch.res[slot].log.lines()]


def snapshot(ch: Chassis) -> tuple[object, ...]:
    return (tuple((s, r.state) for s, r in ch.res.items()),
            tuple(tuple(r.log.lines()) for r in ch.res.values()), ch.clock.pending())


def test_initial_election_is_logged_at_boot_time_not_at_construction() -> None:
    ch = make()
    for slot in (0, 1):
        assert all(line.at < ch.clock.now() - 86400 for line in ch.res[slot].log.lines())


def test_giveup_retries_keep_the_command_reason_code() -> None:
    ch = make()
    ch.sever_link()
    ch.switchover(0, SwitchMethod.RELEASE)
    ch.clock.advance(30)
    reasons = {t.rsplit(" ", 1)[1] for t in texts(ch, 0) if t.startswith("Currentstate: giveup")}
    assert reasons == {"1"}  # chapter sample: reason_code: 1 from E_CMD_R to E_MAXTRY


@pytest.mark.parametrize("fault", ["halt", "crash", "pull_twice", "insert_present"])
def test_faults_on_an_re_in_the_wrong_state_are_refused_unchanged(fault: str) -> None:
    ch = make()
    ch.halt(1)
    if fault == "pull_twice":
        ch.pull(1)
    before = snapshot(ch)
    with pytest.raises(CommandRefusedError):
        {"halt": lambda: ch.halt(1, Scope.LOCAL), "crash": lambda: ch.crash(1),
         "pull_twice": lambda: ch.pull(1), "insert_present": lambda: ch.insert(0)}[fault]()
    assert snapshot(ch) == before


def test_split_brain_keeps_the_latest_master() -> None:
    on = RedundancySettings(failover_on_loss_of_keepalives=True, keepalive_time=10)
    ch = make(on)
    ch.sever_link()
    ch.clock.advance(10)
    assert ch.master_since[1] > ch.master_since[0]
    ch.restore_link()
    assert ch.res[1].state is REState.MASTER and ch.res[0].state is REState.BACKUP
    assert "event = E_NAK_Y, state = master, param = 0x0" in texts(ch, 0)


def test_keepalive_failover_goes_through_claim() -> None:
    on = RedundancySettings(failover_on_loss_of_keepalives=True, keepalive_time=2)
    ch = make(on)
    ch.sever_link()
    ch.clock.advance(2)
    log = texts(ch, 1)
    assert log.index("event = E_NO_IPC, state = backup, param = 0x0") < log.index(
        "new state = claim") < log.index("new state = master")
    assert ch.res[1].state is REState.MASTER


def test_process_failover_accepts_daemon_or_configuration_name() -> None:
    ch = make(RedundancySettings(process_failover=frozenset({"routing"})))
    assert ch.kill_process(0, "rpd") is True
    assert ch.res[1].state is REState.MASTER


def test_transition_table_has_no_way_out_of_absent_but_booting() -> None:
    assert {nxt for cur, nxt in TRANSITIONS if cur is REState.ABSENT} == {REState.BOOTING}
    assert (REState.HALTED, REState.HALTED) not in TRANSITIONS


def test_graceful_switchover_fails_over_after_2_seconds_of_keepalive_loss() -> None:
    ch = make(RedundancySettings(graceful_switchover=True))
    ch.sever_link()
    ch.clock.advance(1)
    assert ch.res[1].state is REState.BACKUP
    ch.clock.advance(1)
    assert ch.res[1].state is REState.MASTER


def test_hold_down_counts_from_the_last_re_boot() -> None:
    ch = make()
    ch.reboot(1)
    ch.clock.advance(ch.params.boot_time + 1)
    assert ch.hold_down_remaining() == 240
    ch.clock.advance(240)
    assert ch.hold_down_remaining() == 0
