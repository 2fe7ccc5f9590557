"""Ansible's junipernetworks.junos collection (bundled in the ``ansible`` package) over NETCONF
against the served emulator: ``junos_facts`` with every subset, ``junos_command`` as text, XML
and JSON, ``junos_rpc`` and ``junos_config``. One playbook runs against the three targets, the
three at once (three forks) except the ``junos_config`` tasks, one host at a time (``throttle:
1``: two targets on the same RE never race for its configuration lock); each test reads its
task's result for its target from the JSON callback's report. The playbook runs once per served
hello; every NETCONF session it opened must have spoken the framing the server's log names
(chunked against a router offering base:1.1: ncclient underneath)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import ansible_collections.junipernetworks.junos  # noqa: F401  (the collection must be there)
import pytest
import yaml

from tests.compat.served import (
    CLIENT_BASE_1_1,
    PASSWORD,
    TARGET_RE,
    TARGETS,
    USER,
    ServedEmulator,
)

CLIENT = "Ansible junipernetworks.junos"
compat = pytest.mark.compat
ANSIBLE_TIMEOUT = 400

#: A statement of each target's own (two targets reach RE0: each keeps its own line).
LINE = "set system login user ansible-{{ inventory_hostname }} class read-only"

TASKS: list[dict[str, Any]] = [
    {"name": "facts", "junipernetworks.junos.junos_facts": {"gather_subset": "all"}},
    {"name": "facts-json", "junipernetworks.junos.junos_facts": {
        "gather_subset": "config", "config_format": "json"}},
    {"name": "command-text", "junipernetworks.junos.junos_command": {
        "commands": ["show chassis routing-engine"], "display": "text"}},
    {"name": "command-xml", "junipernetworks.junos.junos_command": {
        "commands": ["show chassis routing-engine"], "display": "xml"}},
    {"name": "command-json", "junipernetworks.junos.junos_command": {
        "commands": ["show system uptime"], "display": "json"}},
    {"name": "rpc", "junipernetworks.junos.junos_rpc": {
        "rpc": "get-system-storage", "output": "json"}},
    {"name": "config", "throttle": 1, "junipernetworks.junos.junos_config": {
        "lines": [LINE],
        "comment": "ansible {{ inventory_hostname }}"}},
    {"name": "config-again", "throttle": 1, "junipernetworks.junos.junos_config": {
        "lines": [LINE]}},
    {"name": "shown", "junipernetworks.junos.junos_command": {
        "commands": ["show configuration | display set"], "display": "text"}},
]


def _inventory(served: ServedEmulator) -> dict[str, Any]:
    hosts = {t: {"ansible_host": served.endpoint(t).host, "ansible_port": served.endpoint(t).port}
             for t in TARGETS}
    return {"all": {"hosts": hosts, "vars": {
        "ansible_connection": "ansible.netcommon.netconf",
        "ansible_network_os": "junipernetworks.junos.junos",
        "ansible_user": USER, "ansible_password": PASSWORD,
        "ansible_python_interpreter": sys.executable}}}


@pytest.fixture(scope="module")
def report(emulator: ServedEmulator, tmp_path_factory: pytest.TempPathFactory
           ) -> dict[str, dict[str, Any]]:
    """Run the playbook once; return {task name: {target: result}}.  Fails when a NETCONF
    session it opened spoke another framing than the hellos lead to (the server's log)."""
    emulator.reset()
    mark = emulator.log_mark()
    work = tmp_path_factory.mktemp("ansible")
    (work / "inventory.yml").write_text(yaml.safe_dump(_inventory(emulator)))
    play = [{"hosts": "all", "gather_facts": False, "tasks": TASKS}]
    (work / "play.yml").write_text(yaml.safe_dump(play, sort_keys=False))
    # ANSIBLE_HOME keeps Ansible's files in the test's directory; its persistent connection
    # sockets live there too (a longer path would pass the 108-byte AF_UNIX limit and hang).
    env = dict(os.environ, ANSIBLE_STDOUT_CALLBACK="ansible.posix.json",
               ANSIBLE_HOST_KEY_CHECKING="False", ANSIBLE_HOME=str(work / "h"),
               ANSIBLE_NOCOLOR="1", ANSIBLE_RETRY_FILES_ENABLED="False", ANSIBLE_FORKS="3")
    exe = Path(sys.executable).with_name("ansible-playbook")
    # Output to files, not pipes: the persistent NETCONF connection processes Ansible leaves
    # behind (until their idle timeout) would keep a pipe open after the playbook ends.
    with open(work / "out.json", "w") as out, open(work / "err.txt", "w") as err:
        proc = subprocess.Popen([str(exe), "-i", "inventory.yml", "play.yml"], stdout=out,
                                stderr=err, stdin=subprocess.DEVNULL, env=env, cwd=work,
                                start_new_session=True)
        try:
            proc.wait(timeout=ANSIBLE_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # the playbook and the workers it forked
            proc.wait(timeout=10)
            pytest.fail(f"ansible-playbook ran over {ANSIBLE_TIMEOUT} s")
    try:
        out = json.loads((work / "out.json").read_text())
    except json.JSONDecodeError:
        pytest.fail(f"ansible-playbook said: {(work / 'out.json').read_text()[-3000:]} "
                    f"{(work / 'err.txt').read_text()[-3000:]}")
    results: dict[str, dict[str, Any]] = {}
    for play_run in out["plays"]:
        for task in play_run["tasks"]:
            results.setdefault(task["task"]["name"], {}).update(task["hosts"])
    # Each host's persistent connection (ansible-connection) holds a session of its own.
    sessions = emulator.check_framing(mark, emulator.hello.framing(CLIENT_BASE_1_1[CLIENT]))
    assert len(sessions) >= len(TARGETS), sessions
    return results


def _ok(report: dict[str, dict[str, Any]], task: str, target: str) -> dict[str, Any]:
    result = report[task][target]
    assert not result.get("failed"), result.get("msg", result)
    return result


@compat(CLIENT, "ansible", "junos_facts: all subsets")
def test_facts_all_subsets(report: dict[str, dict[str, Any]], target: str) -> None:
    facts = _ok(report, "facts", target)["ansible_facts"]
    assert facts["ansible_net_hostname"] == "r1"  # default (get-software-information)
    assert facts["ansible_net_model"] == "mx480"
    assert facts["ansible_net_memtotal_mb"] > facts["ansible_net_memfree_mb"] > 0  # hardware
    assert set(facts["ansible_net_filesystems"]) >= {"/dev/ad0s1a", "/dev/ad1s1f"}
    assert set(facts["ansible_net_routing_engines"]) == {"0", "1"}
    assert facts["ansible_net_has_2RE"] is True
    assert "host-name r1;" in facts["ansible_net_config"]  # config (text by default)
    assert "fxp0" in facts["ansible_net_interfaces"]  # interfaces
    # The inventory (modules, serial number) is the master's alone.
    assert bool(facts["ansible_net_modules"]) == (TARGET_RE[target] == "re0")


@compat(CLIENT, "ansible", "junos_facts: config as JSON")
def test_facts_config_json(report: dict[str, dict[str, Any]], target: str) -> None:
    facts = _ok(report, "facts-json", target)["ansible_facts"]
    assert facts["ansible_net_config"]["configuration"]["system"]["host-name"] == "r1"


@compat(CLIENT, "ansible", "junos_command: text")
def test_command_text(report: dict[str, dict[str, Any]], target: str) -> None:
    (text,) = _ok(report, "command-text", target)["stdout"]
    assert "Current state                  Master" in text


@compat(CLIENT, "ansible", "junos_command: xml")
def test_command_xml(report: dict[str, dict[str, Any]], target: str) -> None:
    (xml,) = _ok(report, "command-xml", target)["stdout"]
    assert "<mastership-state>backup</mastership-state>" in xml


@compat(CLIENT, "ansible", "junos_command: json")
def test_command_json(report: dict[str, dict[str, Any]], target: str) -> None:
    (data,) = _ok(report, "command-json", target)["stdout"]
    assert "system-booted-time" in data["system-uptime-information"][0]


@compat(CLIENT, "ansible", "junos_rpc")
def test_rpc(report: dict[str, dict[str, Any]], target: str) -> None:
    data = _ok(report, "rpc", target)["output"]
    mounts = [fs["mounted-on"][0]["data"]
              for fs in data["system-storage-information"][0]["filesystem"]]
    assert mounts == ["/", "/config", "/var"]


@compat(CLIENT, "ansible", "junos_config")
def test_config(report: dict[str, dict[str, Any]], target: str) -> None:
    assert _ok(report, "config", target)["changed"] is True
    assert _ok(report, "config-again", target)["changed"] is False  # idempotent
    (shown,) = _ok(report, "shown", target)["stdout"]
    assert f"set system login user ansible-{target} class read-only" in shown
