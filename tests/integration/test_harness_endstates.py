"""The end states an HA operation waits for and the times it measures, against the in-process
emulator: control plane, data plane (``show chassis fpc``), backup readiness (``show system
switchover``), with and without graceful switchover; the named errors of each wait; consent.

Times are checked against what the router itself reports afterwards (an FPC's up-time, the
backup's ``show system switchover``), not against constants of the emulator, so the tests hold
when the emulator's timing model changes."""

from __future__ import annotations

from dataclasses import replace

import pytest
import yaml
from lxml import etree

from harness import rpcs
from harness.errors import (
    DisruptiveNotAllowedError,
    ForwardingTimeoutError,
    MasterTimeoutError,
    RedundancyTimeoutError,
)
from harness.faults import Consent, Disruption, disruption_of
from harness.junos import parse_switchover
from harness.router import DualRERouter
from harness.router.endstate import EndStates, ready_lane, wait_limit
from harness.router.results import Until
from re_contract.testbed import Budgets, TestbedError, parse_testbed

GRES = "set chassis redundancy graceful-switchover"


def _gres(dut: DualRERouter) -> None:
    dut.load_config("re0", GRES)
    dut.commit("re0", synchronize=True)


def test_switchover_without_gres_times_the_pfe_coming_back(dut: DualRERouter) -> None:
    result = dut.switchover("switch")
    phases = result.phases
    assert result.until == "forwarding" and result.started is not None
    assert phases.control_plane is not None and phases.data_plane is not None
    assert phases.fpcs_stayed_online is False
    assert 0 < phases.data_plane and phases.control_plane <= phases.data_plane
    # The router's own account: the FPCs come back one after another (the platform's stagger);
    # the last one has been up since the data-plane time.
    now = dut.clock.now()
    fpcs = dut.state.fpcs("re1")
    assert all(fpc.online and fpc.up_time is not None for fpc in fpcs)
    last_up = min(fpc.up_time for fpc in fpcs if fpc.up_time is not None)
    assert abs((now - last_up) - (result.started + phases.data_plane)) <= 1.0
    lanes = [(s.lane, s.state) for s in result.seen]
    assert ("fpc0", "offline") in lanes and ("fpc0", "online") in lanes
    assert lanes.index(("fpc0", "offline")) < lanes.index(("fpc0", "online"))


def test_switchover_with_gres_keeps_the_fpcs_online_and_waits_for_the_backup(
        dut: DualRERouter) -> None:
    _gres(dut)
    result = dut.switchover("switch", until="redundant")
    phases = result.phases
    assert (phases.data_plane, phases.fpcs_stayed_online) == (0.0, True)
    assert phases.backup_ready is not None and phases.control_plane is not None
    assert phases.backup_ready >= phases.control_plane
    assert result.duration >= phases.backup_ready
    info = parse_switchover(dut.rpc("re0", rpcs.get_switchover_information()))
    assert info.graceful_switchover == "On" and info.ready
    ready = [(s.at - result.started, s.state) for s in result.seen  # type: ignore[operator]
             if s.lane == ready_lane("re0")]
    assert ready[-1] == (phases.backup_ready, "ready")


def test_until_master_returns_with_the_pfe_still_down(dut: DualRERouter) -> None:
    result = dut.switchover("switch", until=Until.MASTER)
    assert result.phases.data_plane is None and result.phases.backup_ready is None
    assert not all(f.online for f in dut.state.fpcs("re1"))


def test_failover_is_timed_from_the_fault(dut: DualRERouter) -> None:
    result = dut.failover("crash_re", "re0", until="forwarding")
    assert (result.operation, result.master_before, result.master_after) == (
        "failover", "re0", "re1")
    assert result.phases.control_plane is not None and result.phases.data_plane is not None
    assert dut.master == "re1"


def test_halt_of_the_backup_keeps_forwarding(dut: DualRERouter) -> None:
    result = dut.halt("re1", until="forwarding")
    assert result.master_after == "re0"
    assert result.phases.fpcs_stayed_online is True and result.phases.data_plane == 0.0
    with pytest.raises(ValueError, match="until=redundant cannot be reached"):
        dut.halt("re0", until="redundant")


@pytest.mark.parametrize(("wait", "error"), [
    (lambda ends: ends.master("re1"), MasterTimeoutError),
    (lambda ends: ends.forwarding("re1"), ForwardingTimeoutError),
    (lambda ends: ends.redundant("re1"), RedundancyTimeoutError),
])
def test_each_end_state_times_out_with_its_named_error(dut: DualRERouter, wait, error) -> None:
    dut.halt("re1")  # re1 answers nothing: it can be no master, forward nothing, be no backup
    ends = EndStates(dut.state, dut.clock, dut.clock.now(), 12.0)
    with pytest.raises(error) as info:
        wait(ends)
    assert info.value.until == error.until and info.value.timeout == 12.0
    assert ends.elapsed() >= 12.0  # waited out its limit on the router's clock


