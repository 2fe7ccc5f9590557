"""The sans-IO NETCONF server session, driven by bytes as a client would send them.

Most tests drive the pull-style core as the server face does (:class:`Driven`: every
``RpcReceived`` goes to a handler, every other request gets the core's own answer); the
``test_pull_*`` tests check the event/reply contract itself."""

from __future__ import annotations

import itertools
import string
from collections.abc import Callable, Iterator

import pytest
from lxml import etree
from ncclient.devices.junos import JunosDeviceHandler
from ncclient.operations.rpc import RPCReply as NcRPCReply
from ncclient.transport.session import HelloHandler, NetconfBase, SessionListener
from ncclient.transport.ssh import SSHSession

from emulator.netconf import messages
from emulator.netconf.errors import (
    NETCONF_BASE_NS,
    ErrorSeverity,
    ErrorTag,
    ErrorType,
    ProtocolError,
    RpcError,
)
from emulator.netconf.events import (
    CloseRequested,
    Event,
    HelloReceived,
    PeerEOF,
    RpcReceived,
    RpcRejected,
    RpcReply,
    SessionState,
    Violation,
    next_state,
)
from emulator.netconf.framing import FramingMode, ReceiveBuffer, encode
from emulator.netconf.messages import BASE_1_0, BASE_1_1, local_name
from emulator.netconf.session import DEFAULT_CAPABILITIES, NetconfSession, offering_base_1_1

NC = f"{{{NETCONF_BASE_NS}}}"
JUNOS_NS = "http://xml.juniper.net/junos/15.1F5/junos"
PREAMBLE = "<!-- user lab, class super-user -->"


class FakeHandler:
    """An RpcHandler that records operations and answers from a table of callables."""

    def __init__(self) -> None:
        self.seen: list[etree._Element] = []
        self.crash: BaseException | None = None

    def __call__(self, op: etree._Element) -> RpcReply:
        self.seen.append(op)
        if self.crash is not None:
            raise self.crash
        name = local_name(op)
        if name == "get-route-engine-information":
            info = etree.Element("route-engine-information")
            etree.SubElement(info, "route-engine").text = "master"
            return RpcReply(body=[info])
        if name == "lock":
            return RpcReply(ok=True)
        raise RpcError("protocol", "operation-failed", message=f"syntax error: {name}")


RpcHandler = Callable[[etree._Element], RpcReply]


class Driven:
    """The core driven as the server face drives it: each ``RpcReceived`` is answered by
    ``handler`` (an ``RpcError`` it raises becomes the reply's error), every other request gets
    the core's own answer; replies accumulate for :meth:`data_to_send`."""

    def __init__(self, session_id: int, handler: RpcHandler, **kwargs: object) -> None:
        self.core = NetconfSession(session_id, **kwargs)  # type: ignore[arg-type]
        self.handler = handler
        self._out = bytearray()

    def start(self) -> None:
        self._out += self.core.start()

    def receive_data(self, data: bytes) -> None:
        self.core.receive_data(data)
        while (event := self.core.next_event()) is not None:
            if isinstance(event, RpcReceived):
                try:
                    reply = self.handler(event.operation)
                except RpcError as exc:
                    reply = RpcReply(errors=[exc])
                self._out += self.core.reply(event, reply)
            elif isinstance(event, RpcRejected | CloseRequested):
                self._out += self.core.reply(event)

    def data_to_send(self) -> bytes:
        out = bytes(self._out)
        self._out.clear()
        return out

    @property
    def state(self) -> SessionState:
        return self.core.state

    @property
    def closed(self) -> bool:
        return self.core.closed

    @property
    def framing(self) -> FramingMode:
        return self.core.framing

    @property
    def close_reason(self) -> str | None:
        return self.core.close_reason

    @property
    def client_capabilities(self) -> tuple[str, ...]:
        return self.core.client_capabilities


def client_hello(*caps: str, extra: str = "") -> bytes:
    """Return an EOM-framed client hello listing ``caps``."""
    body = "".join(f"<capability>{c}</capability>" for c in caps)
    xml = (
        f'<?xml version="1.0" encoding="UTF-8"?><hello xmlns="{NETCONF_BASE_NS}">'
        f"<capabilities>{body}</capabilities>{extra}</hello>"
    )
    return encode(xml.encode(), FramingMode.EOM)


