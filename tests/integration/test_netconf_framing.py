"""Both RFC 6242 framings with every client (issue 13, point 3).

Each test runs twice (the ``hello`` fixture): against the real Junos hello (base:1.0 only, so
every client stays on end-of-message framing) and against a router whose testbed offers
base:1.1 too (every client here offers it, so the session is chunked).  The framing is checked
on the server's side (its log of each client hello) and, where the client exposes it, on the
client's; each client then runs real RPCs over it.
"""

from __future__ import annotations

import select
import subprocess
import sys
import time
from pathlib import Path

import paramiko
import pytest
from jnpr.junos import Device
from lxml import etree
from ncclient import manager
from ncclient.transport.session import NetconfBase

from emulator.netconf import BASE_1_0, BASE_1_1, FramingMode, ReceiveBuffer, encode
from harness.session import ConnectParams, RESession
from tests.integration.test_netconf_console import console_command
from tests.netconf_hello import HELLOS, Hello, HelloServed, session_framings, write_hello_testbed

NC = "urn:ietf:params:xml:ns:netconf:base:1.0"
TIMEOUT = 20.0
#: ncclient's name for each framing.
NCCLIENT_BASE = {"eom": NetconfBase.BASE_10, "chunked": NetconfBase.BASE_11}


def assert_framings(caplog: pytest.LogCaptureFixture, served: HelloServed, sessions: int
                    ) -> None:
    """Every session the server established spoke the framing ``served.hello`` leads to."""
    assert session_framings(caplog.records) == [served.hello.framing()] * sessions


@pytest.mark.parametrize("device", ["default", "junos"])
def test_ncclient(served_hello: HelloServed, caplog: pytest.LogCaptureFixture, device: str
                  ) -> None:
    host, port = served_hello.endpoint("re1")
    with manager.connect(host=host, port=port, username="lab", password="lab123",
                         hostkey_verify=False, look_for_keys=False, allow_agent=False,
                         device_params={"name": device}, timeout=TIMEOUT) as m:
        assert (BASE_1_1 in m.server_capabilities) is served_hello.hello.base_1_1
        assert m._session._base is NCCLIENT_BASE[served_hello.hello.framing()]  # noqa: SLF001
        reply = m.dispatch(etree.fromstring("<get-route-engine-information/>"))
        states = etree.fromstring(str(reply).encode()).xpath(
            "//*[local-name()='mastership-state']/text()")
        assert states == ["master", "backup"]
    assert_framings(caplog, served_hello, 1)


def test_harness_session(served_hello: HelloServed, caplog: pytest.LogCaptureFixture) -> None:
    host, port = served_hello.endpoint("master")
    session = RESession(ConnectParams(host, port, "lab", "lab123", label="r1/master"))
    try:
        session.open()
        for _ in range(3):  # several RPCs: each framed both ways, replies read in order
            reply = session.rpc("<get-software-information/>")
            assert reply.findtext(".//junos-version") == "15.1F5.15"
    finally:
        session.close()
    assert_framings(caplog, served_hello, 1)


def test_pyez(served_hello: HelloServed, caplog: pytest.LogCaptureFixture) -> None:
    host, port = served_hello.endpoint("re0")
    dev = Device(host, port=port, user="lab", passwd="lab123", gather_facts=True)
    dev.open()
    try:
        assert dev.facts["master"] == "RE0" and dev.facts["hostname"] == "r1"
        reply = dev.rpc.get_route_engine_information()
        assert reply.xpath("//mastership-state/text()") == ["master", "backup"]
        assert "Hostname: r1" in dev.cli("show version", warning=False)
    finally:
        dev.close()
    assert_framings(caplog, served_hello, 1)


