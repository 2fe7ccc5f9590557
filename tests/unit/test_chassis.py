"""The mastership state machine of the chassis model, driven directly on virtual time."""

from __future__ import annotations

import pytest

from emulator.model.chassis import (
    HOLD_DOWN,
    Chassis,
    ChassisParams,
    RedundancySettings,
    Scope,
    SwitchMethod,
)
from emulator.model.clock import VirtualClock
from emulator.model.errors import CommandRefusedError, NotReadyError, UnreachableError
from emulator.model.routing_engine import REHardware, REState, Role

HW = {0: REHardware("RE-S-1800x4", "S0", "15.1F5.15"), 1: REHardware("RE-S-1800x4", "S1",
                                                                       "15.1F5.15")}


def make(settings: dict[int, RedundancySettings] | None = None, order: tuple[int, ...] = (0, 1),
         single: bool = False) -> Chassis:
    per_slot = settings or {}
    hw = {0: HW[0]} if single else HW
    return Chassis(ChassisParams("r1", hw, boot_order=order), VirtualClock(),
                   lambda slot: per_slot.get(slot, RedundancySettings()))


def events(ch: Chassis, slot: int) -> list[str]:
    return [line.text.split(",")[0].removeprefix("event = ")
            for line in ch.res[slot].log.lines() if line.text.startswith("event = ")]


def states(ch: Chassis) -> dict[int, str]:
    return {s: r.state.value for s, r in ch.res.items()}


def test_default_roles_re0_master_re1_backup() -> None:
    ch = make()
    assert states(ch) == {0: "master", 1: "backup"}
    assert events(ch, 0)[0] == "E_CFG_M"
    assert events(ch, 1)[0] == "E_CFG_B"


def test_switch_from_master_logs_giveup_exchange_on_both_res() -> None:
    ch = make()
    out = ch.switchover(0, SwitchMethod.SWITCH)
    assert out.completed and not out.local_became_master
    assert states(ch) == {0: "backup", 1: "master"}
    assert events(ch, 0)[-4:] == ["E_CMD_S", "E_ACK_G", "E_REQ_Y", "E_ORE_M"]
    assert events(ch, 1)[-3:] == ["E_REQ_G", "E_ACK_Y", "E_ORE_B"]
    texts = [line.text for line in ch.res[0].log.lines()]
    assert "new state = giveup" in texts and texts[-1] != "new state = master"


def test_acquire_from_backup_logs_claim_exchange() -> None:
    ch = make()
    out = ch.switchover(1, SwitchMethod.ACQUIRE)
    assert out.local_became_master
    assert states(ch) == {0: "backup", 1: "master"}
    assert events(ch, 1)[-4:] == ["E_CMD_A", "E_ACK_C", "E_ACK_Y", "E_ORE_B"]
    assert "E_REQ_C" in events(ch, 0)


def test_release_only_on_master_and_acquire_only_on_backup() -> None:
    ch = make()
    before = [len(r.log.lines()) for r in ch.res.values()]
    with pytest.raises(CommandRefusedError):
        ch.switchover(1, SwitchMethod.RELEASE)
    with pytest.raises(CommandRefusedError):
        ch.switchover(0, SwitchMethod.ACQUIRE)
    assert states(ch) == {0: "master", 1: "backup"}
    assert [len(r.log.lines()) for r in ch.res.values()] == before


def test_hold_down_refuses_then_honours() -> None:
    ch = make()
    ch.switchover(0, SwitchMethod.SWITCH)
    ch.clock.advance(19)
    with pytest.raises(NotReadyError, match=r"try after 221 secs\."):
        ch.switchover(1, SwitchMethod.SWITCH)
    ch.clock.advance(HOLD_DOWN - 19)
    ch.switchover(1, SwitchMethod.SWITCH)
    assert states(ch) == {0: "master", 1: "backup"}


def test_pfe_reinitialised_only_without_gres() -> None:
    ch = make()
    ch.switchover(0, SwitchMethod.SWITCH)
    assert ch.pfe_resets == 1
    assert not any(online for _, online, _ in ch.fpc_states())
    ch.clock.advance(60)
    assert all(online for _, online, _ in ch.fpc_states())
    gres = RedundancySettings(graceful_switchover=True)
    ch2 = make({0: gres, 1: gres})
    ch2.switchover(0, SwitchMethod.SWITCH)
    assert ch2.pfe_resets == 0


def test_uptime_of_new_master_not_reset() -> None:
    ch = make()
    start = ch.res[1].start_time
    ch.switchover(1, SwitchMethod.ACQUIRE)
    assert ch.res[1].start_time == start


def test_release_with_unreachable_backup_tells_the_chapter_story() -> None:
    ch = make()
    ch.sever_link()
    ch.clock.advance(60)
    out = ch.switchover(0, SwitchMethod.RELEASE)
    assert not out.completed and ch.res[0].state is REState.GIVEUP
    ch.clock.advance(30)
    assert ch.res[0].state is REState.MASTER
    evs = events(ch, 0)
    start = evs.index("E_CMD_R")
    assert evs[start:] == ["E_CMD_R"] + ["E_TMOUT"] * 7 + ["E_MAXTRY"]
    texts = [line.text for line in ch.res[0].log.lines()]
    assert 'send "you are the master" request' in texts
    assert "failed to receive keepalives from other RE for the last 60 sec" in texts
    # E_MAXTRY at +19 s (chapter sample: 21:50:34 -> 21:50:53), back to master; then the
    # keepalive-loss lines of +20 s (80 s since the cut) follow.
    released = ch.clock.now() - 30
    tail = [(line.at - released, line.text) for line in ch.res[0].log.lines()
            if line.at >= released + 19]
    assert [text for _, text in tail] == [
        "event = E_MAXTRY, state = giveup, param = 0x0",
        "Currentstate: giveup NextState:master reason_code: 1",
        "timestamp: Mon Jan 12 21:51:19 2026",
        "new state = master",
        "failed to receive keepalives from other RE for the last 80 sec",
        # The sample's pattern: the send failure 5 s later, written twice (errno/total cycle).
        "failed to send RE info/keepalive: errno=22, total=6 in the last 20 sec",
        "failed to send RE info/keepalive: errno=22, total=6 in the last 20 sec",
    ]
    assert [at for at, _ in tail] == [19, 19, 19, 19, 20, 25, 25]


