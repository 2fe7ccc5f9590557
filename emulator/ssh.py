"""The SSH face of a router's listeners, on asyncssh; deny by default.

Only what a Junos RE offers is allowed: password authentication against the router's users,
``session`` channels, the ``netconf`` subsystem (RFC 6242), the ``xml-mode netconf
need-trailer`` exec that ncclient's Junos handler falls back to (NOTES.md section 2), and an
interactive shell (the Junos CLI, with or without a pty) where the listener offers one.
Everything else keeps asyncssh's default refusal: no public-key, keyboard-interactive or
host-based authentication, no port forwarding, no agent or X11 forwarding, no SFTP/SCP.

This module moves bytes only: each accepted channel is handed to a face
(:class:`ChannelFace`, built by the server) through a :class:`ChannelLink`.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import asyncssh
import asyncssh.mac
import asyncssh.packet
from asyncssh.constants import MSG_IGNORE
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac

from emulator.incidents import ErrorLog
from emulator.limits import Limits, login_delay

__all__ = [
    "NETCONF_EXEC",
    "ChannelFace",
    "ChannelLink",
    "ConnectionPolicy",
    "EmulatorConnection",
    "FaceFactory",
    "Listener",
    "Offer",
    "Refusal",
    "Terminal",
    "User",
    "JUNOS_KEX_ALGS",
    "KeyedHMAC",
    "make_host_key",
    "use_keyed_hmac",
]

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Junos's ncclient fallback when the subsystem request fails (NOTES.md section 2).
NETCONF_EXEC = "xml-mode netconf need-trailer"


@dataclass(frozen=True, slots=True)
class User:
    """A login of the emulated router.  ``control`` users may send emulator control RPCs."""

    name: str
    password: str
    control: bool = False

    def __repr__(self) -> str:
        return f"User(name={self.name!r}, password='***', control={self.control})"

    def accepts(self, password: str) -> bool:
        """Return True if ``password`` is this user's; an empty password never logs in (a
        user without one cannot log in at all)."""
        return bool(self.password) and hmac.compare_digest(self.password.encode(),
                                                           password.encode())


@dataclass(frozen=True, slots=True)
class Terminal:
    """The pty a shell client asked for: TERM and window size (None without a pty)."""

    term: str | None = None
    width: int = 80
    height: int = 24


#: The key exchange methods a Junos sshd offers by default (``system services ssh
#: key-exchange`` takes these: curve25519-sha256, ecdh-sha2-nistp256/384/521,
#: group-exchange-sha2, group-exchange-sha1, dh-group14-sha1, dh-group1-sha1; CIS Juniper OS
#: benchmark), in OpenSSH's order: no post-quantum hybrid (mlkem768x25519-sha256,
#: sntrup761x25519-sha512), which asyncssh would offer first.
JUNOS_KEX_ALGS = (
    "curve25519-sha256", "curve25519-sha256@libssh.org", "ecdh-sha2-nistp256",
    "ecdh-sha2-nistp384", "ecdh-sha2-nistp521", "diffie-hellman-group-exchange-sha256",
    "diffie-hellman-group14-sha1", "diffie-hellman-group-exchange-sha1",
    "diffie-hellman-group1-sha1",
)


#: The hashes of asyncssh's HMAC algorithms, by hashlib name.
_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "md5": hashes.MD5, "sha1": hashes.SHA1, "sha224": hashes.SHA224, "sha256": hashes.SHA256,
    "sha384": hashes.SHA384, "sha512": hashes.SHA512,
}


class KeyedHMAC(asyncssh.mac.MAC):
    """An SSH packet MAC (``hmac-sha2-256``, ``hmac-sha1``, their ``-etm`` forms...) keyed once
    per key exchange.

    asyncssh's ``_HMAC`` builds a Python ``hmac`` object and keys it again for every packet:
    a twentieth to a tenth of the server's CPU per NETCONF RPC (one packet out, the client's
    one or two in; measured side by side).  This one copies the keyed state of
    ``cryptography``'s HMAC instead.  The same bytes: a test checks every HMAC algorithm
    against ``hmac``.
    """

    def __init__(self, key: bytes, hash_size: int,
                 hash_alg: Callable[[], Any]) -> None:
        super().__init__(key, hash_size)
        self._keyed = crypto_hmac.HMAC(key, _HASHES[hash_alg().name]())

    def sign(self, seq: int, packet: bytes) -> bytes:
        """Return the MAC of ``packet``, number ``seq`` of its direction."""
        mac = self._keyed.copy()
        mac.update(seq.to_bytes(4, "big"))
        mac.update(packet)
        return mac.finalize()[:self._hash_size]

    def verify(self, seq: int, packet: bytes, sig: bytes) -> bool:
        """Return True if ``sig`` is the MAC of ``packet``, number ``seq`` of its direction."""
        return hmac.compare_digest(self.sign(seq, packet), sig)


def use_keyed_hmac() -> list[str]:
    """Make asyncssh compute its HMAC algorithms with :class:`KeyedHMAC`, in this process
    (the server's connections and any client's alike: the bytes are the same); return the
    algorithms that now use it.  Calling it again changes nothing.

    asyncssh has no public way to replace a MAC's implementation (``register_mac_alg`` adds a
    name), so its table of handlers is edited; an asyncssh without that table keeps its own.
    """
    table = getattr(asyncssh.mac, "_mac_handler", None)
    plain = getattr(asyncssh.mac, "_HMAC", None)
    if not isinstance(table, dict) or plain is None:
        log.warning("asyncssh has no MAC table to edit: its own HMAC is used")
        return []
    done = []
    for name, (handler, hash_size, args) in list(table.items()):
        if handler is plain and len(args) == 1 and args[0]().name in _HASHES:
            table[name] = (KeyedHMAC, hash_size, args)
        if table[name][0] is KeyedHMAC:
            done.append(name.decode())
    return done


def make_host_key() -> asyncssh.SSHKey:
    """Return a fresh ephemeral host key (ECDSA P-256: fast to generate, no key on disk)."""
    return asyncssh.generate_private_key("ecdsa-sha2-nistp256")


class ChannelFace(Protocol):
    """What runs on an accepted channel (NETCONF or CLI)."""

    def start(self) -> None:
        """The channel is open: send the greeting."""

    def data_received(self, data: bytes) -> None:
        """Bytes from the client."""

    def eof_received(self) -> None:
        """The client will send nothing more."""

    def pause_writing(self) -> None:
        """The channel's send buffer went above its high-water mark."""

    def resume_writing(self) -> None:
        """The channel's (or the connection's) send buffer drained."""

    def resize(self, width: int, height: int) -> None:
        """The client's window changed size."""

    def close(self) -> None:
        """End the face (the client went away or the server stops)."""