def rpc(op: str, attrs: str = ' message-id="101"') -> bytes:
    """Return an unframed namespaced ``<rpc>`` holding ``op``."""
    return f'<rpc xmlns="{NETCONF_BASE_NS}"{attrs}>{op}</rpc>'.encode()


def decode_all(data: bytes, mode: FramingMode) -> list[etree._Element]:
    """Return every framed message in ``data``, parsed."""
    buf = ReceiveBuffer(mode)
    buf.feed(data)
    out = []
    while (message := buf.next_message()) is not None:
        out.append(etree.fromstring(message.strip()))
    assert not buf.pending
    return out


Factory = Callable[..., Driven]


@pytest.fixture
def handler() -> FakeHandler:
    return FakeHandler()


@pytest.fixture
def make_session(handler: FakeHandler) -> Factory:
    def make(*caps: str, **kwargs: object) -> Driven:
        kwargs.setdefault("reply_nsmap", {"junos": JUNOS_NS})
        # Both framings are exercised here: the server offers base:1.1 as well (the default
        # hello, Junos's base:1.0-only one, is checked in test_netconf_hello.py).
        kwargs.setdefault("capabilities", offering_base_1_1())
        session = Driven(4242, handler, **kwargs)
        session.start()
        session.data_to_send()  # the server hello, checked in its own tests
        if caps:
            session.receive_data(client_hello(*caps))
        return session

    return make


def exchange(session: Driven, message: bytes) -> etree._Element:
    """Send one unframed message in the session's framing; return the one reply."""
    mode = session.framing
    session.receive_data(encode(message, mode))
    (reply,) = decode_all(session.data_to_send(), mode)
    return reply


def errors_of(reply: etree._Element) -> list[etree._Element]:
    return reply.findall(f"{NC}rpc-error")


# --- hello ---------------------------------------------------------------------------------


def test_server_hello_is_junos_shaped_eom_framed_with_preamble(handler: FakeHandler) -> None:
    session = Driven(7478, handler, hello_preamble=PREAMBLE)
    session.start()
    wire = session.data_to_send()
    assert wire.startswith(PREAMBLE.encode() + b"\n<hello")
    assert wire.endswith(b"]]>]]>")
    (hello,) = decode_all(wire, FramingMode.EOM)
    caps = [c.text for c in hello.iter(f"{NC}capability")]
    assert caps == list(DEFAULT_CAPABILITIES)
    assert hello.findtext(f"{NC}session-id") == "7478"
    assert session.state is SessionState.AWAIT_HELLO


def test_bare_preamble_is_wrapped_and_bad_preamble_refused(handler: FakeHandler) -> None:
    session = Driven(1, handler, hello_preamble="No zombies were killed")
    session.start()
    assert session.data_to_send().startswith(b"<!-- No zombies were killed -->\n")
    with pytest.raises(ValueError):
        Driven(1, handler, hello_preamble="a -- b")


def test_start_twice_and_data_before_start_are_protocol_errors(handler: FakeHandler) -> None:
    session = Driven(1, handler)
    with pytest.raises(ProtocolError):
        session.receive_data(b"<hello/>")
    session.start()
    with pytest.raises(ProtocolError):
        session.start()


def test_base_1_0_client_stays_on_eom(make_session: Factory) -> None:
    session = make_session(BASE_1_0)
    assert session.state is SessionState.ESTABLISHED
    assert session.framing is FramingMode.EOM
    assert session.client_capabilities == (BASE_1_0,)
    reply = exchange(session, rpc("<lock/>"))
    assert reply.find(f"{NC}ok") is not None


def test_base_1_1_client_switches_to_chunked_in_the_same_feed(make_session: Factory) -> None:
    session = make_session()
    session.receive_data(
        client_hello(BASE_1_0, BASE_1_1) + encode(rpc("<lock/>"), FramingMode.CHUNKED)
    )
    assert session.framing is FramingMode.CHUNKED
    wire = session.data_to_send()
    assert wire.startswith(b"\n#") and wire.endswith(b"\n##\n")
    (reply,) = decode_all(wire, FramingMode.CHUNKED)
    assert reply.get("message-id") == "101"


