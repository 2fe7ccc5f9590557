"""Which Routing Engine you are logged in to, and which one is master.

Chapter sections "Determining Which Routing Engine You Are Logged In To" (show chassis
routing-engine; show chassis hardware refused on the backup), "Determining Routing Engine
Mastership" (status on both REs) and "Manually Switching Routing Engine Mastership" (switch).
"""

from __future__ import annotations

import pytest

from harness.mastership import expect
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


@pytest.mark.disruptive
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
