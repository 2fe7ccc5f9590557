"""OpenSSH's own client against the served emulator: the NETCONF subsystem (``ssh -s
netconf``) with a client hello of base:1.0 and with one of base:1.0 and base:1.1 (chunked
framing when the router offers base:1.1 too, end-of-message otherwise, RFC 6242 4.1), and the
interactive CLI under a pseudo-terminal, on each RE's address and on the master-only address."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.compat.served import PASSWORD, TARGET_RE, ServedEmulator
from tests.integration.test_cli_openssh import PtySsh
from tests.integration.test_openssh_netconf import NC, OpenSshNetconf, _hello
from tests.shared import require_tool

compat = pytest.mark.compat
require_tool("ssh", "openssh-client")


@pytest.fixture
def askpass(tmp_path: Path) -> Path:
    script = tmp_path / "askpass.sh"
    script.write_text(f"#!/bin/sh\necho {PASSWORD}\n")
    script.chmod(0o700)
    return script


@pytest.fixture
def netconf(served: ServedEmulator, target: str, askpass: Path
            ) -> Iterator[Callable[..., OpenSshNetconf]]:
    """Start ``ssh -s netconf`` to ``target`` and send a hello listing the base versions
    given; the client frames in chunks when both hellos list base:1.1 (RFC 6242 4.1)."""
    clients: list[OpenSshNetconf] = []

    def start(*versions: str) -> OpenSshNetconf:
        ep = served.endpoint(target)
        client = OpenSshNetconf(ep.host, ep.port, askpass)
        clients.append(client)
        caps = client.receive()
        assert caps.tag == f"{{{NC}}}hello"
        client.send(_hello(*versions))
        client.chunked = "1.1" in versions and any(
            (c.text or "").endswith("base:1.1") for c in caps.iter(f"{{{NC}}}capability"))
        return client

    try:
        yield start
    finally:
        for client in clients:
            client.kill()


def _get_command_json_close(netconf: OpenSshNetconf) -> None:
    data = netconf.rpc("<get/>", 1)
    assert data.xpath("string(//*[local-name()='host-name'])") == "r1"
    engines = netconf.rpc("<command>show chassis routing-engine</command>", 2)
    assert engines.xpath("//*[local-name()='mastership-state']/text()") == ["master", "backup"]
    uptime = netconf.rpc('<get-system-uptime-information format="json"/>', 3)
    assert "system-uptime-information" in json.loads(uptime.text or "")
    bye = netconf.rpc("<close-session/>", 4)
    assert bye.find(f"{{{NC}}}ok") is not None
    assert netconf.wait() == 0


@compat("OpenSSH", "openssh", "ssh -s netconf, client hello base:1.0: get, command, json, close",
        base_1_1=False)
def test_netconf_subsystem_base_1_0(netconf: Callable[..., OpenSshNetconf]) -> None:
    _get_command_json_close(netconf("1.0"))


@compat("OpenSSH", "openssh",
        "ssh -s netconf, client hello base:1.0 and 1.1: get, command, json, close")
def test_netconf_subsystem_base_1_1(netconf: Callable[..., OpenSshNetconf]) -> None:
    _get_command_json_close(netconf("1.0", "1.1"))


@pytest.fixture
def terminal(served: ServedEmulator, target: str) -> Iterator[PtySsh]:
    ep = served.endpoint(target)
    term = PtySsh(ep.host, ep.port)
    yield term
    term.close()


@compat("OpenSSH", "openssh", "ssh: interactive CLI", netconf=False)
def test_interactive_cli(terminal: PtySsh, target: str) -> None:
    shown = terminal.run("show chassis routing-engine | match Current")
    assert [line.split()[-1] for line in shown.splitlines() if "Current" in line] == [
        "Master", "Backup"]
    listing = terminal.run("file list /var/log/")
    assert listing.startswith("/var/log/:\nmastership\nmessages\n")
    pwd = terminal.run("show cli directory")
    assert "Current directory: /var/home/lab" in pwd
    assert TARGET_RE[target] in ("re0", "re1")
