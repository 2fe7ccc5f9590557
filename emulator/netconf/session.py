"""The server side of one NETCONF session, sans-IO (RFC 6241, RFC 6242).

``NetconfSession`` takes the bytes the client sent (``receive_data``) and queues the bytes to
send back (``data_to_send``). It owns the hello exchange, the framing switch, ``<rpc>`` /
``<rpc-reply>`` envelopes, ``<close-session>`` and every protocol-level ``<rpc-error>``; each
operation element is handed to an ``RpcHandler`` that knows nothing of the wire.

The session state machine is the table ``TRANSITIONS`` plus ``next_state``, which raises
``ProtocolError`` for a pair not in the table (the shape of h11's ``_state.py``).
"""

from __future__ import annotations

import copy
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum

from lxml import etree

from emulator.netconf.errors import (
    NETCONF_BASE_NS,
    ErrorTag,
    ErrorType,
    FramingError,
    ProtocolError,
    RpcError,
)
from emulator.netconf.framing import (
    DEFAULT_MAX_MESSAGE_SIZE,
    FramingMode,
    ReceiveBuffer,
    encode,
)

__all__ = [
    "BASE_1_0",
    "BASE_1_1",
    "DEFAULT_CAPABILITIES",
    "TRANSITIONS",
    "CloseRequested",
    "Event",
    "HelloReceived",
    "NetconfSession",
    "PeerEOF",
    "RpcHandler",
    "RpcReceived",
    "RpcReply",
    "SessionState",
    "Violation",
    "local_name",
    "next_state",
]

logger = logging.getLogger(__name__)

BASE_1_0 = "urn:ietf:params:netconf:base:1.0"
BASE_1_1 = "urn:ietf:params:netconf:base:1.1"

#: The capabilities of a real Junos server hello
#: (samples/netconf-server-hello.junos.pyez-test_serial.xml), in its order, plus :base:1.1.
DEFAULT_CAPABILITIES: tuple[str, ...] = (
    BASE_1_0,
    BASE_1_1,
    "urn:ietf:params:netconf:capability:candidate:1.0",
    "urn:ietf:params:netconf:capability:confirmed-commit:1.0",
    "urn:ietf:params:netconf:capability:validate:1.0",
    "urn:ietf:params:netconf:capability:url:1.0?scheme=http,ftp,file",
    "urn:ietf:params:xml:ns:netconf:base:1.0",
    "urn:ietf:params:xml:ns:netconf:capability:candidate:1.0",
    "urn:ietf:params:xml:ns:netconf:capability:confirmed-commit:1.0",
    "urn:ietf:params:xml:ns:netconf:capability:validate:1.0",
    "urn:ietf:params:xml:ns:netconf:capability:url:1.0?scheme=http,ftp,file",
    "urn:ietf:params:xml:ns:yang:ietf-netconf-monitoring",
    "http://xml.juniper.net/netconf/junos/1.0",
    "http://xml.juniper.net/dmi/system/1.0",
)

# Recovers message-id from a request too broken to parse, so the error reply can still be
# matched by the client (RFC 6241 section 4.2 wants it echoed).
_MESSAGE_ID_RE = re.compile(rb"""\bmessage-id\s*=\s*(?:"([^"<]*)"|'([^'<]*)')""")


def _nc(local: str) -> str:
    """Return the Clark-notation name of ``local`` in the NETCONF base namespace."""
    return f"{{{NETCONF_BASE_NS}}}{local}"


def local_name(el: etree._Element) -> str:
    """Return the tag of ``el`` without its namespace (``{ns}get`` and ``get`` give ``get``)."""
    return str(etree.QName(el).localname)


def _is_base(el: etree._Element, name: str) -> bool:
    """Return True if ``el`` is ``name`` in the base namespace or in no namespace.

    No namespace is accepted too: Junos clients send un-namespaced elements (NOTES.md), and
    Junos' XML mode is lenient about them.
    """
    return el.tag in (_nc(name), name)


# --- reply records -------------------------------------------------------------------------


@dataclass(slots=True)
class RpcReply:
    """What a handler answers; the session wraps it in ``<rpc-reply>``.

    ``errors`` are rendered before ``body`` (Junos puts a "Could not connect to re0" error before
    the data); ``<ok/>`` follows the body if ``ok`` is set, or if body and errors are both empty.
    """

    body: list[etree._Element] = field(default_factory=list)
    errors: list[RpcError] = field(default_factory=list)
    ok: bool = False


