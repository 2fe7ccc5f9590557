"""The chassis state machine under a platform's timing profile (docs/emulator-model.md, section
10), told through its public behaviour as the virtual clock advances: the roles during and after
the mastership resolution, the outcome of a switch request, the FPCs going offline and coming
back one after another, the backup's kernel database synchronising, and each RE's mastership log
with its time.  The profile is the M10i's figures; ``test_chassis_machine.py`` drives the same
machine with a bare chassis, where mastership moves at once."""

from __future__ import annotations

import pytest

from emulator.model.chassis import Chassis, RedundancySettings, Scope, SwitchOutcome
from emulator.model.errors import CommandRefusedError
from emulator.model.routing_engine import Role
from emulator.model.timing import TimingProfile
from tests.unit.test_chassis_machine import (
    ACQUIRE,
    BOTH_BACKUP,
    CONFIRM_NEW,
    CONFIRM_OLD,
    FAILED,
    RELEASE,
    SEND,
    SWITCH,
    Story,
    ev,
    make,
    states,
    timers,
    to,
)

#: The M10i row of docs/emulator-model.md: resolution 5 s (2 s with GRES), new master ready
#: after 25 s (4 s), FPCs 60 s after that and 8 s apart, backup synchronised 90 s after a
#: switchover and 240 s after it boots.
M10I = TimingProfile(resolution=5, resolution_gres=2, master_ready=25, master_ready_gres=4,
                     fpc_boot=60, fpc_stagger=8, backup_sync_switchover=90,
                     backup_sync_boot=240)
GRES = RedundancySettings(graceful_switchover=True)


def timed(settings: RedundancySettings | dict[int, RedundancySettings] | None = None,
          profile: TimingProfile = M10I, **params: object) -> Chassis:
    """A chassis booted long ago, with ``profile`` for its timing."""
    return make(settings, timing=profile, **params)


def fpcs(ch: Chassis) -> dict[int, bool]:
    """Return FPC slot -> online."""
    return {slot: online for slot, online, _ in ch.fpc_states()}


def refusal(ch: Chassis, slot: int, method: object) -> str:
    with pytest.raises(CommandRefusedError) as caught:
        ch.switchover(slot, method)  # type: ignore[arg-type]
    return str(caught.value)


IN_PROGRESS = "Mastership resolution already in progress"


# ------------------------------------------------------------------------------- boot
def test_a_chassis_up_for_days_has_its_fpcs_online_and_its_backup_synchronised() -> None:
    ch = timed()
    booted = ch.clock.now() - ch.params.uptime
    assert list(ch.fpc_states()) == [(0, True, booted), (1, True, booted)]
    assert ch.pfe_resets == 0 and ch.backup_synced()


def test_the_election_at_boot_takes_no_resolution_time_and_the_backup_then_synchronises() -> None:
    ch = timed()
    story = Story(ch)
    ch.reboot(0)
    ch.clock.advance(ch.params.boot_time)
    # Chapter: the running state "is determined by mastership election upon system boot": the
    # returning RE0 claims and is refused by the master within its boot, not 5 s later.
    assert states(ch) == {0: "backup", 1: "master"}
    assert story.timed(0)[-6:] == [(180, t) for t in [ev("E_CFG_M", "booting"),
                                                      *to("booting", "claim", 4),
                                                      ev("E_NAK_C", "claim"),
                                                      *to("claim", "backup", 4)]]
    assert not ch.backup_synced()
    ch.clock.advance(239)
    assert not ch.backup_synced()
    ch.clock.advance(1)
    assert ch.backup_synced()


def test_a_backup_back_from_a_reboot_synchronises_for_the_profiles_boot_sync_time() -> None:
    ch = timed()
    ch.reboot(1)
    ch.clock.advance(ch.params.boot_time + 1)
    assert states(ch) == {0: "master", 1: "backup"} and not ch.backup_synced()
    ch.clock.advance(239)
    assert not ch.backup_synced()
    ch.clock.advance(1)
    assert ch.backup_synced()


