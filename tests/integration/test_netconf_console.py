"""netconf-console2 against the emulator (issue 6.4): hello, get, an rpc, and close.

The console runs as a separate process, as a user types it; each invocation opens one NETCONF
session, runs its operations in order and ends with ``<close-session/>`` (exit status 0 only
when every reply was an ``<rpc-reply>`` without error).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import netconf_console  # noqa: F401  (a test extra: installed by the test command)
import pytest
from lxml import etree

from tests.integration.conftest import Served

NC = "urn:ietf:params:xml:ns:netconf:base:1.0"


def console_command() -> list[str]:
    """The ``netconf-console2`` console script of this interpreter's environment."""
    path = os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")])
    exe = shutil.which("netconf-console2", path=path)
    if exe:
        return [exe]
    return [sys.executable, "-c", "import sys; from netconf_console.ncc import main; "
            "sys.exit(main())"]


def run_console(served: Served, *args: str, re: str = "re0") -> str:
    """Run netconf-console2 against ``re``; return its stdout.  Fails the test on exit != 0."""
    host, port = served.endpoints[re]
    cmd = [*console_command(), "--host", host, "--port", str(port), "-u", "lab", "-p", "lab123",
           "--reply-timeout", "20", *args]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, f"{cmd}: {done.stdout}\n{done.stderr}"
    return done.stdout


def documents(out: str) -> list[etree._Element]:
    """Split the console's output (one XML document per operation) into elements."""
    parts = [p for p in out.split("<?xml") if p.strip()]
    return [etree.fromstring(("<?xml" + p).encode()) for p in parts]


def test_hello_lists_the_junos_capabilities(served: Served) -> None:
    (hello,) = documents(run_console(served, "--hello"))
    caps = [c.text for c in hello.iter(f"{{{NC}}}capability")]
    assert "urn:ietf:params:netconf:base:1.0" in caps
    assert "urn:ietf:params:netconf:capability:candidate:1.0" in caps
    assert "http://xml.juniper.net/netconf/junos/1.0" in caps


@pytest.mark.parametrize("version", ["1.0", "1.1"])
def test_get_returns_the_running_configuration(served: Served, version: str) -> None:
    (data,) = documents(run_console(served, "-v", version, "--get"))
    assert etree.QName(data).localname == "data"
    assert data.xpath("string(//*[local-name()='host-name'])") == "r1"


def test_hello_get_and_rpcs_in_one_session(served: Served, tmp_path: Path) -> None:
    xml_rpc = tmp_path / "re.xml"
    xml_rpc.write_text("<command>show chassis routing-engine</command>")
    text_rpc = tmp_path / "re.txt.xml"
    text_rpc.write_text('<command format="text">show version</command>')
    native = tmp_path / "native.xml"
    native.write_text("<get-route-engine-information/>")
    out = run_console(served, "--hello", "--get", "--rpc", str(xml_rpc), "--rpc", str(text_rpc),
                      "--rpc", str(native), re="re1")
    hello, data, by_command, text, by_rpc = documents(out)
    assert etree.QName(hello).localname == "hello"
    assert etree.QName(data).localname == "data"
    states = by_command.xpath("//*[local-name()='mastership-state']/text()")
    assert states == ["master", "backup"]
    assert by_rpc.xpath("//*[local-name()='mastership-state']/text()") == states
    output = text.xpath("string(//*[local-name()='output'])")
    assert output.startswith("Hostname: r1\nModel: mx480\nJunos: 15.1F5.15\n")


def test_rpc_error_is_reported(served: Served, tmp_path: Path) -> None:
    bad = tmp_path / "bad.xml"
    bad.write_text("<command>show no-such-thing</command>")
    host, port = served.endpoints["re0"]
    done = subprocess.run([*console_command(), "--host", host, "--port", str(port), "-u", "lab",
                           "-p", "lab123", "--rpc", str(bad)],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode != 0
    assert "syntax error" in done.stdout


def test_a_file_of_rpcs_ending_with_close_session(served: Served, tmp_path: Path) -> None:
    # The console skips the file's <close-session/> and closes the session itself.
    rpcs = tmp_path / "rpcs.xml"
    rpcs.write_text(
        f'<rpc xmlns="{NC}" message-id="1"><get-software-information/></rpc>]]>]]>'
        f'<rpc xmlns="{NC}" message-id="2"><close-session/></rpc>]]>]]>')
    out = run_console(served, str(rpcs))
    (reply,) = documents(out)
    assert reply.xpath("string(//*[local-name()='junos-version'])") == "15.1F5.15"
