"""The backup assuming mastership on loss of keepalives, and on a critical process failure.

Chapter "Host Redundancy Overview", section "Configuring the Backup Routing Engine to Assume
Mastership on Failure of Keepalives": off by default; ``set chassis redundancy failover
on-loss-of-keepalives`` and ``keepalive-time`` (default 300 s, range 2..10000); a log line per
20 s of loss; after keepalive-time the backup claims mastership and "continues to be master even
after the other Routing Engine ... has successfully resumed operation".  Also (Junos ``system
processes <name> failover other-routing-engine``) failover when a critical process fails.
"""

from __future__ import annotations

import pytest

from harness.errors import HarnessError
from harness.mastership import KeepaliveLoss, expect_new_state
from harness.procedures import ConfigChanges, LogWatch, roles
from harness.router import DualRERouter

pytestmark = pytest.mark.disruptive

FAILOVER = "set chassis redundancy failover on-loss-of-keepalives"
#: Slack allowed after keepalive-time for the claim to show (real REs poll once a second).
CLAIM_SLACK = 60.0


def _backup(router: DualRERouter) -> str:
    backup = router.backup
    assert backup is not None, f"{router.name}: no backup RE"
    return backup


def test_no_failover_by_default(router: DualRERouter, logs: LogWatch) -> None:
    """Without ``failover on-loss-of-keepalives`` the backup never takes over: 600 s of
    keepalive loss leave the roles as they were, and the backup logs the loss every 20 s."""
    router.faults.require("sever_link", "restore_link")
    master, backup = router.master, _backup(router)
    router.faults.make("sever_link")
    try:
        router.clock.sleep(600, "600 s of keepalive loss (no failover expected)")
        assert roles(router, via=backup)[backup] == "backup"
        assert roles(router, via=master)[master] == "master"
    finally:
        router.faults.make("restore_link")
    assert len(logs.since(backup).of_kind(KeepaliveLoss)) >= 600 // 20 - 1


@pytest.mark.parametrize("keepalive_time", [None, 30], ids=["default-300s", "30s"])
def test_failover_after_keepalive_time(router: DualRERouter, config: ConfigChanges,
                                       logs: LogWatch, keepalive_time: int | None) -> None:
    """With the failover configured (keepalive-time default 300 s, or 30 s), the backup is
    still backup just before keepalive-time, master soon after; it keeps mastership when the
    old master comes back."""
    router.faults.require("sever_link", "restore_link")
    wait = keepalive_time or 300
    lines = [FAILOVER] + ([f"set chassis redundancy keepalive-time {keepalive_time}"]
                          if keepalive_time else [])
    config.apply(lines)
    master, backup = router.master, _backup(router)
    start = router.clock.now()
    router.faults.make("sever_link")
    try:
        router.clock.sleep(wait - 5, f"keepalive-time ({wait} s) minus 5 s")
        assert roles(router, via=backup)[backup] == "backup", "failover before keepalive-time"
        router.clock.wait_until(lambda: router.is_master(backup), 5 + CLAIM_SLACK,
                                f"{backup} to claim mastership", poll=1.0, state_only=True)
        took = router.clock.now() - start
    finally:
        router.faults.make("restore_link")
    assert wait <= took <= wait + CLAIM_SLACK
    router.wait_for_master(backup, router.spec.timeouts.switchover, "mastership kept")
    assert roles(router, via=master) == {backup: "master", master: "backup"}
    seconds = [e.seconds for e in logs.since(backup).of_kind(KeepaliveLoss)]
    assert seconds[: wait // 20] == [20 * (i + 1) for i in range(wait // 20)]
    assert [expect_new_state("master")] in logs.since(backup)


@pytest.mark.parametrize("value", [1, 10001])
def test_keepalive_time_out_of_range_refused(router: DualRERouter, config: ConfigChanges,
                                             value: int) -> None:
    """keepalive-time outside 2..10000 is refused at commit, naming the range."""
    via = router.master
    try:
        with pytest.raises(HarnessError, match=r"2\.\.10000"):
            config.apply([FAILOVER, f"set chassis redundancy keepalive-time {value}"], via=via)
    finally:
        router.rollback(via, 0)  # discard the refused candidate


def test_failover_on_critical_process_failure(router: DualRERouter, config: ConfigChanges,
                                              logs: LogWatch) -> None:
    """``system processes routing failover other-routing-engine``: when the routing process
    fails on the master, the backup becomes master."""
    router.faults.require("kill_process")
    config.apply("set system processes routing failover other-routing-engine")
    master, backup = router.master, _backup(router)
    router.faults.make("kill_process", master, name="routing")
    router.wait_for_master(backup, router.spec.timeouts.switchover, "failover after rpd died")
    assert roles(router, via=backup) == {backup: "master", master: "backup"}
    assert [expect_new_state("master")] in logs.since(backup)


def test_process_failure_without_failover_statement(router: DualRERouter) -> None:
    """Without the statement the process is restarted and mastership stays where it was."""
    router.faults.require("kill_process")
    master = router.master
    router.faults.make("kill_process", master, name="routing")
    router.clock.sleep(30, "to see that no failover follows")
    assert router.master == master