# ------------------------------------------------------------------------ switchover
def test_a_switch_without_gres_resolves_in_5_seconds_then_resets_the_fpcs_one_by_one() -> None:
    ch = timed()
    story = Story(ch)
    assert ch.switchover(0, SWITCH) == SwitchOutcome(SWITCH, 0, True, False, True, False,
                                                     settles_in=5)
    # During the resolution the old master gives up, still holding the PFE.
    assert states(ch) == {0: "giveup", 1: "backup"} and fpcs(ch) == {0: True, 1: True}
    ch.clock.advance(4)
    assert states(ch) == {0: "giveup", 1: "backup"} and story.timed(1) == []
    ch.clock.advance(1)
    assert states(ch) == {0: "backup", 1: "master"}
    assert story.timed(0) == [(0, ev("E_CMD_S", "master")), (0, SEND),
                              *((0, t) for t in to("master", "giveup", 1)),
                              (5, ev("E_ACK_G", "giveup")),
                              *((5, t) for t in to("giveup", "backup", 2)),
                              *((5, t) for t in CONFIRM_OLD)]
    assert story.timed(1) == [(5, ev("E_REQ_G", "backup")),
                              *((5, t) for t in to("backup", "master", 2)),
                              *((5, t) for t in CONFIRM_NEW)]
    # The FPCs are reset when mastership moves and come back once the new master is ready
    # (25 s), after their boot (60 s), 8 s apart; the backup synchronises for 90 s more.
    assert ch.pfe_resets == 1 and fpcs(ch) == {0: False, 1: False}
    assert not ch.backup_synced()
    ch.clock.advance(5 + 25 + 60 - 1 - 5)
    assert fpcs(ch) == {0: False, 1: False}
    ch.clock.advance(1)
    assert fpcs(ch) == {0: True, 1: False}
    ch.clock.advance(8)
    assert [(slot, online, since - story.t0) for slot, online, since in ch.fpc_states()] \
        == [(0, True, 90), (1, True, 98)]
    ch.clock.advance(5 + 25 + 90 - 1 - 98)
    assert not ch.backup_synced()
    ch.clock.advance(1)
    assert ch.backup_synced()


def test_a_gres_switch_resolves_in_2_seconds_and_keeps_the_fpcs_online() -> None:
    ch = timed(GRES)
    assert ch.switchover(0, SWITCH) == SwitchOutcome(SWITCH, 0, True, False, False, True,
                                                     settles_in=2)
    ch.clock.advance(1)
    assert states(ch) == {0: "giveup", 1: "backup"}
    ch.clock.advance(1)
    assert states(ch) == {0: "backup", 1: "master"}
    assert ch.pfe_resets == 0 and fpcs(ch) == {0: True, 1: True}
    # The new master is ready after 4 s, then the backup synchronises for 90 s.
    ch.clock.advance(4 + 90 - 1)
    assert not ch.backup_synced()
    ch.clock.advance(1)
    assert ch.backup_synced()


def test_an_acquire_claims_for_the_resolution_time_then_takes_mastership() -> None:
    ch = timed()
    story = Story(ch)
    assert ch.switchover(1, ACQUIRE) == SwitchOutcome(ACQUIRE, 1, True, True, True, False,
                                                      settles_in=5)
    assert states(ch) == {0: "master", 1: "claim"}
    ch.clock.advance(4)
    assert states(ch) == {0: "master", 1: "claim"} and story.timed(0) == []
    ch.clock.advance(1)
    assert states(ch) == {0: "backup", 1: "master"}
    assert story.timed(0)[0] == (5, ev("E_REQ_C", "master"))
    assert story.timed(1) == [(0, ev("E_CMD_A", "backup")),
                              *((0, t) for t in to("backup", "claim", 1)),
                              (5, ev("E_ACK_C", "claim")),
                              *((5, t) for t in to("claim", "master", 1)),
                              *((5, t) for t in CONFIRM_NEW)]


def test_with_an_instant_profile_the_backup_is_synchronised_as_soon_as_mastership_moves() -> None:
    ch = make()
    ch.switchover(0, SWITCH)
    assert ch.backup_synced()


