"""Requests classified from the memo (issue 15): a request the memo answers is the event
:func:`classify` returns for it, whatever its text, and the memo answers the repeats a client
sends (every poll, every ``get-config``) without parsing them again."""

from __future__ import annotations

import pytest
from lxml import etree

from emulator.netconf import (
    CloseRequested,
    HelloReceived,
    NetconfSession,
    RpcReceived,
    RpcRejected,
)
from emulator.netconf.messages import RequestMemo, classify, new_parser

BASE = "urn:ietf:params:xml:ns:netconf:base:1.0"
GET_CONFIG = "<get-config><source><running/></source></get-config>"

#: Requests with ``{id}`` where a message-id goes: each is sent with several ids.
REQUESTS = [
    # the shapes clients send: a counter, ncclient's declaration, prefix and urn:uuid
    f'<rpc message-id="{{id}}" xmlns="{BASE}">{GET_CONFIG}</rpc>',
    f'<?xml version="1.0" encoding="UTF-8"?><nc:rpc xmlns:nc="{BASE}" '
    f'message-id="urn:uuid:{{id}}"><get-route-engine-information/></nc:rpc>',
    # message-id after other attributes, a namespace the operation does not use
    f'<rpc xmlns="{BASE}" xmlns:junos="http://xml.juniper.net/junos/x" a="1" '
    f'message-id="{{id}}"><get-configuration junos:x="y"/></rpc>',
    f'<rpc\n  message-id="{{id}}"\txmlns="{BASE}"><get-software-information/></rpc>',
    # a message-id-like text inside another attribute's value, quoted both ways
    f"<rpc foo='x message-id=\"{{id}}\"' message-id=\"{{id}}\" xmlns=\"{BASE}\">{GET_CONFIG}</rpc>",
    f"<rpc foo='x message-id=\"{{id}}\"' message-id=\"7\" xmlns=\"{BASE}\">{GET_CONFIG}</rpc>",
    f'<rpc foo="x message-id=&quot;{{id}}&quot;" message-id="{{id}}" xmlns="{BASE}">'
    f"{GET_CONFIG}</rpc>",
    f"<rpc message-id='{{id}}' xmlns=\"{BASE}\">{GET_CONFIG}</rpc>",
    # refusals and the other events
    f'<rpc message-id="{{id}}" message-id="2" xmlns="{BASE}">{GET_CONFIG}</rpc>',
    f'<rpc message-id="{{id}}" xmlns="{BASE}"><get/><get/></rpc>',
    f'<rpc message-id="{{id}}" xmlns="{BASE}"></rpc>',
    f'<rpc message-id="{{id}}" xmlns="{BASE}"><close-session/></rpc>',
    f'<rpc message-id="{{id}}" xmlns="{BASE}"><kill-session><session-id>3</session-id>'
    f"</kill-session></rpc>",
    f'<rpc message-id="{{id}}" xmlns="{BASE}"><get>',
    f'<rpc message-id="{{id}}" xmlns="{BASE}">&undefined;</rpc>',
    f'<hello xmlns="{BASE}" message-id="{{id}}"><capabilities><capability>'
    f"urn:ietf:params:netconf:base:1.0</capability></capabilities></hello>",
    f'<!-- {{id}} --><rpc message-id="{{id}}" xmlns="{BASE}">{GET_CONFIG}</rpc>',
    f'<rpc message-id="{{id}}">{GET_CONFIG}</rpc>',
]

#: Message-ids each request is sent with: the memo's tokens, then ones it leaves to the parser.
IDS = ["7", "1", "2", "urn:uuid:0f9e-77", "3", "a b", "x&amp;y", "4\u00e9", "5"]


def _shape(event: object) -> tuple[object, ...]:
    """What a caller can see of an event: its kind, attributes in order, and its tree."""
    if isinstance(event, RpcReceived):
        op = event.own_operation()
        return ("rpc", list(event.attributes.items()), etree.tostring(op), op.nsmap,
                op.getparent().attrib if op.getparent() is not None else None)
    if isinstance(event, RpcRejected):
        return ("rejected", list(event.attributes.items()), event.error.tag,
                event.error.message)
    if isinstance(event, CloseRequested):
        return ("close", list(event.attributes.items()))
    if isinstance(event, HelloReceived):
        return ("hello", event.capabilities)
    return (type(event).__name__,)


@pytest.mark.parametrize("request_text", REQUESTS)
def test_every_request_is_what_classify_makes_of_it(request_text: str) -> None:
    memo, parser = RequestMemo(), new_parser()
    for message_id in IDS:
        raw = request_text.replace("{id}", message_id).encode()
        assert _shape(memo.classify(raw, parser)) == _shape(classify(raw, new_parser())), raw


