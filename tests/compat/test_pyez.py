"""PyEZ (junos-eznc) against the served emulator: facts, rpc, cli, FS, SW and Config, on each
RE's address and on the master-only address."""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator

import pytest
from jnpr.junos import Device
from jnpr.junos.utils.config import Config
from jnpr.junos.utils.fs import FS
from jnpr.junos.utils.sw import SW

from tests.compat.served import PASSWORD, TARGET_RE, USER, ServedEmulator

compat = pytest.mark.compat


def connect(served: ServedEmulator, target: str) -> Device:
    """Open a PyEZ session to ``target`` the way a script does."""
    ep = served.endpoint(target)
    dev = Device(ep.host, port=ep.port, user=USER, passwd=PASSWORD, gather_facts=True)
    dev.open()
    return dev


@pytest.fixture
def dev(served: ServedEmulator, target: str) -> Iterator[Device]:
    device = connect(served, target)
    yield device
    if device.connected:
        device.close()


def _states(dev: Device) -> dict[str, str]:
    info = dev.rpc.get_route_engine_information()
    return {r.findtext("slot"): r.findtext("mastership-state") or "" for r in
            info.iterfind(".//route-engine")}


@compat("PyEZ", "junos-eznc", "facts")
def test_facts(dev: Device, target: str) -> None:
    re = TARGET_RE[target]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the backup's serial number fact warns
        facts = dict(dev.facts)
    assert facts["2RE"] is True and facts["master"] == "RE0"
    assert re in facts["current_re"]
    assert (facts["hostname"], facts["model"], facts["version"]) == ("r1", "MX480", "15.1F5.15")
    assert facts["HOME"] == "/var/home/lab"
    # Only the master answers the inventory (the backup's <output> "Aborted! ...").
    assert bool(facts["serialnumber"]) == (re == "re0")
    assert dev.uptime is not None and dev.uptime > 0  # get-system-uptime-information
    assert dev.re_name == re


@compat("PyEZ", "junos-eznc", "rpc: xml, text, json")
def test_rpc(dev: Device) -> None:
    assert _states(dev) == {"0": "master", "1": "backup"}
    text = dev.rpc.get_system_uptime_information({"format": "text"})
    assert "System booted:" in text.text
    data = dev.rpc.get_route_engine_information({"format": "json"})
    slots = [r["slot"][0]["data"] for r in data["route-engine-information"][0]["route-engine"]]
    assert slots == ["0", "1"]
    memory = dev.rpc.get_system_memory_information()
    assert int(memory.findtext(".//system-memory-total")) > 0


@compat("PyEZ", "junos-eznc", "cli: text and json")
def test_cli(dev: Device, target: str) -> None:
    text = dev.cli("show chassis routing-engine 1", warning=False)
    assert "Slot 1:" in text and "Slot 0:" not in text
    data = dev.cli("show system uptime", format="json", warning=False)
    assert "system-uptime-information" in data
    assert dev.display_xml_rpc("show system storage").tag == "get-system-storage"


@compat("PyEZ", "junos-eznc", "FS: pwd, ls, stat, cat, cp, storage, directory usage")
def test_fs(dev: Device) -> None:
    fs = FS(dev)
    assert fs.pwd() == "/var/home/lab"
    listing = fs.ls("/var/tmp")
    assert listing["type"] == "dir" and listing["path"] == "/var/tmp"
    bundle = listing["files"]["jbundle-5.5R3.1-domestic.tgz"]
    assert bundle["owner"] == "root" and bundle["permissions_text"] == "-rwxr-xr-x"
    assert fs.ls("/var/tmp/no-such-file") is None
    assert fs.stat("/var/log/messages")["type"] == "file"
    assert "UI_COMMIT" in fs.cat("/var/log/messages")
    assert fs.cp("/var/tmp/sampled.pkts", "/var/tmp/copy.pkts") is True
    copied = fs.ls("/var/tmp/copy.pkts")
    assert copied["owner"] == "lab"
    storage = fs.storage_usage()
    assert {fs_["mount"] for fs_ in storage.values()} >= {"/", "/config", "/var"}
    usage = fs.directory_usage("/var/tmp")
    assert usage["/var/tmp"]["blocks"] >= 1


@compat("PyEZ", "junos-eznc", "SW: reboot other RE")
def test_sw_reboot_other_re(served: ServedEmulator, dev: Device, target: str) -> None:
    other = "re1" if TARGET_RE[target] == "re0" else "re0"
    got = SW(dev).reboot(other_re=True)
    assert "Shutdown NOW!" in got
    served.advance(300)  # the testbed's boot time is 180 s
    # The RE left running is master now (a rebooted master hands over first).
    assert served.settle() == ("re0" if other == "re1" else "re1")
    with connect(served, other) as back:
        assert back.facts["current_re"][0] in ("re0", "re1", "master")


@compat("PyEZ", "junos-eznc", "Config: load set/text/xml/json, diff, commit sync, rollback")
def test_config(served: ServedEmulator, dev: Device, target: str) -> None:
    with Config(dev, mode="exclusive") as cu:
        cu.load("set system domain-name example.net", format="set")
        cu.load("system { time-zone UTC; }", format="text")
        cu.load("<system><location><building>b1</building></location></system>",
                format="xml")
        cu.load(json.dumps({"configuration": {"system": {"domain-search": ["example.org"]}}}),
                format="json")
        diff = cu.diff()
        added = {line[1:].strip() for line in diff.splitlines() if line.startswith("+")}
        assert {"domain-name example.net;", "domain-search example.org;"} <= added
        assert cu.commit_check() is True
        assert cu.commit(sync=True, comment="compat") is True
    other = "re1" if TARGET_RE[target] == "re0" else "re0"
    with connect(served, other) as peer:
        conf = peer.rpc.get_config(options={"database": "committed", "format": "json"})
        assert conf["configuration"]["system"]["domain-name"] == "example.net"
    with Config(dev) as cu:
        cu.rollback(1)
        assert cu.commit() is True
    assert dev.rpc.get_config().findtext(".//domain-name") is None
