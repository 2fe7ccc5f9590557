"""The mastership state machine of the chassis model, told through its public behaviour: the
Chassis API, the virtual clock advancing, and each RE's mastership log line by line with its
time.  The exchanges are those of the chapter ("Host Redundancy Overview", Table 107 and the
sample output of "Determining Why Mastership Switched"); the retry schedule is the sample's."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from emulator.model.chassis import (
    Chassis,
    ChassisParams,
    RedundancySettings,
    Scope,
    SwitchMethod,
    SwitchOutcome,
)
from emulator.model.clock import VirtualClock
from emulator.model.errors import (
    CommandRefusedError,
    NotReadyError,
    UnknownTargetError,
    UnreachableError,
)
from emulator.model.routing_engine import REHardware, Role

HW = {s: REHardware("RE-S-1800x4", f"S{s}", "15.1F5.15") for s in (0, 1)}
ACQUIRE, RELEASE, SWITCH = SwitchMethod.ACQUIRE, SwitchMethod.RELEASE, SwitchMethod.SWITCH
KEEPALIVE_ON = RedundancySettings(failover_on_loss_of_keepalives=True, keepalive_time=10)
BOTH_BACKUP = RedundancySettings(roles={0: Role.BACKUP, 1: Role.BACKUP})
BOTH_MASTER = RedundancySettings(roles={0: Role.MASTER, 1: Role.MASTER})
#: Chapter sample: "you are the master" retried at +2 +4 +7 +9 +12 +14 +16, E_MAXTRY at +19.
RETRIES = (2, 4, 7, 9, 12, 14, 16)
MAXTRY = 19
SEND = 'send "you are the master" request'
FAILED = "Failed to send RE mastership cmd. err = 65"


def make(settings: RedundancySettings | dict[int, RedundancySettings] | None = None, *,
         single: bool = False, **params: object) -> Chassis:
    """A chassis booted long ago; ``settings`` for both REs or per slot (default: none set)."""
    per_slot = settings if isinstance(settings, dict) else {0: settings, 1: settings}
    hw = {0: HW[0]} if single else HW
    return Chassis(ChassisParams("r1", hw, **params),  # type: ignore[arg-type]
                   VirtualClock(), lambda slot: per_slot.get(slot) or RedundancySettings())


class Story:
    """What each RE's mastership log gained since the story began, with times relative to it
    (the ``timestamp:`` line of each state change is left out: it repeats the stamp)."""

    def __init__(self, ch: Chassis) -> None:
        self.ch = ch
        self.t0 = ch.clock.now()
        self.seen = {slot: len(ch.re(slot).log.lines()) for slot in ch.res}

    def texts(self, slot: int) -> list[str]:
        """Return the new lines of RE ``slot``."""
        return [text for _, text in self.timed(slot)]

    def timed(self, slot: int) -> list[tuple[float, str]]:
        """Return the new lines of RE ``slot`` as (seconds since the start, text)."""
        lines = self.ch.re(slot).log.lines()[self.seen[slot]:]
        return [(line.at - self.t0, line.text) for line in lines
                if not line.text.startswith("timestamp: ")]

    def unchanged(self) -> bool:
        """Return True when no RE logged anything."""
        return all(not self.timed(slot) for slot in self.ch.res)


def ev(code: str, state: str) -> str:
    return f"event = {code}, state = {state}, param = 0x0"


def to(current: str, nxt: str, reason: int) -> list[str]:
    """The chapter's state-change block (its timestamp line aside)."""
    return [f"Currentstate: {current} NextState:{nxt} reason_code: {reason}",
            f"new state = {nxt}"]


def states(ch: Chassis) -> dict[int, str]:
    return {slot: ch.re(slot).state.value for slot in ch.res}


def timers(ch: Chassis) -> list[str]:
    return [t.name for t in ch.clock.pending()]


#: The chapter sample's keepalive-loss pattern: the send failure 5 s after each "failed to
#: receive" line, written twice, errno/total cycling 22/6, 35/7, 65/7.
SEND_PATTERN = ((22, 6), (35, 7), (65, 7))


def loss_lines(at: float, tick: int) -> list[tuple[float, str]]:
    """The lines of keepalive-loss period ``tick`` (1 = the first, 20 s after the cut) whose
    receive line is at ``at``: the receive line, and 5 s later the send failure twice."""
    errno, total = SEND_PATTERN[(tick - 1) % 3]
    send = f"failed to send RE info/keepalive: errno={errno}, total={total} in the last 20 sec"
    return [(at, f"failed to receive keepalives from other RE for the last {20 * tick} sec"),
            (at + 5, send), (at + 5, send)]


#: The confirmation after a move: asked on the old master, acknowledged on the new one.
CONFIRM_OLD = [ev("E_REQ_Y", "backup"), ev("E_ORE_M", "backup")]
CONFIRM_NEW = [ev("E_ACK_Y", "master"), ev("E_ORE_B", "master")]


# ------------------------------------------------------------------------------- boot
def test_initial_boot_is_logged_a_minute_after_power_up_re0_first() -> None:
    ch = make()
    up = ch.clock.now() - ch.params.uptime
    assert [(line.at - up, line.text) for line in ch.re(0).log.lines()
            if not line.text.startswith("timestamp")] == [
        (60, ev("E_CFG_M", "booting")),
        *((60, text) for text in to("booting", "master", 4)),
        (61, ev("E_ORE_B", "master")),
    ]
    assert [(line.at - up, line.text) for line in ch.re(1).log.lines()
            if not line.text.startswith("timestamp")] == [
        (61, ev("E_CFG_B", "booting")), *((61, text) for text in to("booting", "backup", 4))]
    assert (ch.re(0).up_since - up, ch.re(1).up_since - up) == (60, 61)
    assert ch.hostname == "r1" and ch.master_slot() == 0 and ch.dual
    assert ch.uptime(0) == ch.params.uptime and ch.hold_down_remaining() == 0
    assert timers(ch) == []


