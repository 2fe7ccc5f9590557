"""Manually switching Routing Engine mastership: acquire, release and switch.

Chapter "Host Redundancy Overview", section "Manually Switching Routing Engine Mastership"
(``request chassis routing-engine master acquire|release|switch``, with and without
graceful-switchover; "the Packet Forwarding Engine components are rebooted" without it), and
Table 107 of "Determining Why Mastership Switched" for the events each RE logs.  Real Junos also
refuses a second switch within 240 s ("Not ready for mastership switch, try after N secs").
"""

from __future__ import annotations

import re

import pytest

from harness.errors import HarnessError
from harness.junos import parse_switchover
from harness.mastership import EventPattern, expect
from harness.procedures import ConfigChanges, LogWatch, fpc_states, roles
from harness.router import DualRERouter

pytestmark = pytest.mark.disruptive

GRES = "set chassis redundancy graceful-switchover"

#: Per method: the events on the old master's log and on the new master's log, in order
#: (Table 107: the command, the give-up or claim exchange, the confirmation, the ORE state).
EXPECTED: dict[str, tuple[list[EventPattern], list[EventPattern]]] = {
    "switch": (
        [expect("E_CMD_S", state="master"), expect("E_ACK_G"), expect("E_REQ_Y"),
         expect("E_ORE_M", state="backup")],
        [expect("E_REQ_G"), expect("E_ACK_Y", state="master"),
         expect("E_ORE_B", state="master")],
    ),
    "release": (
        [expect("E_CMD_R", state="master"), expect("E_ACK_G"), expect("E_REQ_Y"),
         expect("E_ORE_M", state="backup")],
        [expect("E_REQ_G"), expect("E_ACK_Y", state="master"),
         expect("E_ORE_B", state="master")],
    ),
    "acquire": (
        [expect("E_REQ_C"), expect("E_REQ_Y"), expect("E_ORE_M", state="backup")],
        [expect("E_CMD_A", state="backup"), expect("E_ACK_C"),
         expect("E_ACK_Y", state="master"), expect("E_ORE_B", state="master")],
    ),
}
#: Chapter: from the master the other RE becomes master; acquire is run on the backup.
WHO = {"switch": "other", "release": "other", "acquire": "local"}


def _online(states: dict[int, str]) -> bool:
    return bool(states) and all(s == "Online" for s in states.values())


@pytest.mark.parametrize("gres", [False, True], ids=["no-gres", "gres"])
@pytest.mark.parametrize("method", ["acquire", "release", "switch"])
def test_switchover_moves_mastership_and_logs_on_both_res(
        router: DualRERouter, config: ConfigChanges, method: str, gres: bool) -> None:
    """Each method moves mastership to the other RE; both REs log their side of the
    exchange; the command answers "Complete. The <local|other> routing engine becomes the
    master"."""
    if gres:
        config.apply(GRES)
    old = router.master
    logs = LogWatch.start(router)
    result = router.switchover(method)
    new = result.master_after
    assert new != old and result.master_before == old
    assert roles(router, via=str(new)) == {str(new): "master", old: "backup"}
    assert f"The {WHO[method]} routing engine becomes the master" in result.text
    on_old, on_new = EXPECTED[method]
    assert on_old in logs.since(old)
    assert on_new in logs.since(str(new))


@pytest.mark.parametrize("method", ["acquire", "release", "switch"])
def test_pfe_reinitialised_without_gres(router: DualRERouter, method: str) -> None:
    """Without graceful-switchover the FPCs go offline at the switchover and come back online
    later (chapter: "forwarding is interrupted and packet buffers are flushed"): a switchover
    that waits only for the new master (``until="master"``) returns with the FPCs offline."""
    assert _online(fpc_states(router, router.master))
    result = router.switchover(method, until="master")
    new = str(result.master_after)
    assert result.phases.control_plane is not None and result.phases.data_plane is None
    assert not _online(fpc_states(router, new))
    router.clock.wait_until(lambda: _online(fpc_states(router, new)),
                            router.spec.timeouts.switchover, "FPCs online after PFE re-init",
                            poll=5.0, state_only=True)