def test_server_without_base_1_1_keeps_eom_for_a_1_1_client(make_session: Factory) -> None:
    session = make_session(BASE_1_0, BASE_1_1, capabilities=[BASE_1_0])
    assert session.framing is FramingMode.EOM


@pytest.mark.parametrize(
    "hello",
    [
        pytest.param(client_hello(BASE_1_0, extra="<session-id>4</session-id>"), id="session-id"),
        pytest.param(client_hello("urn:x:only"), id="no-base-capability"),
        pytest.param(encode(b"<hello><capabilities>", FramingMode.EOM), id="not-well-formed"),
        pytest.param(encode(rpc("<get/>"), FramingMode.EOM), id="rpc-before-hello"),
    ],
)
def test_bad_client_hello_closes_without_reply(make_session: Factory, hello: bytes) -> None:
    session = make_session()
    session.receive_data(hello)
    assert session.closed
    assert session.close_reason
    assert session.data_to_send() == b""


def test_second_hello_closes(make_session: Factory) -> None:
    session = make_session(BASE_1_0)
    session.receive_data(client_hello(BASE_1_0))
    assert session.closed
    assert "HelloReceived" in (session.close_reason or "")


# --- rpc envelope --------------------------------------------------------------------------


def test_every_rpc_attribute_is_echoed(make_session: Factory) -> None:
    session = make_session(BASE_1_0)
    attrs = ' message-id="m-7" xmlns:ex="urn:ex" ex:user="lab" junk="1"'
    reply = exchange(session, rpc("<lock/>", attrs))
    assert dict(reply.attrib) == {"message-id": "m-7", "{urn:ex}user": "lab", "junk": "1"}


def test_reply_carries_base_default_namespace_and_reply_nsmap(make_session: Factory) -> None:
    session = make_session(BASE_1_0)
    session.receive_data(encode(rpc("<get-route-engine-information/>"), FramingMode.EOM))
    wire = session.data_to_send()
    assert wire.startswith(
        f'<rpc-reply xmlns="{NETCONF_BASE_NS}" xmlns:junos="{JUNOS_NS}" message-id="101">'.encode()
    )
    (reply,) = decode_all(wire, FramingMode.EOM)
    assert reply.tag == f"{NC}rpc-reply"
    assert reply.nsmap == {None: NETCONF_BASE_NS, "junos": JUNOS_NS}
    # No <ok/> when there is data (RFC 6241 section 4.2).
    assert reply.find(f"{NC}ok") is None


def test_reply_nsmap_cannot_remap_default_namespace(handler: FakeHandler) -> None:
    with pytest.raises(ValueError):
        Driven(1, handler, reply_nsmap={None: "urn:other"})


def test_handler_gets_the_unnamespaced_operation_element_itself(
    make_session: Factory, handler: FakeHandler
) -> None:
    session = make_session(BASE_1_0)
    exchange(session, rpc('<get-route-engine-information xmlns=""/>'))
    (op,) = handler.seen
    assert op.tag == "get-route-engine-information"


def test_body_elements_keep_their_namespace_and_errors_come_first(
    make_session: Factory, handler: FakeHandler
) -> None:
    owned = etree.fromstring('<doc><info xmlns="urn:chassis"><re>0</re></info></doc>')

    def answer(op: etree._Element) -> RpcReply:
        warning = RpcError("protocol", "operation-failed", "warning", "Could not connect to re0")
        return RpcReply(body=[owned[0]], errors=[warning], ok=True)

    session = Driven(9, answer)
    session.start()
    session.receive_data(client_hello(BASE_1_0))
    session.data_to_send()
    reply = exchange(session, rpc("<get-software-information/>"))
    assert [local_name(child) for child in reply] == ["rpc-error", "info", "ok"]
    assert reply[1].tag == "{urn:chassis}info"
    assert len(owned) == 1  # the handler's tree is left alone


def test_unknown_operation_gets_the_handlers_rpc_error(make_session: Factory) -> None:
    session = make_session(BASE_1_0)
    reply = exchange(session, rpc("<get-bogus-information/>"))
    assert reply.get("message-id") == "101"
    (error,) = errors_of(reply)
    assert error.findtext(f"{NC}error-type") == "protocol"
    assert error.findtext(f"{NC}error-tag") == "operation-failed"
    assert error.findtext(f"{NC}error-message") == "syntax error: get-bogus-information"
    assert reply.find(f"{NC}ok") is None


