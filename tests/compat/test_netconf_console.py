"""netconf-console2 against the served emulator, as a user types it: hello, get-config, a
Junos RPC (XML and JSON), and the candidate cycle (lock, edit-config, commit, unlock), on each
RE's address and on the master-only address."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import netconf_console  # noqa: F401  (the client this module is for must be installed)
import pytest
from lxml import etree

from tests.compat.served import PASSWORD, USER, ServedEmulator

compat = pytest.mark.compat
NC = "urn:ietf:params:xml:ns:netconf:base:1.0"


def _console() -> list[str]:
    """The ``netconf-console2`` console script of this interpreter's environment."""
    path = os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")])
    exe = shutil.which("netconf-console2", path=path)
    assert exe, "netconf-console2 is not installed in this environment"
    return [exe]


def run(served: ServedEmulator, target: str, *args: str) -> list[etree._Element]:
    """Run netconf-console2 against ``target``; return the documents it printed."""
    ep = served.endpoint(target)
    cmd = [*_console(), "--host", ep.host, "--port", str(ep.port), "-u", USER, "-p", PASSWORD,
           "--reply-timeout", "30", *args]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=90, check=False)
    assert done.returncode == 0, f"{cmd}: {done.stdout}\n{done.stderr}"
    parts = [p for p in done.stdout.split("<?xml") if p.strip()]
    return [etree.fromstring(("<?xml" + p).encode()) for p in parts]


@compat("netconf-console2", "netconf-console2", "hello, get-config")
def test_hello_and_get_config(served: ServedEmulator, target: str) -> None:
    (hello,) = run(served, target, "--hello")
    caps = [c.text for c in hello.iter(f"{{{NC}}}capability")]
    assert "http://xml.juniper.net/netconf/junos/1.0" in caps
    (reply,) = run(served, target, "--get-config")
    assert reply.findtext(".//{*}system/{*}host-name") == "r1"


@compat("netconf-console2", "netconf-console2", "rpc: XML and JSON")
def test_rpc(served: ServedEmulator, target: str, tmp_path: Path) -> None:
    rpc = tmp_path / "rpc.xml"
    rpc.write_text("<get-route-engine-information/>")
    (reply,) = run(served, target, "--rpc", str(rpc))
    assert [r.findtext("{*}mastership-state") for r in reply.iter("{*}route-engine")] == [
        "master", "backup"]
    rpc.write_text('<get-system-storage format="json"/>')
    (reply,) = run(served, target, "--rpc", str(rpc))
    document = json.loads(reply.text or "")
    assert document["system-storage-information"][0]["filesystem"][0]["mounted-on"] == [
        {"data": "/"}]


@compat("netconf-console2", "netconf-console2", "lock, edit-config, commit, unlock")
def test_candidate_cycle(served: ServedEmulator, target: str, tmp_path: Path) -> None:
    edit = tmp_path / "edit.xml"
    edit.write_text("<configuration><system><domain-name>example.net</domain-name></system>"
                    "</configuration>")
    replies = run(served, target, "--db", "candidate", "--lock", "--edit-config", str(edit),
                  "--commit", "--unlock")
    # The console prints what each reply holds: <ok/> (lock, edit-config, unlock) or the
    # Junos <commit-results> of the commit.
    shown = [etree.QName(r).localname for r in replies]
    assert shown == ["ok", "ok", "commit-results", "ok"], [etree.tostring(r) for r in replies]
    (reply,) = run(served, target, "--get-config")
    assert reply.findtext(".//{*}system/{*}domain-name") == "example.net"