#: ``factory(link, user, terminal)`` returns the face to run on an accepted channel.
FaceFactory = Callable[["ChannelLink", User, Terminal], ChannelFace]


@dataclass(frozen=True, slots=True)
class Offer:
    """What one SSH connection may do: who may log in, what runs on its channels."""

    users: Mapping[str, User]
    netconf: FaceFactory
    #: None: no interactive shell here (the control listener carries control RPCs only).
    shell: FaceFactory | None
    #: The router's limits (session channels per connection, login tries, send buffers).
    limits: Limits
    #: Called once when the connection ends.
    on_close: Callable[[], None]


@dataclass(frozen=True, slots=True)
class Refusal:
    """A connection the router will not serve: told ``reason`` with SSH disconnect ``code``
    when it asks to log in (RFC 4253 section 11.1; before the key exchange nothing can be
    said), and closed after ``within`` seconds if it never asks."""

    code: int
    reason: str
    within: float = 10.0


class ChannelLink:
    """A face's view of an asyncssh server channel: write, close, flow control."""

    def __init__(self, chan: asyncssh.SSHServerChannel[bytes], policy: ConnectionPolicy
                 ) -> None:
        self._chan = chan
        self._policy = policy

    @property
    def writable(self) -> bool:
        """Return False while the whole connection's socket buffer is over its high-water mark
        (a client that stopped reading at the TCP level)."""
        return self._policy.writable

    def write(self, data: bytes) -> None:
        """Queue ``data`` for the client (dropped if the channel is already closing)."""
        if not self._chan.is_closing():
            self._chan.write(data)

    def close(self) -> None:
        """Send exit status 0 after what is queued, then close (OpenSSH's client then exits
        0 rather than 255, as when sshd ends a subsystem)."""
        if not self._chan.is_closing():
            self._chan.exit(0)

    def abort(self) -> None:
        """Close at once, discarding what is queued."""
        self._chan.abort()

    def close_connection(self) -> None:
        """Close the SSH connection of the channel (every channel on it ends)."""
        self._policy.close_connection()

    def pause_reading(self) -> None:
        """Stop delivering the client's bytes."""
        self._chan.pause_reading()

    def resume_reading(self) -> None:
        """Deliver the client's bytes again."""
        self._chan.resume_reading()


