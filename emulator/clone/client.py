"""A read-only NETCONF client for ``re-emulator clone``: one session to one RE of a live router.

Two layers, as the server side is built:

* :class:`ClientCore` is sans-IO (bytes in, replies out): our hello, the server's hello and the
  framing both agree on (RFC 6242 section 4.1: chunked once both advertise ``base:1.1``), each
  request framed with its ``message-id``, each reply matched to it (RFC 6241 section 4.2) and an
  ``<rpc-error>`` of severity error raised.  It reuses the server's framing
  (:mod:`emulator.netconf.framing`) and hardened parser.
* :class:`ReadOnlySession` carries it over asyncssh (the ``netconf`` SSH subsystem, RFC 6242
  section 3), every step bounded by the testbed's ``timeouts`` (connect, rpc).

Read-only by construction: :data:`READ_ONLY_RPCS` lists every RPC the clone may send (each a
``get-*`` RPC of NOTES.md section 1, plus ``close-session``); anything else is refused with
:class:`~emulator.clone.errors.NotReadOnlyError` before a byte is sent.  The clone never locks,
loads, commits, switches or reboots anything.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncssh
from lxml import etree

from emulator.clone.errors import (
    ConnectFailedError,
    NotReadOnlyError,
    ReplyError,
    ReplyTimeoutError,
)
from emulator.netconf.errors import NETCONF_BASE_NS, FramingError
from emulator.netconf.framing import FramingMode, ReceiveBuffer, encode
from emulator.netconf.messages import BASE_1_0, BASE_1_1, local_name, nc, new_parser
from re_contract.records import Credentials, HostKeys
from re_contract.schema import HostKeyPolicy

__all__ = ["READ_ONLY_RPCS", "ClientCore", "Login", "ReadOnlySession", "error_text"]

log = logging.getLogger(__name__)

#: The only RPCs the clone sends: reads, and the polite end of a session.
READ_ONLY_RPCS = frozenset({
    "get-software-information",
    "get-route-engine-information",
    "get-chassis-inventory",
    "get-configuration",
    "get-log",
    "get-fpc-information",
    "get-switchover-information",
    "close-session",
})

#: Bytes read from the channel at a time.
_READ_SIZE = 65536


def error_text(reply: etree._Element) -> str | None:
    """Return the messages of the ``<rpc-error>`` elements of severity error in ``reply``
    (joined by ``; ``), or None when there is none (warnings are not errors)."""
    messages = []
    for error in reply.iter(nc("rpc-error"), "rpc-error"):
        severity = _child_text(error, "error-severity") or "error"
        if severity == "error":
            messages.append(_child_text(error, "error-message") or "rpc-error without message")
    return "; ".join(messages) if messages else None


def _child_text(el: etree._Element, name: str) -> str | None:
    for child in el:
        if isinstance(child.tag, str) and local_name(child) == name:
            return (child.text or "").strip()
    return None


class ClientCore:
    """The client side of one NETCONF session, sans-IO."""

    def __init__(self) -> None:
        self._buffer = ReceiveBuffer(FramingMode.EOM)
        self._parser = new_parser()
        self._next_id = 1
        self.session_id: str | None = None
        self.hello_done = False
        #: The capabilities of the server's hello.
        self.capabilities: frozenset[str] = frozenset()

    @property
    def framing(self) -> FramingMode:
        """Return the framing of the next message each way."""
        return self._buffer.mode

    @staticmethod
    def hello() -> bytes:
        """Return our hello (base 1.0 and 1.1), framed with the end-of-message marker as every
        hello is (RFC 6242 section 4.1)."""
        root = etree.Element(nc("hello"), nsmap={None: NETCONF_BASE_NS})
        caps = etree.SubElement(root, nc("capabilities"))
        for uri in (BASE_1_0, BASE_1_1):
            etree.SubElement(caps, nc("capability")).text = uri
        return encode(etree.tostring(root), FramingMode.EOM)

    def receive(self, data: bytes) -> Iterator[etree._Element]:
        """Feed ``data``; yield each whole message received, parsed.  The server's hello is
        consumed here (it sets the framing and the session id) and not yielded.

        Raises ReplyError for a message that is not XML or a hello that is not one, and
        FramingError for broken framing.
        """
        self._buffer.feed(data)
        while (raw := self._buffer.next_message()) is not None:
            try:
                root = etree.fromstring(raw.strip(), parser=self._parser)
            except etree.XMLSyntaxError as exc:
                raise ReplyError(f"a message that is not XML: {exc}") from exc
            if not self.hello_done:
                self._on_hello(root)
                continue
            yield root

    def _on_hello(self, root: etree._Element) -> None:
        if local_name(root) != "hello":
            raise ReplyError(f"expected the server's <hello>, got <{local_name(root)}>")
        caps = {(c.text or "").strip() for c in root.iter(nc("capability"), "capability")}
        self.capabilities = frozenset(caps)
        if BASE_1_1 in caps:
            self._buffer.mode = FramingMode.CHUNKED
        self.session_id = next((e.text for e in root.iter(nc("session-id"), "session-id")),
                               None)
        self.hello_done = True

    def request(self, body: etree._Element) -> tuple[str, bytes]:
        """Return ``(message-id, framed bytes)`` of an ``<rpc>`` around ``body``.

        Raises NotReadOnlyError for an RPC outside :data:`READ_ONLY_RPCS` (nothing is framed).
        """
        name = local_name(body)
        if name not in READ_ONLY_RPCS:
            raise NotReadOnlyError(f"{name}: not a read-only RPC the clone may send "
                                   f"(expected one of {', '.join(sorted(READ_ONLY_RPCS))})")
        message_id = str(self._next_id)
        self._next_id += 1
        rpc = etree.Element(nc("rpc"), nsmap={None: NETCONF_BASE_NS})
        rpc.set("message-id", message_id)
        rpc.append(body)
        return message_id, encode(etree.tostring(rpc), self.framing)

    @staticmethod
    def check_reply(message_id: str, reply: etree._Element) -> etree._Element:
        """Return ``reply`` when it is the ``<rpc-reply>`` to ``message_id`` without errors.

        Raises ReplyError otherwise (the error messages, or what was received instead).
        """
        if local_name(reply) != "rpc-reply":
            raise ReplyError(f"expected <rpc-reply>, got <{local_name(reply)}>")
        got = reply.get("message-id")
        if got != message_id:
            raise ReplyError(f"expected the reply to message-id {message_id}, got {got!r}")
        errors = error_text(reply)
        if errors is not None:
            raise ReplyError(errors)
        return reply


@dataclass(frozen=True, slots=True)
class Login:
    """Where and how to reach one RE: its address, the testbed's credentials and host keys, and
    the seconds to wait for the connection and for each reply."""

    host: str
    port: int
    credentials: Credentials
    host_keys: HostKeys
    connect_timeout: float
    rpc_timeout: float

    def label(self) -> str:
        """Return ``host:port``."""
        return f"{self.host}:{self.port}"


def _known_hosts(login: Login) -> str | None:
    """Return the known_hosts file asyncssh checks the host key against, or None (no check).

    ``accept_new`` checks a host the file knows and accepts an unknown one (the clone writes to
    no known_hosts file of the user's).
    """
    keys = login.host_keys
    if keys.policy is HostKeyPolicy.IGNORE or keys.known_hosts is None:
        return None
    path = Path(keys.known_hosts)
    if keys.policy is HostKeyPolicy.ACCEPT_NEW:
        if not path.is_file():
            return None
        known = asyncssh.read_known_hosts(str(path))
        if not known.match(login.host, login.host, login.port)[0]:
            return None
    return str(path)


class ReadOnlySession:
    """A NETCONF session to one RE over SSH; :meth:`rpc` sends one read-only RPC."""

    def __init__(self, login: Login, conn: asyncssh.SSHClientConnection,
                 writer: asyncssh.SSHWriter[bytes], reader: asyncssh.SSHReader[bytes],
                 core: ClientCore) -> None:
        self.login = login
        self._conn = conn
        self._writer = writer
        self._reader = reader
        self._core = core
        self._pending: list[etree._Element] = []

    @classmethod
    async def open(cls, login: Login) -> ReadOnlySession:
        """Connect, log in, open the ``netconf`` subsystem and exchange hellos.

        Raises ConnectFailedError (refused, closed, authentication failed, no NETCONF) and
        ReplyTimeoutError (nothing within the connect timeout).
        """
        creds = login.credentials
        keys = [str(creds.key_file)] if creds.key_file is not None else []
        try:
            conn = await asyncio.wait_for(asyncssh.connect(
                login.host, login.port, username=creds.username, password=creds.password(),
                client_keys=keys or None, agent_path=() if creds.allow_agent else None,
                known_hosts=_known_hosts(login), config=None,
                connect_timeout=login.connect_timeout), login.connect_timeout)
        except (OSError, asyncssh.Error) as exc:
            raise ConnectFailedError(f"{login.label()}: cannot log in as "
                                     f"{creds.username!r}: {exc}") from exc
        except TimeoutError as exc:
            raise ReplyTimeoutError(f"{login.label()}: no SSH connection within "
                                    f"{login.connect_timeout:g} s") from exc
        try:
            writer, reader, _ = await conn.open_session(subsystem="netconf", encoding=None)
            core = ClientCore()
            session = cls(login, conn, writer, reader, core)
            writer.write(core.hello())
            await asyncio.wait_for(session._hello(), login.connect_timeout)
        except BaseException as exc:
            conn.abort()
            if isinstance(exc, TimeoutError):
                raise ReplyTimeoutError(f"{login.label()}: no NETCONF hello within "
                                        f"{login.connect_timeout:g} s") from exc
            if isinstance(exc, OSError | asyncssh.Error | FramingError):
                raise ConnectFailedError(f"{login.label()}: no NETCONF session: {exc}") from exc
            raise
        log.debug("%s: NETCONF session %s", login.label(), core.session_id)
        return session

    @property
    def capabilities(self) -> frozenset[str]:
        """Return the capabilities the server's hello offered."""
        return self._core.capabilities

    async def _hello(self) -> None:
        while not self._core.hello_done:
            self._pending.extend(self._core.receive(await self._read()))

    async def _read(self) -> bytes:
        data = await self._reader.read(_READ_SIZE)
        if not data:
            raise ConnectFailedError(f"{self.login.label()}: the session was closed")
        return bytes(data)

    async def rpc(self, body: etree._Element | str) -> etree._Element:
        """Send one read-only RPC; return its ``<rpc-reply>``.

        Raises NotReadOnlyError (nothing sent), ReplyError (an ``<rpc-error>``, a reply that is
        not one), ReplyTimeoutError and ConnectFailedError (the session died).
        """
        element = etree.fromstring(body) if isinstance(body, str) else body
        message_id, data = self._core.request(element)
        self._writer.write(data)
        try:
            reply = await asyncio.wait_for(self._next_message(), self.login.rpc_timeout)
        except TimeoutError as exc:
            raise ReplyTimeoutError(f"{self.login.label()}: no reply to <{local_name(element)}>"
                                    f" within {self.login.rpc_timeout:g} s") from exc
        try:
            return self._core.check_reply(message_id, reply)
        except ReplyError as exc:
            raise ReplyError(f"{self.login.label()}: <{local_name(element)}>: {exc}") from exc

    async def _next_message(self) -> etree._Element:
        """Return the next message.  Raises ConnectFailedError when the session is closed or
        its framing broken (nothing more can be read from it)."""
        while not self._pending:
            try:
                self._pending.extend(self._core.receive(await self._read()))
            except FramingError as exc:
                raise ConnectFailedError(f"{self.login.label()}: broken NETCONF framing: {exc}"
                                         ) from exc
        return self._pending.pop(0)

    async def close(self) -> None:
        """Close the session politely (``<close-session/>``, bounded), then the connection."""
        try:
            await self.rpc(etree.Element("close-session"))
        except (ReplyError, ReplyTimeoutError, ConnectFailedError, FramingError) as exc:
            log.debug("%s: close-session: %s", self.login.label(), exc)
        finally:
            self._conn.close()
            try:
                await asyncio.wait_for(self._conn.wait_closed(), self.login.connect_timeout)
            except TimeoutError:
                self._conn.abort()