#: Gets the operation element (the child of ``<rpc>``); may raise ``RpcError``.
RpcHandler = Callable[[etree._Element], RpcReply]


# --- state machine -------------------------------------------------------------------------


class SessionState(Enum):
    """Where a session is (RFC 6241 section 8.1: hellos first, then RPCs, then closed)."""

    AWAIT_HELLO = "await-hello"
    ESTABLISHED = "established"
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class HelloReceived:
    """A well-formed client ``<hello>`` with a base capability and no session-id."""

    capabilities: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RpcReceived:
    """Any other message; ``rpc`` is None if it did not parse."""

    raw: bytes
    rpc: etree._Element | None


@dataclass(frozen=True, slots=True)
class CloseRequested:
    """A valid ``<rpc>`` whose operation is ``<close-session/>`` (RFC 6241 section 7.8)."""

    rpc: etree._Element


@dataclass(frozen=True, slots=True)
class PeerEOF:
    """The peer closed its side of the channel."""


@dataclass(frozen=True, slots=True)
class Violation:
    """The peer broke the protocol (framing, hello or sequencing); ``reason`` says how."""

    reason: str


Event = HelloReceived | RpcReceived | CloseRequested | PeerEOF | Violation

#: Every legal (state, event type) pair and the state it leads to; anything else is illegal.
TRANSITIONS: Mapping[tuple[SessionState, type[Event]], SessionState] = {
    (SessionState.AWAIT_HELLO, HelloReceived): SessionState.ESTABLISHED,
    (SessionState.AWAIT_HELLO, PeerEOF): SessionState.CLOSED,
    (SessionState.AWAIT_HELLO, Violation): SessionState.CLOSED,
    (SessionState.ESTABLISHED, RpcReceived): SessionState.ESTABLISHED,
    (SessionState.ESTABLISHED, CloseRequested): SessionState.CLOSED,
    (SessionState.ESTABLISHED, PeerEOF): SessionState.CLOSED,
    (SessionState.ESTABLISHED, Violation): SessionState.CLOSED,
}


def next_state(state: SessionState, event: Event) -> SessionState:
    """Return the state ``event`` leads to from ``state``.

    Raises ``ProtocolError`` if the pair is not in ``TRANSITIONS`` (e.g. an ``<rpc>`` before
    the hello, a second hello, or anything after CLOSED).
    """
    try:
        return TRANSITIONS[(state, type(event))]
    except KeyError:
        raise ProtocolError(
            f"{type(event).__name__} is illegal in state {state.name}"
        ) from None


# --- message classification ----------------------------------------------------------------