class _Channel(asyncssh.SSHServerSession[bytes]):
    """One ``session`` channel: accepts netconf / the NETCONF exec / a shell, then pumps."""

    def __init__(self, policy: ConnectionPolicy) -> None:
        self._policy = policy
        self._chan: asyncssh.SSHServerChannel[bytes] | None = None
        self._face: ChannelFace | None = None
        self._terminal = Terminal()

    def connection_made(self, chan: asyncssh.SSHServerChannel[bytes]) -> None:
        self._chan = chan
        chan.set_write_buffer_limits(high=self._policy.offer.limits.send_high_water)

    # Requests: each returns False (refused) unless this listener offers it.
    def pty_requested(self, term_type: str, term_size: tuple[int, int, int, int],
                      term_modes: Mapping[int, int]) -> bool:
        # A terminal is accepted only where there is a CLI to run in it.
        if self._policy.offer.shell is None:
            return False
        width, height = term_size[0] or 80, term_size[1] or 24
        self._terminal = Terminal(term_type, width, height)
        return True

    def shell_requested(self) -> bool:
        return self._open(self._policy.offer.shell)

    def subsystem_requested(self, subsystem: str) -> bool:
        return subsystem == "netconf" and self._open(self._policy.offer.netconf)

    def exec_requested(self, command: str) -> bool:
        return command.strip() == NETCONF_EXEC and self._open(self._policy.offer.netconf)

    def _open(self, factory: FaceFactory | None) -> bool:
        user, chan = self._policy.user, self._chan
        if factory is None or user is None or chan is None or self._face is not None:
            return False
        self._face = self._policy.guard(
            "opening a channel",
            lambda: factory(ChannelLink(chan, self._policy), user, self._terminal))
        if self._face is not None:
            self._policy.faces.add(self._face)
        return self._face is not None

    # Traffic: every callback runs the face under the policy's guard.
    def session_started(self) -> None:
        self._call("start", lambda face: face.start())

    def data_received(self, data: bytes, datatype: asyncssh.DataType) -> None:
        self._call("data", lambda face: face.data_received(data))

    def eof_received(self) -> bool:
        self._call("eof", lambda face: face.eof_received())
        return True  # half-open: the face closes when it has answered

    def pause_writing(self) -> None:
        self._call("pause", lambda face: face.pause_writing())

    def resume_writing(self) -> None:
        self._call("resume", lambda face: face.resume_writing())

    def terminal_size_changed(self, width: int, height: int, pixwidth: int,
                              pixheight: int) -> None:
        self._call("resize", lambda face: face.resize(width, height))

    def connection_lost(self, exc: Exception | None) -> None:
        self._call("close", lambda face: face.close())
        if self._face is not None:
            self._policy.faces.discard(self._face)
        self._face = None
        self._policy.channel_closed()

    def _call(self, what: str, run: Callable[[ChannelFace], None]) -> None:
        face = self._face
        if face is None:
            return

        def call() -> bool:
            run(face)
            return True

        if self._policy.guard(what, call) is None:
            # The face crashed (recorded): end this channel, not the server.  Its session still
            # ends as every session does (its configuration lock released, its changes gone).
            self._face = None
            self._policy.faces.discard(face)
            self._policy.guard("closing after a crash", lambda: face.close())
            if self._chan is not None:
                self._chan.abort()


