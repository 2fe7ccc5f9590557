"""A small lab for the emulator's conformance tests: one router served in-process on loopback,
reached only over SSH/NETCONF, as on hardware.

The client is a bare NETCONF 1.0 client on paramiko (:class:`Netconf`): it sends exactly what the
test writes and hides nothing (ncclient's own behaviour is covered by test_ncclient_plain.py,
and stock ncclient answers one RPC per 100 ms, which would make these scenarios slow).

Every test of tests/integration/test_emulator_*.py builds its router with :func:`lab` and talks
to it as a user would: RPCs on ``re0``/``re1``, time and faults through control RPCs.
"""

from __future__ import annotations

import itertools
import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass

import paramiko
import pytest
from lxml import etree

from emulator.model.router import RouterParams
from emulator.server import EmulatorServer, RouterEntry
from emulator.ssh import User
from harness.session import strip_namespaces
from re_contract.listeners import CONTROL

NC = "urn:ietf:params:xml:ns:netconf:base:1.0"
CONTROL_NS = "urn:re-emulator:control:1"
USER, PASSWORD = "lab", "lab123"
CONTROL_USER = "re-control"
_EVENT = re.compile(r"event = (E_[A-Z_]+), state = (\w+)")
_IDS = itertools.count(1)


class RpcFailedError(Exception):
    """The reply carried ``<rpc-error>`` of severity error; ``errors`` are (severity, message)."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(message for _, message in errors))
        self.errors = errors


class ConnectError(Exception):
    """Nothing answered (connection refused or reset, no SSH)."""


def switch_rpc(method: str, *flags: str) -> str:
    """Return ``<request-chassis-routing-engine-<method>>`` with empty ``flags`` elements."""
    inner = "".join(f"<{flag}/>" for flag in flags)
    tag = f"request-chassis-routing-engine-{method}"
    return f"<{tag}>{inner}</{tag}>"


def strip(el: etree._Element) -> etree._Element:
    """Return a copy of ``el`` with namespaces removed (as ncclient's Junos handler does)."""
    return strip_namespaces(el)


def rpc_errors(reply: etree._Element) -> list[tuple[str, str]]:
    """Return (severity, message) of every NETCONF ``<rpc-error>`` in ``reply``."""
    return [(e.findtext(f"{{{NC}}}error-severity") or "",
             (e.findtext(f"{{{NC}}}error-message") or "").strip())
            for e in reply.iter(f"{{{NC}}}rpc-error")]


class Netconf:
    """A bare NETCONF 1.0 session (``]]>]]>`` framing) on a paramiko channel."""

    def __init__(self, host: str, port: int, user: str, password: str) -> None:
        self.client = paramiko.SSHClient()
        self.client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
        try:
            sock = socket.create_connection((host, port), timeout=5)
            # Small request/reply messages: without TCP_NODELAY each waits for delayed ACKs.
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.client.connect(host, port, user, password, look_for_keys=False,
                                allow_agent=False, timeout=5, banner_timeout=5, sock=sock)
        except (OSError, paramiko.SSHException, EOFError) as exc:
            self.client.close()
            raise ConnectError(f"{host}:{port}: {exc}") from exc
        transport = self.client.get_transport()
        assert transport is not None
        self.chan = transport.open_session()
        self.chan.settimeout(10)
        self.chan.invoke_subsystem("netconf")
        self.buf = b""
        self.hello = self._read()
        self._send(f'<hello xmlns="{NC}"><capabilities><capability>'
                   "urn:ietf:params:netconf:base:1.0</capability></capabilities></hello>")

    def _send(self, text: str) -> None:
        self.chan.sendall(text.encode() + b"]]>]]>")

    def _read(self) -> etree._Element:
        while b"]]>]]>" not in self.buf:
            chunk = self.chan.recv(65536)
            if not chunk:
                raise ConnectError("the server closed the session")
            self.buf += chunk
        msg, _, self.buf = self.buf.partition(b"]]>]]>")
        return etree.fromstring(msg.strip())

    def rpc(self, request: str) -> etree._Element:
        """Send ``request`` (the operation element); return the stripped ``<rpc-reply>``.

        Raises RpcFailedError for ``<rpc-error>`` of severity error (warnings pass).
        """
        self._send(f'<rpc message-id="{next(_IDS)}" xmlns="{NC}">{request}</rpc>')
        reply = self._read()
        errors = rpc_errors(reply)
        if any(severity == "error" for severity, _ in errors):
            raise RpcFailedError(errors)
        return strip(reply)

    def close(self) -> None:
        """Close politely (``<close-session/>``) when the session still runs, then hang up."""
        try:
            if not self.chan.closed:
                self._send(f'<rpc message-id="{next(_IDS)}" xmlns="{NC}"><close-session/></rpc>')
                self._read()
        except (ConnectError, OSError, EOFError, paramiko.SSHException):
            pass  # the server already ended the session (its RE went down): nothing to close
        self.client.close()


@dataclass
class Lab:
    """One served router and the client-side helpers a conformance test needs."""

    server: EmulatorServer
    endpoints: dict[str, tuple[str, int]]

    # ------------------------------------------------------------------ sessions
    def open(self, re_name: str) -> Netconf:
        """Open a new NETCONF session to ``re_name`` (``re0``, ``re1``, ``master``, ``control``).

        Raises ConnectError when nothing answers there.
        """
        host, port = self.endpoints[re_name]
        user = CONTROL_USER if re_name == CONTROL else USER
        password = CONTROL_USER if re_name == CONTROL else PASSWORD
        return Netconf(host, port, user, password)

    def rpc(self, re_name: str, request: str) -> etree._Element:
        """Send ``request`` on a fresh session to ``re_name``; return the stripped reply."""
        session = self.open(re_name)
        try:
            return session.rpc(request)
        finally:
            session.close()

    def error(self, re_name: str, request: str) -> str:
        """Send ``request`` expecting an ``<rpc-error>``; return its message."""
        with pytest.raises(RpcFailedError) as failed:
            self.rpc(re_name, request)
        return "; ".join(message for _, message in failed.value.errors)

    def command(self, re_name: str, cli: str) -> str:
        """Run ``cli`` as ``<command format="text">``; return the text of ``<output>``."""
        reply = self.rpc(re_name, f'<command format="text">{cli}</command>')
        return reply.findtext(".//output") or ""

    # ------------------------------------------------------------------ control
    def control(self, tag: str, **children: object) -> etree._Element:
        """Send control RPC ``tag`` (children as ``<name>value</name>``); return the reply."""
        el = etree.Element(f"{{{CONTROL_NS}}}{tag}", nsmap={None: CONTROL_NS})
        for name, value in children.items():
            etree.SubElement(el, f"{{{CONTROL_NS}}}{name}").text = str(value)
        return self.rpc(CONTROL, etree.tostring(el).decode())

    def advance(self, seconds: float) -> None:
        """Advance the router's virtual clock."""
        self.control("advance-clock", seconds=seconds)

    def states(self) -> dict[str, str]:
        """Return ``{"re0": "master", ...}`` from the control ``get-state``."""
        reply = self.control("get-state")
        return {f"re{r.findtext('slot')}": str(r.findtext("state"))
                for r in reply.iter("routing-engine")}

    def now(self) -> float:
        """Return the router's virtual time."""
        return float(self.control("get-clock").findtext(".//now") or 0)

    # ------------------------------------------------------------------ observations
    def log(self, re_name: str) -> str:
        """Return ``show log mastership`` of ``re_name`` (get-log, file-content text)."""
        reply = self.rpc(re_name, "<get-log><filename>mastership</filename></get-log>")
        return reply.findtext(".//file-content") or ""

    def events(self, re_name: str, since: int = 0) -> list[str]:
        """Return the Table 107 event codes of ``re_name``'s log from line ``since`` on."""
        lines = self.log(re_name).splitlines()[since:]
        return [m.group(1) for line in lines if (m := _EVENT.search(line))]

    def log_length(self, re_name: str) -> int:
        """Return the number of lines in ``re_name``'s mastership log (a mark)."""
        return len(self.log(re_name).splitlines())

    def route_engines(self, re_name: str) -> dict[str, etree._Element]:
        """Return ``show chassis routing-engine`` entries by slot, seen from ``re_name``."""
        reply = self.rpc(re_name, "<get-route-engine-information/>")
        return {str(r.findtext("slot")): r for r in reply.iter("route-engine")}

    def config_text(self, re_name: str) -> str:
        """Return the committed configuration of ``re_name`` as text."""
        reply = self.rpc(re_name, '<get-configuration database="committed" format="text"/>')
        return reply.findtext(".//configuration-text") or ""

    def configure(self, re_name: str, lines: str, *, synchronize: bool = True
                  ) -> etree._Element:
        """Load ``lines`` (set format) on ``re_name`` and commit (synchronize by default);
        return the commit reply.  Raises RpcFailedError when the load or commit fails."""
        session = self.open(re_name)
        try:
            session.rpc('<load-configuration action="set" format="text"><configuration-set>'
                        f"{lines}</configuration-set></load-configuration>")
            sync = "<synchronize/>" if synchronize else ""
            return session.rpc(f"<commit-configuration>{sync}</commit-configuration>")
        finally:
            session.close()

    def snapshot(self) -> tuple[object, ...]:
        """Return everything a refused request must leave unchanged: RE states, link, PFE
        resets, and each running RE's mastership log and committed configuration."""
        state = etree.tostring(self.control("get-state")[0])
        running = [name for name, st in self.states().items()
                   if st not in ("halted", "booting", "absent")]
        return (state, *[(name, self.log(name), self.config_text(name)) for name in running])


def make_lab(params: RouterParams, *, time_mode: str = "virtual") -> Lab:
    """Serve ``params`` on free loopback ports; return the lab (caller stops the server)."""
    listen = {f"re{s}": ("127.0.0.1", 0) for s in range(2)}
    listen["master"] = ("127.0.0.1", 0)
    listen[CONTROL] = ("127.0.0.1", 0)
    users = [User(USER, PASSWORD), User(CONTROL_USER, CONTROL_USER, control=True)]
    server = EmulatorServer([RouterEntry(params=params, users=users, listen=listen)],
                            time_mode=time_mode)
    endpoints = {ep.re: (ep.host, ep.port) for ep in server.start()}
    return Lab(server, endpoints)


@pytest.fixture
def lab() -> Iterator[Lab]:
    """A default dual-RE MX480 (RE0 master, RE1 backup), fresh per test."""
    served = make_lab(RouterParams(name="r1", boot_time=180.0))
    try:
        yield served
    finally:
        served.server.stop()
    errors = served.server.take_errors()
    assert not errors, "\n".join(error.format() for error in errors)


def test_lab_sees_both_res_from_either_endpoint(lab: Lab) -> None:
    for name in ("re0", "re1"):
        entries = lab.route_engines(name)
        assert {slot: e.findtext("mastership-state") for slot, e in entries.items()} == {
            "0": "master", "1": "backup"}
    assert lab.states() == {"re0": "master", "re1": "backup"}


def test_lab_control_rpcs_refused_to_ordinary_users(lab: Lab) -> None:
    request = f'<advance-clock xmlns="{CONTROL_NS}"><seconds>1</seconds></advance-clock>'
    assert "permission denied" in lab.error("re0", request)
