"""One NETCONF session to one Routing Engine, with timeouts on every wait.

Built on ncclient's Junos device handler, with two explicit differences from stock ncclient, both
confined to the sessions this module creates (no module attribute of ncclient is changed, so
other ncclient users in the same process see stock behaviour):

* :class:`PromptSSHSession` writes each request from the caller's thread.  Stock ncclient queues
  it for its session thread, which polls that queue between ``select()`` calls with a 100 ms
  timeout (``ncclient.transport.session.TICK``), so every RPC waits up to 100 ms on loopback.
* The TCP socket is created here with ``TCP_NODELAY`` (stock ncclient leaves Nagle on).
* :class:`PromptSSHSession` drops a leading XML declaration from each message it hands to
  ncclient: RFC 6241 servers such as yuma123's ``netconfd`` start every reply with one, and
  ncclient 0.7.0's Junos handler then fails every RPC (lxml refuses a ``str`` that declares
  its encoding), so the harness works against any RFC 6241 server, not only Junos-shaped ones.
* :meth:`RESession.rpc` does not go through ncclient's RPC objects: it sends the request as
  ncclient would (same ``<nc:rpc message-id="urn:uuid:...">`` text), and the session thread
  hands the reply whose ``message-id`` it waits for straight to it, which parses it once and
  strips its namespaces in place.  Stock ncclient parses each reply three times and builds
  (then runs) an XSLT stylesheet per reply to strip them, which was most of the harness's
  client CPU per RPC (``bench/rpc_roundtrip.py``).  The result is the same tree as the Junos
  handler's (blank text dropped, every namespace removed); a reply with an ``<rpc-error>`` is
  judged by ncclient's own classes, as before.  Every other message (the hello) still goes
  through ncclient.

Every network wait has a deadline, so a dead or silent peer raises a named
:mod:`harness.errors` exception instead of hanging (ncclient issue #612).  The waits, audited
against ncclient 0.7.0 and paramiko (which has its own, longer defaults):

* TCP connect: ``socket.create_connection`` with the connect budget.
* SSH banner (paramiko ``banner_timeout`` 15 s), key exchange (``handshake_timeout`` 15 s),
  authentication (``auth_timeout`` 30 s), ``open_session`` (``channel_timeout`` 3600 s),
  ``invoke_subsystem`` (no timeout at all) and the NETCONF hello (``init_event.wait(timeout)``):
  ncclient builds the paramiko Transport itself, so these cannot be set; instead one watchdog
  timer shuts the socket when the connect budget is spent.  Every one of these waits checks
  ``transport.active`` or is woken by the transport thread closing its channels on EOF, so all
  end within ~0.1 s of the shutdown (paramiko polls at 0.1 s).
* Each RPC: an event the session thread sets when the reply arrives, waited on with the
  (clipped) RPC timeout; a session that drops meanwhile wakes it with the error
  (:meth:`PromptSSHSession._dispatch_error`, as ncclient's ``RPCReplyListener.errback`` does).
* Sending: from the caller's thread, with the channel timeout set to the RPC timeout (a peer
  that stops reading cannot block ``sendall`` forever).
* ``close()``: ``<close-session/>`` with a short timeout (:data:`CLOSE_TIMEOUT`), then the
  transport is closed; ncclient's join loop ends because its thread sees the channel close.

:class:`Deadline` carries an operation's whole budget through nested calls: every connect and
RPC timeout is clipped to what is left of it, and :class:`OperationTimeoutError` is raised
when nothing is left.
"""

from __future__ import annotations

import logging
import os
import re
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import paramiko
from lxml import etree
from ncclient import manager as nc_manager
from ncclient import operations as nc_ops
from ncclient import transport as nc_transport
from ncclient.devices import junos as nc_junos  # noqa: F401  (device handler module)
from ncclient.operations.rpc import RPCReply
from ncclient.transport.session import NetconfBase
from ncclient.xml_ import BASE_NS_1_0

from harness.errors import (
    ConnectError,
    OperationTimeoutError,
    RpcFailedError,
    RpcTimeoutError,
    SessionClosedError,
    SessionError,
)