class EmulatorConnection(asyncssh.SSHServerConnection):
    """asyncssh's server connection, without the ``SSH_MSG_IGNORE`` it put before every packet.

    That doubled the packets of every NETCONF reply: two ``send()`` system calls, each waking
    the reader on loopback, two encryptions and MACs on each side.  (The last stop held the
    writes of one loop turn to send the pair at once; with one packet per reply, holding them
    cost more than it saved: 7 % of the server's CPU per RPC, measured side by side.)
    """

    #: True while asyncssh builds a packet (an ``SSH_MSG_IGNORE`` asked meanwhile is its own).
    _building = False

    def send_packet(self, pkttype: int, *args: bytes,
                    handler: asyncssh.packet.SSHPacketLogger | None = None) -> None:
        """Send a packet without the ``SSH_MSG_IGNORE`` asyncssh puts before each one.

        That padding packet guards CBC ciphers against chosen-plaintext attacks on their
        predictable IVs; no CBC cipher is offered here (asyncssh's defaults, as OpenSSH's and
        Junos's sshd: chacha20-poly1305, AES-GCM, AES-CTR), and OpenSSH sends no such packet.
        It cost an encryption, a MAC and a packet for every NETCONF reply.
        """
        if pkttype == MSG_IGNORE and self._building and b"-cbc" not in self._enc_alg_sc:
            return
        outer, self._building = self._building, True
        try:
            super().send_packet(pkttype, *args, handler=handler)
        finally:
            self._building = outer


@dataclass(frozen=True, slots=True)
class Listener:
    """One listening address of a router: what a connection accepted there may do, and the
    name its log lines and recorded errors carry (``r1 re0``)."""

    offer: Callable[[], Offer | Refusal | None]
    where: str


