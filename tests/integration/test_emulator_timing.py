"""The timing model over the wire (issue 14.1): a switchover takes router time -- control
plane (command to the new master answering as master), data plane (every FPC online again,
from ``get-fpc-information``) and backup readiness (``get-switchover-information`` Ready) --
platform by platform, different with and without graceful switchover.  Everything is observed
over NETCONF; time passes through the control RPC ``advance-clock`` one second at a time, as a
harness polling the router would see it."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator

import pytest
from lxml import etree

from emulator.model.platforms import get_platform
from emulator.model.router import RouterParams
from re_contract.listeners import CONTROL
from re_contract.platform import PlatformOverride
from tests.integration.test_emulator_lab import (
    CONTROL_NS,
    ConnectError,
    Lab,
    Netconf,
    make_lab,
    switch_rpc,
)

SWITCH = switch_rpc("switch", "no-confirm")
GRES = "set chassis redundancy graceful-switchover\nset system commit synchronize"
LIMIT = 900


@pytest.fixture
def served() -> Iterator[Callable[..., Lab]]:
    """Build labs on demand; stop every one of them afterwards."""
    labs: list[Lab] = []

    def build(platform: str, config: str = "", **params: object) -> Lab:
        lab = make_lab(RouterParams(name=f"t-{platform}", platform=platform, config=config,
                                    **params))  # type: ignore[arg-type]
        labs.append(lab)
        return lab

    yield build
    for served_lab in labs:
        sessions = _HELD.pop(id(served_lab), None)
        if sessions is not None:
            sessions.close()
        served_lab.server.stop()


class Held:
    """NETCONF sessions kept open per endpoint while a test polls (a harness keeps its
    sessions too); a session whose RE went down is opened again on the next request."""

    def __init__(self, lab: Lab) -> None:
        self.lab = lab
        self.sessions: dict[str, Netconf] = {}

    def rpc(self, name: str, request: str) -> etree._Element:
        session = self.sessions.get(name)
        if session is None:
            session = self.sessions[name] = self.lab.open(name)
        try:
            return session.rpc(request)
        except ConnectError:
            del self.sessions[name]
            raise

    def advance(self, seconds: float) -> None:
        self.rpc(CONTROL, f'<advance-clock xmlns="{CONTROL_NS}"><seconds>{seconds}</seconds>'
                          "</advance-clock>")

    def close(self) -> None:
        for session in self.sessions.values():
            session.close()


_HELD: dict[int, Held] = {}


def held(lab: Lab) -> Held:
    """Return the sessions held for ``lab`` (closed with the lab by the fixture)."""
    return _HELD.setdefault(id(lab), Held(lab))


def masters_seen_by(lab: Lab, re_name: str) -> list[str]:
    reply = held(lab).rpc(re_name, "<get-route-engine-information/>")
    return [str(e.findtext("slot")) for e in reply.iter("route-engine")
            if e.findtext("mastership-state") == "master"]


def fpcs_online(lab: Lab, re_name: str) -> bool:
    fpcs = held(lab).rpc(re_name, "<get-fpc-information/>")
    return {f.findtext("state") for f in fpcs.iter("fpc")} == {"Online"}


def backup_ready(lab: Lab, re_name: str) -> bool:
    reply = held(lab).rpc(re_name, "<get-switchover-information/>")
    return reply.findtext(".//gresreadiness-status/output") == "Ready"


def seconds_until(lab: Lab, condition: Callable[[], bool]) -> int:
    """Return the router seconds (whole, polled every second) until ``condition`` holds."""
    for elapsed in range(LIMIT):
        if condition():
            return elapsed
        held(lab).advance(1)
    raise AssertionError(f"not reached within {LIMIT} router seconds")


def switch_times(lab: Lab) -> tuple[int, int]:
    """Switch from re0; return (control-plane, data-plane) seconds as a harness measures."""
    lab.rpc("re0", SWITCH)
    control = seconds_until(lab, lambda: masters_seen_by(lab, "re1") == ["1"])
    data = control + seconds_until(lab, lambda: fpcs_online(lab, "re1"))
    return control, data


def expected_data_plane(platform: str) -> int:
    """Resolution + new master ready + the last populated FPC's boot (catalogue timing)."""
    spec = get_platform(platform)
    fpcs = sum(1 for m in spec.modules if m.name.startswith("FPC "))
    t = spec.timing
    return int(t.resolution + t.master_ready + t.fpc_online_after(fpcs - 1))


