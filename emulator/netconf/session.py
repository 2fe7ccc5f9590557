"""The server side of one NETCONF session, sans-IO and pull-style (RFC 6241, RFC 6242).

The shape of h11's ``Connection``: :meth:`NetconfSession.receive_data` only buffers what the
client sent; :meth:`NetconfSession.next_event` returns the next :data:`~emulator.netconf.events.
Event` (or None when more bytes are needed); the caller dispatches an :class:`RpcReceived`
itself and hands its answer to :meth:`NetconfSession.reply`, which returns the framed bytes to
send.  The session owns the hello exchange, the framing switch, the ``<rpc>`` envelope checks,
``<close-session>`` and the session state table; it never calls out and does no I/O::

    session = NetconfSession(4242)
    send(session.start())
    session.receive_data(data)
    while (event := session.next_event()) is not None:
        if isinstance(event, RpcReceived):
            send(session.reply(event, dispatch(event.own_operation())))
        elif isinstance(event, (RpcRejected, CloseRequested)):
            send(session.reply(event))
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Mapping, Sequence

from emulator.netconf.errors import FramingError, ProtocolError
from emulator.netconf.events import (
    CloseRequested,
    Event,
    HelloReceived,
    PeerEOF,
    Request,
    RpcReceived,
    RpcRejected,
    RpcReply,
    SessionState,
    Violation,
    next_state,
)
from emulator.netconf.framing import DEFAULT_MAX_MESSAGE_SIZE, FramingMode, ReceiveBuffer, encode
from emulator.netconf.messages import BASE_1_0, BASE_1_1, RequestMemo, classify, new_parser
from emulator.netconf.render import (
    nsmap_with,
    plain_attributes,
    preamble_comment,
    render_hello,
    render_reply,
    reply_document,
    with_attributes,
)

__all__ = ["DEFAULT_CAPABILITIES", "JUNOS_CAPABILITIES", "NetconfSession", "offering_base_1_1"]

logger = logging.getLogger(__name__)

#: The capabilities of a real Junos server hello
#: (samples/netconf-server-hello.junos.pyez-test_serial.xml), as it lists them: :base:1.0 only,
#: so every client keeps end-of-message framing (RFC 6242 section 4.1), as with real routers.
JUNOS_CAPABILITIES: tuple[str, ...] = (
    BASE_1_0,
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
#: The hello a session offers unless told otherwise: the real Junos one.
DEFAULT_CAPABILITIES = JUNOS_CAPABILITIES


def offering_base_1_1(capabilities: Sequence[str] = JUNOS_CAPABILITIES) -> tuple[str, ...]:
    """Return ``capabilities`` with :base:1.1 listed right after :base:1.0 (once), so a
    client that speaks it switches to chunked framing (RFC 6242 section 4.1)."""
    caps = [c for c in capabilities if c != BASE_1_1]
    at = caps.index(BASE_1_0) + 1 if BASE_1_0 in caps else 0
    return (*caps[:at], BASE_1_1, *caps[at:])


class NetconfSession:
    """One server-side NETCONF session: bytes in, events out, replies in, bytes out."""

    def __init__(
        self,
        session_id: int,
        *,
        capabilities: Sequence[str] = DEFAULT_CAPABILITIES,
        reply_nsmap: Mapping[str | None, str] | None = None,
        hello_preamble: str | None = None,
        max_message_size: int = DEFAULT_MAX_MESSAGE_SIZE,
        memo: RequestMemo | None = None,
    ) -> None:
        """Create the session in AWAIT_HELLO.

        ``memo``, when given, classifies each message (sessions of a server share one, so a
        request another session sent is not parsed again).

        Raises ``ValueError`` if ``session_id`` is not in 1..4294967295 (RFC 6241 section 8.1),
        if ``reply_nsmap`` remaps the default namespace, or if ``hello_preamble`` cannot be an
        XML comment.
        """
        if not 1 <= session_id <= 4294967295:
            raise ValueError(f"session_id must be in 1..4294967295, got {session_id}")
        self._session_id = session_id
        self._capabilities = tuple(capabilities)
        self._nsmap = nsmap_with(reply_nsmap)
        self._preamble = preamble_comment(hello_preamble)
        self._buffer = ReceiveBuffer(FramingMode.EOM, max_message_size=max_message_size)
        self._parser = new_parser()  # one per session: lxml parsers are not shared safely
        #: Classifies requests it has seen before without parsing them (shared by sessions).
        self._classify = classify if memo is None else memo.classify
        self._state = SessionState.AWAIT_HELLO
        self._hello_sent = False
        self._eof = False
        self._framing = FramingMode.EOM
        self._client_capabilities: tuple[str, ...] = ()
        self._close_reason: str | None = None
        #: Requests handed out and not answered yet, oldest first (replies go in order).
        self._unanswered: deque[Request] = deque()

    # -- properties --

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
        """Return True once the session is CLOSED (the caller should close the channel once
        the last reply is sent)."""
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

    @property
    def buffered(self) -> int:
        """Return the bytes received and not yet turned into events (a partial message)."""
        return self._buffer.buffered

    @property
    def awaiting_reply(self) -> int:
        """Return how many requests were handed out and not answered yet."""
        return len(self._unanswered)

    # -- bytes in, events out --

    def start(self) -> bytes:
        """Return the server ``<hello>``, always EOM-framed (RFC 6242 section 4.1).

        Raises ``ProtocolError`` if called twice.
        """
        if self._hello_sent:
            raise ProtocolError("start() called twice")
        self._hello_sent = True
        hello = render_hello(self._capabilities, self._session_id, self._preamble)
        return encode(hello, FramingMode.EOM)

    def receive_data(self, data: bytes) -> None:
        """Buffer bytes from the client; ``b""`` means the client closed (EOF).

        Nothing is decoded here: :meth:`next_event` does that.  Input after EOF or CLOSED is
        ignored.  Raises ``ProtocolError`` if :meth:`start` has not been called.
        """
        if not self._hello_sent:
            raise ProtocolError("receive_data() before start()")
        if self.closed or self._eof:
            return
        if not data:
            self._eof = True
            return
        self._buffer.feed(data)

    def next_event(self) -> Event | None:
        """Return the next event, or None when more bytes are needed or the session is CLOSED.

        Messages buffered before an EOF are returned before :class:`PeerEOF`.  An event illegal
        in the current state (an ``<rpc>`` before the hello, a second hello) is returned as a
        :class:`Violation`; every closing event (close-session, EOF, violation) moves the
        session to CLOSED.
        """
        while not self.closed:
            try:
                raw = self._buffer.next_message()
            except FramingError as exc:
                return self._apply(Violation(f"framing error: {exc}"))
            if raw is None:
                return self._apply(PeerEOF()) if self._eof else None
            raw = raw.strip()
            if raw:  # blank between ]]>]]> markers (e.g. a trailing newline): not a message
                return self._apply(self._classify(raw, self._parser))
        return None

    # -- replies in, bytes out --

    def reply(self, request: Request, reply: RpcReply | None = None) -> bytes:
        """Return the framed ``<rpc-reply>`` answering ``request`` with ``reply``.

        Without ``reply``: ``<ok/>`` for a CloseRequested, the core's own error for an
        RpcRejected.  Raises ``ProtocolError`` if ``request`` is not the oldest unanswered
        request this session handed out (RFC 6241 section 4.1: replies keep request order),
        or if an RpcReceived gets no reply.
        """
        self._check_oldest(request)
        if reply is None:
            reply = _default_reply(request)
        self._unanswered.popleft()
        return encode(render_reply(request.attributes, reply, self._nsmap), self._framing)

    @property
    def reply_namespaces(self) -> tuple[tuple[str | None, str], ...]:
        """Return the namespaces ``<rpc-reply>`` declares: two sessions with the same ones
        render the same :meth:`document` for the same reply."""
        return tuple(self._nsmap.items())

    def document(self, reply: RpcReply) -> bytes:
        """Return ``reply`` rendered as this session's ``<rpc-reply>`` without any request's
        attributes: what :meth:`reply_with` takes (a caller may keep it for other requests)."""
        return reply_document(reply, self._nsmap)

    @staticmethod
    def takes_document(request: Request) -> bool:
        """Return True if :meth:`reply_with` can answer ``request`` (its ``<rpc>`` attributes
        are in no namespace, as message-id is)."""
        return plain_attributes(request.attributes)

    def reply_with(self, request: RpcReceived, document: bytes) -> bytes:
        """Return the framed reply to ``request`` from a :meth:`document` of a session with the
        same :attr:`reply_namespaces`: the same bytes :meth:`reply` returns for that reply.

        Raises ``ProtocolError`` as :meth:`reply` does, and ``ValueError`` unless
        :meth:`takes_document` (answer such a request with :meth:`reply`).
        """
        self._check_oldest(request)
        framed = encode(with_attributes(document, request.attributes), self._framing)
        self._unanswered.popleft()
        return framed

    def _check_oldest(self, request: Request) -> None:
        if not self._unanswered or self._unanswered[0] is not request:
            raise ProtocolError("reply() to a request that is not the oldest unanswered one")

    # -- state --

    def _apply(self, event: Event) -> Event:
        """Move to the state ``event`` leads to; return the event the caller sees.

        An illegal event becomes a Violation, which closes the session.
        """
        try:
            new_state = next_state(self._state, event)
        except ProtocolError as exc:
            logger.info("session %d: %s; closing", self._session_id, exc)
            return self._apply(Violation(f"protocol error: {exc}"))
        if new_state is SessionState.CLOSED:
            self._close_reason = _describe_close(event)
            logger.debug("session %d closed: %s", self._session_id, self._close_reason)
        self._state = new_state
        if isinstance(event, HelloReceived):
            self._on_hello(event)
        elif isinstance(event, RpcReceived | RpcRejected | CloseRequested):
            self._unanswered.append(event)
        return event

    def _on_hello(self, event: HelloReceived) -> None:
        """Record the client capabilities and switch framing if both sides speak :base:1.1."""
        self._client_capabilities = event.capabilities
        if BASE_1_1 in event.capabilities and BASE_1_1 in self._capabilities:
            # RFC 6242 section 4.1: chunked framing for every message after the hellos.
            self._framing = FramingMode.CHUNKED
            self._buffer.mode = FramingMode.CHUNKED


def _default_reply(request: Request) -> RpcReply:
    """Return the core's own answer: ``<ok/>`` to close-session, the error of a rejection."""
    if isinstance(request, CloseRequested):
        return RpcReply(ok=True)
    if isinstance(request, RpcRejected):
        return RpcReply(errors=[request.error])
    raise ProtocolError("an <rpc> handed to the caller needs the caller's reply")


def _describe_close(event: Event) -> str:
    """Return a human-readable reason for the event that closed the session."""
    if isinstance(event, CloseRequested):
        return "close-session"
    if isinstance(event, PeerEOF):
        return "peer EOF"
    if isinstance(event, Violation):
        return event.reason
    return type(event).__name__