def test_the_waits_default_to_the_router_budgets(dut: DualRERouter) -> None:
    assert dut.budgets == Budgets(forwarding_restored=1200.0, backup_ready=2700.0)
    floor = dut.spec.timeouts.switchover
    assert wait_limit(dut.budgets, Until.MASTER, floor) == floor
    assert wait_limit(dut.budgets, Until.FORWARDING, floor) == max(floor, 1200.0)
    with pytest.raises(ValueError, match="until: expected one of master, forwarding, "
                                         "redundant, got 'sideways'"):
        dut.switchover("switch", until="sideways")


BUDGETS = """\
testbed: {name: budgets}
defaults:
  emulated: true
  credentials: {username: lab, password: lab123}
  control: {username: re-control, password: re-control}
  budgets: {forwarding_restored: 90}
routers:
  tight: {platform: MX480, re0: {host: 127.0.0.1}, re1: {host: 127.0.0.1},
          budgets: {backup_ready: 300}}
  loose: {platform: MX960, re0: {host: 127.0.0.1}, re1: {host: 127.0.0.1}}
  bad: {platform: MX240, re0: {host: 127.0.0.1}, re1: {host: 127.0.0.1},
        budgets: {backup_ready: -1, forwarding: 5}}
"""


def test_budgets_are_per_router_in_the_testbed() -> None:
    data = yaml.safe_load(BUDGETS)
    bad = data["routers"].pop("bad")
    bed = parse_testbed(data, "budgets.yaml")
    assert bed.router("tight").budgets == Budgets(forwarding_restored=90, backup_ready=300)
    assert bed.router("loose").budgets == Budgets(forwarding_restored=90)
    data["routers"]["bad"] = bad
    with pytest.raises(TestbedError) as info:
        parse_testbed(data, "budgets.yaml")
    problems = "\n".join(info.value.problems)
    assert "routers.bad.budgets.backup_ready" in problems and "seconds > 0" in problems
    assert "routers.bad.budgets.forwarding" in problems


# ------------------------------------------------------------------------------ consent
def test_an_emulated_router_consents_by_its_testbed_entry_alone(dut: DualRERouter) -> None:
    assert Consent(dut.spec).refusal("switchover") is None
    refused = Consent(replace(dut.spec, allow_disruptive=False))
    with pytest.raises(DisruptiveNotAllowedError, match="testbed entry does not allow it"):
        refused.check("switchover")
    lab = Consent(replace(dut.spec, emulated=False))
    assert "--allow-disruptive" in str(lab.refusal("halt of re1"))
    lab.run_allows = True
    assert lab.refusal("halt of re1") is None


def test_nested_actions_are_told_once(dut: DualRERouter) -> None:
    told: list[str] = []
    dut.consent.listeners.append(lambda action: told.append(action.what))
    try:
        dut.halt("re1")
        dut.power_on("re1")  # makes the power_on_re fault or sends power-on: one action
    finally:
        dut.consent.listeners.clear()
    assert told == ["halt of re1", "power-on of re1"]


@pytest.mark.parametrize(("request_", "kind"), [
    (rpcs.request_switch(rpcs.SwitchMethod.SWITCH), Disruption.SWITCHOVER),
    (rpcs.request_switch(rpcs.SwitchMethod.SWITCH, check=True), None),
    (rpcs.request_halt(), Disruption.HALT),
    (rpcs.commit_configuration(), Disruption.CONFIGURATION),
    (rpcs.commit_configuration(check=True), None),
    (rpcs.load_rollback(1), Disruption.CONFIGURATION),
    (rpcs.command("request chassis routing-engine master release no-confirm"),
     Disruption.SWITCHOVER),
    (rpcs.command("request chassis routing-engine master switch check"), None),
    (rpcs.command("request system reboot other-routing-engine"), Disruption.REBOOT),
    (rpcs.command("show chassis fpc"), None),
    (rpcs.get_route_engine_information(), None),
    ("<request-power-off/>", Disruption.POWER),
    ("not xml", None),
])
def test_raw_requests_that_disrupt_are_recognised(request_: etree._Element | str,
                                                  kind: Disruption | None) -> None:
    found = disruption_of(request_)
    assert (found[0] if found else None) is kind
