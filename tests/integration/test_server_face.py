"""The event-loop server face: one client cannot block another, server-side errors are
recorded for the test that caused them, control sessions are not cut by their own faults.

Every wait is bounded; no timing is asserted (limits are made small so that what must happen
happens quickly)."""

from __future__ import annotations

import asyncio
import itertools
import socket
import struct
import time
from collections.abc import Callable, Iterator

import asyncssh
import paramiko
import pytest

from emulator.limits import DEFAULT_LIMITS, Limits
from emulator.model.router import RouterModel, RouterParams
from emulator.server import CONTROL, EmulatorServer, RouterEntry, TimeMode
from emulator.ssh import JUNOS_KEX_ALGS, User
from tests.integration.test_emulator_lab import NC, Netconf

_IDS = itertools.count(1)
GET_RE = "<get-route-engine-information/>"


def serve(*, limits: Limits = DEFAULT_LIMITS, time_mode: str = TimeMode.VIRTUAL
          ) -> tuple[EmulatorServer, dict[str, tuple[str, int]]]:
    listen = {"re0": ("127.0.0.1", 0), "re1": ("127.0.0.1", 0), CONTROL: ("127.0.0.1", 0)}
    users = [User("lab", "lab123"), User("ctl", "ctl", control=True)]
    server = EmulatorServer([RouterEntry(RouterParams(name="r1"), users, listen)],
                            time_mode=time_mode, limits=limits)
    return server, {ep.re: (ep.host, ep.port) for ep in server.start()}


SMALL = Limits(send_high_water=1024, send_deadline=1.0)
RPCS = 200


@pytest.fixture
def small_buffers() -> Iterator[tuple[EmulatorServer, dict[str, tuple[str, int]]]]:
    server, eps = serve(limits=SMALL)
    try:
        yield server, eps
    finally:
        server.stop()


def wait_for(check: Callable[[], bool], what: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout:g} s: {what}")
        time.sleep(0.05)


def test_a_client_that_reads_nothing_blocks_nobody_and_is_dropped(
        small_buffers: tuple[EmulatorServer, dict[str, tuple[str, int]]]) -> None:
    server, eps = small_buffers
    host, port = eps["re0"]
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    client.connect(host, port, "lab", "lab123", look_for_keys=False, allow_agent=False,
                   timeout=10)
    try:
        transport = client.get_transport()
        assert transport is not None
        # A small receive window: the server's replies pile up on its side at once.
        chan = transport.open_session(window_size=16384, max_packet_size=8192)
        chan.invoke_subsystem("netconf")
        chan.sendall(f'<hello xmlns="{NC}"><capabilities><capability>urn:ietf:params:netconf:'
                     f'base:1.0</capability></capabilities></hello>]]>]]>'.encode())
        for _ in range(RPCS):  # pipelined, never read
            chan.sendall(f'<rpc message-id="{next(_IDS)}" xmlns="{NC}">{GET_RE}</rpc>]]>]]>'
                         .encode())
        # Meanwhile another client of the same router is served as usual.
        other = Netconf(*eps["re0"], "lab", "lab123")
        assert other.rpc(GET_RE).find(".//route-engine") is not None
        other.close()
        # Past the send deadline the stalled session is dropped, its unread replies discarded.
        wait_for(lambda: chan.closed or chan.eof_received, "the stalled session is dropped",
                 timeout=SMALL.send_deadline + 20)
        replies = _read_all(chan).count(b"]]>]]>")
    finally:
        client.close()
    assert 1 <= replies < 1 + RPCS  # the hello and some replies, not all
    assert server.take_errors() == []


def _read_all(chan: paramiko.Channel) -> bytes:
    """Return what the channel still holds (it is closed: recv returns b"" at the end)."""
    chan.settimeout(5)
    data = b""
    while chunk := chan.recv(65536):
        data += chunk
    return data


def test_exception_in_a_loop_callback_is_recorded() -> None:
    server, _ = serve(time_mode=TimeMode.REAL)
    try:
        def plant(model: RouterModel) -> None:
            def boom() -> None:
                raise LookupError("deliberate crash in a model timer")
            model.clock.call_later(0.05, boom, "boom")

        server.call("r1", plant)  # real time: the loop timer fires it, nobody connected
        errors: list[object] = []
        wait_for(lambda: bool(errors.extend(server.take_errors()) or errors), "an error")
    finally:
        server.stop()
    (error,) = errors
    assert "LookupError: deliberate crash in a model timer" in error.format()  # type: ignore[attr-defined]
    assert "event loop" in error.where  # type: ignore[attr-defined]


