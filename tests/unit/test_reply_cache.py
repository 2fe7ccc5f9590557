"""Kept replies (issue 15): a reply rendered once is the same bytes as one rendered per request,
rows marked read-only change nothing in the model, and the router's version moves with every
call that may change it, so a kept reply is never one the model would not compute again."""

from __future__ import annotations

import collections
import contextlib
import enum
import functools
import types
from collections.abc import Mapping
from typing import Any

import pytest
from lxml import etree

from emulator.commands.context import CommandContext
from emulator.commands.dispatch import Dispatcher
from emulator.commands.operational import TABLE
from emulator.incidents import ErrorLog
from emulator.limits import DEFAULT_LIMITS
from emulator.model.chassis import Scope
from emulator.model.clock import VirtualClock
from emulator.model.router import RouterModel, RouterParams
from emulator.netconf import NETCONF_BASE_NS, NetconfSession, RpcError, RpcReceived, RpcReply
from emulator.netconf.render import render_reply, reply_document, with_attributes
from emulator.runtime import ReplyCache, RouterRuntime
from tests.unit.test_runtime import FakeLoop

NSMAP: dict[str | None, str] = {None: NETCONF_BASE_NS, "junos": "http://xml.juniper.net/junos/x"}


def _tree_reply(attributes: Mapping[str, str], body: list[etree._Element]) -> bytes:
    """The reply as one lxml tree writes it: the reference for the rendered documents."""
    root = etree.Element(f"{{{NETCONF_BASE_NS}}}rpc-reply", nsmap=NSMAP)
    for name, value in attributes.items():
        root.set(name, value)
    for element in body:
        root.append(element)
    return etree.tostring(root, encoding="utf-8") + b"\n"


def _body() -> list[etree._Element]:
    conf = etree.Element("configuration")
    conf.set("{http://xml.juniper.net/junos/x}commit-user", "root")
    etree.SubElement(etree.SubElement(conf, "system"), "host-name").text = "r1 & <r2>"
    return [conf]


@pytest.mark.parametrize("attributes", [
    {"message-id": "101"},
    {"message-id": "a\"b&c<d>e\tf\ng\rh", "x": "é'"},
    {"message-id": "1", "other": "2", "junk": ""},
    {},
])
def test_a_document_with_the_requests_attributes_is_the_tree_lxml_writes(
        attributes: dict[str, str]) -> None:
    document = reply_document(RpcReply(body=_body()), NSMAP)
    assert with_attributes(document, attributes) == _tree_reply(attributes, _body())
    assert render_reply(attributes, RpcReply(body=_body()), NSMAP) == _tree_reply(attributes,
                                                                                  _body())


def test_a_namespaced_attribute_is_rendered_as_a_tree_and_refused_in_a_document() -> None:
    attributes = {"message-id": "1", "{urn:other}mark": "y"}
    assert render_reply(attributes, RpcReply(ok=True), NSMAP).startswith(
        b'<rpc-reply xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"')
    with pytest.raises(ValueError):
        with_attributes(reply_document(RpcReply(ok=True), NSMAP), attributes)
    session = NetconfSession(7)
    assert not session.takes_document(RpcReceived(attributes, etree.Element("x")))


def test_reply_with_a_document_is_the_reply_framed() -> None:
    session = NetconfSession(7, reply_nsmap={"junos": "http://xml.juniper.net/junos/x"})
    session.start()
    session.receive_data(b'<hello xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"><capabilities>'
                         b"<capability>urn:ietf:params:netconf:base:1.0</capability>"
                         b"</capabilities></hello>]]>]]>")
    for message_id in (b"1", b"2"):
        session.receive_data(b'<rpc message-id="' + message_id + b'" xmlns="urn:ietf:params:xml:'
                             b'ns:netconf:base:1.0"><get-software-information/></rpc>]]>]]>')
    session.next_event()
    first, second = session.next_event(), session.next_event()
    assert isinstance(first, RpcReceived) and isinstance(second, RpcReceived)
    document = session.document(RpcReply(body=_body()))
    assert session.reply_with(first, document) == (
        _tree_reply({"message-id": "1"}, _body()) + b"]]>]]>")
    assert session.reply(second, RpcReply(body=_body())) == (
        _tree_reply({"message-id": "2"}, _body()) + b"]]>]]>")


# ------------------------------------------------------------------ read-only rows
#: What holds code rather than state (timer callbacks, the platform's functions).
_OPAQUE = (types.FunctionType, types.MethodType, types.BuiltinFunctionType, types.ModuleType,
           functools.partial, type)


def _state(obj: Any, memo: dict[int, Any] | None = None) -> Any:
    """Return everything ``obj`` holds as plain values (functions and cycles as markers); an
    object reached twice is walked once (``memo``)."""
    memo = {} if memo is None else memo
    if obj is None or isinstance(obj, str | bytes | int | float | bool):
        return obj
    key = id(obj)
    if key in memo:
        return memo[key]
    memo[key] = "<cycle>"  # until the walk below returns
    memo[key] = value = _walk(obj, memo)
    return value


