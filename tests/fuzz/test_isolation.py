"""Issue 11, defects 1-5: no client can hurt another.  Each test drives ``re-emulator serve``
over the wire only (as a router is driven); every wait is bounded, no timing is asserted: a
server that hangs fails by its deadline."""

from __future__ import annotations

import asyncio
import resource
import socket
import struct
import time

import asyncssh
import paramiko
import pytest

from tests.fuzz.wire import (
    EOM,
    Client,
    Frozen,
    Served,
    WireTimeout,
    connect_raw,
    control,
    control_rpc,
    rpc,
    serving,
    write_testbed,
)

GET_RE = "<get-route-engine-information/>"
LOCK = "<lock><target><candidate/></target></lock>"
LOAD = ('<load-configuration action="set" format="text"><configuration-set>'
        'set system location building {}</configuration-set></load-configuration>')
CANDIDATE = '<get-configuration database="candidate" format="text"/>'


def eventually(check: object, what: str, timeout: float = 20.0) -> None:
    """Wait until ``check()`` is true; raise WireTimeout naming ``what`` past ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():  # type: ignore[operator]
                return
        except (OSError, EOFError, paramiko.SSHException, WireTimeout):
            pass
        time.sleep(0.2)
    raise WireTimeout(f"not within {timeout:g} s: {what}")


def lock_free_and_clean(served: Served, re: str = "re0") -> bool:
    """Return True when a new session can lock the candidate and finds no leftover change."""
    client = Client(*served.endpoints[re], timeout=10)
    try:
        locked = "<ok/>" in client.call(LOCK, timeout=10)
        clean = "building" not in client.call(CANDIDATE, timeout=10)
        return locked and clean
    finally:
        client.close()


def flood(client: Client, count: int, seconds: float = 10.0, body: str = GET_RE) -> int:
    """Send up to ``count`` pipelined ``body`` RPCs, for at most ``seconds`` (the server may
    stop reading); return how many went out."""
    client.chan.settimeout(0.5)
    deadline = time.monotonic() + seconds
    sent = 0
    while sent < count and time.monotonic() < deadline:
        try:
            client.chan.sendall(rpc(body))
        except TimeoutError:
            break
        sent += 1
    return sent


def flood_until_stuck(client: Client, body: str, stall: float = 10.0, seconds: float = 120.0
                      ) -> int:
    """Send pipelined ``body`` RPCs until the server has taken nothing for ``stall`` seconds
    (it stopped reading: busy for that long, or blocked writing replies nobody reads), for
    at most ``seconds``; return how many RPCs went out whole.  Raises WireTimeout when the
    server never stops reading."""
    client.chan.settimeout(0.2)
    deadline = time.monotonic() + seconds
    progress = time.monotonic()
    pending, sent = rpc(body), 0
    while time.monotonic() < deadline:
        try:
            n = client.chan.send(pending)
        except TimeoutError:
            n = 0
        if n:
            progress = time.monotonic()
            pending = pending[n:]
            if not pending:
                pending, sent = rpc(body), sent + 1
        elif time.monotonic() - progress > stall:
            return sent
    raise WireTimeout(f"the server still reads after {seconds:g} s ({sent} RPCs)")


# ------------------------------------------------------------------ defect 1
def test_a_client_that_stops_reading_blocks_no_reaper_router_or_newcomer() -> None:
    """A client frozen at the TCP level plus an RE going down used to wedge the reaper: the
    router answered nothing, new sessions hung and under real time the clock stopped."""
    with serving("--time", "real") as served:
        relay = Frozen(served.endpoints["re0"])
        try:
            # A window far larger than the socket buffers: only TCP holds the server back.
            stuck = Client(*relay.address, window=256 * 2**20)
            relay.freeze()
            # Until the server takes nothing more: its writes are blocked on the full socket
            # (a halt while it was still working through the RPCs found nothing stuck on
            # 022aa66, which then passed).
            assert flood_until_stuck(stuck, "<get-configuration/>") > 0
            ctl = Client(*served.endpoints["control"], "re-control", "re-control")
            ctl.call(control_rpc("halt-re", re="re0"))  # reaps re0's sessions, the stuck one
            assert "<now>" in ctl.call(control_rpc("get-clock"), timeout=15)
            other = Client(*served.endpoints["re1"], timeout=15)
            assert "<route-engine>" in other.call(GET_RE, timeout=15)
            before = _clock(served)
            time.sleep(1.5)
            assert "<route-engine>" in other.call(GET_RE, timeout=15)
            assert _clock(served) >= before + 1.0  # real time goes on
            other.close()
        finally:
            relay.close()


def _clock(served: Served) -> float:
    reply = control(served, "get-clock")
    return float(reply.split("<now>")[1].split("</now>")[0])


# ------------------------------------------------------------------ defect 2
def test_a_client_gone_while_its_replies_are_written_leaves_no_lock() -> None:
    """A client that resets its connection while replies are being written used to leak its
    configuration lock and uncommitted changes for good."""
    with serving() as served:
        owner = Client(*served.endpoints["re0"])
        assert "<ok/>" in owner.call(LOCK)
        assert "<rpc-error>" not in owner.call(LOAD.format("gone"))
        flood(owner, 2000, seconds=3)
        sock = owner.transport.sock
        assert isinstance(sock, socket.socket)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()  # a reset, mid-reply
        eventually(lambda: lock_free_and_clean(served), "the lock released, the change gone")


def test_drop_sessions_releases_the_lock_and_discards_the_changes() -> None:
    with serving() as served:
        owner = Client(*served.endpoints["re0"])
        assert "<ok/>" in owner.call(LOCK)
        assert "<rpc-error>" not in owner.call(LOAD.format("dropped"))
        control(served, "drop-sessions", re="re0")
        assert owner.closed()
        eventually(lambda: lock_free_and_clean(served), "the lock released, the change gone")


# ------------------------------------------------------------------ defect 3
@pytest.mark.parametrize("bad", ["a\x01b", "a\ufffeb", "\x00"], ids=["U+0001", "U+FFFE", "NUL"])
def test_a_message_id_xml_forbids_gets_an_rpc_error_and_the_session_lives(bad: str) -> None:
    """The envelope of the error reply used to crash on the message-id (ValueError), killing
    the session and leaking its lock."""
    with serving() as served:
        client = Client(*served.endpoints["re0"])
        assert "<ok/>" in client.call(LOCK)
        client.send(f'<rpc message-id="{bad}" xmlns="urn:ietf:params:xml:ns:netconf:base:1.0">'
                    f'{GET_RE}</rpc>'.encode() + EOM)
        reply = client.recv_message().decode("utf-8", "replace")
        assert "malformed-message" in reply
        assert "<route-engine>" in client.call(GET_RE)  # the same session goes on
        other = Client(*served.endpoints["re0"])
        assert "lock-denied" in other.call(LOCK) or "<rpc-error>" in other.call(LOCK)
        other.close()
        client.close()


# ------------------------------------------------------------------ defect 4
def test_an_rpc_with_100k_attributes_is_answered_and_blocks_nobody() -> None:
    """Echoing 100k attributes took 217 s of CPU while every other session waited."""
    attributes = " ".join(f'a{i}="{i}"' for i in range(100_000))
    message = (f'<rpc message-id="big" {attributes} xmlns="urn:ietf:params:xml:ns:netconf:'
               f'base:1.0">{GET_RE}</rpc>').encode() + EOM
    assert len(message) > 1_400_000
    with serving() as served:
        healthy = Client(*served.endpoints["re1"])
        abuser = Client(*served.endpoints["re0"], timeout=30)
        abuser.send(message)
        assert "<route-engine>" in healthy.call(GET_RE, timeout=10)
        reply = abuser.recv_message(timeout=30).decode()
        assert "too-big" in reply and 'message-id="big"' in reply
        assert "<route-engine>" in abuser.call(GET_RE)


# ------------------------------------------------------------------ defect 5
def test_session_channels_per_connection_are_capped_at_the_junos_default() -> None:
    """Junos ``max-sessions-per-connection`` defaults to 10; the 11th channel is refused at
    once (it used to be left unanswered, leaking memory) and a closed one frees its place."""
    with serving() as served:
        client = Client(*served.endpoints["re0"])
        channels = [client.transport.open_session(timeout=10) for _ in range(9)]  # + its own
        with pytest.raises(paramiko.ChannelException):
            client.transport.open_session(timeout=10)
        channels.pop().close()
        eventually(lambda: client.transport.open_session(timeout=10) is not None,
                   "a channel opens once one is closed")
        client.close()


async def _refused_reason(host: str, port: int) -> str:
    try:
        async with asyncssh.connect(host, port, username="lab", password="lab123",
                                    known_hosts=None, login_timeout=15):
            return ""
    except asyncssh.DisconnectError as exc:
        return exc.reason


def test_connections_over_the_connection_limit_are_told_why(tmp_path: object) -> None:
    """``connection_limit`` (Junos ``system services netconf ssh connection-limit``): the
    connection past it is disconnected with a reason; another fits once one closes."""
    path = write_testbed(tmp_path, limits="connection_limit: 2")  # type: ignore[arg-type]
    with serving("--testbed", str(path)) as served:
        first, second = (Client(*served.endpoints[re]) for re in ("re0", "re1"))
        reason = asyncio.run(_refused_reason(*served.endpoints["re0"]))
        assert "too many connections" in reason and "connection-limit 2" in reason
        first.close()
        eventually(lambda: Client(*served.endpoints["re0"]).close() is None,
                   "a connection once one closed")
        second.close()


def test_buffered_input_is_capped(tmp_path: object) -> None:
    """``max_buffered_input``: a session holding more partial input than the cap is closed
    (it used to pin up to 16 MiB each, forever); other sessions go on."""
    path = write_testbed(tmp_path, limits="max_buffered_input: 65536")  # type: ignore[arg-type]
    with serving("--testbed", str(path)) as served:
        other = Client(*served.endpoints["re0"])
        hog = Client(*served.endpoints["re0"])
        hog.chan.settimeout(5)
        try:
            for _ in range(64):
                hog.send(b"<rpc message-id='x'>" + b"x" * 8192)  # never a whole message
        except (OSError, EOFError):
            pass  # closed while sending
        assert hog.closed()
        assert "<route-engine>" in other.call(GET_RE)


def _few_descriptors() -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))


def test_running_out_of_descriptors_does_not_end_accepting() -> None:
    """With every descriptor in use, accept fails (EMFILE); once some are free, new clients
    are served again (the accept loop used to die)."""
    with serving(preexec=_few_descriptors) as served:
        host, port = served.endpoints["re0"]
        socks = []
        for _ in range(120):
            try:
                socks.append(connect_raw((host, port), timeout=2))
            except OSError:
                break
        time.sleep(1.5)  # the server met EMFILE meanwhile
        for sock in socks:
            sock.close()
        eventually(lambda: "<route-engine>" in Client(host, port, timeout=5).call(GET_RE),
                   "a new session once descriptors are free", timeout=30)
        assert served.proc.poll() is None