@pytest.mark.parametrize(("first", "method", "second", "second_method"), [
    (0, SWITCH, 1, ACQUIRE), (0, RELEASE, 1, SWITCH), (1, ACQUIRE, 0, SWITCH),
    (1, SWITCH, 0, RELEASE),
])
def test_a_switch_while_the_other_res_is_being_resolved_is_refused(
        first: int, method: object, second: int, second_method: object) -> None:
    ch = timed()
    ch.switchover(first, method)  # type: ignore[arg-type]
    story = Story(ch)
    assert refusal(ch, second, second_method) == IN_PROGRESS
    assert story.unchanged()
    ch.clock.advance(5)
    assert states(ch) == {0: "backup", 1: "master"} and timers(ch) == []


def test_a_release_cut_off_settles_nothing_and_retries() -> None:
    ch = timed()
    ch.sever_link()
    outcome = ch.switchover(0, RELEASE)
    assert outcome == SwitchOutcome(RELEASE, 0, False, False, False, False, settles_in=0.0)
    assert states(ch) == {0: "giveup", 1: "backup"}


def test_a_giveup_whose_link_is_lost_during_the_resolution_is_retried_then_abandoned() -> None:
    ch = timed()
    story = Story(ch)
    ch.switchover(0, SWITCH)
    ch.clock.advance(2)
    ch.sever_link()
    ch.clock.advance(3)
    # The request never reached RE1: RE0 says so and retries on the chapter's schedule, each
    # retry with the command's reason code.
    assert states(ch) == {0: "giveup", 1: "backup"}
    assert story.timed(0)[-1] == (5, FAILED)
    ch.clock.advance(2)
    assert story.timed(0)[-5:] == [(7, ev("E_TMOUT", "giveup")), (7, SEND), (7, FAILED),
                                   *((7, t) for t in to("giveup", "giveup", 1))]
    ch.clock.advance(17)
    assert states(ch) == {0: "master", 1: "backup"}
    assert story.timed(0)[-3:] == [(24, ev("E_MAXTRY", "giveup")),
                                   *((24, t) for t in to("giveup", "master", 1))]
    # RE1 heard nothing of it: only its keepalive-loss line.
    assert story.texts(1) == ["failed to receive keepalives from other RE for the last 20 sec"]


def test_a_claim_whose_link_is_lost_during_the_resolution_is_retried() -> None:
    ch = timed()
    story = Story(ch)
    ch.switchover(1, ACQUIRE)
    ch.clock.advance(2)
    ch.sever_link()
    ch.clock.advance(3)
    assert states(ch) == {0: "master", 1: "claim"}
    assert story.timed(1)[-1] == (5, FAILED)
    ch.clock.advance(2)
    assert story.timed(1)[-4:] == [(7, ev("E_TMOUT", "claim")), (7, FAILED),
                                   *((7, t) for t in to("claim", "claim", 1))]
    assert story.timed(0) == []


# ------------------------------------------------------------------ failures, faults
@pytest.mark.parametrize("resolution", [1, 5])
@pytest.mark.parametrize("fault", ["halt", "pull", "crash"])
def test_the_backup_claims_a_lost_master_for_the_resolution_time(fault: str,
                                                                   resolution: int) -> None:
    ch = timed(profile=TimingProfile(resolution=resolution))
    getattr(ch, fault)(0)
    assert states(ch)[1] == "claim"
    ch.clock.advance(resolution - 0.5)
    assert states(ch)[1] == "claim"
    ch.clock.advance(0.5)
    assert states(ch)[1] == "master"


def test_with_gres_the_fpcs_keep_forwarding_while_the_backup_claims_a_pulled_master() -> None:
    # Juniper, GRES concepts: "The Packet Forwarding Engine does not reboot, and traffic is not
    # interrupted" -- also while nobody is master yet.
    ch = timed(GRES)
    ch.pull(0)
    assert states(ch) == {0: "absent", 1: "claim"} and fpcs(ch) == {0: True, 1: True}
    ch.clock.advance(2)
    assert states(ch) == {0: "absent", 1: "master"} and fpcs(ch) == {0: True, 1: True}
    assert ch.pfe_resets == 0