def test_netconf_console2(served_hello: HelloServed, caplog: pytest.LogCaptureFixture,
                          tmp_path: Path) -> None:
    rpc = tmp_path / "re.xml"
    rpc.write_text("<get-route-engine-information/>")
    host, port = served_hello.endpoint("re0")
    done = subprocess.run(
        [*console_command(), "--host", host, "--port", str(port), "-u", "lab", "-p", "lab123",
         "--reply-timeout", str(int(TIMEOUT)), "--hello", "--rpc", str(rpc)],
        capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    hello_doc, reply = (etree.fromstring(("<?xml" + part).encode())
                        for part in done.stdout.split("<?xml") if part.strip())
    caps = hello_doc.xpath("//*[local-name()='capability']/text()")
    assert (BASE_1_1 in caps) is served_hello.hello.base_1_1
    assert reply.xpath("//*[local-name()='mastership-state']/text()") == ["master", "backup"]
    assert_framings(caplog, served_hello, 1)


# --- the bytes on the wire, and an <rpc> without message-id ---------------------------------


class RawNetconf:
    """A NETCONF client made of a paramiko channel: it sends and reads framed bytes itself."""

    def __init__(self, host: str, port: int) -> None:
        self.ssh = paramiko.SSHClient()
        self.ssh.set_missing_host_key_policy(paramiko.AutoAddPolicy())
        self.ssh.connect(host, port, "lab", "lab123", look_for_keys=False, allow_agent=False,
                         timeout=TIMEOUT)
        transport = self.ssh.get_transport()
        assert transport is not None
        self.chan = transport.open_session(timeout=TIMEOUT)
        self.chan.settimeout(TIMEOUT)
        self.chan.invoke_subsystem("netconf")
        self.buffer = ReceiveBuffer(FramingMode.EOM)
        self.mode = FramingMode.EOM
        self.raw = b""

    def receive(self) -> etree._Element:
        deadline = time.monotonic() + TIMEOUT
        while (message := self.buffer.next_message()) is None:
            if time.monotonic() > deadline:
                raise AssertionError(f"no whole message within {TIMEOUT} s: {self.raw!r}")
            data = self.chan.recv(65536)
            if not data:
                raise AssertionError(f"channel closed: {self.raw!r}")
            self.raw += data
            self.buffer.feed(data)
        return etree.fromstring(message.strip())

    def send(self, xml: str) -> None:
        self.chan.sendall(encode(xml.encode(), self.mode))

    def hello(self, *caps: str) -> etree._Element:
        """Exchange hellos; switch to chunked framing when both sides list base:1.1."""
        server = self.receive()
        body = "".join(f"<capability>{c}</capability>" for c in caps)
        self.send(f'<hello xmlns="{NC}"><capabilities>{body}</capabilities></hello>')
        offered = server.xpath("//*[local-name()='capability']/text()")
        if BASE_1_1 in caps and BASE_1_1 in offered:
            self.mode = FramingMode.CHUNKED
            self.buffer.mode = FramingMode.CHUNKED
        return server

    def close(self) -> None:
        self.ssh.close()


def test_rpc_without_message_id_on_the_wire_in_either_framing(
        served_hello: HelloServed, caplog: pytest.LogCaptureFixture) -> None:
    client = RawNetconf(*served_hello.endpoint("re0"))
    try:
        client.hello(BASE_1_0, BASE_1_1)
        client.raw = b""
        client.send("<rpc><get-route-engine-information/></rpc>")
        reply = client.receive()
        chunked = client.raw.startswith(b"\n#")
        assert chunked is (served_hello.hello.framing() == "chunked")
        assert client.raw.rstrip().endswith(b"##" if chunked else b"]]>]]>")
        assert reply.tag == f"{{{NC}}}rpc-reply" and "message-id" not in reply.attrib
        assert reply.xpath("//*[local-name()='mastership-state']/text()") == ["master", "backup"]
        client.send(f'<rpc xmlns="{NC}" message-id="2"><close-session/></rpc>')
        assert client.receive().get("message-id") == "2"
    finally:
        client.close()
    assert_framings(caplog, served_hello, 1)



# --- the knob through `re-emulator serve --testbed` (how the compat clients serve it) -------


@pytest.mark.parametrize("hello", HELLOS, ids=lambda h: h.name)
def test_re_emulator_serve_offers_the_hello_its_testbed_asks(hello: Hello, tmp_path: Path
                                                              ) -> None:
    exe = Path(sys.executable).with_name("re-emulator")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "emulator"]
    proc = subprocess.Popen([*cmd, "serve", "--time", "virtual", "--testbed",
                             str(write_hello_testbed(tmp_path, hello))],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        ready, _, _ = select.select([proc.stdout], [], [], 60)
        line = proc.stdout.readline() if ready else ""  # "r1 re0 127.0.0.1:PORT" comes first
        assert line.startswith("r1 re0 "), f"re-emulator serve printed {line!r}"
        host, port = line.split()[2].rsplit(":", 1)
        with manager.connect(host=host, port=int(port), username="lab", password="lab123",
                             hostkey_verify=False, look_for_keys=False, allow_agent=False,
                             timeout=TIMEOUT) as m:
            assert (BASE_1_1 in m.server_capabilities) is hello.base_1_1
            assert m._session._base is NCCLIENT_BASE[hello.framing()]  # noqa: SLF001
    finally:
        proc.terminate()
        proc.wait(timeout=TIMEOUT)