def _walk(obj: Any, memo: dict[int, Any]) -> Any:
    if isinstance(obj, enum.Enum):
        return f"{type(obj).__name__}.{obj.name}"
    if isinstance(obj, etree._Element):
        return etree.tostring(obj)
    if isinstance(obj, _OPAQUE):
        return "<code>"
    if isinstance(obj, dict):
        return sorted((repr(k), _state(v, memo)) for k, v in obj.items())
    if isinstance(obj, list | tuple):
        return [_state(v, memo) for v in obj]
    if isinstance(obj, set | frozenset):
        return sorted(repr(_state(v, memo)) for v in obj)
    fields: dict[str, Any] = {}
    for cls in type(obj).__mro__:
        for name in getattr(cls, "__slots__", ()):
            if hasattr(obj, name):
                fields[name] = getattr(obj, name)
    fields.update(getattr(obj, "__dict__", {}))
    if isinstance(obj, collections.deque):
        return [_state(v, memo) for v in obj]
    if not fields:  # itertools.count and other state only their repr shows
        return repr(obj)
    return (type(obj).__name__, sorted((k, _state(v, memo)) for k, v in fields.items()))


def _model() -> RouterModel:
    model = RouterModel(RouterParams(name="r1", platform="MX480", hostname="host"),
                        VirtualClock())
    model.chassis.reboot(1, Scope.LOCAL)  # timers pending, a log growing: more to keep still
    model.clock.advance(30.0)
    return model


READ_ONLY = [row for row in TABLE.rows if row.read_only]


def test_the_rows_that_matter_for_polling_are_read_only() -> None:
    names = {row.rpc for row in READ_ONLY}
    assert {"get-route-engine-information", "get-config", "get-configuration", "get-log",
            "get-software-information", "get-fpc-information"} <= names
    assert not names & {"clear-log", "commit-configuration", "load-configuration", "lock",
                        "unlock", "edit-config", "discard-changes", "validate", "file-copy",
                        "request-chassis-routing-engine-switch", "open-configuration"}


@pytest.mark.parametrize("row", READ_ONLY, ids=lambda row: row.rpc)
@pytest.mark.parametrize("slot", [0, 1])
def test_a_read_only_row_changes_nothing_in_the_model(row: Any, slot: int) -> None:
    model = _model()
    before = _state(model)
    ctx = CommandContext(model, slot, "lab", session_id=1001)
    calls = [etree.Element(row.rpc), etree.Element(row.rpc, format="text")]
    if row.words:
        calls.append(etree.Element("command"))
        calls[-1].text = row.cli
    dispatcher = Dispatcher(model)
    for op in calls:
        with contextlib.suppress(RpcError):  # a refusal is fine: it must change nothing either
            dispatcher.dispatch(ctx, op, control=False)
    assert _state(model) == before


# ------------------------------------------------------------------ the version
def _runtime() -> RouterRuntime:
    model = RouterModel(RouterParams(name="r1", platform="MX480"), VirtualClock())
    return RouterRuntime(model, FakeLoop(), real_time=False,  # type: ignore[arg-type]
                         errors=ErrorLog(), limits=DEFAULT_LIMITS)


def test_a_read_only_dispatch_keeps_the_version_and_anything_else_moves_it() -> None:
    rt = _runtime()
    ctx = CommandContext(rt.model, 0, "lab", session_id=1001)
    start = rt.version
    rt.dispatch(ctx, etree.Element("get-route-engine-information"), control=False)
    assert rt.version == start
    rt.resolve_slot("re0")
    assert rt.version == start
    clear = etree.Element("clear-log")
    etree.SubElement(clear, "filename").text = "mastership"
    rt.dispatch(ctx, clear, control=False)
    assert rt.version == start + 1
    rt.run(lambda: None)  # EmulatorServer.call and the CLI go through run: it may change
    assert rt.version == start + 2
    with pytest.raises(RpcError):
        rt.dispatch(ctx, etree.Element("no-such-rpc"), control=False)
    assert rt.version == start + 3


def test_real_time_keeps_no_reply() -> None:
    model = RouterModel(RouterParams(name="r1"), VirtualClock())
    rt = RouterRuntime(model, FakeLoop(), real_time=True,  # type: ignore[arg-type]
                       errors=ErrorLog(), limits=DEFAULT_LIMITS)
    assert rt.replies is None


def test_the_cache_answers_only_its_version_and_forgets_the_oldest_first() -> None:
    cache = ReplyCache(limit=2)
    cache.put(1, "a", b"A")
    assert cache.get(1, "a") == b"A" and cache.get(2, "a") is None
    cache.put(1, "b", b"B")
    cache.put(1, "c", b"C")
    assert (cache.get(1, "a"), cache.get(1, "c"), len(cache)) == (None, b"C", 2)
    cache.put(2, "d", b"D")
    assert (cache.get(1, "b"), cache.get(2, "d"), len(cache)) == (None, b"D", 1)