__all__ = [
    "CLOSE_TIMEOUT",
    "ConnectError",
    "ConnectParams",
    "Deadline",
    "OperationTimeoutError",
    "PromptSSHSession",
    "RESession",
    "RpcFailedError",
    "RpcTimeoutError",
    "SessionClosedError",
    "SessionError",
    "open_manager",
    "strip_namespaces",
]

log = logging.getLogger(__name__)

MSG_DELIM = b"]]>]]>"
END_DELIM = b"\n##\n"
#: An XML declaration opening a message (``<?xml version="1.0" encoding="UTF-8"?>``).
_XML_DECLARATION = re.compile(r"\A\s*<\?xml\b[^>]*\?>")
#: The opening tag of an ``<rpc-reply>`` (any prefix): its attributes are group 1.
_REPLY_HEAD = re.compile(r"\s*<(?:[\w.-]+:)?rpc-reply\b([^>]*)>")
_MESSAGE_ID = re.compile(r"""\bmessage-id\s*=\s*(?:"([^"]*)"|'([^']*)')""")
#: Seconds a polite ``<close-session/>`` may take before the transport is simply closed.
CLOSE_TIMEOUT = 1.0
#: Bytes the session thread takes from the channel at once (ncclient reads 4 KiB).
READ_SIZE = 65536


@dataclass(slots=True)
class Deadline:
    """The rest of an operation's time budget, on the monotonic wall clock."""

    what: str
    limit: float
    at: float = field(default=0.0)

    def __post_init__(self) -> None:
        """Start the budget now, unless ``at`` was given."""
        if not self.at:
            self.at = time.monotonic() + self.limit

    @classmethod
    def after(cls, seconds: float, what: str) -> Deadline:
        """Return a deadline ``seconds`` from now."""
        return cls(what, seconds, time.monotonic() + seconds)

    def remaining(self) -> float:
        """Return the seconds left (0 when spent)."""
        return max(0.0, self.at - time.monotonic())

    def expired(self) -> bool:
        """Return True when nothing is left."""
        return self.remaining() <= 0.0

    def clip(self, seconds: float) -> float:
        """Return ``seconds`` cut down to what is left.

        Raises OperationTimeoutError when nothing is left.
        """
        left = self.remaining()
        if left <= 0.0:
            raise OperationTimeoutError(self.what, self.limit)
        return min(seconds, left)

    def earliest(self, other: Deadline | None) -> Deadline:
        """Return whichever of self and ``other`` ends first."""
        return self if other is None or self.at <= other.at else other


@dataclass(slots=True)
class ReplyWaiter:
    """One request's reply, as the session thread delivers it: ``raw`` text or ``error``."""

    message_id: str
    event: threading.Event = field(default_factory=threading.Event)
    raw: str | None = None
    error: BaseException | None = None