def test_truncate_fault_on_the_control_sessions_re_cuts_a_user_reply_not_its_own() -> None:
    server, eps = serve()
    try:
        control = Netconf(*eps[CONTROL], "ctl", "ctl")
        control.rpc('<truncate-next-reply xmlns="urn:re-emulator:control:1"><re>re0</re>'
                    '</truncate-next-reply>')  # answered whole (the control session is on re0)
        user = Netconf(*eps["re0"], "lab", "lab123")
        with pytest.raises(Exception, match="closed the session"):
            user.rpc(GET_RE)
        user.client.close()
        again = Netconf(*eps["re0"], "lab", "lab123")
        assert again.rpc(GET_RE).find(".//route-engine") is not None
        again.close()
        control.close()
    finally:
        server.stop()
    assert server.take_errors() == []


def test_stop_ends_every_session_and_joins_the_loop() -> None:
    server, eps = serve()
    sessions = [Netconf(*eps[re], "lab", "lab123") for re in ("re0", "re1", "re0")]
    server.stop()
    for session in sessions:
        wait_for(lambda s=session: s.chan.closed or s.chan.eof_received, "session closed")
        session.client.close()
    assert server.take_errors() == []


def _transport(host: str, port: int) -> tuple[paramiko.SSHClient, paramiko.Transport]:
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    client.connect(host, port, "lab", "lab123", look_for_keys=False, allow_agent=False,
                   timeout=10, banner_timeout=10, auth_timeout=10)
    transport = client.get_transport()
    assert transport is not None
    return client, transport


@pytest.mark.parametrize("limits", [Limits(hello_timeout=0.3), Limits(idle_timeout=0.3)],
                         ids=["no-hello", "idle"])
def test_silent_netconf_clients_are_closed(limits: Limits) -> None:
    server, eps = serve(limits=limits)
    try:
        client, transport = _transport(*eps["re0"])
        chan = transport.open_session()
        chan.invoke_subsystem("netconf")
        if limits.idle_timeout is not None:  # says hello, then nothing
            chan.sendall(f'<hello xmlns="{NC}"><capabilities><capability>urn:ietf:params:'
                         f'netconf:base:1.0</capability></capabilities></hello>]]>]]>'.encode())
        wait_for(lambda: chan.closed or chan.eof_received, "the silent session is closed")
        client.close()
    finally:
        server.stop()
    assert server.take_errors() == []


def test_connection_and_channel_caps() -> None:
    server, eps = serve(limits=Limits(connection_limit=1,
                                      max_sessions_per_connection=1))
    try:
        first, transport = _transport(*eps["re0"])
        chan = transport.open_session()
        with pytest.raises(paramiko.ChannelException):
            transport.open_session()  # one channel at a time on this connection
        chan.close()
        wait_for(lambda: _opens(transport), "a channel opens once the first is closed")
        with pytest.raises((paramiko.SSHException, EOFError, OSError)):
            _transport(*eps["re1"])  # the router's one connection is in use
        first.close()
        wait_for(lambda: _connects(*eps["re1"]), "a new connection once the first is gone")
    finally:
        server.stop()
    assert server.take_errors() == []


def _opens(transport: paramiko.Transport) -> bool:
    try:
        transport.open_session().close()
    except paramiko.ChannelException:
        return False
    return True


def _connects(host: str, port: int) -> bool:
    try:
        client, _ = _transport(host, port)
    except (paramiko.SSHException, EOFError, OSError):
        return False
    client.close()
    return True


async def _kex_with(host: str, port: int, alg: str) -> None:
    """Log in offering only key exchange ``alg`` and run a command-less NETCONF check.
    Raises asyncssh.KeyExchangeFailed when the server does not offer ``alg``."""
    async with asyncssh.connect(host, port, username="lab", password="lab123",
                                known_hosts=None, kex_algs=[alg], connect_timeout=10) as conn:
        async with conn.create_process(subsystem="netconf", encoding=None) as proc:
            assert b"<hello" in await asyncio.wait_for(proc.stdout.read(200), 10)


@pytest.mark.filterwarnings("ignore:Diffie-Hellman over finite fields")
@pytest.mark.parametrize("alg", JUNOS_KEX_ALGS)
def test_the_key_exchange_methods_a_junos_sshd_offers_are_accepted(alg: str) -> None:
    server, eps = serve()
    try:
        asyncio.run(_kex_with(*eps["re0"], alg))
    finally:
        server.stop()


def _offered_kex_algs(host: str, port: int) -> list[str]:
    """Return the key exchange methods of the server's SSH_MSG_KEXINIT (RFC 4253 section 7.1),
    read off the wire before any key is agreed: what any client can negotiate."""
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(b"SSH-2.0-kexinit_reader\r\n")
        data = b""
        while data.count(b"\r\n") < 1 or len(data) < data.index(b"\r\n") + 6:
            chunk = sock.recv(4096)
            assert chunk, "the server closed before its KEXINIT"
            data += chunk
        packet = data[data.index(b"\r\n") + 2:]
        length = struct.unpack(">I", packet[:4])[0]
        while len(packet) < 4 + length:
            chunk = sock.recv(4096)
            assert chunk, "the server closed in its KEXINIT"
            packet += chunk
    payload = packet[5:4 + length]
    assert payload[0] == 20  # SSH_MSG_KEXINIT, then a 16-byte cookie and the name-lists
    size = struct.unpack(">I", payload[17:21])[0]
    return payload[21:21 + size].decode().split(",")