def test_a_master_that_halts_alone_loses_the_fpcs_until_it_boots_into_mastership_again() -> None:
    ch = timed()
    ch.halt(0, Scope.BOTH)
    assert fpcs(ch) == {0: False, 1: False}
    ch.power_on(0)
    ch.clock.advance(ch.params.boot_time)
    assert states(ch) == {0: "master", 1: "halted"}
    # Its chassis process resets the FPCs that lost their RE: back after 25 + 60 s, 8 s apart.
    assert ch.pfe_resets == 1 and fpcs(ch) == {0: False, 1: False}
    ch.clock.advance(25 + 60)
    assert fpcs(ch) == {0: True, 1: False}
    ch.clock.advance(8)
    assert fpcs(ch) == {0: True, 1: True}


def test_a_single_re_that_halts_resets_its_fpcs_when_it_is_back() -> None:
    ch = timed(single=True)
    ch.halt(0)
    ch.power_on(0)
    ch.clock.advance(ch.params.boot_time)
    assert states(ch) == {0: "master"} and ch.pfe_resets == 1
    ch.clock.advance(25 + 60 + 8)
    assert fpcs(ch) == {0: True, 1: True}


def test_pulling_the_master_leaves_a_disabled_re_disabled() -> None:
    # Chapter: "A disabled Routing Engine does not participate in a mastership election."
    ch = make(RedundancySettings(roles={1: Role.DISABLED}))
    story = Story(ch)
    ch.pull(0)
    assert states(ch) == {0: "absent", 1: "disabled"}
    assert story.timed(1) == [(0, ev("E_NO_ORE", "disabled"))]


@pytest.mark.parametrize("profile", [TimingProfile(), M10I], ids=["instant", "M10i"])
def test_two_backups_losing_keepalives_make_exactly_one_master(profile: TimingProfile) -> None:
    # Chapter: with both configured backup, "The resulting timeout ... will force one of the
    # Routing Engines to become the master"; the second claim of the same loss is refused.
    both = RedundancySettings(roles=BOTH_BACKUP.roles, failover_on_loss_of_keepalives=True,
                              keepalive_time=10)
    ch = timed(both, profile=profile)
    story = Story(ch)
    ch.sever_link()
    ch.clock.advance(10 + profile.resolution)
    assert states(ch) == {0: "master", 1: "backup"}
    assert story.texts(1) == [ev("E_NO_IPC", "backup"), ev("E_NAK_C", "backup")]


def test_a_keepalive_claim_the_returning_link_carries_to_a_live_master_is_refused() -> None:
    # The backup claims after keepalive-time, but the link comes back within the resolution
    # time: its claim reaches a master that is up and is not acknowledged (E_NAK_C), so the
    # chassis never holds two masters on a live link.
    ch = timed(RedundancySettings(failover_on_loss_of_keepalives=True, keepalive_time=10))
    story = Story(ch)
    ch.sever_link()
    ch.clock.advance(10)
    assert states(ch) == {0: "master", 1: "claim"}
    ch.clock.advance(2)
    ch.restore_link()
    ch.clock.advance(M10I.resolution)
    assert states(ch) == {0: "master", 1: "backup"}
    assert story.texts(1)[-3:] == [ev("E_NAK_C", "claim"), *to("claim", "backup", 3)]
    assert story.texts(0)[-1] == ev("E_REQ_C", "master")  # the claim RE0 received
    ch.clock.advance(600)
    assert states(ch) == {0: "master", 1: "backup"}


@pytest.mark.parametrize("settings", [None, GRES], ids=["plain", "gres"])
def test_a_lone_master_that_reboots_resets_the_fpcs_it_left_even_with_gres(
        settings: RedundancySettings | None) -> None:
    # Graceful switchover keeps the PFE forwarding only while another RE takes over; a master
    # with no backup left takes the FPCs down with it, and resets them when it comes back.
    ch = timed(settings)
    ch.pull(1)
    resets = ch.pfe_resets
    ch.reboot(0)
    assert fpcs(ch) == {0: False, 1: False}
    ch.clock.advance(ch.params.boot_time + 1)
    assert states(ch) == {0: "master", 1: "absent"}
    assert ch.pfe_resets == resets + 1 and fpcs(ch) == {0: False, 1: False}
    ready = M10I.master_ready_for(False) + M10I.fpc_boot + M10I.fpc_stagger
    ch.clock.advance(ready)
    assert fpcs(ch) == {0: True, 1: True}


