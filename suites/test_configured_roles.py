"""Manually configured master, backup and disabled Routing Engines.

Chapter "Host Redundancy Overview", section "Manually Configuring Master and Backup Routing
Engines": ``set chassis redundancy routing-engine <slot> (master | backup | disabled)``
committed on both REs ("Each Routing Engine only checks its own configuration"); the roles take
effect at the mastership election upon boot; both REs master -> the first up wins and the
second is refused (E_NAK_C); both backup -> neither becomes master until a keepalive failover;
a disabled RE takes no part and mastership cannot be switched to or from it.
"""

from __future__ import annotations

import pytest

from harness.errors import HarnessError
from harness.mastership import expect
from harness.procedures import ConfigChanges, LogWatch, reboot_all, roles, wait_roles
from harness.router import DualRERouter

pytestmark = pytest.mark.disruptive


def _role_lines(re0: str, re1: str) -> list[str]:
    return [f"set chassis redundancy routing-engine 0 {re0}",
            f"set chassis redundancy routing-engine 1 {re1}"]


def test_re1_master_re0_backup_after_election(router: DualRERouter, config: ConfigChanges
                                              ) -> None:
    """The chapter's example: RE1 master, RE0 backup, committed on both REs.  Committing
    logs E_CFG_* but moves nothing; after both REs reboot, RE1 is master and the election
    priorities show the configured roles (no "(default)")."""
    logs = LogWatch.start(router)
    config.apply_each({name: _role_lines("backup", "master") for name in router.re_names})
    assert [expect("E_CFG_B")] in logs.since("re0")
    assert [expect("E_CFG_M")] in logs.since("re1")
    assert roles(router, via="re0") == {"re0": "master", "re1": "backup"}
    reboot_all(router)
    assert roles(router, via="re1") == {"re0": "backup", "re1": "master"}
    priorities = {r.name: r.mastership_priority for r in router.status(via="re1")}
    assert priorities == {"re0": "backup", "re1": "master"}


def test_both_master_first_up_wins(router: DualRERouter, config: ConfigChanges) -> None:
    """Both REs configured master: after the reboot one RE is master; the other tried to
    claim mastership, was refused (E_NAK_C) and became backup."""
    config.apply_each({name: _role_lines("master", "master") for name in router.re_names})
    logs = LogWatch.start(router)
    reboot_all(router)
    view = roles(router, via="re0")
    assert sorted(view.values()) == ["backup", "master"], view
    second = next(name for name, state in view.items() if state == "backup")
    assert [expect("E_CFG_M"), expect("E_NAK_C")] in logs.since(second)


def test_both_backup_no_master_until_keepalive_failover(router: DualRERouter,
                                                       config: ConfigChanges) -> None:
    """Both REs configured backup: after the reboot neither becomes master, however long we
    wait.  With ``failover on-loss-of-keepalives``, interrupting the link between the REs for
    keepalive-time makes one master (the chapter's only ways out)."""
    router.faults.require("sever_link", "restore_link")
    lines = _role_lines("backup", "backup") + [
        "set chassis redundancy failover on-loss-of-keepalives",
        "set chassis redundancy keepalive-time 30"]
    config.apply_each({name: lines for name in router.re_names})
    reboot_all(router)
    router.clock.sleep(600, "to show that no RE takes mastership")
    assert roles(router, via="re0") == {"re0": "backup", "re1": "backup"}
    router.faults.make("sever_link")
    try:
        router.clock.sleep(40, "keepalive-time (30 s) of keepalive loss")
    finally:
        router.faults.make("restore_link")
    router.clock.wait_until(lambda: list(roles(router, via="re0").values()).count("master")
                            == 1, 60, "exactly one master after the link is back", poll=1.0,
                            state_only=True)


def test_disabled_re_takes_no_part(router: DualRERouter, config: ConfigChanges,
                                   logs: LogWatch) -> None:
    """RE1 configured disabled (committed on both REs, then RE1 rebooted): it reports
    disabled, logs E_CFG_D, and a switch from either RE is refused."""
    config.apply(_role_lines("master", "disabled"), via="re0")
    router.reboot("re1")
    wait_roles(router, {"re1": "disabled"}, router.spec.timeouts.reboot)
    assert roles(router, via="re0") == {"re0": "master", "re1": "disabled"}
    assert [expect("E_CFG_D")] in logs.since("re1")
    for via in router.re_names:
        with pytest.raises(HarnessError, match="disabled"):
            router.switchover("switch", via=via)
    assert router.master == "re0"