@pytest.mark.parametrize("platform", ["MX480", "M320", "M20"])
def test_switch_without_gres_takes_the_platforms_control_and_data_plane_time(
        served: Callable[..., Lab], platform: str) -> None:
    lab = served(platform)
    control, data = switch_times(lab)
    timing = get_platform(platform).timing
    assert control == timing.resolution > 0
    assert data == expected_data_plane(platform) > control
    assert lab.control("get-state").findtext(".//pfe-resets") == "1"


def test_platforms_differ_and_gres_differs(served: Callable[..., Lab]) -> None:
    plain = {p: switch_times(served(p)) for p in ("MX480", "T640")}
    gres = switch_times(served("MX480", GRES))
    assert plain["MX480"] != plain["T640"]
    # With GRES the FPCs stay online: forwarding never stopped, control plane faster.
    assert gres[0] == get_platform("MX480").timing.resolution_gres < plain["MX480"][0]
    assert gres[1] == gres[0] < plain["MX480"][1]


def test_roles_during_resolution(served: Callable[..., Lab]) -> None:
    lab = served("MX960")
    lab.rpc("re0", SWITCH)
    assert lab.states() == {"re0": "giveup", "re1": "backup"}
    # The old master still holds mastership until the other RE has taken it.
    assert masters_seen_by(lab, "re1") == ["0"]
    assert "Mastership resolution already in progress" in lab.error("re1", SWITCH)
    lab.advance(get_platform("MX960").timing.resolution)
    assert lab.states() == {"re0": "backup", "re1": "master"}


def test_fpcs_come_back_one_after_another(served: Callable[..., Lab]) -> None:
    lab = served("MX480")  # FPC 0 and FPC 1 populated
    t = get_platform("MX480").timing
    lab.rpc("re0", SWITCH)
    lab.advance(t.resolution + t.master_ready + t.fpc_boot)
    states = {f.findtext("slot"): f.findtext("state")
              for f in lab.rpc("re1", "<get-fpc-information/>").iter("fpc")}
    assert states == {"0": "Online", "1": "Offline"}
    lab.advance(t.fpc_stagger)
    assert fpcs_online(lab, "re1")


def test_backup_readiness_after_a_gres_switchover(served: Callable[..., Lab]) -> None:
    lab = served("T640", GRES)
    t = get_platform("T640").timing
    lab.rpc("re0", SWITCH)
    lab.advance(t.resolution_gres)
    info = lab.rpc("re0", "<get-switchover-information/>")
    assert info.find(".//replication-state/replication-synchronizing") is not None
    synced = t.master_ready_gres + t.backup_sync_switchover
    ready = seconds_until(lab, lambda: backup_ready(lab, "re0"))
    # Ready once the kernel database has synchronised and the 240 s hold-down has passed.
    assert ready == max(synced, 240) > 240
    info = lab.rpc("re0", "<get-switchover-information/>")
    assert info.find(".//replication-state/replication-ready") is not None


def test_backup_readiness_after_the_backup_boots(served: Callable[..., Lab]) -> None:
    lab = served("MX480", GRES, boot_time=200.0)
    t = get_platform("MX480").timing
    lab.rpc("re0", "<request-reboot><other-routing-engine/></request-reboot>")
    lab.advance(201)
    assert lab.states()["re1"] == "backup"
    assert seconds_until(lab, lambda: backup_ready(lab, "re1")) == t.backup_sync_boot