def test_a_repeat_with_another_message_id_is_not_parsed_again() -> None:
    memo, parser = RequestMemo(), new_parser()
    text = f'<rpc message-id="{{id}}" xmlns="{BASE}" a="b">{GET_CONFIG}</rpc>'
    first = memo.classify(text.replace("{id}", "7").encode(), parser)
    second = memo.classify(text.replace("{id}", "urn:uuid:8").encode(), parser)
    assert isinstance(first, RpcReceived) and isinstance(second, RpcReceived)
    assert second.operation is first.operation  # the kept tree: no parse
    assert list(second.attributes.items()) == [("message-id", "urn:uuid:8"), ("a", "b")]
    assert first.template == second.template == text.replace("{id}", "").encode()
    assert len(memo) == 1


def test_a_handler_gets_its_own_tree() -> None:
    memo, parser = RequestMemo(), new_parser()
    text = (f'<rpc message-id="{{id}}" xmlns="{BASE}" xmlns:junos="urn:j">'
            f"<load-configuration><configuration/></load-configuration></rpc>")
    first = memo.classify(text.replace("{id}", "1").encode(), parser)
    second = memo.classify(text.replace("{id}", "2").encode(), parser)
    assert isinstance(first, RpcReceived) and isinstance(second, RpcReceived)
    own = second.own_operation()
    assert own is not second.operation
    assert own.nsmap == {None: BASE, "junos": "urn:j"}  # declared on <rpc>, still in scope
    assert own.getparent().get("message-id") == "2"
    own[0].append(etree.Element("system"))
    third = memo.classify(text.replace("{id}", "3").encode(), parser)
    assert isinstance(third, RpcReceived) and len(third.operation[0]) == 0


def test_an_untemplated_request_owns_its_tree() -> None:
    event = classify(f"<rpc xmlns=\"{BASE}\">{GET_CONFIG}</rpc>".encode(), new_parser())
    assert isinstance(event, RpcReceived) and event.template is None
    assert event.own_operation() is event.operation


def test_the_memo_keeps_its_limit_and_no_long_request() -> None:
    memo, parser = RequestMemo(limit=2, max_bytes=200), new_parser()
    for name in ("a", "b", "c"):
        memo.classify(f'<rpc message-id="1" xmlns="{BASE}"><{name}/></rpc>'.encode(), parser)
    assert len(memo) == 2
    first = memo.classify(f'<rpc message-id="1" xmlns="{BASE}"><a/></rpc>'.encode(), parser)
    again = memo.classify(f'<rpc message-id="2" xmlns="{BASE}"><a/></rpc>'.encode(), parser)
    assert isinstance(first, RpcReceived) and isinstance(again, RpcReceived)
    assert again.operation is first.operation  # "a" was forgotten, then kept again
    long = f'<rpc message-id="{{id}}" xmlns="{BASE}"><a>{"x" * 200}</a></rpc>'
    one = memo.classify(long.replace("{id}", "1").encode(), parser)
    two = memo.classify(long.replace("{id}", "2").encode(), parser)
    assert isinstance(one, RpcReceived) and isinstance(two, RpcReceived)
    assert one.template is None and two.operation is not one.operation


def test_sessions_sharing_a_memo_keep_their_own_order_and_ids() -> None:
    memo = RequestMemo()
    hello = (f'<hello xmlns="{BASE}"><capabilities><capability>urn:ietf:params:netconf:base:1.0'
             "</capability></capabilities></hello>]]>]]>").encode()
    sessions = [NetconfSession(n, memo=memo) for n in (1, 2)]
    for session in sessions:
        session.start()
        session.receive_data(hello)
        assert isinstance(session.next_event(), HelloReceived)
    for n, session in enumerate(sessions):
        session.receive_data(f'<rpc message-id="{n}" xmlns="{BASE}">{GET_CONFIG}</rpc>]]>]]>'
                             f'<rpc message-id="{n}0" xmlns="{BASE}">{GET_CONFIG}</rpc>]]>]]>'
                             .encode())
    reply = f'<rpc-reply xmlns="{BASE}"><ok/></rpc-reply>'.encode()
    for n, session in enumerate(sessions):
        ids = [str(n), f"{n}0"]
        events = [session.next_event() for _ in ids]
        assert all(isinstance(e, RpcReceived) for e in events)
        assert [e.attributes["message-id"] for e in events] == ids  # type: ignore[union-attr]
        for message_id, event in zip(ids, events, strict=True):
            assert f'message-id="{message_id}"'.encode() in session.reply_with(
                event, reply)  # type: ignore[arg-type]
    assert len(memo) == 1
