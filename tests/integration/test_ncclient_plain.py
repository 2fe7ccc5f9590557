"""Issue 2's acceptance: a plain ncclient script, written from ncclient's docs, against
``re-emulator serve`` (a separate process, reached only over SSH on loopback)."""

from __future__ import annotations

from collections.abc import Iterator

import paramiko
import pytest
from lxml import etree
from ncclient import manager
from ncclient.operations import RPCError

from tests.integration.conftest import Served

NC = "urn:ietf:params:xml:ns:netconf:base:1.0"


def connect(served: Served, re: str, user: str = "lab", password: str = "lab123"
            ) -> manager.Manager:
    host, port = served.endpoints[re]
    return manager.connect(host=host, port=port, username=user, password=password,
                           hostkey_verify=False, device_params={"name": "junos"})


def advance(served: Served, seconds: int) -> None:
    """Advance the emulator's virtual clock (control RPC, control user)."""
    with connect(served, "control", "re-control", "re-control") as ctl:
        ctl.rpc(etree.fromstring('<advance-clock xmlns="urn:re-emulator:control:1">'
                                 f"<seconds>{seconds}</seconds></advance-clock>"))


@pytest.fixture
def m(serve_process: Served) -> Iterator[manager.Manager]:
    with connect(serve_process, "re0") as mgr:
        yield mgr


def route_engines(mgr: manager.Manager) -> list[tuple[str, str]]:
    reply = mgr.rpc(etree.fromstring("<get-route-engine-information/>"))
    return [(r.findtext("slot"), r.findtext("mastership-state"))
            for r in reply.xpath("//route-engine")]


@pytest.mark.parametrize("re", ["re0", "re1"])
def test_two_route_engines_one_master_from_either_endpoint(serve_process: Served, re: str
                                                           ) -> None:
    with connect(serve_process, re) as mgr:
        entries = route_engines(mgr)
    assert sorted(slot for slot, _ in entries) == ["0", "1"]
    assert [state for _, state in entries].count("master") == 1


def test_switch_moves_mastership(serve_process: Served) -> None:
    with connect(serve_process, "re0") as mgr:
        before = dict(route_engines(mgr))
        master = next(s for s, st in before.items() if st == "master")
    with connect(serve_process, f"re{master}") as mgr:
        mgr.rpc(etree.fromstring(
            "<request-chassis-routing-engine-switch><no-confirm/>"
            "</request-chassis-routing-engine-switch>"))
        advance(serve_process, 5)  # the MX480 resolves mastership in 4 s
        after = dict(route_engines(mgr))
    assert after[master] == "backup"
    assert [st for st in after.values()].count("master") == 1


def test_unknown_rpc_gets_rpc_error_and_session_stays_usable(m: manager.Manager) -> None:
    with pytest.raises(RPCError) as err:
        m.rpc(etree.fromstring("<get-no-such-thing/>"))
    assert "syntax error" in str(err.value)
    assert len(route_engines(m)) == 2


class RawNetconf:
    """A bare NETCONF 1.0 client on a paramiko channel: lets a test send what ncclient won't."""

    def __init__(self, host: str, port: int) -> None:
        self.client = paramiko.SSHClient()
        self.client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
        self.client.connect(host, port, "lab", "lab123", look_for_keys=False,
                            allow_agent=False, timeout=10)
        self.chan = self.client.get_transport().open_session()
        self.chan.settimeout(10)
        self.chan.invoke_subsystem("netconf")
        self.buf = b""
        self.read()  # server hello
        self.send(f'<hello xmlns="{NC}"><capabilities><capability>'
                  "urn:ietf:params:netconf:base:1.0</capability></capabilities></hello>")

    def send(self, text: str) -> None:
        self.chan.sendall(text.encode() + b"]]>]]>")

    def read(self) -> etree._Element:
        while b"]]>]]>" not in self.buf:
            chunk = self.chan.recv(65536)
            assert chunk, "server closed the session"
            self.buf += chunk
        msg, _, self.buf = self.buf.partition(b"]]>]]>")
        return etree.fromstring(msg.strip())

    def close(self) -> None:
        self.client.close()


def test_malformed_xml_gets_rpc_error_and_session_stays_usable(serve_process: Served) -> None:
    raw = RawNetconf(*serve_process.endpoints["re0"])
    try:
        raw.send(f'<rpc message-id="bad-1" xmlns="{NC}"><get-route-engine-information></rpc>')
        reply = raw.read()
        assert reply.get("message-id") == "bad-1"
        assert reply.findtext(f"{{{NC}}}rpc-error/{{{NC}}}error-tag") == "malformed-message"
        raw.send(f'<rpc message-id="2" xmlns="{NC}"><get-route-engine-information/></rpc>')
        good = raw.read()
        assert good.get("message-id") == "2"
        assert len(good.xpath("//*[local-name()='route-engine']")) == 2
    finally:
        raw.close()