def test_malformed_xml_answered_then_session_goes_on(make_session: Factory) -> None:
    session = make_session(BASE_1_0, BASE_1_1)
    reply = exchange(session, b'<rpc message-id="55" xmlns="x"><get><</rpc>')
    assert reply.get("message-id") == "55"
    (error,) = errors_of(reply)
    assert error.findtext(f"{NC}error-type") == "rpc"
    assert error.findtext(f"{NC}error-tag") == "malformed-message"
    assert session.state is SessionState.ESTABLISHED
    good = exchange(session, rpc("<lock/>", ' message-id="56"'))
    assert good.get("message-id") == "56"
    assert good.find(f"{NC}ok") is not None


def test_malformed_xml_without_message_id_gets_reply_without_it(make_session: Factory) -> None:
    session = make_session(BASE_1_0)
    reply = exchange(session, b"<<<")
    assert "message-id" not in reply.attrib
    assert errors_of(reply)[0].findtext(f"{NC}error-tag") == "malformed-message"


def test_entities_are_not_expanded(make_session: Factory, handler: FakeHandler) -> None:
    session = make_session(BASE_1_0)
    doc = b'<!DOCTYPE rpc [<!ENTITY x "boom">]>' + rpc("<lock>&x;</lock>")
    exchange(session, doc)
    assert "boom" not in etree.tostring(handler.seen[0]).decode()


@pytest.mark.parametrize("ops", ["", "<lock/><get/>"])
def test_rpc_needs_exactly_one_operation(make_session: Factory, ops: str) -> None:
    session = make_session(BASE_1_0)
    reply = exchange(session, rpc(ops))
    assert errors_of(reply)[0].findtext(f"{NC}error-tag") == "operation-failed"
    assert session.state is SessionState.ESTABLISHED


def test_close_session_replies_ok_then_closes(make_session: Factory) -> None:
    session = make_session(BASE_1_0, BASE_1_1)
    session.receive_data(
        encode(rpc("<close-session/>"), FramingMode.CHUNKED)
        + encode(rpc("<lock/>", ' message-id="102"'), FramingMode.CHUNKED)
    )
    assert session.closed
    assert session.close_reason == "close-session"
    (reply,) = decode_all(session.data_to_send(), FramingMode.CHUNKED)
    assert reply.get("message-id") == "101"
    assert reply.find(f"{NC}ok") is not None
    session.receive_data(encode(rpc("<lock/>"), FramingMode.CHUNKED))
    assert session.data_to_send() == b""


def test_kill_session_is_not_supported(make_session: Factory) -> None:
    session = make_session(BASE_1_0)
    reply = exchange(session, rpc("<kill-session><session-id>3</session-id></kill-session>"))
    assert errors_of(reply)[0].findtext(f"{NC}error-tag") == "operation-not-supported"


def test_internal_error_names_the_exception_type_only() -> None:
    error = RpcError.internal(KeyError("slot 7 of /secret/path"))
    assert (error.error_type, error.tag) == (ErrorType.APPLICATION, ErrorTag.OPERATION_FAILED)
    assert error.message == "internal error: KeyError"


def test_peer_eof_and_framing_violation_close(make_session: Factory) -> None:
    eof = make_session(BASE_1_0)
    eof.receive_data(b"")
    assert eof.closed and eof.close_reason == "peer EOF"
    broken = make_session(BASE_1_0, BASE_1_1)
    broken.receive_data(b"]]>]]>")
    assert broken.closed
    assert (broken.close_reason or "").startswith("framing error")


def test_oversized_message_closes(make_session: Factory) -> None:
    session = make_session(BASE_1_0, max_message_size=200)
    session.receive_data(encode(rpc("<lock/>" * 100), FramingMode.EOM))
    assert session.closed


# --- the pull contract: receive_data buffers, next_event decodes, reply renders --------------


def established(*caps: str) -> NetconfSession:
    session = NetconfSession(77, capabilities=offering_base_1_1())
    session.start()
    session.receive_data(client_hello(*(caps or (BASE_1_0,))))
    assert isinstance(session.next_event(), HelloReceived)
    return session


