"""Halting the backup Routing Engine properly, end to end.

Chapter "Host Redundancy Overview", section "Avoiding Redundancy Problems", step 5 "Use the
Proper Shutdown Process on a Backup Routing Engine": ``request system halt`` "only shuts down
the Routing Engine you are logged in to" and warns "This command will not halt the other
routing-engine. If planning to switch off power, use the both-routing-engines option."  The RE
is back only after a power-on; redundancy is then restored.
"""

from __future__ import annotations

import pytest

from harness.mastership import EventCode
from harness.procedures import LogWatch, roles, wait_roles
from harness.router import DualRERouter

pytestmark = pytest.mark.disruptive

HALT_WARNING = "This command will not halt the other routing-engine"


def test_halt_backup_and_bring_it_back(router: DualRERouter, logs: LogWatch) -> None:
    """Halt the backup: only it stops; the master keeps mastership, stays up, and its log
    records the lost connection; after a power-on the backup rejoins as backup and, once the
    hold-down after its boot has passed, a switchover would be accepted."""
    master, backup = router.master, router.backup
    assert backup is not None
    result = router.halt(backup)
    assert result.master_before == result.master_after == master
    assert not router.answers(backup)
    view = roles(router, via=master)
    assert view[master] == "master"
    assert view[backup] not in ("master", "backup")
    assert logs.since(master).events(EventCode.E_NO_IPC)
    router.clock.sleep(60, "a minute without a backup")
    assert router.is_master(master)
    router.power_on(backup)
    wait_roles(router, {master: "master", backup: "backup"}, router.spec.timeouts.reboot)
    assert roles(router, via=backup) == {master: "master", backup: "backup"}
    router.wait_ready_for_switch()
    assert router.hold_down_remaining() == 0


def test_halt_warns_it_halts_only_the_local_re(router: DualRERouter) -> None:
    """The halt's answer carries the chapter's warning that the other RE keeps running."""
    backup = router.backup
    assert backup is not None
    result = router.halt(backup)
    try:
        assert HALT_WARNING in result.text
    finally:
        router.power_on(backup)


@pytest.mark.emulated_only
def test_halt_both_routing_engines(router: DualRERouter) -> None:
    """``request system halt both-routing-engines`` halts both REs; they come back only when
    powered on.  Emulated only: never switch off a lab router this way from a test."""
    master = router.master
    router.halt(master, both=True)
    assert not any(router.answers(name) for name in router.re_names)
    router.clock.sleep(600, "to show that halted REs stay down")
    assert not any(router.answers(name) for name in router.re_names)
    # The RE's own power-on waits for the whole router to settle, so the other RE is powered
    # on first, without waiting (the same fault a lab's PDU script would make).
    other = next(name for name in router.re_names if name != master)
    router.faults.make("power_on_re", other)
    router.power_on(master)
    router.clock.wait_until(lambda: sorted(roles(router, via=master).values())
                            == ["backup", "master"], router.spec.timeouts.reboot,
                            "one master and one backup after power-on", poll=5.0, state_only=True)