class PromptSSHSession(nc_transport.SSHSession):  # type: ignore[misc]
    """An ncclient SSH session that writes requests immediately, from the calling thread, and
    hands each awaited reply to its :class:`ReplyWaiter` unparsed.

    Replies are still read by ncclient's session thread, whose ``select()`` wakes as soon as
    data arrives; only the send side waited on the 100 ms tick.
    """

    def __init__(self, device_handler: Any) -> None:
        super().__init__(device_handler)
        self._send_lock = threading.Lock()
        #: Seconds a send may block on a peer that stops reading (set per RPC).
        self.send_timeout: float = 30.0
        self._waiters: dict[str, ReplyWaiter] = {}
        self._waiters_lock = threading.Lock()

    def expect(self, message_id: str) -> ReplyWaiter:
        """Return the waiter the reply with ``message_id`` will be handed to (register it
        before sending the request; :meth:`forget` it afterwards)."""
        waiter = ReplyWaiter(message_id)
        with self._waiters_lock:
            self._waiters[message_id] = waiter
        return waiter

    def forget(self, waiter: ReplyWaiter) -> None:
        """Stop waiting for ``waiter``'s reply (a later reply is dropped as unknown)."""
        with self._waiters_lock:
            self._waiters.pop(waiter.message_id, None)

    def close(self) -> None:
        """Close the SSH connection and end its threads (ncclient's ``close-session`` calls
        this too, once the reply is in).

        The socket is shut first.  Once open it has no timeout (:func:`open_manager`), so
        paramiko's transport thread blocks in ``recv()``, which closing the socket from another
        thread does not wake on Linux: the thread went on holding the socket, and the TCP
        connection stayed open on the router (against its ``connection-limit``) until the
        process ended.  A shutdown ends that read at once, as any end of input does.
        """
        transport = getattr(self, "_transport", None)
        sock = getattr(transport, "sock", None)
        if isinstance(sock, socket.socket):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:  # not connected, or shut already
                pass
        super().close()

    def _transport_read(self) -> bytes:
        """Return what the channel holds, up to :data:`READ_SIZE` bytes (ncclient: 4 KiB)."""
        data: bytes = self._channel.recv(READ_SIZE)
        return data

    def _dispatch_message(self, raw: str) -> None:
        """Hand one received message, without its XML declaration (module docstring), to the
        waiter of its ``message-id``, or else to ncclient; the text is UTF-8 already (RFC 6241
        section 3)."""
        declaration = _XML_DECLARATION.match(raw)
        if declaration is not None:
            raw = raw[declaration.end():]
        waiter = self._waiter_of(raw)
        if waiter is None:
            super()._dispatch_message(raw)
            return
        waiter.raw = raw
        waiter.event.set()

    def _waiter_of(self, raw: str) -> ReplyWaiter | None:
        """Return (and unregister) the waiter of ``raw``'s ``message-id``, or None when ``raw``
        is no awaited ``<rpc-reply>``."""
        if not self._waiters:
            return None
        head = _REPLY_HEAD.match(raw)
        found = _MESSAGE_ID.search(head.group(1)) if head is not None else None
        if found is None:
            return None
        with self._waiters_lock:
            return self._waiters.pop(found.group(1) or found.group(2) or "", None)

    def _dispatch_error(self, err: Exception) -> None:
        """Wake every waiter with ``err`` (the session is lost), then tell ncclient's
        listeners."""
        with self._waiters_lock:
            waiters = list(self._waiters.values())
            self._waiters.clear()
        for waiter in waiters:
            waiter.error = err
            waiter.event.set()
        super()._dispatch_error(err)

    def send(self, message: str) -> None:
        """Frame ``message`` for the negotiated base (RFC 6242) and write it now.

        Raises ncclient's TransportError when not connected, the channel is closed, or the
        peer does not take the bytes within ``send_timeout``.
        """
        if not self.connected:
            raise nc_transport.TransportError("Not connected to NETCONF server")
        data = message.encode()
        if self._base == NetconfBase.BASE_11:
            data = b"\n#%d\n%s%s" % (len(data), data, END_DELIM)
        else:
            data = data + MSG_DELIM
        if not self._send_lock.acquire(timeout=self.send_timeout):
            raise nc_transport.TransportError("send: another send is stuck")
        try:
            self._channel.settimeout(self.send_timeout)
            self._channel.sendall(data)
        except (OSError, EOFError, paramiko.SSHException) as exc:
            raise nc_transport.TransportError(f"send failed: {exc}") from exc
        finally:
            self._send_lock.release()


@dataclass(frozen=True, slots=True)
class ConnectParams:
    """Where and how to open one session (one dataclass, not nineteen keyword arguments)."""

    host: str
    port: int
    username: str
    password: str | None = None
    key_file: str | None = None
    allow_agent: bool = False
    hostkey_verify: bool = False
    known_hosts: str | None = None
    connect_timeout: float = 10.0
    rpc_timeout: float = 30.0
    label: str = ""

    def __repr__(self) -> str:
        return (f"ConnectParams({self.label or ''} {self.username}@{self.host}:{self.port}, "
                f"password={'***' if self.password else None})")


