"""Tests of the REs a test restarted (``harness.snapshots.restarts``) and of the HA rules that
expect exactly those restarts: the actions come from the harness's own consent, faults and raw
request naming (no router); the snapshots are built by hand as in ``test_snapshot_diff``."""

from __future__ import annotations

from typing import Any

import pytest
from lxml import etree

from harness import rpcs
from harness.faults import Consent, Disruption, DisruptiveAction, EmulatorFaults, disruption_of
from harness.snapshots import diff
from harness.snapshots.ha import HAContext, ha_rules
from harness.snapshots.restarts import RestartWatch, restarted_by
from re_contract.testbed import RouterSpec, default_testbed_path, load_testbed
from tests.unit.test_snapshot_diff import LOG, SWITCH_LOG, T0, snap, unexpected_paths

RES = ("re0", "re1")


def _spec() -> RouterSpec:
    return load_testbed(default_testbed_path()).router("r1")


def _raw(request: etree._Element, via: str) -> DisruptiveAction:
    """The action the router's consent tells for raw ``request`` sent to ``via``."""
    found = disruption_of(request)
    assert found is not None
    return DisruptiveAction("r1", found[0], found[1], via)


# ------------------------------------------------------------------- which REs an action hits
@pytest.mark.parametrize(("request_", "via", "restarted"), [
    (rpcs.request_reboot(), "re1", {"re1"}),
    (rpcs.request_reboot(rpcs.ShutdownScope.BOTH), "re0", {"re0", "re1"}),
    (rpcs.request_reboot(rpcs.ShutdownScope.OTHER), "re0", {"re1"}),
    (rpcs.request_halt(), "re0", {"re0"}),
    (rpcs.request_power_on_other(), "re1", {"re0"}),
    (rpcs.command("request system reboot both-routing-engines"), "re1", {"re0", "re1"}),
    (rpcs.command("request system halt other-routing-engine"), "re1", {"re0"}),
    (rpcs.request_switch(rpcs.SwitchMethod.SWITCH), "re0", set()),
    (rpcs.commit_configuration(), "re0", set()),
])
def test_raw_requests_restart_the_res_their_scope_names(
        request_: etree._Element, via: str, restarted: set[str]) -> None:
    assert restarted_by(_raw(request_, via), RES) == restarted


def test_faults_that_take_an_re_down_restart_it_and_the_others_do_not() -> None:
    consent = Consent(_spec())
    seen: list[DisruptiveAction] = []
    consent.listeners.append(seen.append)
    faults = EmulatorFaults(lambda tag, **children: etree.Element("ok"), consent=consent)
    faults.crash_re("re0")
    faults.pull_re("re1")
    faults.kill_process("re0", "chassisd")
    faults.sever_link()
    faults.drop_sessions("re1")
    assert [restarted_by(a, RES) for a in seen] == [{"re0"}, {"re1"}, set(), set(), set()]


def test_a_failover_restarts_its_victim_or_else_the_master() -> None:
    named = DisruptiveAction("r1", Disruption.FAILOVER, "failover (crash_re)", "re1")
    unnamed = DisruptiveAction("r1", Disruption.FAILOVER, "failover (pull_re)", None)
    process = DisruptiveAction("r1", Disruption.FAILOVER, "failover (kill_process)", None)
    assert restarted_by(named, RES, lambda: "re0") == {"re1"}
    assert restarted_by(unnamed, RES, lambda: "re0") == {"re0"}
    assert restarted_by(process, RES, lambda: "re0") == set()


def test_the_ha_operations_name_the_res_they_restart() -> None:
    # the action names HAOperations gives its consent (harness/router/ha.py)
    halt_both = DisruptiveAction("r1", Disruption.HALT,
                                 "halt of re0 (both-routing-engines)", "re0")
    power = DisruptiveAction("r1", Disruption.POWER, "power-on of re1", "re1")
    switch = DisruptiveAction("r1", Disruption.SWITCHOVER, "switchover (switch)", None)
    assert restarted_by(halt_both, RES) == {"re0", "re1"}
    assert restarted_by(power, RES) == {"re1"}
    assert restarted_by(switch, RES) == set()


def test_the_watch_gathers_what_the_consent_tells_once_per_outer_action() -> None:
    consent = Consent(_spec())
    watch = RestartWatch(RES)
    consent.listeners.append(watch.on_action)
    faults = EmulatorFaults(lambda tag, **children: etree.Element("ok"), consent=consent)
    with consent.acting(Disruption.POWER, "power-on of re1", "re1"):
        faults.power_on_re("re1")  # inside the power-on: told once, as the power-on
    faults.sever_link()
    assert watch.restarted == {"re1"}


# ------------------------------------------------------------------------------- the diff
def _restarted(post: Any, slot: str, uptime: int = 20,
               reason: str = "0x2:watchdog") -> None:
    """Make RE ``slot`` restarted in ``post`` as every RE reports it."""
    for where in ("re0", "re1"):
        entry = post.captures["re-status"][where].value[f"route-engine[{slot}]"]
        entry.update({"up-time": uptime, "start-time": int(post.started - uptime),
                      "last-reboot-reason": reason})


def _pre() -> Any:
    pre = snap("pre", "re0")
    for where in ("re0", "re1"):
        for entry in pre.captures["re-status"][where].value.values():
            entry["last-reboot-reason"] = "Router rebooted after a normal shutdown."
    return pre