@pytest.mark.parametrize("gres", [False, True], ids=["no-gres", "gres"])
def test_switchover_times_control_and_data_planes(router: DualRERouter, config: ConfigChanges,
                                                   gres: bool) -> None:
    """A switchover waits by default until forwarding is back and says when each plane came
    back, from the command: without GRES the FPCs went offline and came back after the new
    master answered; with GRES they stayed online (data-plane time 0)."""
    if gres:
        config.apply(GRES)
    result = router.switchover("switch")
    phases = result.phases
    assert result.until == "forwarding"
    assert phases.control_plane is not None and phases.data_plane is not None
    assert _online(fpc_states(router, str(result.master_after)))
    if gres:
        assert phases.fpcs_stayed_online is True and phases.data_plane == 0
    else:
        assert phases.fpcs_stayed_online is False
        assert phases.data_plane > 0 and phases.data_plane >= phases.control_plane
    assert result.duration >= max(phases.control_plane, phases.data_plane)


def test_switchover_until_redundant_waits_for_the_backup(router: DualRERouter,
                                                          config: ConfigChanges) -> None:
    """``until="redundant"``: the switchover returns once the new backup's ``show system
    switchover`` says Ready (with GRES), after the control and data planes are back."""
    config.apply(GRES)
    result = router.switchover("switch", until="redundant")
    phases = result.phases
    assert phases.backup_ready is not None and phases.control_plane is not None
    assert phases.backup_ready >= phases.control_plane
    backup = result.master_before
    assert backup is not None
    assert parse_switchover(router.rpc(backup, "<get-switchover-information/>")).ready


@pytest.mark.parametrize("method", ["acquire", "release", "switch"])
def test_pfe_kept_with_gres(router: DualRERouter, config: ConfigChanges, method: str) -> None:
    """With graceful-switchover the FPCs stay online through the switchover."""
    config.apply(GRES)
    result = router.switchover(method)
    assert _online(fpc_states(router, str(result.master_after)))


def test_gres_backup_reports_ready(router: DualRERouter, config: ConfigChanges) -> None:
    """After ``set chassis redundancy graceful-switchover`` + ``commit synchronize`` the
    backup's ``show system switchover`` says graceful switchover is On and Ready."""
    config.apply(GRES)
    backup = router.backup
    assert backup is not None
    info = parse_switchover(router.rpc(backup, "<get-switchover-information/>"))
    assert info.graceful_switchover == "On"
    assert info.ready


def test_switch_from_the_backup(router: DualRERouter, logs: LogWatch) -> None:
    """``switch`` also works from the backup ("from either the backup or master"): the local
    RE becomes master and logs E_CMD_S."""
    backup = router.backup
    assert backup is not None
    result = router.switchover("switch", via=backup)
    assert result.master_after == backup == router.master
    assert "The local routing engine becomes the master" in result.text
    assert [expect("E_CMD_S", state="backup")] in logs.since(backup)


def test_switch_moves_mastership_and_logs_e_cmd_s(router: DualRERouter) -> None:
    """``request chassis routing-engine master switch`` on the master: the other RE becomes
    master, and the mastership log of the RE that ran the command shows E_CMD_S."""
    before = router.master
    mark = router.mastership_log(before).mark()
    result = router.switchover("switch", via=before)
    assert result.master_before == before
    assert router.master == result.master_after != before
    assert router.backup == before
    log = router.mastership_log(before).since(mark)
    assert [expect("E_CMD_S", state="master")] in log


def test_hold_down_refuses_then_honours(router: DualRERouter) -> None:
    """A second switch within 240 s is refused ("try after N secs"); after sleeping N router
    seconds it is accepted and mastership moves back."""
    first = router.switchover("switch")
    with pytest.raises(HarnessError, match=r"try after \d+ secs") as refused:
        router.switchover("switch")
    said = int(re.findall(r"try after (\d+) secs", str(refused.value))[0])
    assert 0 < said <= 240
    remaining = router.hold_down_remaining()
    assert 0 < remaining <= said
    assert router.master == first.master_after
    router.clock.sleep(remaining, "the 240 s switchover hold-down")
    # The router counts whole seconds on its own clock: allow a lab router's a few seconds.
    router.clock.wait_until(lambda: router.hold_down_remaining() == 0, 5,
                            "the hold-down to be over", poll=1.0, state_only=True)
    back = router.switchover("switch")
    assert back.master_after == first.master_before
