"""Wire conformance of the sans-IO core (issue 13, point 3): the server hello is the real Junos
one (base:1.0 only) unless base:1.1 is offered on purpose, and an ``<rpc>`` without message-id
is answered as Junos answers it; the testbed knob that offers base:1.1 reaches the server."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from emulator.netconf import (
    BASE_1_0,
    BASE_1_1,
    DEFAULT_CAPABILITIES,
    JUNOS_CAPABILITIES,
    NETCONF_BASE_NS,
    CloseRequested,
    Event,
    FramingMode,
    HelloReceived,
    NetconfSession,
    RpcReceived,
    RpcRejected,
    RpcReply,
    encode,
    local_name,
    offering_base_1_1,
)
from emulator.testbed_bridge import router_entry
from re_contract.errors import TestbedError
from re_contract.testbed import load_testbed
from tests.netconf_hello import HELLOS, Hello, write_hello_testbed
from tests.shared import sample_path
from tests.unit.test_netconf_session import decode_all

NC = f"{{{NETCONF_BASE_NS}}}"


def sample_capabilities() -> list[str]:
    """Return the capabilities of the real Junos hello, in its order."""
    hello = etree.parse(str(sample_path("netconf-server-hello.junos.pyez-test_serial.xml")))
    return [(c.text or "").strip() for c in hello.iter(f"{NC}capability")]


def session_after_hello(*client_caps: str, **kwargs: object) -> NetconfSession:
    session = NetconfSession(7478, **kwargs)  # type: ignore[arg-type]
    session.start()
    body = "".join(f"<capability>{c}</capability>" for c in client_caps)
    session.receive_data(encode(
        f'<hello xmlns="{NETCONF_BASE_NS}"><capabilities>{body}</capabilities></hello>'.encode(),
        FramingMode.EOM))
    assert isinstance(session.next_event(), HelloReceived)
    return session


# --- the hello -------------------------------------------------------------------------------


def test_default_hello_is_the_real_junos_hello_capability_for_capability() -> None:
    assert list(JUNOS_CAPABILITIES) == sample_capabilities()
    assert DEFAULT_CAPABILITIES == JUNOS_CAPABILITIES and BASE_1_1 not in DEFAULT_CAPABILITIES
    session = NetconfSession(7478)
    (hello,) = decode_all(session.start(), FramingMode.EOM)
    assert [c.text for c in hello.iter(f"{NC}capability")] == sample_capabilities()


def test_offering_base_1_1_adds_it_after_base_1_0_and_changes_nothing_else() -> None:
    offered = offering_base_1_1()
    assert offered[:2] == (BASE_1_0, BASE_1_1)
    assert [c for c in offered if c != BASE_1_1] == sample_capabilities()
    assert offering_base_1_1(offered) == offered  # listed once however often it is asked
    assert offering_base_1_1(["urn:x"]) == (BASE_1_1, "urn:x")


@pytest.mark.parametrize("server_offers_1_1", [False, True])
def test_a_base_1_1_client_is_chunked_only_when_the_server_offers_it(
        server_offers_1_1: bool) -> None:
    caps = offering_base_1_1() if server_offers_1_1 else JUNOS_CAPABILITIES
    session = session_after_hello(BASE_1_0, BASE_1_1, capabilities=caps)
    expected = FramingMode.CHUNKED if server_offers_1_1 else FramingMode.EOM
    assert session.framing is expected
    session.receive_data(encode(
        f'<rpc xmlns="{NETCONF_BASE_NS}" message-id="1"><lock/></rpc>'.encode(), expected))
    event = session.next_event()
    assert isinstance(event, RpcReceived)
    (reply,) = decode_all(session.reply(event, RpcReply(ok=True)), expected)
    assert reply.get("message-id") == "1" and reply.find(f"{NC}ok") is not None


def test_a_base_1_0_client_stays_on_end_of_message_framing_either_way() -> None:
    session = session_after_hello(BASE_1_0, capabilities=offering_base_1_1())
    assert session.framing is FramingMode.EOM


# --- <rpc> without message-id ----------------------------------------------------------------


def exchange(session: NetconfSession, rpc: str, reply: RpcReply | None = None
             ) -> tuple[Event, etree._Element]:
    """Send ``rpc``; answer an RpcReceived with ``reply`` (others with the core's own)."""
    session.receive_data(encode(rpc.encode(), session.framing))
    event = session.next_event()
    assert isinstance(event, RpcReceived | RpcRejected | CloseRequested)
    (answer,) = decode_all(session.reply(event, reply), session.framing)
    return event, answer


def test_rpc_without_message_id_is_dispatched_and_answered_without_one() -> None:
    session = session_after_hello(BASE_1_0)
    body = etree.Element("route-engine-information")
    event, reply = exchange(session, "<rpc><get-route-engine-information/></rpc>",
                            RpcReply(body=[body]))
    assert isinstance(event, RpcReceived) and event.attributes == {}
    assert local_name(event.operation) == "get-route-engine-information"
    assert reply.tag == f"{NC}rpc-reply" and dict(reply.attrib) == {}
    assert [local_name(c) for c in reply] == ["route-engine-information"]
    assert reply.find(f"{NC}rpc-error") is None


def test_rpc_without_message_id_keeps_its_other_attributes_echoed() -> None:
    session = session_after_hello(BASE_1_0)
    _, reply = exchange(session, '<rpc xmlns:ex="urn:ex" ex:tag="7"><lock/></rpc>',
                        RpcReply(ok=True))
    assert dict(reply.attrib) == {"{urn:ex}tag": "7"}


def test_close_session_without_message_id_is_ok_and_closes() -> None:
    session = session_after_hello(BASE_1_0)
    event, reply = exchange(session, f'<rpc xmlns="{NETCONF_BASE_NS}"><close-session/></rpc>')
    assert isinstance(event, CloseRequested) and session.closed
    assert reply.find(f"{NC}ok") is not None and "message-id" not in reply.attrib


def test_a_message_id_is_still_echoed_when_given() -> None:
    session = session_after_hello(BASE_1_0)
    _, reply = exchange(session, '<rpc message-id="m-9"><lock/></rpc>', RpcReply(ok=True))
    assert reply.get("message-id") == "m-9"


# --- the testbed knob ------------------------------------------------------------------------


@pytest.mark.parametrize("hello", HELLOS, ids=lambda h: h.name)
def test_the_testbed_knob_sets_the_hello_the_router_offers(tmp_path: Path, hello: Hello
                                                           ) -> None:
    spec = load_testbed(write_hello_testbed(tmp_path, hello)).router("r1")
    assert spec.emulator is not None and spec.emulator.netconf_base_1_1 is hello.base_1_1
    expected = offering_base_1_1() if hello.base_1_1 else JUNOS_CAPABILITIES
    assert router_entry(spec).netconf_capabilities == expected


def test_the_knob_defaults_to_the_junos_hello_and_wants_a_boolean(tmp_path: Path) -> None:
    path = write_hello_testbed(tmp_path, HELLOS[0])
    text = path.read_text()
    default = path.with_name("default.yaml")
    default.write_text(text.replace("netconf_base_1_1: false", ""))
    settings = load_testbed(default).router("r1").emulator
    assert settings is not None and settings.netconf_base_1_1 is False
    bad = path.with_name("bad.yaml")
    bad.write_text(text.replace("netconf_base_1_1: false", "netconf_base_1_1: '1.1'"))
    with pytest.raises(TestbedError, match=r"routers\.r1\.emulator\.netconf_base_1_1: "
                                           r"expected true or false"):
        load_testbed(bad)