class _TransportThreadFilter(logging.Filter):
    """Move what paramiko's transport thread logs at ERROR (a traceback, line by line, under
    ncclient's logger) to DEBUG on ``harness.session.transport``: each such failure reaches the
    harness as an exception and is reported once, at the level its caller chooses (a probe of
    a halted RE expects it: one INFO line)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.ERROR and _PARAMIKO_TRANSPORT in record.pathname:
            _transport_log.debug("%s", record.getMessage())
            return False
        return True


_PARAMIKO_TRANSPORT = os.path.join("paramiko", "transport.py")
_transport_log = logging.getLogger("harness.session.transport")
_TRANSPORT_FILTER = _TransportThreadFilter()


def _quiet_transport_threads() -> None:
    """Install the filter on ncclient's SSH logger (the one paramiko's thread logs to); once."""
    logger = logging.getLogger("ncclient.transport.ssh")
    if _TRANSPORT_FILTER not in logger.filters:
        logger.addFilter(_TRANSPORT_FILTER)


def _connect_socket(params: ConnectParams, budget: Deadline) -> socket.socket:
    try:
        sock = socket.create_connection((params.host, params.port),
                                        budget.clip(params.connect_timeout))
    except OSError as exc:
        raise ConnectError(f"{params.label}: cannot connect to "
                           f"{params.host}:{params.port}: {exc}") from exc
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def open_manager(params: ConnectParams, timeout: float | None = None) -> nc_manager.Manager:
    """Open an ncclient Manager (Junos handler) on a :class:`PromptSSHSession`.

    The whole set-up (TCP, SSH, authentication, hello) takes at most ``timeout`` seconds
    (default: ``params.connect_timeout``).
    Raises ConnectError when anything fails or the budget is spent.
    """
    limit = params.connect_timeout if timeout is None else min(timeout, params.connect_timeout)
    budget = Deadline.after(limit, f"{params.label}: connect")
    _quiet_transport_threads()
    try:
        sock = _connect_socket(params, budget)
    except OperationTimeoutError as exc:
        raise ConnectError(f"{params.label}: no time left to connect") from exc
    session = PromptSSHSession(nc_manager.make_device_handler({"name": "junos"}))
    session.send_timeout = params.rpc_timeout
    # The watchdog: shutting the socket ends every paramiko/ncclient wait (module docstring).
    watchdog = threading.Timer(budget.remaining(), _shut, args=(sock,))
    watchdog.daemon = True
    watchdog.start()
    try:
        _ssh_connect(session, params, sock, max(budget.remaining(), 0.001))
    except Exception as exc:  # ncclient raises many unrelated types here; all mean "no session"
        _shut(sock)
        failure = _connect_failure(params, budget, exc)
        log.info("%s", failure)  # one line: a probe of a halted RE expects this
        raise failure from exc
    finally:
        watchdog.cancel()
    sock.settimeout(None)
    return nc_manager.Manager(session, session._device_handler,  # noqa: SLF001
                              timeout=params.rpc_timeout)


def _ssh_connect(session: PromptSSHSession, params: ConnectParams, sock: socket.socket,
                 timeout: float) -> None:
    session.connect(
        params.host, params.port, timeout=timeout,
        username=params.username, password=params.password,
        key_filename=params.key_file, allow_agent=params.allow_agent,
        look_for_keys=bool(params.key_file), hostkey_verify=params.hostkey_verify,
        ssh_config=None, sock=sock,
    )


def _connect_failure(params: ConnectParams, budget: Deadline, exc: BaseException
                     ) -> ConnectError:
    elapsed = budget.limit - budget.remaining()
    why = ("timed out (no SSH banner, authentication or hello)" if budget.expired()
           else f"{type(exc).__name__}: {exc}")
    return ConnectError(f"{params.label}: NETCONF session to {params.host}:{params.port} "
                        f"failed after {elapsed:.1f}s: {why}")


def _shut(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()


class RESession:
    """A NETCONF session to one RE: ``rpc()`` returns the ``<rpc-reply>`` as an lxml element
    with namespaces stripped (as ncclient's Junos handler and PyEZ present it)."""

    def __init__(self, params: ConnectParams) -> None:
        self.params = params
        self._manager: nc_manager.Manager | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        state = "open" if self.connected else "closed"
        return f"<RESession {self.params.label} {state}>"

    def open(self, timeout: float | None = None) -> RESession:
        """Open the session (no-op when open) within ``timeout`` (default: the connect
        timeout); return self.  Raises ConnectError."""
        if not self.connected:
            self._manager = open_manager(self.params, timeout)
        return self

    @property
    def connected(self) -> bool:
        """Return True while the underlying session is up."""
        return self._manager is not None and bool(self._manager.connected)

    @property
    def session_id(self) -> str | None:
        """Return the NETCONF session-id the server gave, or None when closed."""
        return self._manager.session_id if self._manager is not None else None

    def close(self, timeout: float = CLOSE_TIMEOUT) -> None:
        """Close politely (``<close-session/>`` within ``timeout``) if possible, and forget the
        session.  Never raises: a session that cannot be closed politely is closed anyway."""
        mgr, self._manager = self._manager, None
        if mgr is None:
            return
        try:
            if mgr.connected:
                mgr.timeout = timeout
                mgr.close_session()
        except Exception as exc:  # closing a dead session may fail in many ways; it is closed
            log.debug("%s: close: %s", self.params.label, exc)
        finally:
            _close_transport(mgr, self.params.label)

    def rpc(self, request: etree._Element | str, timeout: float | None = None,
            ignore_warnings: bool = True) -> etree._Element:
        """Send ``request`` (an element or XML text) and return the reply element.

        Raises SessionClosedError, RpcTimeoutError (also when another RPC on this session
        holds it past ``timeout``), or RpcFailedError (``<rpc-error>`` of severity error, or a
        reply that is not well-formed XML; warnings only fail when ``ignore_warnings`` is
        False).
        """
        if isinstance(request, str):
            request = etree.fromstring(request)
        limit = timeout or self.params.rpc_timeout
        mgr = self._require()
        if not self._lock.acquire(timeout=limit):
            raise RpcTimeoutError(f"{self.params.label}: session busy for {limit:.1f}s")
        try:
            raw = self._exchange(mgr._session, request, limit)  # noqa: SLF001 (ours)
        finally:
            self._lock.release()
        return self._reply(mgr, raw, ignore_warnings)

    def _require(self) -> nc_manager.Manager:
        if self._manager is None or not self._manager.connected:
            raise SessionClosedError(f"{self.params.label}: session is not open")
        return self._manager

    def _exchange(self, session: PromptSSHSession, request: etree._Element, limit: float
                  ) -> str:
        """Send ``request`` and return the raw text of its reply, within ``limit`` seconds.

        Raises RpcTimeoutError, or SessionClosedError when the session fails meanwhile."""
        message_id = uuid.uuid4().urn
        waiter = session.expect(message_id)
        try:
            session.send_timeout = limit
            session.send(_request_text(request, message_id))
            if not waiter.event.wait(limit):
                raise RpcTimeoutError(f"{self.params.label}: no reply within {limit:.1f}s")
        except (nc_transport.TransportError, EOFError, OSError) as exc:
            raise SessionClosedError(f"{self.params.label}: session lost: {exc}") from exc
        finally:
            session.forget(waiter)
        if waiter.raw is None:
            raise SessionClosedError(f"{self.params.label}: session lost: {waiter.error}"
                                     ) from waiter.error
        return waiter.raw

    def _reply(self, mgr: nc_manager.Manager, raw: str, ignore_warnings: bool
               ) -> etree._Element:
        """Return the reply element of ``raw``, namespaces stripped.

        Raises RpcFailedError (an error ncclient raises for this reply, or XML that does not
        parse)."""
        try:
            root = etree.fromstring(raw.encode(), _REPLY_PARSER)
        except etree.XMLSyntaxError as exc:
            raise RpcFailedError(f"{self.params.label}: reply is not well-formed XML: {exc}",
                                 [("error", str(exc))], raw) from exc
        if "rpc-error" in raw and _has_rpc_error(root):
            error = _ncclient_error(mgr, raw)
            if error is not None:
                return self._rpc_error(error, ignore_warnings)
        return _strip_in_place(root)

    def _rpc_error(self, exc: Any, ignore_warnings: bool) -> etree._Element:
        # ncclient 0.7.0: one error is the exception itself; several are in ``errlist``.
        errors = [(e.severity or "error", (e.message or "").strip()) for e in
                  (getattr(exc, "errlist", None) or [exc])]
        reply_xml = getattr(exc, "xml", None)
        if ignore_warnings and all(sev == "warning" for sev, _ in errors):
            root = reply_xml.getroottree().getroot() if reply_xml is not None else None
            if root is not None:
                return strip_namespaces(root)
        message = "; ".join(m for _, m in errors) or str(exc)
        raise RpcFailedError(f"{self.params.label}: {message}", errors,
                             etree.tostring(reply_xml).decode() if reply_xml is not None else "")


def _request_text(request: etree._Element, message_id: str) -> str:
    """Return the ``<rpc>`` text ncclient's Junos handler sends for ``request`` (``RPC._wrap``:
    an XML declaration, ``nc:``-prefixed ``rpc`` in the base namespace)."""
    body = etree.tostring(request, encoding="unicode")
    return (f'<?xml version="1.0" encoding="UTF-8"?><nc:rpc xmlns:nc="{BASE_NS_1_0}" '
            f'message-id="{message_id}">{body}</nc:rpc>')


#: Parses replies as ncclient's Junos handler leaves them: blank text between elements dropped.
_REPLY_PARSER = etree.XMLParser(remove_blank_text=True)
_OK = f"{{{BASE_NS_1_0}}}ok"
_RPC_ERROR = f".//{{{BASE_NS_1_0}}}rpc-error"


def _has_rpc_error(root: etree._Element) -> bool:
    """Return True when ncclient would look at the reply's errors: no ``<ok/>`` and an
    ``<rpc-error>``, both in the base namespace (``RPCReply.parse``)."""
    return root.find(_OK) is None and root.find(_RPC_ERROR) is not None


def _ncclient_error(mgr: nc_manager.Manager, raw: str) -> Any:
    """Return the RPCError ncclient raises for reply ``raw`` (raise mode ALL, the Junos
    handler's exempt errors spared), or None when it raises none (``RPC._request``)."""
    reply = RPCReply(raw)
    reply.parse()
    error = reply.error
    handler = mgr._device_handler  # noqa: SLF001 (the handler the manager was built with)
    if error is None or handler.is_rpc_error_exempt(error.message):
        return None
    errors = reply.errors
    if len(errors) > 1:
        return nc_ops.RPCError(etree.fromstring(raw.encode()), errs=errors)
    return error


def _close_transport(mgr: nc_manager.Manager, label: str) -> None:
    try:
        mgr._session.close()  # noqa: SLF001 (ncclient has no public close of transport)
    except Exception as exc:  # already closed in one of many ways: nothing left to do
        log.debug("%s: transport close: %s", label, exc)


#: Every element in a namespace; every element with an attribute in one.
_NAMESPACED = etree.XPath('descendant-or-self::*[namespace-uri() != ""]')
_WITH_NAMESPACED_ATTRIBUTE = etree.XPath('descendant-or-self::*[@*[namespace-uri() != ""]]')


def strip_namespaces(el: etree._Element) -> etree._Element:
    """Return a copy of ``el`` with every namespace removed from tags and attributes."""
    return _strip_in_place(etree.fromstring(etree.tostring(el)))


def _strip_in_place(el: etree._Element) -> etree._Element:
    """Remove every namespace from the tags and attributes of ``el`` (and its subtree) and the
    declarations left unused; return ``el``.  A namespaced attribute keeps its place and takes
    its local name; one whose local name is taken replaces that value in place (as the Junos
    handler's XSLT does)."""
    for node in _NAMESPACED(el):
        tag = node.tag
        node.tag = tag[tag.index("}") + 1:]
    for node in _WITH_NAMESPACED_ATTRIBUTE(el):
        items = node.items()
        node.attrib.clear()
        for key, value in items:
            node.set(key[key.find("}") + 1:], value)
    etree.cleanup_namespaces(el)
    return el
