"""Why mastership switched (or did not): the mastership log tells the story.

Chapter "Host Redundancy Overview", section "Determining Why Mastership Switched" (``show log
mastership``, Table 107 and its sample output): a release with an unreachable backup goes to
giveup, retries "you are the master" with E_TMOUT until E_MAXTRY, then returns to master.
Also the causes the section lists: the master pulled, and a kernel crash.
"""

from __future__ import annotations

import pytest

from harness.errors import HarnessError
from harness.mastership import (
    EventCode,
    KeepaliveLoss,
    expect,
    expect_entry,
    expect_new_state,
    expect_transition,
)
from harness.procedures import LogWatch, roles
from harness.router import DualRERouter

pytestmark = pytest.mark.disruptive

#: The chapter's sample: seven timeouts, then E_MAXTRY.
TIMEOUTS = 7


def test_release_with_unreachable_backup_falls_back(router: DualRERouter, logs: LogWatch
                                                    ) -> None:
    """Sever the link between the REs and, as in the chapter's sample, let a minute of
    keepalive loss pass; release mastership: the master gives up, times out seven times, hits
    E_MAXTRY and is master again; the release does not report success."""
    router.faults.require("sever_link", "restore_link")
    master = router.master
    router.faults.make("sever_link")
    try:
        router.clock.sleep(60, "a minute of keepalive loss before the release")
        with pytest.raises(HarnessError):
            router.switchover("release", timeout=60)
        router.clock.wait_until(lambda: router.is_master(master), 120,
                                f"{master} to be master again after E_MAXTRY", poll=1.0,
                                state_only=True)
        story = logs.since(master)
    finally:
        router.faults.make("restore_link")
    assert [expect_entry(KeepaliveLoss, label="keepalive loss"),
            expect("E_CMD_R", state="master"), expect_transition("master", "giveup"),
            expect_new_state("giveup"),
            *[expect("E_TMOUT", state="giveup")] * TIMEOUTS,
            expect("E_MAXTRY", state="giveup"), expect_transition("giveup", "master"),
            expect_new_state("master")] in story
    assert len(story.events(EventCode.E_TMOUT)) == TIMEOUTS
    assert roles(router, via=master)[master] == "master"


def test_master_pulled_backup_takes_over(router: DualRERouter, logs: LogWatch) -> None:
    """The master RE is pulled: the backup logs E_NO_ORE and becomes master; the RE comes
    back as backup once inserted."""
    router.faults.require("pull_re", "insert_re")
    master, backup = router.master, router.backup
    assert backup is not None
    result = router.failover("pull_re", master, master=backup, until="forwarding")
    assert result.master_after == backup and result.phases.data_plane is not None
    assert [expect("E_NO_ORE"), expect_new_state("master")] in logs.since(backup)
    router.faults.make("insert_re", master)
    router.clock.wait_until(lambda: router.answers(master) and roles(router, via=master)
                            .get(master) == "backup", router.spec.timeouts.reboot,
                            f"{master} back as backup", poll=5.0, state_only=True)


def test_master_kernel_crash_backup_takes_over(router: DualRERouter, logs: LogWatch) -> None:
    """The master's kernel crashes: the backup sees the connection drop (E_NO_IPC) and takes
    over; the crashed RE reboots and joins as backup."""
    router.faults.require("crash_re")
    master, backup = router.master, router.backup
    assert backup is not None
    # Redundant: the crashed RE rebooted and reports itself ready to take over again.
    result = router.failover("crash_re", master, master=backup, until="redundant",
                             timeout=router.spec.timeouts.reboot)
    phases = result.phases
    assert result.master_after == backup
    assert None not in (phases.control_plane, phases.data_plane, phases.backup_ready)
    assert [expect("E_NO_IPC"), expect_new_state("master")] in logs.since(backup)
    assert roles(router, via=master).get(master) == "backup"


def test_keepalive_loss_lines_every_20_seconds(router: DualRERouter, logs: LogWatch) -> None:
    """While keepalives are lost, each RE writes "failed to receive keepalives from other RE
    for the last N sec" every 20 s (N = 20, 40, 60, ...)."""
    router.faults.require("sever_link", "restore_link")
    router.faults.make("sever_link")
    try:
        router.clock.sleep(100, "100 s of keepalive loss")
    finally:
        router.faults.make("restore_link")
    backup = router.backup
    assert backup is not None
    seconds = [e.seconds for e in logs.since(backup).of_kind(KeepaliveLoss)]
    assert seconds[:5] == [20, 40, 60, 80, 100]
    assert [expect_entry(KeepaliveLoss, lambda e: e.seconds == 100, label="loss 100 s")] \
        in logs.since(router.master)