def test_boot_order_decides_who_logs_first() -> None:
    ch = make(boot_order=(1, 0))
    up = ch.clock.now() - ch.params.uptime
    assert states(ch) == {0: "master", 1: "backup"}
    assert ch.re(1).log.lines()[0].at - up == 61
    assert ch.re(0).log.lines()[0].at - up == 60
    # re1 came up first: it is backup with nobody to tell; re0 then joins as master by claim.
    assert [line.text for line in ch.re(0).log.lines() if line.text.startswith("event")] == [
        ev("E_CFG_M", "booting"), ev("E_ACK_C", "claim"), ev("E_ACK_Y", "master"),
        ev("E_ORE_B", "master")]


def test_single_re_boots_master_without_a_peer_event() -> None:
    ch = make(single=True)
    assert states(ch) == {0: "master"} and not ch.dual and ch.other(0) is None
    assert [line.text for line in ch.re(0).log.lines() if line.text.startswith("event")] == [
        ev("E_CFG_M", "booting")]


def test_no_master_when_both_are_configured_backup() -> None:
    ch = make(BOTH_BACKUP)
    assert states(ch) == {0: "backup", 1: "backup"} and ch.master_slot() is None
    assert not any(online for _, online, _ in ch.fpc_states())


def test_unknown_slot_is_refused_by_name() -> None:
    with pytest.raises(UnknownTargetError, match=r"^invalid routing engine slot 5$"):
        make().re(5)


# --------------------------------------------------------------- switchover, reachable
def test_switch_from_the_master_is_the_giveup_exchange() -> None:
    ch = make()
    story = Story(ch)
    assert ch.switchover(0, SWITCH) == SwitchOutcome(SWITCH, 0, True, False, True, False)
    assert states(ch) == {0: "backup", 1: "master"}
    assert story.texts(0) == [ev("E_CMD_S", "master"), SEND, *to("master", "giveup", 1),
                              ev("E_ACK_G", "giveup"), *to("giveup", "backup", 2), *CONFIRM_OLD]
    assert story.texts(1) == [ev("E_REQ_G", "backup"), *to("backup", "master", 2), *CONFIRM_NEW]
    assert ch.last_switch == story.t0 and ch.hold_down_remaining() == 240
    assert timers(ch) == []
    # master_since keeps when each RE last became master (re0 at its boot).
    assert ch.master_since == {0: ch.re(0).up_since, 1: story.t0}


def test_release_from_the_master_logs_e_cmd_r() -> None:
    ch = make()
    story = Story(ch)
    assert ch.switchover(0, RELEASE) == SwitchOutcome(RELEASE, 0, True, False, True, False)
    assert story.texts(0)[:2] == [ev("E_CMD_R", "master"), SEND]
    assert states(ch) == {0: "backup", 1: "master"}


def test_acquire_from_the_backup_is_the_claim_exchange() -> None:
    ch = make()
    story = Story(ch)
    assert ch.switchover(1, ACQUIRE) == SwitchOutcome(ACQUIRE, 1, True, True, True, False)
    assert story.texts(1) == [ev("E_CMD_A", "backup"), *to("backup", "claim", 1),
                              ev("E_ACK_C", "claim"), *to("claim", "master", 1), *CONFIRM_NEW]
    assert story.texts(0) == [ev("E_REQ_C", "master"), *to("master", "backup", 2), *CONFIRM_OLD]


def test_switch_from_the_backup_claims_with_e_cmd_s() -> None:
    ch = make()
    story = Story(ch)
    assert ch.switchover(1, SWITCH) == SwitchOutcome(SWITCH, 1, True, True, True, False)
    assert story.texts(1)[:3] == [ev("E_CMD_S", "backup"), *to("backup", "claim", 1)]
    assert states(ch) == {0: "backup", 1: "master"}


def test_check_only_reports_readiness_and_changes_nothing() -> None:
    ch = make()
    story = Story(ch)
    assert ch.switchover(0, SWITCH, check=True) == SwitchOutcome(SWITCH, 0, False, False, False,
                                                                 False)
    gres = RedundancySettings(graceful_switchover=True)
    ch2 = make(gres)
    assert ch2.switchover(1, ACQUIRE, check=True) == SwitchOutcome(ACQUIRE, 1, False, False,
                                                                   False, True)
    assert story.unchanged() and states(ch) == states(ch2) == {0: "master", 1: "backup"}
    ch.switchover(0, SWITCH)
    with pytest.raises(NotReadyError):
        ch.switchover(1, SWITCH, check=True)


def test_forced_acquire_takes_mastership_without_a_claim() -> None:
    ch = make()
    story = Story(ch)
    out = ch.switchover(1, ACQUIRE, force=True)
    assert out == SwitchOutcome(ACQUIRE, 1, True, True, True, False)
    assert story.texts(1) == [ev("E_CMD_F", "backup"), *to("backup", "master", 1), *CONFIRM_NEW]
    assert story.texts(0) == [*to("master", "backup", 2), *CONFIRM_OLD]
    assert ch.pfe_resets == 1 and ch.last_switch == story.t0


def test_force_skips_the_hold_down_that_refuses_a_plain_acquire() -> None:
    ch = make()
    ch.switchover(0, SWITCH)
    ch.clock.advance(100)
    with pytest.raises(NotReadyError, match=r"^Command aborted\. Not ready for mastership "
                                            r"switch, try after 140 secs\.$"):
        ch.switchover(0, ACQUIRE)
    assert ch.switchover(0, ACQUIRE, force=True).completed
    assert states(ch) == {0: "master", 1: "backup"} and ch.hold_down_remaining() == 240


def test_forced_acquire_while_cut_off_leaves_two_masters_until_the_link_returns() -> None:
    ch = make()
    ch.sever_link()
    ch.clock.advance(5)
    story = Story(ch)
    assert ch.switchover(1, ACQUIRE, force=True) == SwitchOutcome(ACQUIRE, 1, True, True, True,
                                                                  False)
    assert states(ch) == {0: "master", 1: "master"}
    assert story.texts(0) == []  # re0 heard nothing
    assert story.texts(1) == [ev("E_CMD_F", "backup"), *to("backup", "master", 1)]
    ch.clock.advance(1)
    ch.restore_link()
    # The newer master keeps mastership; the older one is refused confirmation and steps down.
    assert states(ch) == {0: "backup", 1: "master"}
    assert story.timed(0) == [(1, ev("E_NAK_Y", "master")),
                              *((1, t) for t in to("master", "backup", 2)),
                              (1, ev("E_ORE_M", "backup"))]
    assert story.timed(1)[-2:] == [(1, ev("E_REQ_Y", "master")), (1, ev("E_ORE_B", "master"))]