def _new_parser() -> etree.XMLParser:
    """Return a parser hardened against entity expansion, network access and huge trees."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
    )


def _hello_event(root: etree._Element) -> HelloReceived | Violation:
    """Return HelloReceived for an acceptable client hello, else a Violation saying why.

    RFC 6241 section 8.1: a client hello carrying a session-id makes the server terminate the
    session; a hello without :base:1.0 or :base:1.1 cannot be answered.
    """
    if any(_is_base(child, "session-id") for child in root.iterchildren(tag=etree.Element)):
        return Violation("client hello carries a session-id (RFC 6241 section 8.1)")
    capabilities = tuple(
        (cap.text or "").strip()
        for caps in root.iterchildren(_nc("capabilities"), "capabilities")
        for cap in caps.iterchildren(_nc("capability"), "capability")
    )
    if BASE_1_0 not in capabilities and BASE_1_1 not in capabilities:
        return Violation("client hello lists no base capability")
    return HelloReceived(capabilities)


def _element_children(el: etree._Element) -> list[etree._Element]:
    """Return the element children of ``el`` (comments and processing instructions skipped)."""
    return list(el.iterchildren(tag=etree.Element))


def _classify(raw: bytes, root: etree._Element | None) -> Event:
    """Return the event a parsed (or unparseable, ``root`` None) message stands for."""
    if root is not None and _is_base(root, "hello"):
        return _hello_event(root)
    if root is None or not _is_base(root, "rpc") or "message-id" not in root.attrib:
        return RpcReceived(raw, root)
    children = _element_children(root)
    if len(children) == 1 and _is_base(children[0], "close-session"):
        return CloseRequested(root)
    return RpcReceived(raw, root)


def _recover_message_id(raw: bytes) -> str | None:
    """Return the message-id found by regex in an unparseable request, or None."""
    match = _MESSAGE_ID_RE.search(raw)
    if match is None:
        return None
    value = match.group(1) if match.group(1) is not None else match.group(2)
    return value.decode("utf-8", errors="replace")


# --- the session ---------------------------------------------------------------------------


class NetconfSession:
    """One server-side NETCONF session; moves bytes only.

    Call ``start()`` once, then ``receive_data()`` with every chunk the client sent (``b""`` at
    EOF) and ``data_to_send()`` to drain the replies. ``handler`` answers every operation except
    ``<close-session>`` and ``<kill-session>``, which the session answers itself.
    """

    def __init__(
        self,
        session_id: int,
        handler: RpcHandler,
        *,
        capabilities: Sequence[str] = DEFAULT_CAPABILITIES,
        reply_nsmap: Mapping[str | None, str] | None = None,
        hello_preamble: str | None = None,
        max_message_size: int = DEFAULT_MAX_MESSAGE_SIZE,
    ) -> None:
        """Create the session in AWAIT_HELLO.

        Raises ``ValueError`` if ``session_id`` is not in 1..4294967295 (RFC 6241 section 8.1),
        if ``reply_nsmap`` remaps the default namespace, or if ``hello_preamble`` cannot be an
        XML comment.
        """
        if not 1 <= session_id <= 4294967295:
            raise ValueError(f"session_id must be in 1..4294967295, got {session_id}")
        self._session_id = session_id
        self._handler = handler
        self._capabilities = tuple(capabilities)
        self._nsmap = _reply_nsmap(reply_nsmap)
        self._preamble = _preamble_comment(hello_preamble)
        self._buffer = ReceiveBuffer(FramingMode.EOM, max_message_size=max_message_size)
        self._parser = _new_parser()  # one per session: lxml parsers are not shared safely
        self._state = SessionState.AWAIT_HELLO
        self._hello_sent = False
        self._framing = FramingMode.EOM
        self._client_capabilities: tuple[str, ...] = ()
        self._outbound = bytearray()
        self._close_reason: str | None = None

    # -- public properties --

    @property
    def session_id(self) -> int:
        """Return the session-id announced in the server hello."""
        return self._session_id

    @property
    def state(self) -> SessionState:
        """Return the current session state."""
        return self._state

    @property
    def closed(self) -> bool:
        """Return True once the session is CLOSED (the pump should close the channel)."""
        return self._state is SessionState.CLOSED

    @property
    def framing(self) -> FramingMode:
        """Return the framing used for the next message in both directions."""
        return self._framing

    @property
    def close_reason(self) -> str | None:
        """Return why the session closed (None while it is open)."""
        return self._close_reason

    @property
    def client_capabilities(self) -> tuple[str, ...]:
        """Return the capabilities of the client hello (empty before it arrives)."""
        return self._client_capabilities

    # -- public API --

    def start(self) -> None:
        """Queue the server ``<hello>``, always EOM-framed (RFC 6242 section 4.1).

        Raises ``ProtocolError`` if called twice.
        """
        if self._hello_sent:
            raise ProtocolError("start() called twice")
        self._hello_sent = True
        self._outbound += encode(self._render_hello(), FramingMode.EOM)

    def receive_data(self, data: bytes) -> None:
        """Consume bytes from the client; ``b""`` means the client closed (EOF).

        Replies are queued for ``data_to_send``. Input after CLOSED is ignored. Raises
        ``ProtocolError`` if ``start()`` has not been called.
        """
        if not self._hello_sent:
            raise ProtocolError("receive_data() before start()")
        if self.closed:
            return
        if not data:
            self._apply(PeerEOF())
            return
        self._buffer.feed(data)
        self._drain_messages()

    def data_to_send(self) -> bytes:
        """Return and forget every queued outbound byte (possibly ``b""``)."""
        out = bytes(self._outbound)
        self._outbound.clear()
        return out

    # -- state --

    def _apply(self, event: Event) -> bool:
        """Move to the state ``event`` leads to; return False if it was illegal.

        An illegal event is turned into a Violation, which closes the session.
        """
        try:
            new_state = next_state(self._state, event)
        except ProtocolError as exc:
            if isinstance(event, Violation):
                raise  # only possible after CLOSED, which receive_data never reaches
            logger.info("session %d: %s; closing", self._session_id, exc)
            self._apply(Violation(f"protocol error: {exc}"))
            return False
        if new_state is SessionState.CLOSED and self._close_reason is None:
            self._close_reason = _describe_close(event)
            logger.debug("session %d closed: %s", self._session_id, self._close_reason)
        self._state = new_state
        return True

    def _drain_messages(self) -> None:
        """Handle every whole message in the buffer until none is left or the session closes."""
        while not self.closed:
            try:
                raw = self._buffer.next_message()
            except FramingError as exc:
                self._apply(Violation(f"framing error: {exc}"))
                return
            if raw is None:
                return
            self._handle_message(raw)

    def _handle_message(self, raw: bytes) -> None:
        """Classify one message, advance the state machine and queue the answer."""
        raw = raw.strip()
        if not raw:
            return  # blank between ]]>]]> markers (e.g. a trailing newline): not a message
        event = _classify(raw, self._parse(raw))
        if not self._apply(event):
            return
        if isinstance(event, HelloReceived):
            self._on_hello(event)
        elif isinstance(event, RpcReceived):
            self._send_reply(self._answer(event))
        elif isinstance(event, CloseRequested):
            self._send_reply(_Envelope(dict(event.rpc.attrib), RpcReply(ok=True)))

    def _parse(self, raw: bytes) -> etree._Element | None:
        """Return the root of ``raw``, or None if it is not well-formed XML."""
        try:
            return etree.fromstring(raw, parser=self._parser)
        except etree.XMLSyntaxError as exc:
            logger.info("session %d: unparseable message: %s", self._session_id, exc)
            return None

    def _on_hello(self, event: HelloReceived) -> None:
        """Record the client capabilities and switch framing if both sides speak :base:1.1."""
        self._client_capabilities = event.capabilities
        if BASE_1_1 in event.capabilities and BASE_1_1 in self._capabilities:
            # RFC 6242 section 4.1: chunked framing for every message after the hellos.
            self._framing = FramingMode.CHUNKED
            self._buffer.mode = FramingMode.CHUNKED

    # -- rpc handling --

    def _answer(self, event: RpcReceived) -> _Envelope:
        """Return the reply envelope for an ``<rpc>`` (or for a message that is not one)."""
        rpc = event.rpc
        if rpc is None or not _is_base(rpc, "rpc"):
            return _malformed(event)
        attrs = dict(rpc.attrib)
        try:
            return _Envelope(attrs, self._dispatch(rpc))
        except RpcError as exc:
            return _Envelope(attrs, RpcReply(errors=[exc]))

    def _dispatch(self, rpc: etree._Element) -> RpcReply:
        """Return the handler's reply to the one operation in ``rpc``.

        Raises ``RpcError`` for a missing message-id, a wrong number of operations,
        ``<kill-session>``, or whatever the handler raises as RpcError.
        """
        if "message-id" not in rpc.attrib:
            # RFC 6241 section 4.1.
            raise RpcError(
                ErrorType.RPC,
                ErrorTag.MISSING_ATTRIBUTE,
                message="missing message-id attribute",
                info={"bad-attribute": "message-id", "bad-element": "rpc"},
            )
        operation = _single_operation(rpc)
        if _is_base(operation, "kill-session"):
            raise RpcError(
                ErrorType.PROTOCOL,
                ErrorTag.OPERATION_NOT_SUPPORTED,
                message="kill-session is not supported by this emulator",
                info={"bad-element": "kill-session"},
            )
        return self._call_handler(operation)

    def _call_handler(self, operation: etree._Element) -> RpcReply:
        """Return the handler's reply; a crash becomes an operation-failed ``RpcError``."""
        try:
            return self._handler(operation)
        except RpcError:
            raise
        except Exception as exc:  # any crash: logged with its traceback and answered, not lost
            logger.exception(
                "session %d: handler crashed on <%s>", self._session_id, local_name(operation)
            )
            raise RpcError(
                ErrorType.APPLICATION,
                ErrorTag.OPERATION_FAILED,
                message=f"internal error: {type(exc).__name__}",
            ) from exc

    # -- rendering --

    def _render_hello(self) -> bytes:
        """Return the server hello document, preceded by the preamble comment if any."""
        hello = etree.Element(_nc("hello"), nsmap={None: NETCONF_BASE_NS})
        caps = etree.SubElement(hello, _nc("capabilities"))
        for uri in self._capabilities:
            etree.SubElement(caps, _nc("capability")).text = uri
        etree.SubElement(hello, _nc("session-id")).text = str(self._session_id)
        return self._preamble + _serialize(hello)

    def _send_reply(self, envelope: _Envelope) -> None:
        """Render ``envelope`` as ``<rpc-reply>`` and queue it in the current framing."""
        self._outbound += encode(envelope.render(self._nsmap), self._framing)