# --------------------------------------------------------------- next_change
def signature(ch: Chassis) -> tuple[object, ...]:
    """Everything discrete a reply shows: roles, FPCs, the backup's synchronisation, whether
    the hold-down is over, the link, and every mastership log line."""
    return (states(ch), fpcs(ch), ch.backup_synced(), ch.hold_down_remaining() == 0,
            ch.link_up, tuple(len(ch.re(s).log.lines()) for s in ch.res))


def quiet_until_next_change(ch: Chassis, span: float, step: float = 0.25) -> int:
    """Advance ``span`` seconds in ``step``s, checking that nothing discrete changes before
    :meth:`next_change` said it would; return how many changes were seen."""
    changes, end = 0, ch.clock.now() + span
    while ch.clock.now() < end:
        at, before = ch.next_change(), signature(ch)
        quiet_until = end if at is None else min(at, end)
        while ch.clock.now() + step < quiet_until:
            ch.clock.advance(step)
            assert signature(ch) == before, f"changed before next_change {at}"
        ch.clock.advance_to(quiet_until)
        changes += signature(ch) != before
    return changes


@pytest.mark.parametrize("settings", [None, GRES], ids=["plain", "gres"])
def test_nothing_changes_before_next_change_through_switch_halt_reboot_and_keepalives(
        settings: RedundancySettings | None) -> None:
    ch = timed(settings)
    assert ch.next_change() is None  # up for days: nothing due
    ch.switchover(0, SWITCH)
    assert quiet_until_next_change(ch, 400) >= 3  # resolution, FPCs back, backup synchronised
    ch.halt(0, Scope.LOCAL)
    quiet_until_next_change(ch, 60)
    ch.power_on(0)
    assert quiet_until_next_change(ch, 600) >= 2
    ch.sever_link()
    quiet_until_next_change(ch, 100)
    ch.restore_link()
    quiet_until_next_change(ch, 300)
    assert ch.next_change() is None


def test_next_change_names_each_threshold_a_reply_compares_the_clock_with() -> None:
    ch = timed()
    t0 = ch.clock.now()
    ch.switchover(0, SWITCH)
    assert ch.next_change() == t0 + 5  # the resolution's timer
    ch.clock.advance(5)
    # No timer is due now: the next changes are thresholds, the first FPC first (ready 25 s,
    # boot 60 s), then the second FPC (8 s later), then the backup (90 s after ready).
    assert ch.clock.next_deadline() is None
    assert ch.next_change() == t0 + 5 + 25 + 60
    ch.clock.advance_to(t0 + 90)
    assert ch.next_change() == t0 + 98
    ch.clock.advance_to(t0 + 98)
    assert ch.next_change() == t0 + 5 + 25 + 90
    ch.clock.advance_to(t0 + 120)
    assert ch.next_change() == t0 + 5 + 240  # the hold-down after the switch
    ch.clock.advance_to(t0 + 245)
    assert ch.hold_down_remaining() == 0 and ch.next_change() is None


def test_the_first_master_of_two_backups_resets_the_fpcs_no_master_ever_brought_up() -> None:
    # Both configured backup: no master at boot, so no RE brought the FPCs up.  RE0 halted,
    # RE1 pulled, RE0 powered on: it boots into mastership (the other RE is not present) and
    # the FPCs come up after it, one after another, as after any PFE reset.
    ch = timed(BOTH_BACKUP)
    assert ch.master_slot() is None and fpcs(ch) == {0: False, 1: False}
    ch.halt(0, Scope.LOCAL)
    ch.pull(1)
    ch.power_on(0)
    ch.clock.advance(ch.params.boot_time)
    assert states(ch)[0] == "master" and ch.pfe_resets == 1 and fpcs(ch) == {0: False, 1: False}
    ch.clock.advance(25 + 60)
    assert fpcs(ch) == {0: True, 1: False}
    ch.clock.advance(8)
    assert fpcs(ch) == {0: True, 1: True}