def test_graceful_switchover_keeps_the_pfe_running() -> None:
    gres = RedundancySettings(graceful_switchover=True)
    ch = make(gres)
    assert ch.gres()
    assert ch.switchover(0, SWITCH) == SwitchOutcome(SWITCH, 0, True, False, False, True)
    assert ch.pfe_resets == 0 and all(online for _, online, _ in ch.fpc_states())


def test_gres_is_read_from_the_master_or_from_re0_without_one() -> None:
    only_re1 = {1: RedundancySettings(graceful_switchover=True)}
    ch = make(only_re1)
    assert not ch.gres()
    ch.switchover(1, ACQUIRE)
    assert ch.gres()
    no_master_re0_gres = {0: RedundancySettings(roles=BOTH_BACKUP.roles, graceful_switchover=True),
                          1: BOTH_BACKUP}
    assert make(no_master_re0_gres).gres()
    no_master_re1_gres = {0: BOTH_BACKUP,
                          1: RedundancySettings(roles=BOTH_BACKUP.roles, graceful_switchover=True)}
    assert not make(no_master_re1_gres).gres()


def test_pfe_comes_back_45_seconds_after_each_switch() -> None:
    ch = make()
    ch.switchover(0, SWITCH)
    assert {online for _, online, _ in ch.fpc_states()} == {False}
    ch.clock.advance(44)
    assert {online for _, online, _ in ch.fpc_states()} == {False}
    ch.clock.advance(1)
    assert [(slot, online, since - ch.clock.now()) for slot, online, since in ch.fpc_states()] \
        == [(0, True, 0.0), (1, True, 0.0)]
    ch.clock.advance(240)
    ch.switchover(1, SWITCH)
    assert ch.pfe_resets == 2