# --- helpers of the session ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Envelope:
    """A reply and the ``<rpc>`` attributes to echo onto ``<rpc-reply>``."""

    attributes: dict[str, str]
    reply: RpcReply

    def render(self, nsmap: Mapping[str | None, str]) -> bytes:
        """Return the serialized ``<rpc-reply>`` (errors, then body, then ``<ok/>``)."""
        root = etree.Element(_nc("rpc-reply"), nsmap=dict(nsmap))
        for name, value in self.attributes.items():
            # RFC 6241 section 4.2: every attribute of <rpc> is echoed, message-id included.
            root.set(name, value)
        for error in self.reply.errors:
            root.append(error.to_element())
        for element in self.reply.body:
            # A copy: appending would move the element out of the handler's own tree.
            root.append(_copy(element))
        if self.reply.ok or not (self.reply.body or self.reply.errors):
            etree.SubElement(root, _nc("ok"))
        return _serialize(root)


def _copy(element: etree._Element) -> etree._Element:
    """Return a deep copy of ``element`` (namespaces kept) without its tail text."""
    duplicate = copy.deepcopy(element)
    duplicate.tail = None
    return duplicate


def _single_operation(rpc: etree._Element) -> etree._Element:
    """Return the only element child of ``rpc``.

    Raises ``RpcError`` (rpc / operation-failed) for none or several: RFC 6241 section 4.1
    allows exactly one operation, and malformed-message is reserved for parse failures.
    """
    children = _element_children(rpc)
    if len(children) != 1:
        raise RpcError(
            ErrorType.RPC,
            ErrorTag.OPERATION_FAILED,
            message=f"<rpc> must hold exactly one operation, found {len(children)}",
            info={"bad-element": "rpc"},
        )
    return children[0]