def test_pull_receive_data_only_buffers() -> None:
    session = established()
    session.receive_data(encode(rpc("<lock/>"), FramingMode.EOM))
    assert session.awaiting_reply == 0  # nothing decoded until next_event()
    event = session.next_event()
    assert isinstance(event, RpcReceived)
    assert local_name(event.operation) == "lock" and event.attributes == {"message-id": "101"}
    assert session.next_event() is None
    (reply,) = decode_all(session.reply(event, RpcReply(ok=True)), FramingMode.EOM)
    assert reply.find(f"{NC}ok") is not None and reply.get("message-id") == "101"


def test_pull_events_of_a_pipelined_feed_come_one_at_a_time_in_order() -> None:
    session = established(BASE_1_0, BASE_1_1)
    session.receive_data(b"".join(
        encode(rpc(op, f' message-id="{n}"'), FramingMode.CHUNKED)
        for n, op in enumerate(["<lock/>", "<kill-session/>", "<close-session/>", "<get/>"])))
    first, second, third = session.next_event(), session.next_event(), session.next_event()
    assert isinstance(first, RpcReceived) and isinstance(second, RpcRejected)
    assert isinstance(third, CloseRequested) and session.closed
    assert session.next_event() is None  # the <get/> after close-session is never decoded
    with pytest.raises(ProtocolError):
        session.reply(second)  # replies keep request order (RFC 6241 section 4.1)
    ids = [decode_all(session.reply(e, r), FramingMode.CHUNKED)[0].get("message-id")
           for e, r in ((first, RpcReply(ok=True)), (second, None), (third, None))]
    assert ids == ["0", "1", "2"]
    with pytest.raises(ProtocolError):
        session.reply(third)  # answered already


def test_pull_an_rpc_needs_the_callers_reply() -> None:
    session = established()
    session.receive_data(encode(rpc("<lock/>"), FramingMode.EOM))
    event = session.next_event()
    assert isinstance(event, RpcReceived)
    with pytest.raises(ProtocolError):
        session.reply(event)


def test_pull_messages_before_eof_come_first() -> None:
    session = established()
    session.receive_data(encode(rpc("<lock/>"), FramingMode.EOM))
    session.receive_data(b"")
    assert isinstance(session.next_event(), RpcReceived)
    assert isinstance(session.next_event(), PeerEOF)
    assert session.closed and session.next_event() is None


def test_pull_rpc_before_hello_is_a_violation_event() -> None:
    session = NetconfSession(5)
    session.start()
    session.receive_data(encode(rpc("<get/>"), FramingMode.EOM))
    event = session.next_event()
    assert isinstance(event, Violation) and "RpcReceived" in event.reason
    assert session.closed


