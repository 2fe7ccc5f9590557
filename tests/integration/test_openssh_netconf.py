"""OpenSSH's own client as a NETCONF transport (issue 6.4): ``ssh -s netconf``.

``ssh -p PORT lab@127.0.0.1 -s netconf`` with the password given through ``SSH_ASKPASS``
(``SSH_ASKPASS_REQUIRE=force``, OpenSSH >= 8.4, in a new session without a terminal), then
hello, ``<get>``, ``<command>`` and ``<close-session/>`` written on its stdin (RFC 6242
end-of-message framing, and chunked framing once both hellos list base:1.1).
"""

from __future__ import annotations

import os
import re
import select
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree

from tests.integration.conftest import Served
from tests.netconf_hello import HelloServed
from tests.shared import require_tool

NC = "urn:ietf:params:xml:ns:netconf:base:1.0"
EOM = b"]]>]]>"
TIMEOUT = 20.0

SSH = require_tool("ssh", "openssh-client")


def _hello(*versions: str) -> bytes:
    caps = "".join(f"<capability>urn:ietf:params:netconf:base:{v}</capability>"
                   for v in versions)
    return f'<hello xmlns="{NC}"><capabilities>{caps}</capabilities></hello>'.encode()


class OpenSshNetconf:
    """A NETCONF client made of ``ssh -s netconf`` and pipes."""

    def __init__(self, host: str, port: int, askpass: Path) -> None:
        assert SSH is not None
        env = dict(os.environ, SSH_ASKPASS=str(askpass), SSH_ASKPASS_REQUIRE="force",
                   DISPLAY=os.environ.get("DISPLAY", ":0"))
        self.proc = subprocess.Popen(
            [SSH, "-F", "/dev/null", "-p", str(port), "-o", "StrictHostKeyChecking=no",
             "-o", "UserKnownHostsFile=/dev/null", "-o", "PubkeyAuthentication=no",
             "-o", "PreferredAuthentications=password,keyboard-interactive",
             "-o", "NumberOfPasswordPrompts=1", "-o", "LogLevel=ERROR",
             "-o", f"ConnectTimeout={int(TIMEOUT)}", f"lab@{host}", "-s", "netconf"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
            start_new_session=True)  # setsid: no controlling terminal, askpass it is
        self.buffer = b""
        self.chunked = False

    def send(self, message: bytes) -> None:
        """Write one message, framed as negotiated."""
        assert self.proc.stdin is not None
        if self.chunked:
            framed = b"\n#%d\n" % len(message) + message + b"\n##\n"
        else:
            framed = message + EOM
        self.proc.stdin.write(framed)
        self.proc.stdin.flush()

    def receive(self) -> etree._Element:
        """Read one message (within TIMEOUT) and return it parsed."""
        deadline = time.monotonic() + TIMEOUT
        while (message := self._take()) is None:
            self._read(deadline)
        return etree.fromstring(message)

    def rpc(self, body: str, message_id: int) -> etree._Element:
        """Send ``<rpc>`` with ``body``; return the ``<rpc-reply>`` (checking its message-id)."""
        self.send(f'<rpc xmlns="{NC}" message-id="{message_id}">{body}</rpc>'.encode())
        reply = self.receive()
        assert reply.tag == f"{{{NC}}}rpc-reply"
        assert reply.get("message-id") == str(message_id)
        return reply

    def _take(self) -> bytes | None:
        if not self.chunked:
            head, sep, rest = self.buffer.partition(EOM)
            if not sep:
                return None
            self.buffer = rest
            return head.strip()
        return self._take_chunked()

    def _take_chunked(self) -> bytes | None:
        """RFC 6242 4.2: ``\\n#<len>\\n<data>`` chunks, ``\\n##\\n`` ends the message."""
        out, pos = b"", 0
        while True:
            end = re.compile(rb"\n##\n").match(self.buffer, pos)
            if end:
                self.buffer = self.buffer[end.end():]
                return out
            head = re.compile(rb"\n#(\d+)\n").match(self.buffer, pos)
            if head is None:
                return None
            size = int(head.group(1))
            if len(self.buffer) < head.end() + size:
                return None
            out += self.buffer[head.end():head.end() + size]
            pos = head.end() + size

    def _read(self, deadline: float) -> None:
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        left = deadline - time.monotonic()
        ready, _, _ = select.select([fd], [], [], max(left, 0))
        if not ready:
            raise AssertionError(f"no NETCONF message within {TIMEOUT} s: {self.buffer!r}")
        data = os.read(fd, 65536)
        if not data:
            raise AssertionError(f"ssh ended: {self._stderr()} {self.buffer!r}")
        self.buffer += data

    def _stderr(self) -> str:
        self.proc.wait(timeout=TIMEOUT)
        assert self.proc.stderr is not None
        return self.proc.stderr.read().decode(errors="replace")

    def wait(self) -> int:
        """Wait for ssh to exit (the server closed the channel); return its status."""
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        return self.proc.wait(timeout=TIMEOUT)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=TIMEOUT)


