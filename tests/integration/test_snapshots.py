"""Snapshots and HA-aware diffs against the in-process emulator, over NETCONF as on a lab: a
configuration line changed behind the harness's back (by another NETCONF client) is reported,
while a switchover's expected changes (roles swapped, uptimes moved forward, FPCs restarted
without GRES, new mastership-log lines) are not; the post snapshot waits for the router to
settle on its own clock."""

from __future__ import annotations

from ncclient import manager

from harness.pool import RouterPool
from harness.router import DualRERouter
from harness.snapshots import Verdict, diff
from harness.snapshots.settle import settled_diff

HOSTNAME_LINE = "set system host-name r1"
BEHIND = "set system host-name changed-behind-the-back"


def _dut(pool: RouterPool) -> DualRERouter:
    router = pool.get("r1")
    router.reset()
    return router


def _change_behind_the_back(router: DualRERouter, re_name: str) -> None:
    """Commit a line on ``re_name`` through a NETCONF session of another client (ncclient,
    stock), as a colleague's script would: the harness knows nothing of it."""
    endpoint = router.spec.endpoints[re_name]
    with manager.connect(host=endpoint.host, port=endpoint.port, username="lab",
                         password="lab123", hostkey_verify=False, look_for_keys=False,
                         allow_agent=False, device_params={"name": "junos"},
                         timeout=30) as other:
        other.load_configuration(action="set", config=BEHIND)
        other.commit()


def test_a_line_changed_behind_the_back_is_reported_and_the_switchover_is_not(
        pool: RouterPool) -> None:
    dut = _dut(pool)
    pre = dut.snapshot("pre")
    switched = dut.switchover("switch")
    dut.clock.sleep(60, "a minute after the switchover: uptimes move on")
    _change_behind_the_back(dut, str(switched.master_after))
    post, found = settled_diff(dut.snapshot, dut.clock, pre, dut.snapshot_plan,
                               settle=dut.spec.timeouts.switchover)
    new = str(switched.master_after)
    unexpected = {c.path for c in found.unexpected}
    assert f"configuration/{new}/{HOSTNAME_LINE}" in unexpected
    assert f"configuration/{new}/{BEHIND}" in unexpected
    assert not any(p.endswith(("mastership-state", "up-time")) for p in unexpected), \
        found.explain()
    # The other RE's configuration (not committed there) and everything else did not change.
    assert {p.split("/")[0] for p in unexpected} <= {"configuration", "versions"}
    expected = {c.path: c for c in found.expected}
    assert expected["re-status/re0/route-engine[0]/mastership-state"].post == "backup"
    assert expected["re-status/re1/route-engine[1]/mastership-state"].post == "master"
    assert "the RE roles swap across a switchover" in found.explain()
    assert "uptimes move forward with the router clock" in found.explain()
    assert found.context.switchover and post.master == new


def test_a_clean_switchover_has_no_unexpected_change_once_settled(pool: RouterPool) -> None:
    dut = _dut(pool)
    pre = dut.snapshot("pre")
    dut.switchover("switch", until="master")  # back as soon as the new master answers
    at_once = diff(pre, dut.snapshot("post"))
    # Without graceful switchover the FPCs (and their PICs) are still coming back right after
    # it ...
    assert at_once.unexpected and all(c.item in ("fpc", "pic") for c in at_once.unexpected)
    assert any(c.item == "fpc" for c in at_once.unexpected)
    t0 = dut.clock.now()
    _, found = settled_diff(dut.snapshot, dut.clock, pre, dut.snapshot_plan,
                            settle=dut.spec.timeouts.switchover)
    # ... and the settled post snapshot, taken on the router's clock, finds them back.
    assert found.clean, found.explain()
    assert dut.clock.now() > t0
    assert any(c.verdict is Verdict.EXPECTED and c.path.startswith("fpc/")
               for c in found.changes)


def test_a_router_that_changed_nothing_diffs_clean_and_all_compared(pool: RouterPool) -> None:
    dut = _dut(pool)
    pre = dut.snapshot("pre")
    dut.clock.sleep(60, "a minute")
    found = diff(pre, dut.snapshot("post"))
    assert found.clean and not found.context.switchover, found.explain()
    assert found.compared > 100
    assert "Mastership stayed with re0." in found.explain()
