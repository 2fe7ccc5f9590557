"""NAPALM's junos driver against the served emulator: get_facts, get_environment, cli and the
configuration operations (merge, replace, compare, commit, confirmed commit, discard,
rollback), on each RE's address and on the master-only address."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from napalm import get_network_driver
from napalm.base.base import NetworkDriver

from tests.compat.served import PASSWORD, TARGET_RE, USER, ServedEmulator

compat = pytest.mark.compat


def _open(served: ServedEmulator, target: str) -> NetworkDriver:
    ep = served.endpoint(target)
    driver = get_network_driver("junos")
    device = driver(ep.host, USER, PASSWORD, timeout=30, optional_args={"port": ep.port})
    device.open()
    return device


@pytest.fixture
def device(served: ServedEmulator, target: str) -> Iterator[NetworkDriver]:
    dev = _open(served, target)
    yield dev
    dev.close()


@compat("NAPALM", "napalm", "get_facts")
def test_get_facts(device: NetworkDriver, target: str) -> None:
    facts = device.get_facts()
    assert (facts["vendor"], facts["model"], facts["hostname"]) == ("Juniper", "MX480", "r1")
    assert facts["os_version"] == "15.1F5.15"
    assert facts["uptime"] > 0  # get-system-uptime-information
    assert "fxp0" in facts["interface_list"]
    # The serial number comes from the inventory, which only the master answers.
    on_master = TARGET_RE[target] == "re0"
    assert (facts["serial_number"] != "None") == on_master


@compat("NAPALM", "napalm", "get_environment")
def test_get_environment(device: NetworkDriver, target: str) -> None:
    env = device.get_environment()
    assert set(env["cpu"]) == {"0", "1"}
    assert env["memory"]["available_ram"] > env["memory"]["used_ram"] > 0
    if TARGET_RE[target] == "re0":
        assert env["temperature"]["Routing Engine 0"]["temperature"] > 0
        assert env["power"]["Power Supply 0"]["status"] is True
        assert all(fan["status"] for fan in env["fans"].values())
    else:  # a backup RE does not talk to the chassis components (chapter)
        assert "temperature" not in env and not env.get("power")


@compat("NAPALM", "napalm", "cli: text and json")
def test_cli(device: NetworkDriver) -> None:
    out = device.cli(["show system uptime", "show chassis routing-engine"])
    assert "System booted:" in out["show system uptime"]
    states = [line.split()[-1] for line in out["show chassis routing-engine"].split("\n")
              if "Current state" in line]
    assert states == ["Master", "Backup"]
    data = device.cli(["show system storage"], encoding="json")["show system storage"]
    assert "system-storage-information" in data


@compat("NAPALM", "napalm", "config: merge, compare, commit, rollback")
def test_merge_compare_commit_rollback(device: NetworkDriver) -> None:
    device.load_merge_candidate(config="set system domain-name example.net")
    diff = device.compare_config()
    assert "domain-name example.net" in diff
    device.commit_config(message="compat")
    assert "domain-name example.net" in device.get_config()["running"]
    assert device.compare_config() == ""
    device.rollback()
    assert "domain-name" not in device.get_config()["running"]


@compat("NAPALM", "napalm", "config: replace, discard")
def test_replace_and_discard(device: NetworkDriver) -> None:
    running = device.get_config(retrieve="running")["running"]
    device.load_replace_candidate(config=running.replace("host-name r1;", "host-name r9;"))
    assert "host-name r9" in device.compare_config()
    device.discard_config()
    assert device.compare_config() == ""
    assert "host-name r1;" in device.get_config()["running"]


@compat("NAPALM", "napalm", "config: confirmed commit, has_pending_commit")
def test_confirmed_commit(served: ServedEmulator, device: NetworkDriver) -> None:
    assert device.has_pending_commit() is False
    device.load_merge_candidate(config="set system domain-name example.net")
    device.commit_config(revert_in=300)
    assert device.has_pending_commit() is True
    device.confirm_commit()
    assert device.has_pending_commit() is False
    served.advance(600)
    assert "domain-name example.net" in device.get_config()["running"]