def test_netconf_package_imports_no_ssh_library() -> None:
    import ast
    import pathlib

    import emulator.netconf

    for path in pathlib.Path(emulator.netconf.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            for name in names:
                assert name.split(".")[0] not in {"paramiko", "asyncssh", "asyncio"}, path


# --- state table, errors, helpers ----------------------------------------------------------


def test_transition_table_refuses_illegal_pairs() -> None:
    hello = HelloReceived((BASE_1_0,))
    assert next_state(SessionState.AWAIT_HELLO, hello) is SessionState.ESTABLISHED
    assert next_state(SessionState.ESTABLISHED, CloseRequested({})) is SessionState.CLOSED
    illegal: list[tuple[SessionState, Event]] = [
        (SessionState.AWAIT_HELLO, RpcReceived({}, etree.Element("get"))),
        (SessionState.ESTABLISHED, hello),
        (SessionState.CLOSED, PeerEOF()),
        (SessionState.CLOSED, Violation("x")),
    ]
    for state, event in illegal:
        with pytest.raises(ProtocolError):
            next_state(state, event)


def test_rpc_error_renders_rfc6241_children_in_schema_order() -> None:
    error = RpcError(
        ErrorType.APPLICATION,
        "access-denied",
        message="permission denied",
        info={"bad-element": "get-permission-denied"},
        path="/rpc/get",
    )
    el = error.to_element()
    assert el.tag == f"{NC}rpc-error"
    assert [local_name(c) for c in el] == [
        "error-type", "error-tag", "error-severity", "error-path", "error-message", "error-info",
    ]
    assert el.findtext(f"{NC}error-severity") == "error"
    assert el.findtext(f"{NC}error-info/{NC}bad-element") == "get-permission-denied"
    assert error.tag is ErrorTag.ACCESS_DENIED
    assert error.severity is ErrorSeverity.ERROR
    assert str(error) == "permission denied"


def test_rpc_error_refuses_values_outside_rfc6241() -> None:
    with pytest.raises(ValueError):
        RpcError("bogus", "operation-failed")
    with pytest.raises(ValueError):
        RpcError("rpc", "not-a-tag")


def test_local_name_strips_namespace() -> None:
    assert local_name(etree.Element(f"{NC}get")) == "get"
    assert local_name(etree.Element("get-software-information")) == "get-software-information"


# --- ncclient accepts what the session sends -----------------------------------------------


class Recorder(SessionListener):  # type: ignore[misc]
    """Collects what ncclient's transport dispatches."""

    def __init__(self) -> None:
        self.raw: list[str] = []

    def callback(self, root: object, raw: str) -> None:
        self.raw.append(raw)

    def errback(self, ex: Exception) -> None:
        raise ex


@pytest.mark.parametrize("client_base", [BASE_1_0, BASE_1_1])
def test_ncclient_parser_accepts_hello_with_preamble_and_replies(
    handler: FakeHandler, client_base: str
) -> None:
    # ncclient's own SSH transport parser, fed the bytes the way its run loop feeds them.
    nc = SSHSession(JunosDeviceHandler({"name": "junos"}))
    hello_seen: list[tuple[str, list[str]]] = []
    nc.add_listener(HelloHandler(lambda sid, caps: hello_seen.append((sid, list(caps))), None))
    recorder = Recorder()
    nc.add_listener(recorder)

    session = Driven(7478, handler, hello_preamble=PREAMBLE, reply_nsmap={"junos": JUNOS_NS})
    session.start()
    nc.parser.parse(session.data_to_send())
    ((sid, caps),) = hello_seen
    assert sid == "7478"
    assert ":candidate" in " ".join(caps)

    session.receive_data(client_hello(BASE_1_0, client_base))
    if session.framing is FramingMode.CHUNKED:
        nc._base = NetconfBase.BASE_11  # what ncclient's _post_connect does after both hellos
    mode = session.framing
    session.receive_data(encode(rpc("<get-route-engine-information/>"), mode))
    session.receive_data(encode(rpc("<get-bogus/>", ' message-id="102"'), mode))
    nc.parser.parse(session.data_to_send())

    data_raw, error_raw = recorder.raw[-2:]
    data = NcRPCReply(data_raw)
    data.parse()
    assert data.ok
    error = NcRPCReply(error_raw)
    error.parse()
    assert not error.ok
    assert error.error.tag == "operation-failed"
    assert error.error.message == "syntax error: get-bogus"


# ------------------------------------------------------------------ oversized requests
def _shortest_names() -> Iterator[str]:
    """Distinct XML names, shortest first (a..z, A..Z, then two letters)."""
    letters = string.ascii_letters
    yield from letters
    for first in letters:
        for second in letters:
            yield first + second


@pytest.mark.parametrize("kind", ["attributes", "depth"])
def test_requests_over_a_limit_are_refused_and_none_is_shorter_than_the_walks_bound(
        kind: str) -> None:
    # The shortest well-formed <rpc> over each limit: every shorter one skips the walk.
    if kind == "attributes":
        names = itertools.islice(_shortest_names(), messages.MAX_ATTRIBUTES + 1)
        attrs = "".join(f' {n}=""' for n in names)
        raw = f"<rpc{attrs}><get/></rpc>".encode()
    else:
        levels = messages.MAX_DEPTH  # the <rpc> is the first level
        raw = b"<rpc>" + b"<a>" * (levels - 1) + b"<a/>" + b"</a>" * (levels - 1) + b"</rpc>"
    assert len(raw) >= messages._CANNOT_BE_OVERSIZED
    event = messages.classify(raw, messages.new_parser())
    assert isinstance(event, RpcRejected) and event.error.tag is ErrorTag.TOO_BIG
    one_less = messages.classify(raw.replace(b' a=""', b"", 1) if kind == "attributes"
                                 else raw.replace(b"<a/>", b"", 1), messages.new_parser())
    assert not (isinstance(one_less, RpcRejected) and one_less.error.tag is ErrorTag.TOO_BIG)