def test_a_restart_the_test_made_is_expected_by_slot_in_every_res_view() -> None:
    pre, post = _pre(), snap("post", "re0", at=T0 + 300, uptime=529500)
    for where in ("re0", "re1"):
        for entry in post.captures["re-status"][where].value.values():
            entry["last-reboot-reason"] = "Router rebooted after a normal shutdown."
    _restarted(post, "1")
    found = diff(pre, post, restarted={"re1"})
    assert found.clean, found.explain()
    assert {c.path for c in found.expected} >= {
        f"re-status/{w}/route-engine[1]/{k}" for w in ("re0", "re1")
        for k in ("up-time", "start-time", "last-reboot-reason")}
    assert "The test restarted re1" in found.explain()
    assert found.to_dict()["context"]["restarted"] == ["re1"]


def test_a_restart_nobody_asked_for_is_still_unexpected() -> None:
    pre, post = _pre(), snap("post", "re0", at=T0 + 300, uptime=529500)
    for where in ("re0", "re1"):
        for entry in post.captures["re-status"][where].value.values():
            entry["last-reboot-reason"] = "Router rebooted after a normal shutdown."
    _restarted(post, "0")  # re0 restarted, but the test restarted re1 only
    found = diff(pre, post, restarted={"re1"})
    assert sorted(unexpected_paths(found)) == sorted(
        f"re-status/{w}/route-engine[0]/{k}" for w in ("re0", "re1")
        for k in ("up-time", "start-time", "last-reboot-reason"))
    assert "went back: restarted since the first snapshot" in found.explain()
    assert not diff(pre, post).clean  # and with no restart asked at all


def test_an_uptime_older_than_the_snapshots_is_no_restart_of_the_test() -> None:
    pre, post = _pre(), snap("post", "re0", at=T0 + 300, uptime=529500)
    _restarted(post, "1", uptime=4000)  # went back, but started before the pre snapshot
    found = diff(pre, post, restarted={"re1"})
    assert "re-status/re0/route-engine[1]/up-time" in unexpected_paths(found)


def test_fpcs_restart_with_every_re_or_the_master_without_gres() -> None:
    kw: dict[str, Any] = {"at": T0 + 300, "uptime": 529500, "fpc_up": 100}
    pre_off, pre_on = snap("pre", "re0"), snap("pre", "re0", gres="On")
    fpcs = ["fpc/master/fpc[0]/up-time", "fpc/master/fpc[1]/up-time"]
    assert unexpected_paths(diff(pre_off, snap("post", "re0", **kw))) == fpcs
    assert unexpected_paths(diff(pre_off, snap("post", "re0", **kw),
                                 restarted={"re1"})) == fpcs  # the backup only
    assert not any(p.startswith("fpc/") for p in unexpected_paths(
        diff(pre_off, snap("post", "re0", **kw), restarted={"re0"})))
    assert unexpected_paths(diff(pre_on, snap("post", "re0", gres="On", **kw),
                                 restarted={"re0"})) == fpcs
    assert not any(p.startswith("fpc/") for p in unexpected_paths(
        diff(pre_on, snap("post", "re0", gres="On", **kw), restarted={"re0", "re1"})))


def test_the_context_says_what_the_test_restarted() -> None:
    pre = snap("pre", "re0")
    post = snap("post", "re1", at=T0 + 300, uptime=529500, log=LOG + SWITCH_LOG)
    ctx = HAContext.of(pre, post, {"re0"})
    assert ctx.restarted == {"re0"} and ctx.re_names == {"re0", "re1"}
    assert ctx.chassis_restarted
    assert not HAContext.of(pre, post).chassis_restarted
    assert HAContext.of(pre, post).describe_restarts() == ""
    restart_rules = [r for r in ha_rules(pre, post, {"re0"}) if "route-engine[0]" in r.path]
    assert [r.path for r in restart_rules] == [
        "re-status/*/route-engine[0]/up-time", "re-status/*/route-engine[0]/start-time",
        "re-status/*/route-engine[0]/last-reboot-reason"]


def _alarms(snapshot: Any, *descriptions: str) -> None:
    """Give ``snapshot`` the alarms ``descriptions`` (as both REs report them)."""
    value: dict[str, Any] = {"alarm-summary": (
        {"active-alarm-count": str(len(descriptions))} if descriptions
        else {"no-active-alarms": True})}
    for text in descriptions:
        value[f"alarm-detail[{text}]"] = {"alarm-class": "Minor", "alarm-description": text,
                                          "alarm-type": "Chassis"}
    for where in ("re0", "re1"):
        snapshot.captures["alarms"][where] = type(snapshot.captures["alarms"][where])(
            where, dict(value))


def test_backup_re_active_follows_mastership_and_other_alarms_are_unexpected() -> None:
    pre = snap("pre", "re0")
    _alarms(pre)
    moved = snap("post", "re1", at=T0 + 300, uptime=529500, log=LOG + SWITCH_LOG, fpc_up=100)
    _alarms(moved, "Backup RE Active")
    assert diff(pre, moved).clean, diff(pre, moved).explain()
    stayed = snap("post", "re0", at=T0 + 300, uptime=529500)
    _alarms(stayed, "Backup RE Active")
    assert "alarms/re0/alarm-detail[Backup RE Active]" in unexpected_paths(diff(pre, stayed))
    other = snap("post", "re1", at=T0 + 300, uptime=529500, log=LOG + SWITCH_LOG, fpc_up=100)
    _alarms(other, "Backup RE Active", "Loss of communication with Backup RE")
    assert sorted(unexpected_paths(diff(pre, other))) == [
        f"alarms/{w}/alarm-detail[Loss of communication with Backup RE]" for w in RES]