def _malformed(event: RpcReceived) -> _Envelope:
    """Return the malformed-message reply to a message that is not a well-formed ``<rpc>``."""
    attrs: dict[str, str] = {}
    message_id = _recover_message_id(event.raw)
    if message_id is not None:
        attrs["message-id"] = message_id
    if event.rpc is None:
        text = "message is not well-formed XML"
    else:
        text = f"expected <rpc>, got <{local_name(event.rpc)}>"
    error = RpcError(ErrorType.RPC, ErrorTag.MALFORMED_MESSAGE, message=text)
    return _Envelope(attrs, RpcReply(errors=[error]))


def _serialize(root: etree._Element) -> bytes:
    """Return ``root`` as UTF-8 bytes, no XML declaration, newline-terminated like Junos."""
    return etree.tostring(root, encoding="utf-8", xml_declaration=False) + b"\n"


def _reply_nsmap(extra: Mapping[str | None, str] | None) -> dict[str | None, str]:
    """Return the ``<rpc-reply>`` nsmap: the base namespace as default plus ``extra``.

    Raises ``ValueError`` if ``extra`` maps the default prefix elsewhere (ncclient would then
    miss every rpc-error: NOTES.md section 2).
    """
    nsmap: dict[str | None, str] = {None: NETCONF_BASE_NS}
    for prefix, uri in (extra or {}).items():
        if prefix is None and uri != NETCONF_BASE_NS:
            raise ValueError(f"the default namespace of <rpc-reply> must stay {NETCONF_BASE_NS}")
        nsmap[prefix] = uri
    return nsmap


def _preamble_comment(preamble: str | None) -> bytes:
    """Return ``preamble`` as an XML comment line (accepted bare or as ``<!-- ... -->``).

    Raises ``ValueError`` if the text holds ``--`` or ends in ``-`` (XML 1.0 section 2.5).
    """
    if preamble is None:
        return b""
    text = preamble.strip()
    if text.startswith("<!--") and text.endswith("-->"):
        text = text[4:-3].strip()
    if "--" in text or text.endswith("-"):
        raise ValueError(f"hello_preamble cannot be an XML comment: {preamble!r}")
    return f"<!-- {text} -->\n".encode()


def _describe_close(event: Event) -> str:
    """Return a human-readable reason for the event that closed the session."""
    if isinstance(event, CloseRequested):
        return "close-session"
    if isinstance(event, PeerEOF):
        return "peer EOF"
    if isinstance(event, Violation):
        return event.reason
    return type(event).__name__
