"""PyEZ (junos-eznc) against the emulator, as a user's script drives a real router (issue 6.3).

``Device(...).open()`` on either RE, ``dev.facts`` (the fact RPCs of NOTES.md 3.12),
``dev.cli``, ``dev.rpc.*``, ``Config.commit(sync=True)`` and ``SW.reboot(other_re=True)``.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import pytest
from jnpr.junos import Device
from jnpr.junos.utils.config import Config
from jnpr.junos.utils.sw import SW
from lxml import etree

from emulator.model.router import RouterParams
from emulator.server import EmulatorServer, RouterEntry
from emulator.ssh import User
from tests.integration.conftest import Served

CONTROL_NS = "urn:re-emulator:control:1"
#: Per-RE host names the way a dual-RE router carries them: in groups re0/re1 (chapter).
PER_RE_HOSTNAMES = """delete system host-name
set groups re0 system host-name r1-re0
set groups re1 system host-name r1-re1
set apply-groups re0
set apply-groups re1
"""


def _device(served: Served, re: str, user: str = "lab", password: str = "lab123") -> Device:
    host, port = served.endpoints[re]
    dev = Device(host, port=port, user=user, passwd=password, gather_facts=True)
    dev.open()
    return dev


@pytest.fixture
def dev0(served: Served) -> Iterator[Device]:
    dev = _device(served, "re0")
    yield dev
    dev.close()


@pytest.fixture
def dev1(served: Served) -> Iterator[Device]:
    dev = _device(served, "re1")
    yield dev
    dev.close()


@pytest.fixture
def mismatched() -> Iterator[Served]:
    """An MX480 whose REs run different Junos versions (DESIGN.md: a mismatch is visible)."""
    params = RouterParams(name="r9", platform="MX480", hostname="r9",
                          versions={0: "15.1F5.15", 1: "15.1F6.9"})
    entry = RouterEntry(params=params, users=[User("lab", "lab123")],
                        listen={"re0": ("127.0.0.1", 0), "re1": ("127.0.0.1", 0)})
    server = EmulatorServer([entry])
    eps = {ep.re: (ep.host, ep.port) for ep in server.start()}
    try:
        yield Served(eps, server)
    finally:
        server.stop()


def _control(served: Served, name: str, **args: str) -> etree._Element:
    """Send an emulator control RPC over the control endpoint (as a PyEZ user could)."""
    op = etree.Element(f"{{{CONTROL_NS}}}{name}")
    for key, value in args.items():
        etree.SubElement(op, f"{{{CONTROL_NS}}}{key}").text = value
    ctl = _device(served, "control", "re-control", "re-control")
    try:
        return ctl.execute(op)
    finally:
        ctl.close()


def _states(dev: Device) -> dict[str, str]:
    info = dev.rpc.get_route_engine_information()
    return {r.findtext("slot"): r.findtext("mastership-state") or r.findtext("status") or ""
            for r in info.iterfind(".//route-engine")}


# ------------------------------------------------------------------------- facts
def test_every_fact_gathers_on_the_master(dev0: Device) -> None:
    # exception_on_failure: any fact RPC the emulator cannot answer fails here.
    dev0.facts_refresh(exception_on_failure=True)
    facts = dev0.facts
    assert facts["2RE"] is True
    assert facts["master"] == "RE0"
    assert facts["re_master"] == {"default": "0"}
    assert facts["RE0"]["mastership_state"] == "master"
    assert facts["RE1"]["mastership_state"] == "backup"
    assert facts["current_re"] == ["master", "node", "fwdd", "member", "pfem", "re0"]
    assert (facts["hostname"], facts["model"]) == ("r1", "MX480")
    assert facts["version"] == facts["version_RE0"] == facts["version_RE1"] == "15.1F5.15"
    assert facts["serialnumber"]  # get-chassis-inventory answers on the master
    assert facts["HOME"] == "/var/home/lab"
    assert facts["personality"] == "MX"


def test_plain_junos_not_evo_vmhost_cluster_or_vc(dev0: Device) -> None:
    assert dev0.facts["_is_linux"] is False  # file-show cevo_version is an rpc-error
    assert dev0.facts["vmhost"] is False  # sysctl -n hw.re.vmhost_mode -> 0
    assert dev0.facts["srx_cluster"] is False  # get-chassis-cluster-status: xnm:error
    assert dev0.facts["vc_capable"] is False
    assert dev0.facts["switch_style"] == "BRIDGE_DOMAIN"  # show bridge mac-table count


def test_facts_on_the_backup_name_re1(dev1: Device) -> None:
    facts = dev1.facts
    assert facts["current_re"] == ["re1", "backup"]  # NOTES.md 3.12 INFER
    assert facts["master"] == "RE0"
    assert facts["RE1"]["mastership_state"] == "backup"
    assert (facts["hostname"], facts["model"], facts["version"]) == ("r1", "MX480", "15.1F5.15")
    # The l2-learning daemon runs on the master only; PyEZ still infers bridge domains.
    assert facts["switch_style"] == "BRIDGE_DOMAIN"


def test_backup_refuses_the_inventory_as_junos_does(dev1: Device) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PyEZ warns that a fact could not be gathered
        assert dev1.facts["serialnumber"] is None


@pytest.mark.parametrize("re", ["re0", "re1"])
def test_each_re_reports_its_own_version(mismatched: Served, re: str) -> None:
    dev = _device(mismatched, re)
    try:
        facts = dev.facts
        assert facts["version_RE0"] == "15.1F5.15"
        assert facts["version_RE1"] == "15.1F6.9"
        assert facts["version"] == facts[f"version_{re.upper()}"]
    finally:
        dev.close()


def test_facts_follow_a_switchover(served: Served, dev0: Device) -> None:
    dev0.rpc.request_chassis_routing_engine_switch(no_confirm=True)
    _control(served, "advance-clock", seconds="5")  # the MX480 resolves mastership in 4 s
    dev1 = _device(served, "re1")
    try:
        assert dev1.facts["master"] == "RE1"
        assert dev1.facts["current_re"] == ["master", "node", "fwdd", "member", "pfem", "re1"]
    finally:
        dev1.close()


def test_hostnames_from_groups_after_commit_synchronize(served: Served, dev0: Device) -> None:
    with Config(dev0) as cu:
        cu.load(PER_RE_HOSTNAMES, format="set")
        assert cu.commit(sync=True) is True
    dev0.facts_refresh()
    assert dev0.facts["hostname"] == "r1-re0"
    assert dev0.facts["hostname_info"] == {"re0": "r1-re0", "re1": "r1-re1"}
    dev1 = _device(served, "re1")
    try:
        assert dev1.facts["hostname"] == "r1-re1"
    finally:
        dev1.close()


# ------------------------------------------------------------------ RPC and CLI
def test_rpc_get_route_engine_information(dev0: Device) -> None:
    assert _states(dev0) == {"0": "master", "1": "backup"}


def test_cli_shows_the_text_after_asking_for_the_rpc(dev0: Device) -> None:
    assert dev0.display_xml_rpc("show chassis routing-engine").tag == \
        "get-route-engine-information"
    with pytest.warns(RuntimeWarning, match="debug use only"):  # PyEZ's own advice
        text = dev0.cli("show chassis routing-engine")
    assert "Routing Engine status:" in text
    assert "Current state                  Master" in text
    assert "Current state                  Backup" in text


def test_rpc_text_format(dev1: Device) -> None:
    out = dev1.rpc.get_route_engine_information({"format": "text"})
    assert "Slot 1:" in out.text


def test_commit_sync_reaches_both_res(served: Served, dev0: Device) -> None:
    with Config(dev0) as cu:
        cu.load("set system domain-name example.net", format="set")
        assert cu.commit(sync=True) is True
    dev1 = _device(served, "re1")
    try:
        assert dev1.facts["domain"] == "example.net"
    finally:
        dev1.close()


# ----------------------------------------------------------------------- reboot
def test_sw_reboot_other_re(served: Served, dev0: Device) -> None:
    got = SW(dev0).reboot(other_re=True)
    assert "Shutdown NOW!" in got
    assert _states(dev0)["1"] != "backup"
    _control(served, "advance-clock", seconds="300")  # boot time 180 s (testbed)
    assert _states(dev0) == {"0": "master", "1": "backup"}


def test_sw_reboot_other_re_in_minutes(served: Served, dev0: Device) -> None:
    got = SW(dev0).reboot(in_min=2, other_re=True)
    assert "Shutdown at" in got
    _control(served, "advance-clock", seconds="60")
    assert _states(dev0)["1"] == "backup"
    _control(served, "advance-clock", seconds="61")
    assert _states(dev0)["1"] != "backup"