def test_the_server_offers_the_junos_key_exchange_methods_and_no_other() -> None:
    server, eps = serve()
    try:
        offered = _offered_kex_algs(*eps["re0"])
    finally:
        server.stop()
    # Markers in the list, as OpenSSH sends them too, are not methods: ext-info-s (RFC 8308)
    # and kex-strict-s-v00@openssh.com (OpenSSH's PROTOCOL, the Terrapin fix).
    markers = ("ext-info-", "kex-strict-")
    assert [alg for alg in offered if not alg.startswith(markers)] == list(JUNOS_KEX_ALGS)


@pytest.mark.parametrize("alg", ["mlkem768x25519-sha256", "mlkem768nistp256-sha256",
                                 "curve448-sha512", "diffie-hellman-group16-sha512"])
def test_key_exchange_methods_junos_does_not_offer_are_refused(alg: str) -> None:
    """The methods asyncssh would add; a client offering only one of them gets no session (the
    server closes the connection: whether the client reads the disconnect first is a race)."""
    if alg.encode() not in asyncssh.kex.get_kex_algs():
        pytest.skip(f"this asyncssh cannot offer {alg}")
    server, eps = serve()
    try:
        assert alg not in _offered_kex_algs(*eps["re0"])
        with pytest.raises((asyncssh.KeyExchangeFailed, asyncssh.ConnectionLost)):
            asyncio.run(_kex_with(*eps["re0"], alg))
    finally:
        server.stop()


@pytest.mark.parametrize("mac", ["hmac-sha2-256", "hmac-sha2-512", "hmac-sha1",
                                 "hmac-sha2-256-etm@openssh.com"])
def test_a_client_talks_netconf_over_each_hmac(mac: str) -> None:
    """The emulator computes these MACs itself (ssh.KeyedHMAC); the client is asyncssh's own."""
    async def talk(host: str, port: int) -> bytes:
        async with asyncssh.connect(host, port, username="lab", password="lab123",
                                    known_hosts=None, encryption_algs=["aes128-ctr"],
                                    mac_algs=[mac], connect_timeout=10) as conn:
            async with conn.create_process(subsystem="netconf", encoding=None) as proc:
                await asyncio.wait_for(proc.stdout.readuntil(b"]]>]]>"), 10)
                proc.stdin.write(f'<hello xmlns="{NC}"><capabilities><capability>urn:ietf:'
                                 'params:netconf:base:1.0</capability></capabilities></hello>'
                                 f']]>]]><rpc message-id="1" xmlns="{NC}">{GET_RE}</rpc>'
                                 ']]>]]>'.encode())
                return await asyncio.wait_for(proc.stdout.readuntil(b"]]>]]>"), 10)

    server, eps = serve()
    try:
        assert b"<route-engine-information" in asyncio.run(talk(*eps["re0"]))
    finally:
        server.stop()


def test_replies_come_without_an_ignore_packet_before_each() -> None:
    """asyncssh put an SSH_MSG_IGNORE before every packet (a guard for CBC ciphers, none of
    which is offered); OpenSSH, Junos's sshd, sends none, and each cost the client a packet."""
    server, eps = serve()
    try:
        client, transport = _transport(*eps["re0"])
        seen: list[int] = []
        packetizer = transport.packetizer
        read = packetizer.read_message

        def recorded() -> tuple[int, paramiko.Message]:
            ptype, message = read()
            seen.append(ptype)
            return ptype, message

        packetizer.read_message = recorded  # type: ignore[method-assign]
        chan = transport.open_session()
        chan.invoke_subsystem("netconf")
        chan.settimeout(10)
        chan.sendall(f'<hello xmlns="{NC}"><capabilities><capability>urn:ietf:params:netconf:'
                     'base:1.0</capability></capabilities></hello>]]>]]>'.encode())
        for i in range(5):
            chan.sendall(f'<rpc message-id="{i}" xmlns="{NC}">{GET_RE}</rpc>]]>]]>'.encode())
        data, more = b"", b"start"
        while more and data.count(b"]]>]]>") < 6:  # the server's hello and five replies
            more = chan.recv(65536)
            data += more
        client.close()
        assert data.count(b"<route-engine-information") == 5
    finally:
        server.stop()
    assert seen.count(paramiko.common.MSG_CHANNEL_DATA) >= 6
    assert paramiko.common.MSG_IGNORE not in seen