def test_boot_time_comes_from_the_platform(served: Callable[..., Lab]) -> None:
    lab = served("MX960")
    boot = get_platform("MX960").timing.boot
    lab.rpc("re0", "<request-reboot><other-routing-engine/></request-reboot>")
    lab.advance(boot)  # re1 boots slot seconds after the profile's boot time
    assert lab.states()["re1"] == "booting"
    lab.advance(1)
    assert lab.states()["re1"] == "backup"


def test_a_testbed_override_changes_this_routers_timing(served: Callable[..., Lab]) -> None:
    override = PlatformOverride.model_validate(
        {"timing": {"resolution": 9, "fpc_boot": 30, "fpc_stagger": 0, "master_ready": 1}})
    lab = served("MX480", platform_override=override)
    assert switch_times(lab) == (9, 9 + 1 + 30)


def test_m20_gres_fails_over_after_4_seconds_of_keepalive_loss(
        served: Callable[..., Lab]) -> None:
    lab = served("M20", GRES)
    lab.control("sever-link")
    lab.advance(3)
    assert lab.states()["re1"] == "backup"
    lab.advance(1)  # Juniper: "after 2 seconds (4 seconds on M20 routers)"
    assert lab.states()["re1"] == "claim"


def _skip(lab: Lab, step: float, within: float) -> float:
    """``advance-clock`` by ``step`` with ``until-change`` ``within``; return the new time."""
    reply = lab.control("advance-clock", seconds=step, **{"until-change": within})
    return float(reply.findtext(".//now") or 0)


def test_advance_until_change_stops_only_at_the_polls_that_can_see_a_change(
        served: Callable[..., Lab]) -> None:
    lab = served("MX480")
    t0 = lab.now()
    lab.rpc("re0", SWITCH)
    stops = []
    while not fpcs_online(lab, "re1"):
        stops.append(_skip(lab, 5, LIMIT - (lab.now() - t0)) - t0)
        assert len(stops) < 10
    # On the 5 s grid a poll every 5 s keeps; fewer stops than that poll (one per change:
    # the resolution, each FPC's return); the last one is the poll that saw the FPCs back.
    data = expected_data_plane("MX480")
    assert all(s % 5 == 0 for s in stops) and stops[-1] == math.ceil(data / 5) * 5
    assert len(stops) <= 4 < data / 5


def test_advance_until_change_with_nothing_due_goes_to_its_limit_and_checks_its_numbers(
        served: Callable[..., Lab]) -> None:
    lab = served("MX480")
    t0 = lab.now()
    assert _skip(lab, 5, 120) == t0 + 120
    assert _skip(lab, 5, 3) == t0 + 125  # a limit under one step: the step
    request = (f'<advance-clock xmlns="{CONTROL_NS}"><seconds>5</seconds>'
               "<until-change>soon</until-change></advance-clock>")
    assert "until-change: expected a number" in lab.error(CONTROL, request)
    assert lab.now() == t0 + 125


def test_advance_clock_tells_whether_the_router_changed_by_itself_on_the_way(
        served: Callable[..., Lab]) -> None:
    lab = served("MX480")
    t = get_platform("MX480").timing

    def changed(seconds: float) -> str:
        return str(lab.control("advance-clock", seconds=seconds).findtext(".//changed"))

    assert changed(600) == "false"  # up for days: nothing due
    lab.rpc("re0", SWITCH)
    assert changed(t.resolution - 1) == "false" and lab.states()["re1"] == "backup"
    assert changed(1) == "true" and lab.states()["re1"] == "master"
    # Then thresholds, no timers: the backup synchronised, then the first FPC back.
    synced = t.master_ready + t.backup_sync_switchover
    assert changed(synced - 1) == "false" and changed(1) == "true"
    assert changed(t.fpc_boot - t.backup_sync_switchover - 1) == "false"
    assert not fpcs_online(lab, "re1") and changed(1) == "true"