def test_no_failover_on_keepalive_loss_by_default() -> None:
    ch = make()
    ch.sever_link()
    ch.clock.advance(3600)
    assert states(ch) == {0: "master", 1: "backup"}


def test_keepalive_failover_after_keepalive_time_and_kept_on_return() -> None:
    on = RedundancySettings(failover_on_loss_of_keepalives=True, keepalive_time=300)
    ch = make({0: on, 1: on})
    ch.sever_link()
    ch.clock.advance(299)
    assert ch.res[1].state is REState.BACKUP
    loss = [line.text for line in ch.res[1].log.lines() if "failed to receive" in line.text]
    assert len(loss) == 14  # one per 20 s: 20, 40, ... 280
    ch.clock.advance(1)
    assert ch.res[1].state is REState.MASTER
    ch.restore_link()
    assert states(ch) == {0: "backup", 1: "master"}
    assert "E_NAK_Y" in events(ch, 0)


def test_both_master_configured_first_up_wins_other_refused() -> None:
    both = RedundancySettings(roles={0: Role.MASTER, 1: Role.MASTER})
    ch = make({0: both, 1: both}, order=(1, 0))
    assert states(ch) == {0: "backup", 1: "master"}
    assert "E_NAK_C" in events(ch, 0)
    assert "E_REQ_C" in events(ch, 1)


def test_both_backup_configured_no_master_until_keepalive_failover() -> None:
    both = RedundancySettings(roles={0: Role.BACKUP, 1: Role.BACKUP},
                              failover_on_loss_of_keepalives=True, keepalive_time=10)
    ch = make({0: both, 1: both})
    assert states(ch) == {0: "backup", 1: "backup"}
    ch.sever_link()
    ch.clock.advance(10)
    assert REState.MASTER in {r.state for r in ch.res.values()}


def test_disabled_re_refuses_switch() -> None:
    cfg = RedundancySettings(roles={0: Role.MASTER, 1: Role.DISABLED})
    ch = make({0: cfg, 1: cfg})
    assert states(ch) == {0: "master", 1: "disabled"}
    assert "E_ORE_D" in events(ch, 0)
    with pytest.raises(CommandRefusedError, match="disabled"):
        ch.switchover(1, SwitchMethod.SWITCH)
    assert states(ch) == {0: "master", 1: "disabled"}


def test_halt_local_only_and_power_on() -> None:
    ch = make()
    assert ch.halt(1) == [1]
    assert states(ch) == {0: "master", 1: "halted"}
    assert "E_NO_IPC" in events(ch, 0)
    with pytest.raises(UnreachableError):
        ch.halt(0, Scope.OTHER)
    powered_on = ch.clock.now()
    ch.power_on(1)
    ch.clock.advance(ch.params.boot_time + 5)
    assert states(ch) == {0: "master", 1: "backup"}
    # re1 is up boot_time + its slot number after the power-on; its uptime counts from then.
    assert ch.res[1].start_time == powered_on + ch.params.boot_time + 1
    assert ch.uptime(1) == 4.0


def test_halt_both() -> None:
    ch = make()
    assert sorted(ch.halt(0, Scope.BOTH)) == [0, 1]
    assert states(ch) == {0: "halted", 1: "halted"}


def test_reboot_gives_new_start_time_and_reason() -> None:
    ch = make()
    old = ch.res[1].start_time
    ch.reboot(1)
    assert ch.res[1].state is REState.BOOTING
    ch.clock.advance(ch.params.boot_time + 2)
    assert ch.res[1].state is REState.BACKUP
    assert ch.res[1].start_time > old
    assert ch.res[1].last_reboot_reason == "Router rebooted after a normal shutdown."


def test_pulled_master_backup_takes_over_with_e_no_ore() -> None:
    ch = make()
    ch.pull(0)
    assert states(ch) == {0: "absent", 1: "master"}
    assert "E_NO_ORE" in events(ch, 1)


def test_crashed_master_fails_over_and_returns_as_backup() -> None:
    ch = make()
    ch.crash(0)
    assert ch.res[1].state is REState.MASTER
    assert "E_NO_IPC" in events(ch, 1)
    ch.clock.advance(ch.params.boot_time + 1)
    assert states(ch) == {0: "backup", 1: "master"}
    assert ch.res[0].last_reboot_reason == "0x2:watchdog"


def test_critical_process_failover_only_when_configured() -> None:
    ch = make()
    assert ch.kill_process(0, "rpd") is False
    assert states(ch) == {0: "master", 1: "backup"}
    cfg = RedundancySettings(process_failover=frozenset({"rpd"}))
    ch2 = make({0: cfg, 1: cfg})
    assert ch2.kill_process(0, "rpd") is True
    assert states(ch2) == {0: "backup", 1: "master"}


def test_single_re_platform_refuses_redundancy_commands() -> None:
    ch = make(single=True)
    with pytest.raises(CommandRefusedError, match="not supported"):
        ch.switchover(0, SwitchMethod.SWITCH)