@pytest.fixture
def askpass(tmp_path: Path) -> Path:
    """A tiny SSH_ASKPASS program that prints the password."""
    script = tmp_path / "askpass.sh"
    script.write_text("#!/bin/sh\necho lab123\n")
    script.chmod(0o700)
    return script


@pytest.fixture
def client(served: Served, askpass: Path) -> Iterator[OpenSshNetconf]:
    host, port = served.endpoints["re0"]
    ssh = OpenSshNetconf(host, port, askpass)
    try:
        yield ssh
    finally:
        ssh.kill()


def test_hello_get_command_and_close(client: OpenSshNetconf) -> None:
    server_hello = client.receive()
    assert server_hello.tag == f"{{{NC}}}hello"
    assert server_hello.findtext(f"{{{NC}}}session-id")
    client.send(_hello("1.0"))

    data = client.rpc("<get/>", 101)
    assert data.xpath("string(//*[local-name()='host-name'])") == "r1"

    engines = client.rpc("<command>show chassis routing-engine</command>", 102)
    states = engines.xpath("//*[local-name()='mastership-state']/text()")
    assert states == ["master", "backup"]

    text = client.rpc('<command format="text">show chassis routing-engine</command>', 103)
    assert "Current state                  Master" in text.xpath("string(//*[local-name()"
                                                              "='output'])")

    bye = client.rpc("<close-session/>", 104)
    assert bye.find(f"{{{NC}}}ok") is not None
    client.wait()  # returns: the server closed the channel after <ok/>


@pytest.fixture
def hello_client(served_hello: HelloServed, askpass: Path) -> Iterator[OpenSshNetconf]:
    """``ssh -s netconf`` to a router served with each hello (real Junos, and base:1.1 too)."""
    ssh = OpenSshNetconf(*served_hello.endpoint("re0"), askpass)
    try:
        yield ssh
    finally:
        ssh.kill()


def test_chunked_framing_only_after_both_hellos_list_base_1_1(
        hello_client: OpenSshNetconf, served_hello: HelloServed) -> None:
    server_hello = hello_client.receive()
    offered = server_hello.xpath("//*[local-name()='capability']/text()")
    assert ("urn:ietf:params:netconf:base:1.1" in offered) is served_hello.hello.base_1_1
    hello_client.send(_hello("1.0", "1.1"))
    # RFC 6242 4.1: chunked only if both advertised base:1.1 (Junos's own hello does not).
    hello_client.chunked = served_hello.hello.framing() == "chunked"
    reply = hello_client.rpc("<command>show version</command>", 7)
    assert reply.xpath("string(//*[local-name()='junos-version'])") == "15.1F5.15"
    hello_client.rpc("<close-session/>", 8)
    hello_client.wait()


def test_ssh_exits_0_after_close_session(client: OpenSshNetconf) -> None:
    client.receive()
    client.send(_hello("1.0"))
    client.rpc("<close-session/>", 1)
    assert client.wait() == 0  # sshd sends exit-status 0 when the subsystem ends


def test_a_wrong_password_is_refused(served: Served, tmp_path: Path) -> None:
    script = tmp_path / "wrong.sh"
    script.write_text("#!/bin/sh\necho not-the-password\n")
    script.chmod(0o700)
    host, port = served.endpoints["re0"]
    ssh = OpenSshNetconf(host, port, script)
    try:
        assert ssh.wait() != 0
    finally:
        ssh.kill()