class ConnectionPolicy(asyncssh.SSHServer):
    """Policy of one SSH connection; every override states what it allows.

    The connection's local address picks its :class:`Listener` in ``listeners`` (one policy
    factory serves every listener of a process, so the SSH options are built once, not per
    listening port).  Its ``offer()`` is asked at TCP accept: None drops the connection at once
    (a halted RE runs no sshd; an address no listener owns), a :class:`Refusal` is told its
    reason when it asks to log in, else the :class:`Offer` says who may log in and what the
    channels run.
    """

    def __init__(self, listeners: Mapping[tuple[str, int], Listener], errors: ErrorLog,
                 open_connections: set[asyncssh.SSHServerConnection]) -> None:
        self._listeners = listeners
        self._open = open_connections
        self._errors = errors
        self._where = "emulator"
        self._offer: Offer | None = None
        self._refusal: Refusal | None = None
        self._conn: asyncssh.SSHServerConnection | None = None
        self._channels = 0
        self._failures = 0
        self._timer: asyncio.TimerHandle | None = None
        self._idle: asyncio.TimerHandle | None = None
        #: The faces running on this connection's channels (told when its socket drains).
        self.faces: set[ChannelFace] = set()
        self._draining = True
        self._transport: asyncio.WriteTransport | None = None
        self.user: User | None = None

    @property
    def offer(self) -> Offer:
        """Return what this connection may do.  Raises RuntimeError before the accept."""
        if self._offer is None:
            raise RuntimeError("no offer before the connection is accepted")
        return self._offer

    def guard(self, what: str, run: Callable[[], T]) -> T | None:
        """Return ``run()``, or None after recording what it raised as a server error."""
        try:
            return run()
        except Exception as exc:  # recorded for the test that caused it, never lost
            self._errors.record(f"{self._where}: {what}", exc)
            return None

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self._conn = conn
        sockname = conn.get_extra_info("sockname")
        listener = self._listeners.get(tuple(sockname[:2])) if sockname else None
        if listener is None:  # a socket closed under the connection, or not ours
            conn.abort()
            return
        self._where = listener.where
        offer = self.guard("accept", listener.offer)
        if isinstance(offer, Refusal):
            self._refusal = offer
            self._timer = asyncio.get_running_loop().call_later(offer.within, conn.abort)
            return
        if offer is None:
            conn.abort()
            return
        self._offer = offer
        self._open.add(conn)
        self._watch_socket(conn)

    def connection_lost(self, exc: Exception | None) -> None:
        self._watch_idle(False)
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._conn is not None:
            self._open.discard(self._conn)
        if self._offer is not None:
            self.guard("connection end", self._offer.on_close)
            self._offer = None

    @property
    def writable(self) -> bool:
        """Return False while the connection's socket buffer is over its high-water mark, or
        once the socket is closing (a reset client: no more requests are worth answering)."""
        transport = self._transport
        return self._draining and not (transport is not None and transport.is_closing())

    # The socket under the connection.  asyncssh ignores its transport's flow control
    # (SSHConnection.pause_writing: "Do nothing with this for now"), so a client that stops
    # reading at the TCP level would make the server buffer without bound: the policy takes
    # the transport's reports itself, holds the faces and drops the connection at the deadline.
    def _watch_socket(self, conn: asyncssh.SSHServerConnection) -> None:
        transport = getattr(conn, "_transport", None)
        if not isinstance(transport, asyncio.WriteTransport):
            return
        self._transport = transport
        transport.set_write_buffer_limits(high=self.offer.limits.send_high_water)
        setattr(conn, "pause_writing", self._socket_full)  # noqa: B010 - on this instance only
        setattr(conn, "resume_writing", self._socket_drained)  # noqa: B010

    def close_connection(self) -> None:
        """Close the connection once what is queued is sent (the RE, and its sshd, went away)."""
        conn = self._conn
        if conn is not None:
            asyncio.get_running_loop().call_soon(conn.close)

    def _socket_full(self) -> None:
        if self._draining and self._offer is not None:
            self._draining = False
            self._timer = asyncio.get_running_loop().call_later(
                self._offer.limits.send_deadline, self._stalled)

    def _socket_drained(self) -> None:
        if self._draining:
            return
        self._draining = True
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        for face in list(self.faces):
            self.guard("resume", face.resume_writing)

    def _stalled(self) -> None:
        self._timer = None
        log.warning("%s: the client read nothing for %.0f s; dropping its connection",
                    self._where, self._offer.limits.send_deadline if self._offer else 0)
        if self._conn is not None:
            self._conn.abort()

    # Authentication: password only; always required (asyncssh's default refuses every method).
    def begin_auth(self, username: str) -> bool:
        refusal = self._refusal
        if refusal is not None:
            log.info("%s: refused: %s", self._where, refusal.reason)
            raise asyncssh.DisconnectError(refusal.code, refusal.reason)
        return True

    def password_auth_supported(self) -> bool:
        return self._offer is not None

    def validate_password(self, username: str, password: str) -> bool | Awaitable[bool]:
        user = self._offer.users.get(username) if self._offer is not None else None
        if user is not None and user.accepts(password):
            self.user = user
            return True
        return self._failed(username)

    def _failed(self, username: str) -> bool | Awaitable[bool]:
        """A wrong password: False, after the Junos back-off once past its threshold; past
        ``tries-before-disconnect`` the connection is closed with a reason."""
        limits = self.offer.limits
        self._failures += 1
        if self._failures >= limits.tries_before_disconnect:
            log.info("%s: %d failed logins for %r; disconnecting", self._where,
                     self._failures, username)
            raise asyncssh.DisconnectError(
                asyncssh.DISC_NO_MORE_AUTH_METHODS_AVAILABLE,
                f"too many authentication failures ({self._failures})")
        delay = login_delay(limits, self._failures)
        if delay <= 0:
            return False

        async def later() -> bool:
            await asyncio.sleep(delay)
            return False

        return later()

    def auth_completed(self) -> None:
        self._watch_idle(True)

    # Channels: only "session" channels, up to the connection's cap.  Port forwarding, agent
    # and X11 requests keep asyncssh's default refusal.
    def session_requested(self) -> _Channel | bool:
        cap = self._offer.limits.max_sessions_per_connection if self._offer is not None else 0
        if cap is not None and self._channels >= cap:
            return False
        self._channels += 1
        self._watch_idle(False)
        return _Channel(self)

    def channel_closed(self) -> None:
        """A session channel of this connection ended (it no longer counts against the cap)."""
        self._channels -= 1
        self._watch_idle(self._channels == 0)

    def _watch_idle(self, on: bool) -> None:
        """A logged-in connection without a channel (none opened yet, or its last one closed,
        e.g. by the hello timeout) is closed after ``login_grace``: it can do nothing but hold
        a connection against the router's limit."""
        if self._idle is not None:
            self._idle.cancel()
            self._idle = None
        if on and self._offer is not None and self._conn is not None:
            self._idle = asyncio.get_running_loop().call_later(
                self._offer.limits.login_grace, self._idle_close)

    def _idle_close(self) -> None:
        self._idle = None
        if self._conn is not None and self._channels == 0:
            log.info("%s: no session channel for %.0f s; closing the connection", self._where,
                     self._offer.limits.login_grace if self._offer else 0)
            self._conn.disconnect(asyncssh.DISC_BY_APPLICATION, "no session channel open")
