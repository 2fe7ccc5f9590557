"""Which Routing Engine you are logged in to, and which one is master.

Chapter "Host Redundancy Overview", sections "Determining Which Routing Engine You Are Logged In
To" (step 1 ``show chassis routing-engine``, step 2 ``show chassis hardware``, refused on the
backup) and "Determining Routing Engine Mastership" (step 1, mastership by status, on both REs).
The master-only address (DESIGN.md: "an optional master-only address always reaches the current
master") is checked here too, before and after a switchover.
"""

from __future__ import annotations

import pytest

from harness.procedures import roles
from harness.router import DualRERouter, NotMasterRefusal


def test_both_res_agree_on_the_master(router: DualRERouter) -> None:
    """Step 1 of both procedures: each RE's ``show chassis routing-engine`` names the same
    master, exactly one, and the other RE as backup."""
    views = {name: router.status(via=name) for name in router.re_names}
    masters = {name: [r.name for r in view if r.is_master] for name, view in views.items()}
    assert all(len(m) == 1 for m in masters.values()), masters
    assert len({m[0] for m in masters.values()}) == 1, masters
    for view in views.values():
        states = sorted(r.mastership_state.lower() for r in view)
        assert states == ["backup", "master"]


def test_status_lists_both_slots_with_priority(router: DualRERouter) -> None:
    """``show chassis routing-engine`` shows slot 0 and slot 1, each with its election
    priority (the chapter's "Election priority  Master (default)" field) and status OK."""
    view = router.status(via=router.master)
    assert [r.slot for r in view] == [0, 1]
    for r in view:
        assert r.status == "OK", r
        assert r.mastership_priority.split()[0] in ("master", "backup", "disabled"), r


def test_hardware_only_on_the_master(router: DualRERouter) -> None:
    """Step 2: ``show chassis hardware`` answers on the master and is refused on the backup
    with "This command can only be used on the master routing engine"."""
    master, backup = router.master, router.backup
    assert backup is not None
    inventory = router.chassis_hardware(master)
    names = [m.findtext("name") for m in inventory.iter("chassis-module")]
    assert f"Routing Engine {master[-1]}" in names
    with pytest.raises(NotMasterRefusal, match="can only be used on the master routing engine"):
        router.chassis_hardware(backup)


def test_logged_in_re_is_told_by_the_hardware_answer(router: DualRERouter) -> None:
    """Logged in to each RE in turn: the one that answers ``show chassis hardware`` is the one
    the status calls master, the one that refuses is the backup."""
    answered = []
    for name in router.re_names:
        try:
            router.chassis_hardware(name)
            answered.append(name)
        except NotMasterRefusal:
            pass
    assert answered == [router.master]


def test_master_only_address_reaches_the_master(router: DualRERouter) -> None:
    """The master-only address answers as the master: ``show chassis hardware`` works there."""
    if router.spec.master_only is None:
        pytest.skip(f"{router.name} has no master_only address in the testbed")
    router.chassis_hardware("master")
    assert roles(router, via="master")[router.master] == "master"


@pytest.mark.disruptive
def test_master_only_address_follows_a_switchover(router: DualRERouter) -> None:
    """After a switchover, a new session to the master-only address reaches the new master."""
    if router.spec.master_only is None:
        pytest.skip(f"{router.name} has no master_only address in the testbed")
    result = router.switchover("switch")
    router.drop_session("master")
    router.chassis_hardware("master")
    with pytest.raises(NotMasterRefusal):
        router.chassis_hardware(str(result.master_before))
