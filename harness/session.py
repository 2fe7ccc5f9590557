"""One NETCONF session to one Routing Engine, with timeouts on every wait.

Built on ncclient's Junos device handler, with two explicit differences from stock ncclient, both
confined to the sessions this module creates (no module attribute of ncclient is changed, so
other ncclient users in the same process see stock behaviour):

* :class:`PromptSSHSession` writes each request from the caller's thread.  Stock ncclient queues
  it for its session thread, which polls that queue between ``select()`` calls with a 100 ms
  timeout (``ncclient.transport.session.TICK``), so every RPC waits up to 100 ms on loopback.
* The TCP socket is created here with ``TCP_NODELAY`` (stock ncclient leaves Nagle on).

Every network wait has a deadline: connecting (TCP, SSH banner and keys, authentication, hello) is
bounded by a watchdog that closes the socket, and each RPC by its own timeout; a dead peer raises
a named :mod:`harness.errors` exception instead of hanging (ncclient issue #612).
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import paramiko
from lxml import etree
from ncclient import manager as nc_manager
from ncclient import operations as nc_ops
from ncclient import transport as nc_transport
from ncclient.devices import junos as nc_junos  # noqa: F401  (device handler module)
from ncclient.transport.session import NetconfBase

from harness.errors import HarnessError

__all__ = [
    "ConnectError",
    "ConnectParams",
    "PromptSSHSession",
    "RESession",
    "RpcFailedError",
    "RpcTimeoutError",
    "SessionClosedError",
    "SessionError",
]

log = logging.getLogger(__name__)

MSG_DELIM = b"]]>]]>"
END_DELIM = b"\n##\n"


class SessionError(HarnessError):
    """A NETCONF session failed.  At fault: the network or the router."""


class ConnectError(SessionError):
    """Could not open a session (refused, timed out, authentication or hello failed)."""


class SessionClosedError(SessionError):
    """The session ended under us (the RE went down, rebooted or dropped us)."""


class RpcTimeoutError(SessionError):
    """No reply within the RPC timeout."""


class RpcFailedError(SessionError):
    """The router answered with ``<rpc-error>``; ``errors`` holds (severity, message) pairs."""

    def __init__(self, message: str, errors: list[tuple[str, str]], reply: str = "") -> None:
        super().__init__(message)
        self.errors = errors
        self.reply = reply


class PromptSSHSession(nc_transport.SSHSession):  # type: ignore[misc]
    """An ncclient SSH session that writes requests immediately, from the calling thread.

    Replies are still read by ncclient's session thread, whose ``select()`` wakes as soon as
    data arrives; only the send side waited on the 100 ms tick.
    """

    def __init__(self, device_handler: Any) -> None:
        super().__init__(device_handler)
        self._send_lock = threading.Lock()

    def send(self, message: str) -> None:
        """Frame ``message`` for the negotiated base (RFC 6242) and write it now.

        Raises ncclient's TransportError when not connected or the channel is closed.
        """
        if not self.connected:
            raise nc_transport.TransportError("Not connected to NETCONF server")
        data = message.encode()
        if self._base == NetconfBase.BASE_11:
            data = b"\n#%d\n%s%s" % (len(data), data, END_DELIM)
        else:
            data = data + MSG_DELIM
        with self._send_lock:
            try:
                self._channel.sendall(data)
            except (OSError, EOFError, paramiko.SSHException) as exc:
                raise nc_transport.TransportError(f"send failed: {exc}") from exc


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


def _connect_socket(params: ConnectParams) -> socket.socket:
    try:
        sock = socket.create_connection((params.host, params.port), params.connect_timeout)
    except OSError as exc:
        raise ConnectError(f"{params.label}: cannot connect to "
                           f"{params.host}:{params.port}: {exc}") from exc
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def open_manager(params: ConnectParams) -> nc_manager.Manager:
    """Open an ncclient Manager (Junos handler) on a :class:`PromptSSHSession`.

    Raises ConnectError when anything fails or the whole set-up exceeds ``connect_timeout``.
    """
    sock = _connect_socket(params)
    device_handler = nc_manager.make_device_handler({"name": "junos"})
    session = PromptSSHSession(device_handler)
    watchdog = threading.Timer(params.connect_timeout, _shut, args=(sock,))
    watchdog.daemon = True
    watchdog.start()
    started = time.monotonic()
    try:
        session.connect(
            params.host, params.port, timeout=params.connect_timeout,
            username=params.username, password=params.password,
            key_filename=params.key_file, allow_agent=params.allow_agent,
            look_for_keys=bool(params.key_file), hostkey_verify=params.hostkey_verify,
            ssh_config=None, sock=sock,
            **({} if params.known_hosts is None else {}),
        )
    except Exception as exc:  # ncclient raises many unrelated types here; all mean "no session"
        _shut(sock)
        elapsed = time.monotonic() - started
        why = "timed out" if elapsed >= params.connect_timeout else f"{type(exc).__name__}: {exc}"
        raise ConnectError(f"{params.label}: NETCONF session to {params.host}:{params.port} "
                           f"failed after {elapsed:.1f}s: {why}") from exc
    finally:
        watchdog.cancel()
    sock.settimeout(None)
    return nc_manager.Manager(session, device_handler, timeout=params.rpc_timeout)


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

    def open(self) -> RESession:
        """Open the session (no-op when open); return self.  Raises ConnectError."""
        if not self.connected:
            self._manager = open_manager(self.params)
        return self

    @property
    def connected(self) -> bool:
        """Return True while the underlying session is up."""
        return self._manager is not None and bool(self._manager.connected)

    @property
    def session_id(self) -> str | None:
        """Return the NETCONF session-id the server gave, or None when closed."""
        return self._manager.session_id if self._manager is not None else None

    def close(self) -> None:
        """Close politely (``<close-session/>``) if possible, and forget the session."""
        mgr, self._manager = self._manager, None
        if mgr is None:
            return
        try:
            if mgr.connected:
                mgr.close_session()
        except Exception as exc:  # closing a dead session may fail in many ways; it is closed
            log.debug("%s: close: %s", self.params.label, exc)
        finally:
            try:
                mgr._session.close()  # noqa: SLF001 (ncclient has no public close of transport)
            except Exception as exc:  # same: already closed
                log.debug("%s: transport close: %s", self.params.label, exc)

    def rpc(self, request: etree._Element | str, timeout: float | None = None,
            ignore_warnings: bool = True) -> etree._Element:
        """Send ``request`` (an element or XML text) and return the reply element.

        Raises SessionClosedError, RpcTimeoutError, or RpcFailedError (``<rpc-error>`` of
        severity error; warnings only fail when ``ignore_warnings`` is False).
        """
        if isinstance(request, str):
            request = etree.fromstring(request)
        mgr = self._require()
        with self._lock:
            return self._call(mgr, lambda: mgr.rpc(request), timeout, ignore_warnings)

    def command(self, cli: str, fmt: str = "text", timeout: float | None = None) -> Any:
        """Run a CLI command; return the text of ``<output>`` (text) or the reply element (xml).

        Raises as :meth:`rpc`.
        """
        el = etree.Element("command")
        el.text = cli
        if fmt == "text":
            el.set("format", "text")
        reply = self.rpc(el, timeout)
        if fmt != "text":
            return reply
        out = reply.find(".//output")
        return (out.text or "") if out is not None else ""

    def _require(self) -> nc_manager.Manager:
        if self._manager is None or not self._manager.connected:
            raise SessionClosedError(f"{self.params.label}: session is not open")
        return self._manager

    def _call(self, mgr: nc_manager.Manager, call: Callable[[], Any], timeout: float | None,
              ignore_warnings: bool) -> etree._Element:
        mgr.timeout = timeout or self.params.rpc_timeout
        try:
            reply = call()
        except nc_ops.TimeoutExpiredError as exc:
            raise RpcTimeoutError(f"{self.params.label}: no reply within {mgr.timeout:.1f}s"
                                  ) from exc
        except nc_ops.RPCError as exc:
            return self._rpc_error(exc, ignore_warnings)
        except (nc_transport.TransportError, nc_transport.SessionCloseError,
                nc_ops.OperationError, EOFError, OSError) as exc:
            raise SessionClosedError(f"{self.params.label}: session lost: {exc}") from exc
        return _reply_element(reply)

    def _rpc_error(self, exc: Any, ignore_warnings: bool) -> etree._Element:
        errors = [(e.severity or "error", (e.message or "").strip()) for e in
                  (exc.errors or [exc])]
        reply_xml = getattr(exc, "xml", None)
        if ignore_warnings and all(sev == "warning" for sev, _ in errors):
            root = reply_xml.getroottree().getroot() if reply_xml is not None else None
            if root is not None:
                return _strip(root)
        message = "; ".join(m for _, m in errors) or str(exc)
        raise RpcFailedError(f"{self.params.label}: {message}", errors,
                             etree.tostring(reply_xml).decode() if reply_xml is not None else "")


def _reply_element(reply: Any) -> etree._Element:
    """Return the lxml element of an ncclient reply (Junos handler: NCElement or GetReply)."""
    if isinstance(reply, etree._Element):
        return _strip(reply)
    for attr in ("_NCElement__doc", "_root"):
        doc = getattr(reply, attr, None)
        if doc is not None:
            root = doc.getroot() if hasattr(doc, "getroot") else doc
            return _strip(root)
    return _strip(etree.fromstring(str(reply).encode()))


def _strip(el: etree._Element) -> etree._Element:
    """Return a copy of ``el`` with every namespace removed from tags and attributes."""
    el = etree.fromstring(etree.tostring(el))
    for node in el.iter():
        if isinstance(node.tag, str):
            node.tag = etree.QName(node).localname
        for key in list(node.attrib):
            if key.startswith("{"):
                node.attrib[etree.QName(key).localname] = node.attrib.pop(key)
    etree.cleanup_namespaces(el)
    return el