# -------------------------------------------------------------------------- refusals
REFUSALS: dict[str, tuple[Callable[[], Chassis], Callable[[Chassis], object],
                          type[Exception], str]] = {
    "single RE": (lambda: make(single=True), lambda ch: ch.switchover(0, SWITCH),
                  CommandRefusedError,
                  "Routing engine redundancy is not supported on this platform"),
    "disabled peer": (lambda: make(RedundancySettings(roles={1: Role.DISABLED})),
                      lambda ch: ch.switchover(0, SWITCH), CommandRefusedError,
                      "Routing engine is disabled, mastership switch not allowed"),
    "acquire on master": (make, lambda ch: ch.switchover(0, ACQUIRE), CommandRefusedError,
                          "Routing Engine is already master"),
    "release on backup": (make, lambda ch: ch.switchover(1, RELEASE), CommandRefusedError,
                          "Routing Engine is not master, cannot release mastership"),
    "halt other on single RE": (lambda: make(single=True), lambda ch: ch.halt(0, Scope.OTHER),
                                CommandRefusedError,
                                "There is no other routing engine on this platform"),
    "reboot both on single RE": (lambda: make(single=True), lambda ch: ch.reboot(0, Scope.BOTH),
                                 CommandRefusedError,
                                 "There is no other routing engine on this platform"),
    "power on a running RE": (make, lambda ch: ch.power_on(1), CommandRefusedError,
                              "re1 is not halted (state backup)"),
    "insert where an RE is": (make, lambda ch: ch.insert(0), CommandRefusedError,
                              "re0 is present"),
    "kill a nameless process": (make, lambda ch: ch.kill_process(0, ""), CommandRefusedError,
                                "a process name is required"),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_refusals_name_the_reason_and_change_nothing(case: str) -> None:
    build, call, error, message = REFUSALS[case]
    ch = build()
    before = states(ch)
    story = Story(ch)
    with pytest.raises(error, match=f"^{re.escape(message)}$"):
        call(ch)
    assert states(ch) == before and story.unchanged() and timers(ch) == []


def test_a_switch_in_progress_refuses_another() -> None:
    ch = make()
    ch.sever_link()
    ch.switchover(0, RELEASE)
    story = Story(ch)
    for method in (SWITCH, RELEASE, ACQUIRE):
        with pytest.raises(CommandRefusedError,
                           match=r"^Mastership resolution already in progress$"):
            ch.switchover(0, method)
    assert story.unchanged() and states(ch)[0] == "giveup"


def test_release_with_the_backup_halted_is_unreachable() -> None:
    ch = make()
    ch.halt(1)
    story = Story(ch)
    with pytest.raises(UnreachableError, match=r"^Backup RE not running$"):
        ch.switchover(0, RELEASE)
    assert story.unchanged() and states(ch) == {0: "master", 1: "halted"}


# ------------------------------------------------------------ switchover, unreachable
def test_release_cut_off_retries_on_the_chapter_schedule_then_stays_master() -> None:
    ch = make()
    ch.sever_link()
    ch.clock.advance(60)
    story = Story(ch)
    assert ch.switchover(0, RELEASE) == SwitchOutcome(RELEASE, 0, False, False, False, False)
    assert [n for n in timers(ch) if n.startswith("retry")] == [f"retry-0-{n}" for n in range(8)]
    ch.clock.advance(MAXTRY)
    retry = [ev("E_TMOUT", "giveup"), SEND, FAILED, *to("giveup", "giveup", 1)]
    expected = [(0, t) for t in [ev("E_CMD_R", "master"), SEND, FAILED,
                                 *to("master", "giveup", 1)]]
    for at in RETRIES:
        expected += [(at, t) for t in retry]
    expected += [(MAXTRY, ev("E_MAXTRY", "giveup"))]
    expected += [(MAXTRY, t) for t in to("giveup", "master", 1)]
    expected += loss_lines(0, 3)[1:]  # the 60 s period's send failures, as in the sample
    assert story.timed(0) == sorted(expected, key=lambda line: line[0])
    # re1 heard nothing; it only logs its own keepalive loss.
    assert states(ch) == {0: "master", 1: "backup"}
    assert story.timed(1) == loss_lines(0, 3)[1:]
    assert not [name for name in timers(ch) if name.startswith("retry")]
    assert ch.pfe_resets == 0 and ch.last_switch is None


def test_release_cut_off_is_handed_over_at_the_next_retry_once_the_link_is_back() -> None:
    ch = make()
    ch.sever_link()
    story = Story(ch)
    ch.switchover(0, RELEASE)
    ch.clock.advance(3)
    ch.restore_link()
    assert states(ch) == {0: "giveup", 1: "backup"}
    ch.clock.advance(1)  # the retry at +4 reaches re1
    assert states(ch) == {0: "backup", 1: "master"}
    assert story.timed(0)[-7:] == [(4, t) for t in [
        ev("E_TMOUT", "giveup"), SEND, ev("E_ACK_G", "giveup"), *to("giveup", "backup", 2),
        *CONFIRM_OLD]]
    assert story.timed(1) == [(4, t) for t in [ev("E_REQ_G", "backup"),
                                               *to("backup", "master", 2), *CONFIRM_NEW]]
    assert not [name for name in timers(ch) if name.startswith("retry")]
    assert ch.last_switch == story.t0 + 4 and ch.pfe_resets == 1


def test_acquire_cut_off_claims_on_the_chapter_schedule_then_takes_mastership() -> None:
    ch = make()
    ch.sever_link()
    ch.clock.advance(60)
    story = Story(ch)
    assert ch.switchover(1, ACQUIRE) == SwitchOutcome(ACQUIRE, 1, False, False, False, False)
    ch.clock.advance(MAXTRY - 1)
    assert states(ch) == {0: "master", 1: "claim"} and ch.pfe_resets == 0
    ch.clock.advance(1)
    retry = [ev("E_TMOUT", "claim"), FAILED, *to("claim", "claim", 1)]
    expected = [(0, t) for t in [ev("E_CMD_A", "backup"), *to("backup", "claim", 1), FAILED]]
    for at in RETRIES:
        expected += [(at, t) for t in retry]
    expected += [(MAXTRY, t) for t in [ev("E_MAXTRY", "claim"), *to("claim", "master", 1)]]
    expected += loss_lines(0, 3)[1:]  # the 60 s period's send failures, as in the sample
    assert story.timed(1) == sorted(expected, key=lambda line: line[0])
    assert story.timed(0) == loss_lines(0, 3)[1:]  # re0 heard nothing and is still master
    assert states(ch) == {0: "master", 1: "master"}
    assert ch.pfe_resets == 1 and ch.last_switch == story.t0 + MAXTRY
    assert not [name for name in timers(ch) if name.startswith("retry")]
    ch.restore_link()
    assert states(ch) == {0: "backup", 1: "master"}  # the newer master keeps it


def test_acquire_cut_off_is_resolved_at_the_next_retry_once_the_link_is_back() -> None:
    ch = make()
    ch.sever_link()
    story = Story(ch)
    ch.switchover(1, ACQUIRE)
    ch.clock.advance(5)
    ch.restore_link()
    assert states(ch) == {0: "master", 1: "claim"}
    ch.clock.advance(2)  # the retry at +7 reaches re0, which yields: the claim is a command
    assert states(ch) == {0: "backup", 1: "master"}
    assert story.timed(0) == [(7, t) for t in [ev("E_REQ_C", "master"),
                                               *to("master", "backup", 2), *CONFIRM_OLD]]
    assert story.timed(1)[-6:] == [(7, t) for t in [
        ev("E_TMOUT", "claim"), ev("E_ACK_C", "claim"), *to("claim", "master", 1),
        *CONFIRM_NEW]]
    assert not [name for name in timers(ch) if name.startswith("retry")]
    assert ch.last_switch == story.t0 + 7 and ch.pfe_resets == 1


def test_acquire_on_a_backup_whose_peer_is_down_claims_alone() -> None:
    ch = make(BOTH_BACKUP)
    ch.halt(0)
    story = Story(ch)
    assert ch.switchover(1, ACQUIRE) == SwitchOutcome(ACQUIRE, 1, False, False, False, False)
    ch.clock.advance(MAXTRY)
    assert states(ch) == {0: "halted", 1: "master"}
    assert story.texts(1)[:4] == [ev("E_CMD_A", "backup"), *to("backup", "claim", 1), FAILED]
    assert story.texts(1)[-3:] == [ev("E_MAXTRY", "claim"), *to("claim", "master", 1)]


def test_a_claim_that_meets_a_giveup_settles_both() -> None:
    ch = make()
    ch.sever_link()
    story = Story(ch)
    ch.switchover(1, ACQUIRE)
    ch.clock.advance(1)
    ch.switchover(0, RELEASE)
    ch.restore_link()
    ch.clock.advance(1)  # re1's retry at +2 comes first and finds re0 giving up
    assert states(ch) == {0: "backup", 1: "master"}
    assert story.timed(0)[-5:] == [(2, t) for t in [ev("E_REQ_C", "giveup"),
                                                    *to("giveup", "backup", 2), *CONFIRM_OLD]]
    ch.clock.advance(60)
    assert states(ch) == {0: "backup", 1: "master"} and timers(ch) == []


def test_a_giveup_that_finds_the_other_re_already_master_steps_down() -> None:
    ch = make(KEEPALIVE_ON)
    ch.sever_link()
    ch.clock.advance(250)  # re1 took over at +10: two masters, hold-down over
    assert states(ch) == {0: "master", 1: "master"}
    story = Story(ch)
    ch.switchover(0, RELEASE)
    ch.clock.advance(1)
    ch.restore_link()
    ch.clock.advance(1)  # the retry at +2 reaches re1, master already
    assert states(ch) == {0: "backup", 1: "master"}
    assert story.timed(1)[:1] == [(2, ev("E_REQ_G", "master"))]
    assert story.texts(0)[-7:] == [ev("E_TMOUT", "giveup"), SEND, ev("E_ACK_G", "giveup"),
                                   *to("giveup", "backup", 2), *CONFIRM_OLD]
    ch.clock.advance(60)
    assert states(ch) == {0: "backup", 1: "master"}


def test_a_claim_in_progress_is_answered_by_the_masters_switch() -> None:
    ch = make()
    ch.sever_link()
    ch.switchover(1, ACQUIRE)
    ch.restore_link()
    story = Story(ch)
    ch.switchover(0, SWITCH)  # before re1's next retry: re0 hands over, re1's claim is over
    assert states(ch) == {0: "backup", 1: "master"}
    assert story.texts(1) == [ev("E_REQ_G", "claim"), *to("claim", "master", 2), *CONFIRM_NEW]
    assert timers(ch) == []


def test_a_giveup_to_a_disabled_re_is_ignored_until_e_maxtry() -> None:
    ch, cfg = configured()
    ch.sever_link()
    ch.switchover(0, RELEASE)
    cfg.commit(ch, 1, RedundancySettings(roles={1: Role.DISABLED}))
    ch.restore_link()
    story = Story(ch)
    ch.clock.advance(MAXTRY)
    assert states(ch) == {0: "master", 1: "disabled"}
    assert story.texts(1) == []
    assert story.texts(0)[:4] == [ev("E_TMOUT", "giveup"), SEND, *to("giveup", "giveup", 1)]
    assert story.texts(0)[-3:] == [ev("E_MAXTRY", "giveup"), *to("giveup", "master", 1)]


def test_two_claims_cut_off_resolve_to_one_master() -> None:
    ch = make(BOTH_BACKUP)
    ch.sever_link()
    ch.switchover(0, ACQUIRE)
    ch.clock.advance(1)
    ch.switchover(1, ACQUIRE)
    ch.restore_link()
    ch.clock.advance(30)
    assert states(ch) == {0: "master", 1: "backup"} and timers(ch) == []


# ------------------------------------------------------------------------- election
def test_election_claim_cut_off_is_refused_when_the_link_returns() -> None:
    ch = make(BOTH_MASTER)
    ch.sever_link()
    ch.reboot(1)
    ch.clock.advance(ch.params.boot_time + 1)
    story = Story(ch)
    assert states(ch) == {0: "master", 1: "claim"}
    ch.clock.advance(3)
    ch.restore_link()
    ch.clock.advance(1)  # the retry at +4 reaches re0, which refuses an election claim
    assert states(ch) == {0: "master", 1: "backup"}
    assert story.timed(1)[-4:] == [(4, t) for t in [ev("E_TMOUT", "claim"),
                                                    ev("E_NAK_C", "claim"),
                                                    *to("claim", "backup", 4)]]
    assert story.timed(0)[-1:] == [(4, ev("E_REQ_C", "master"))]
    assert ch.pfe_resets == 0 and timers(ch) == []


def test_election_claim_cut_off_to_the_end_makes_two_masters_then_the_newest_keeps_it() -> None:
    ch = make(BOTH_MASTER)
    ch.sever_link()
    ch.reboot(1)
    ch.clock.advance(ch.params.boot_time + 1)  # re1 is back: it claims, cut off
    assert states(ch) == {0: "master", 1: "claim"}
    story = Story(ch)
    ch.clock.advance(MAXTRY)
    assert states(ch) == {0: "master", 1: "master"}
    assert story.texts(1)[-3:] == [ev("E_MAXTRY", "claim"), *to("claim", "master", 4)]
    assert ch.pfe_resets == 1
    ch.restore_link()
    assert states(ch) == {0: "backup", 1: "master"}  # re1 became master last
    assert story.texts(0)[-4:] == [ev("E_NAK_Y", "master"), *to("master", "backup", 2),
                                   ev("E_ORE_M", "backup")]


def test_both_configured_master_first_up_wins_other_is_refused() -> None:
    ch = make(BOTH_MASTER)
    events = [line.text for line in ch.re(1).log.lines() if line.text.startswith("event")]
    assert events == [ev("E_CFG_M", "booting"), ev("E_NAK_C", "claim")]
    assert states(ch) == {0: "master", 1: "backup"}


def test_disabled_re_takes_no_part_and_the_other_hears_of_it() -> None:
    ch = make(RedundancySettings(roles={1: Role.DISABLED}))
    assert states(ch) == {0: "master", 1: "disabled"}
    assert [line.text for line in ch.re(0).log.lines() if line.text.startswith("event")][-1] \
        == ev("E_ORE_D", "master")
    cut = make(RedundancySettings(roles={1: Role.DISABLED}))
    cut.sever_link()
    story = Story(cut)
    cut.reboot(1)
    cut.clock.advance(cut.params.boot_time + 1)
    assert ev("E_ORE_D", "master") not in story.texts(0)
    assert story.texts(1) == [ev("E_CFG_D", "booting"), *to("booting", "disabled", 4)]


def test_re_back_from_a_halt_finds_the_master_and_tells_it() -> None:
    ch = make()
    ch.halt(1)
    story = Story(ch)
    ch.power_on(1)
    ch.clock.advance(ch.params.boot_time + 1)
    assert story.timed(1) == [(181, ev("E_CFG_B", "booting")), (181, to("booting", "backup", 4)[0]),
                              (181, to("booting", "backup", 4)[1])]
    periods = [line for n in range(1, 10) for line in loss_lines(20 * n, n)]
    assert story.timed(0) == [line for line in periods if line[0] <= 181] + [
        (181, ev("E_ORE_B", "master"))]


def test_re_back_while_cut_off_from_the_master_does_not_tell_it() -> None:
    ch = make()
    ch.sever_link()
    ch.reboot(1)
    story = Story(ch)
    ch.clock.advance(ch.params.boot_time + 1)
    assert states(ch) == {0: "master", 1: "backup"}
    assert ev("E_ORE_B", "master") not in story.texts(0)


def test_pulled_re_returns_as_master_when_alone() -> None:
    ch = make()
    ch.halt(0)  # re1 takes over on the way down
    ch.pull(1)
    assert states(ch) == {0: "halted", 1: "absent"}
    ch.power_on(0)
    ch.clock.advance(ch.params.boot_time)
    story = Story(ch)
    assert states(ch) == {0: "master", 1: "absent"}
    lines = [line.text for line in ch.re(0).log.lines()]
    assert lines[-5:] == [ev("E_CFG_M", "booting"), ev("E_NO_ORE", "booting"),
                          "Currentstate: booting NextState:master reason_code: 4",
                          lines[-2], "new state = master"]
    assert story.unchanged()


def test_lone_re_boots_by_its_configured_role_while_the_other_is_down() -> None:
    ch = make(BOTH_BACKUP)
    ch.halt(0, Scope.BOTH)
    ch.power_on(1)
    ch.clock.advance(ch.params.boot_time + 1)
    assert states(ch) == {0: "halted", 1: "backup"}  # a backup does not take mastership alone
    ch2 = make()
    ch2.halt(0, Scope.BOTH)
    ch2.power_on(0)
    ch2.clock.advance(ch2.params.boot_time)
    assert states(ch2) == {0: "master", 1: "halted"}


# ------------------------------------------------------------------ configuration
class Config:
    """A settings source whose statements a test changes, then commits."""

    def __init__(self) -> None:
        self.by_slot: dict[int, RedundancySettings] = {}

    def __call__(self, slot: int) -> RedundancySettings:
        return self.by_slot.get(slot, RedundancySettings())

    def commit(self, ch: Chassis, slot: int, new: RedundancySettings) -> None:
        old = self(slot)
        self.by_slot[slot] = new
        ch.config_committed(slot, old)


def configured() -> tuple[Chassis, Config]:
    cfg = Config()
    return Chassis(ChassisParams("r1", HW), VirtualClock(), cfg), cfg


def test_backup_configured_disabled_leaves_and_rejoins_the_election() -> None:
    ch, cfg = configured()
    story = Story(ch)
    cfg.commit(ch, 1, RedundancySettings(roles={1: Role.DISABLED}))
    assert states(ch) == {0: "master", 1: "disabled"}
    assert story.texts(1) == [ev("E_CFG_D", "backup"), *to("backup", "disabled", 6)]
    assert story.texts(0) == [ev("E_ORE_D", "master")]
    cfg.commit(ch, 1, RedundancySettings(roles={1: Role.BACKUP}))
    assert states(ch) == {0: "master", 1: "backup"}
    assert story.texts(1)[3:] == [ev("E_CFG_B", "disabled"), *to("disabled", "backup", 6)]
    assert story.texts(0) == [ev("E_ORE_D", "master"), ev("E_ORE_B", "master")]


def test_re0_as_backup_configured_disabled_tells_re1() -> None:
    ch, cfg = configured()
    ch.switchover(0, SWITCH)
    story = Story(ch)
    cfg.commit(ch, 0, RedundancySettings(roles={0: Role.DISABLED}))
    assert states(ch) == {0: "disabled", 1: "master"}
    assert story.texts(0) == [ev("E_CFG_D", "backup"), *to("backup", "disabled", 6)]
    assert story.texts(1) == [ev("E_ORE_D", "master")]


def test_role_changes_out_of_reach_are_not_told_to_the_other_re() -> None:
    ch, cfg = configured()
    ch.sever_link()
    story = Story(ch)
    cfg.commit(ch, 1, RedundancySettings(roles={1: Role.DISABLED}))
    cfg.commit(ch, 1, RedundancySettings())
    assert states(ch) == {0: "master", 1: "backup"} and story.texts(0) == []


def test_role_change_of_the_master_is_logged_but_moves_nothing() -> None:
    ch, cfg = configured()
    story = Story(ch)
    cfg.commit(ch, 0, RedundancySettings(roles={0: Role.BACKUP}))
    cfg.commit(ch, 0, RedundancySettings(roles={0: Role.DISABLED}))
    assert states(ch) == {0: "master", 1: "backup"}
    assert story.texts(0) == [ev("E_CFG_B", "master"), ev("E_CFG_D", "master")]
    assert story.texts(1) == []


def test_commit_without_a_role_change_logs_nothing_and_applies_to_the_next_loss() -> None:
    ch, cfg = configured()
    story = Story(ch)
    cfg.commit(ch, 1, KEEPALIVE_ON)
    cfg.commit(ch, 0, KEEPALIVE_ON)
    assert story.unchanged() and timers(ch) == []
    ch.sever_link()
    ch.clock.advance(10)
    assert states(ch) == {0: "master", 1: "master"}


# -------------------------------------------------------------------------- keepalives
def test_keepalive_loss_is_logged_every_20_seconds_on_both_res_until_the_link_returns() -> None:
    ch = make()
    story = Story(ch)
    ch.sever_link()
    assert timers(ch) == ["keepalive-log-0", "keepalive-log-1"]
    ch.clock.advance(45)
    for slot in (0, 1):
        assert story.timed(slot) == loss_lines(20, 1) + loss_lines(40, 2)
    ch.restore_link()
    assert timers(ch) == []
    ch.clock.advance(100)
    assert len(story.timed(0)) == len(story.timed(1)) == 6
    assert states(ch) == {0: "master", 1: "backup"}


def test_keepalive_failover_after_keepalive_time_through_claim() -> None:
    ch = make(KEEPALIVE_ON)
    story = Story(ch)
    ch.sever_link()
    assert timers(ch) == ["keepalive-failover-0", "keepalive-failover-1", "keepalive-log-0",
                          "keepalive-log-1"]
    ch.clock.advance(9)
    assert states(ch) == {0: "master", 1: "backup"}
    ch.clock.advance(1)
    assert story.timed(1) == [(10, t) for t in [ev("E_NO_IPC", "backup"),
                                                *to("backup", "claim", 3),
                                                *to("claim", "master", 3)]]
    assert story.texts(0) == []  # the master's own timer finds it master: nothing to do
    assert ch.pfe_resets == 1 and ch.last_switch == story.t0 + 10
    assert ch.master_since == {0: ch.re(0).up_since, 1: story.t0 + 10}


def test_keepalive_failover_with_gres_after_2_seconds_keeps_the_pfe() -> None:
    ch = make(RedundancySettings(graceful_switchover=True, keepalive_time=100))
    ch.sever_link()
    ch.clock.advance(2)
    assert states(ch) == {0: "master", 1: "master"}
    assert ch.pfe_resets == 0 and ch.last_switch == ch.clock.now()


def test_no_keepalive_failover_on_a_halted_re() -> None:
    ch = make(KEEPALIVE_ON)
    ch.sever_link()
    ch.halt(1)
    story = Story(ch)
    ch.clock.advance(60)
    assert states(ch) == {0: "master", 1: "halted"} and story.texts(1) == []


def test_loss_log_stops_when_the_re_goes_down() -> None:
    ch = make()
    ch.sever_link()
    ch.clock.advance(20)
    ch.crash(1)
    story = Story(ch)
    ch.clock.advance(30)
    assert story.texts(1) == []
    # The first period's send failures (at 25 s) and the second period whole.
    assert story.timed(0) == [(at - 20, t) for at, t in
                              loss_lines(20, 1)[1:] + loss_lines(40, 2)]


# ---------------------------------------------------------------------- split brain
def test_split_brain_keeps_the_newest_master_even_in_the_lower_slot() -> None:
    ch = make(KEEPALIVE_ON)
    ch.sever_link()
    ch.clock.advance(10)  # re1 takes over
    ch.switchover(0, RELEASE, force=True)  # re0 gives up in vain and is master again at +29
    ch.clock.advance(MAXTRY)
    assert states(ch) == {0: "master", 1: "master"}
    assert ch.master_since[0] > ch.master_since[1]
    story = Story(ch)
    ch.restore_link()
    assert states(ch) == {0: "master", 1: "backup"}
    assert story.texts(0) == [ev("E_REQ_Y", "master"), ev("E_ORE_B", "master")]
    assert story.texts(1) == [ev("E_NAK_Y", "master"), *to("master", "backup", 2),
                              ev("E_ORE_M", "backup")]


def test_two_masters_stay_two_while_cut_off_whatever_else_happens() -> None:
    ch, cfg = configured()
    cfg.commit(ch, 1, KEEPALIVE_ON)
    ch.sever_link()
    ch.clock.advance(10)
    cfg.commit(ch, 0, KEEPALIVE_ON)  # no role change: nothing to resolve over a cut link
    ch.sever_link()
    assert states(ch) == {0: "master", 1: "master"}


def test_link_restored_with_one_master_changes_nothing() -> None:
    ch = make()
    ch.sever_link()
    ch.clock.advance(5)
    story = Story(ch)
    ch.restore_link()
    assert story.unchanged() and states(ch) == {0: "master", 1: "backup"}


# ------------------------------------------------------------------- power and faults
def test_halt_backup_the_master_hears_the_connection_drop() -> None:
    ch = make()
    story = Story(ch)
    assert ch.halt(1) == [1]
    assert states(ch) == {0: "master", 1: "halted"}
    assert story.texts(1) == []  # a halted RE writes nothing
    assert story.texts(0) == [ev("E_NO_IPC", "master")]
    assert ch.uptime(1) == 0.0 and ch.uptime(0) == ch.params.uptime
    assert timers(ch) == ["keepalive-log-0"]


def test_halt_master_hands_mastership_over_first() -> None:
    ch = make()
    story = Story(ch)
    assert ch.halt(0) == [0]
    assert states(ch) == {0: "halted", 1: "master"}
    assert story.texts(0) == [SEND, *to("master", "giveup", 7), ev("E_ACK_G", "giveup"),
                              *to("giveup", "backup", 2), *CONFIRM_OLD]
    assert story.texts(1) == [ev("E_REQ_G", "backup"), *to("backup", "master", 2),
                              *CONFIRM_NEW, ev("E_NO_IPC", "master")]
    assert ch.pfe_resets == 1


def test_halt_master_cut_off_hands_nothing_over() -> None:
    ch = make()
    ch.sever_link()
    story = Story(ch)
    ch.halt(0)
    assert states(ch) == {0: "halted", 1: "backup"}
    assert story.unchanged()


def test_halt_both_and_the_hold_down_with_nothing_running() -> None:
    ch = make()
    story = Story(ch)
    assert ch.halt(0, Scope.BOTH) == [1, 0]
    assert states(ch) == {0: "halted", 1: "halted"}
    assert ch.hold_down_remaining() == 0 and ch.master_slot() is None
    assert story.texts(0) == [ev("E_NO_IPC", "master")] and story.texts(1) == []
    assert timers(ch) == []


def test_halt_other_reaches_the_other_re_only_over_the_link() -> None:
    ch = make()
    ch.sever_link()
    with pytest.raises(UnreachableError, match=r"^Could not connect to re1 : No route to host$"):
        ch.halt(0, Scope.OTHER)
    assert states(ch) == {0: "master", 1: "backup"}
    ch.restore_link()
    assert ch.halt(0, Scope.OTHER) == [1]


def test_commands_on_an_re_that_is_not_running_are_refused() -> None:
    ch = make()
    ch.halt(1)
    for call in (lambda: ch.halt(1), lambda: ch.reboot(1), lambda: ch.crash(1),
                 lambda: ch.kill_process(1, "rpd")):
        with pytest.raises(CommandRefusedError, match=r"^re1 is not running \(state halted\)$"):
            call()
    ch.pull(1)
    with pytest.raises(CommandRefusedError, match=r"^re1 is not present$"):
        ch.pull(1)


def test_reboot_other_and_boot_timing() -> None:
    ch = make()
    story = Story(ch)
    assert ch.reboot(0, Scope.OTHER) == [1]
    assert states(ch) == {0: "master", 1: "booting"} and ch.uptime(1) == 0.0
    assert timers(ch) == ["keepalive-log-0", "boot-1"]
    ch.clock.advance(ch.params.boot_time + 0.5)
    assert states(ch)[1] == "booting"
    ch.clock.advance(0.5)  # re1 boots in boot_time + its slot number
    assert states(ch)[1] == "backup"
    assert ch.re(1).start_time == ch.re(1).up_since == story.t0 + 181
    assert ch.re(1).last_reboot_reason == "Router rebooted after a normal shutdown."
    ch.clock.advance(9)
    assert ch.uptime(1) == 9.0 and ch.hold_down_remaining() == 231


def test_reboot_both_reboots_the_other_re_first() -> None:
    ch = make()
    assert ch.reboot(1, Scope.BOTH) == [0, 1]
    ch.clock.advance(ch.params.boot_time + 1)
    assert states(ch) == {0: "master", 1: "backup"}


def test_power_on_boots_a_halted_re_with_a_normal_shutdown_reason() -> None:
    ch = make()
    ch.halt(1)
    ch.power_on(1)
    story = Story(ch)
    assert states(ch)[1] == "booting" and story.unchanged()
    ch.clock.advance(ch.params.boot_time + 1)
    assert ch.re(1).last_reboot_reason == "Router rebooted after a normal shutdown."
    assert ch.re(1).start_time == story.t0 + 181


def test_pulled_master_backup_takes_over_and_reinserted_re_boots_as_backup() -> None:
    ch = make()
    story = Story(ch)
    ch.pull(0)
    assert states(ch) == {0: "absent", 1: "master"}
    assert story.texts(0) == []
    assert story.texts(1) == [ev("E_NO_ORE", "backup"), *to("backup", "master", 3)]
    assert ch.pfe_resets == 1 and ch.last_switch == story.t0
    ch.insert(0)
    assert states(ch)[0] == "booting"
    ch.clock.advance(ch.params.boot_time)
    assert states(ch) == {0: "backup", 1: "master"}
    assert ch.re(0).last_reboot_reason == "0x1:power cycle/failure"


def test_pulled_backup_only_leaves_a_note_on_the_master() -> None:
    ch = make()
    story = Story(ch)
    ch.pull(1)
    assert states(ch) == {0: "master", 1: "absent"}
    assert story.texts(0) == [ev("E_NO_ORE", "master")] and ch.pfe_resets == 0


def test_pull_with_the_other_re_down_tells_nobody() -> None:
    ch = make()
    ch.halt(1)
    story = Story(ch)
    ch.pull(0)
    assert states(ch) == {0: "absent", 1: "halted"} and story.unchanged()


def test_pulled_master_with_a_claiming_backup_hands_over() -> None:
    ch = make()
    ch.sever_link()
    ch.switchover(1, ACQUIRE)
    ch.pull(0)
    assert states(ch) == {0: "absent", 1: "master"}
    # The claim is over: RE1 stops retrying it.
    assert not [name for name in timers(ch) if name.startswith("retry")]


def test_crashed_master_the_backup_takes_over_and_the_re_returns_as_backup() -> None:
    ch = make()
    story = Story(ch)
    ch.crash(0)
    assert states(ch) == {0: "booting", 1: "master"}
    assert story.texts(0) == []
    assert story.texts(1) == [ev("E_NO_IPC", "backup"), *to("backup", "master", 3)]
    ch.clock.advance(ch.params.boot_time)
    assert states(ch) == {0: "backup", 1: "master"}
    assert ch.re(0).last_reboot_reason == "0x2:watchdog"


def test_crashed_backup_is_only_noticed() -> None:
    ch = make()
    story = Story(ch)
    ch.crash(1)
    assert states(ch) == {0: "master", 1: "booting"}
    assert story.texts(0) == [ev("E_NO_IPC", "master")] and ch.pfe_resets == 0


def test_crash_cut_off_is_not_noticed_by_the_other_re() -> None:
    ch = make()
    ch.sever_link()
    story = Story(ch)
    ch.crash(0)
    assert states(ch) == {0: "booting", 1: "backup"} and story.unchanged()


@pytest.mark.parametrize("fault", ["crash", "halt", "pull"])
def test_an_re_going_down_during_a_giveup_stops_its_retries(fault: str) -> None:
    ch = make()
    ch.sever_link()
    ch.switchover(0, RELEASE)
    getattr(ch, fault)(0)
    assert not [name for name in timers(ch) if name.startswith("retry")]


def test_a_crashed_backup_makes_no_master_of_the_other_backup() -> None:
    ch = make(BOTH_BACKUP)
    ch.crash(0)
    assert states(ch)[1] == "backup" and ch.pfe_resets == 0


def test_a_pulled_re_makes_the_other_of_two_backups_master() -> None:
    # Real Junos: "if at any time one of the Routing Engines is not present, the other Routing
    # Engine becomes master automatically, regardless of how redundancy is configured"; it
    # resets the PFE, which had no master.
    ch = make(BOTH_BACKUP)
    ch.pull(0)
    assert states(ch)[1] == "master" and ch.pfe_resets == 1


def test_the_re_taking_over_a_pulled_master_reads_its_own_gres() -> None:
    ch = make({0: RedundancySettings(), 1: RedundancySettings(graceful_switchover=True)})
    ch.pull(0)
    assert states(ch)[1] == "master" and ch.pfe_resets == 0


def test_process_failure_without_failover_is_restarted() -> None:
    ch = make(RedundancySettings(process_failover=frozenset({"routing"})))
    story = Story(ch)
    assert ch.kill_process(1, "rpd") is False  # on the backup: restarted
    assert ch.kill_process(0, "snmpd") is False  # not configured: restarted
    assert story.texts(1) == ["process rpd exited abnormally, restarted"]
    assert story.texts(0) == ["process snmpd exited abnormally, restarted"]
    assert states(ch) == {0: "master", 1: "backup"}


def test_process_failure_with_failover_hands_mastership_over() -> None:
    ch = make(RedundancySettings(process_failover=frozenset({"rpd"})))
    story = Story(ch)
    assert ch.kill_process(0, "rpd") is True
    assert story.texts(0)[:3] == ["process rpd failed, failover to other routing engine", SEND,
                                  to("master", "giveup", 8)[0]]
    assert states(ch) == {0: "backup", 1: "master"}


def test_process_failure_with_failover_but_no_running_backup_is_restarted() -> None:
    ch = make(RedundancySettings(process_failover=frozenset({"rpd"})))
    ch.halt(1)
    story = Story(ch)
    assert ch.kill_process(0, "rpd") is False
    assert story.texts(0) == ["process rpd exited abnormally, restarted"]
    assert states(ch) == {0: "master", 1: "halted"}


def test_process_failure_with_failover_and_a_disabled_backup_is_restarted() -> None:
    ch = make(RedundancySettings(roles={1: Role.DISABLED}, process_failover=frozenset({"rpd"})))
    story = Story(ch)
    assert ch.kill_process(0, "rpd") is False
    assert story.texts(0) == ["process rpd exited abnormally, restarted"]
    assert states(ch) == {0: "master", 1: "disabled"}


def test_process_failure_with_failover_cut_off_gives_up_in_vain() -> None:
    ch = make(RedundancySettings(process_failover=frozenset({"rpd"})))
    ch.sever_link()
    assert ch.kill_process(0, "rpd") is False
    assert states(ch)[0] == "giveup"
    ch.clock.advance(MAXTRY)
    assert states(ch) == {0: "master", 1: "backup"}
    assert to("giveup", "master", 8)[0] in [line.text for line in ch.re(0).log.lines()]
