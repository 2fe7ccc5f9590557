"""The harness session's own RPC path (harness.session): requests as ncclient words them, each
reply handed to the waiter of its message-id, and reply elements equal to what ncclient's Junos
handler makes of the same text (namespaces stripped, blank text dropped), errors judged as
ncclient judges them."""

from __future__ import annotations

import threading
from types import SimpleNamespace
from typing import Any

import pytest
from lxml import etree
from ncclient import manager as nc_manager
from ncclient.operations.rpc import RPC, RPCReply
from ncclient.transport import SessionListener
from ncclient.xml_ import NCElement

from harness.errors import RpcFailedError
from harness.session import (
    ConnectParams,
    PromptSSHSession,
    RESession,
    _request_text,
    strip_namespaces,
)
from tests.shared import sample_text

BASE = "urn:ietf:params:xml:ns:netconf:base:1.0"
SAMPLES = [
    "get-route-engine-information.dual.mx480.pyez.xml",
    "get-route-engine-information.multichassis-multi-re-results.txp.pyez.xml",
    "get-chassis-inventory.mx480-dual-re.pyez.xml",
    "get-configuration.full.pyez.xml",
    "get-software-information.single.pyez.xml",
    "command.text.show-configuration.pyez.xml",
    "command.show-version-invoke-on-all-routing-engines.other-re-off-error.pyez.xml",
    "request-reboot.pyez.xml",
    "get-switchover-information.backup-re.via-request-shell-execute.pyez.xml",
    "file-show.pyez.xml",
]
#: Namespaces on tags (default and prefixed), on attributes (one whose local name collides
#: with a plain attribute, xml:lang), a comment, mixed content, blank text, CDATA.
TRICKY = f"""<?xml version="1.0" encoding="UTF-8"?>
<nc:rpc-reply xmlns:nc="{BASE}" xmlns:junos="http://xml.juniper.net/junos/15.1F5/junos"
    message-id="urn:uuid:7">
  <route-engine-information xmlns="http://xml.juniper.net/junos/15.1F5/junos-chassis">
    <!-- a comment -->
    <route-engine junos:style="brief" style="plain" xml:lang="en">
      <slot>0</slot>
      <temperature junos:celsius="30">30 degrees C</temperature>
      <note>mixed <b>bold</b> tail</note>
      <blank>   </blank>
      <raw><![CDATA[a < b]]></raw>
    </route-engine>
  </route-engine-information>
</nc:rpc-reply>"""


def ncclient_reply(raw: str) -> etree._Element:
    """Return what ncclient 0.7.0's Junos handler returns for reply ``raw``."""
    reply = RPCReply(raw)
    reply.parse()
    handler = nc_manager.make_device_handler({"name": "junos"})
    doc: etree._Element = NCElement(reply, handler.transform_reply())._NCElement__doc
    return doc


def session() -> RESession:
    return RESession(ConnectParams("127.0.0.1", 1, "lab", label="unit"))


def stub_manager() -> Any:
    return SimpleNamespace(_device_handler=nc_manager.make_device_handler({"name": "junos"}))


def reply_of(raw: str, ignore_warnings: bool = True) -> etree._Element:
    return session()._reply(stub_manager(), raw, ignore_warnings)  # noqa: SLF001


@pytest.mark.parametrize("name", SAMPLES)
def test_replies_equal_the_junos_handlers_on_samples(name: str) -> None:
    raw = sample_text(name)
    assert etree.tostring(reply_of(raw)) == etree.tostring(ncclient_reply(raw))


def test_replies_equal_the_junos_handlers_on_namespaces_comments_and_blank_text() -> None:
    raw = TRICKY.split("?>", 1)[1].strip()  # ncclient refuses a declared encoding in a str
    ours = reply_of(raw)
    assert etree.tostring(ours) == etree.tostring(ncclient_reply(raw))
    engine = ours.find("route-engine-information/route-engine")
    assert engine is not None and engine.attrib == {"style": "plain", "lang": "en"}
    assert engine.findtext("temperature") == "30 degrees C"
    assert ours.findtext(".//raw") == "a < b" and ours.find(".//b").tail == " tail"
    assert not any("}" in str(node.tag) for node in ours.iter())
    assert "xmlns" not in etree.tostring(ours).decode()


def test_strip_namespaces_returns_a_copy() -> None:
    el = etree.fromstring(f'<rpc-reply xmlns="{BASE}"><data/></rpc-reply>')
    out = strip_namespaces(el)
    assert out.tag == "rpc-reply" and out[0].tag == "data"
    assert el.tag == f"{{{BASE}}}rpc-reply"


def test_the_request_is_worded_as_ncclient_words_it() -> None:
    handler = nc_manager.make_device_handler({"name": "junos"})
    stub = SimpleNamespace(_id="urn:uuid:42", _device_handler=handler)
    request = etree.fromstring('<get-configuration database="committed" format="text"/>')
    expected = RPC._wrap(stub, etree.fromstring(etree.tostring(request)))
    assert _request_text(request, "urn:uuid:42") == expected
    assert request.getparent() is None  # the caller's element is not moved into the wrapper


def error_reply(*severities: str, ok: bool = False, ns: str = BASE) -> str:
    errors = "".join(f"<rpc-error><error-severity>{s}</error-severity>"
                     f"<error-message>\n{s} {i}\n</error-message></rpc-error>"
                     for i, s in enumerate(severities))
    return (f'<rpc-reply xmlns="{ns}" message-id="m">{errors}<data>x</data>'
            f'{"<ok/>" if ok else ""}</rpc-reply>')


def test_an_error_fails_the_rpc_with_its_messages() -> None:
    with pytest.raises(RpcFailedError) as caught:
        reply_of(error_reply("error"))
    assert caught.value.errors == [("error", "error 0")]
    assert "error 0" in str(caught.value) and "rpc-error" in caught.value.reply


def test_a_junos_error_reply_fails_with_every_message() -> None:
    with pytest.raises(RpcFailedError) as caught:
        reply_of(sample_text("commit-configuration.utils.pyez.xml"))
    assert caught.value.errors == [("error", "interface-range 'axp' is not defined"),
                                   ("error", "interface-ranges expansion failed")]


def test_several_errors_are_all_reported() -> None:
    with pytest.raises(RpcFailedError) as caught:
        reply_of(error_reply("warning", "error"))
    assert caught.value.errors == [("warning", "warning 0"), ("error", "error 1")]


def test_warnings_alone_return_the_reply_unless_they_are_not_ignored() -> None:
    reply = reply_of(error_reply("warning", "warning"))
    assert reply.tag == "rpc-reply" and reply.findtext("data") == "x"
    with pytest.raises(RpcFailedError):
        reply_of(error_reply("warning"), ignore_warnings=False)


def test_errors_ncclient_does_not_see_are_not_raised() -> None:
    """ncclient looks for ``<rpc-error>`` in the base namespace only, and not at all when the
    reply says ``<ok/>``."""
    assert reply_of(error_reply("error", ns="urn:other")).findtext("data") == "x"
    assert reply_of(error_reply("error", ok=True)).find("ok") is not None


def test_a_reply_that_is_not_xml_fails_the_rpc_by_name() -> None:
    with pytest.raises(RpcFailedError, match="not well-formed"):
        reply_of('<rpc-reply message-id="m"><data></rpc-reply>')


class Heard(SessionListener):  # type: ignore[misc]
    """An ncclient session listener that keeps what it is told."""

    def __init__(self) -> None:
        self.messages: list[str] = []
        self.errors: list[Exception] = []

    def callback(self, root: Any, raw: str) -> None:
        self.messages.append(raw)

    def errback(self, err: Exception) -> None:
        self.errors.append(err)


def prompt_session() -> tuple[PromptSSHSession, Heard]:
    s = PromptSSHSession(nc_manager.make_device_handler({"name": "junos"}))
    heard = Heard()
    s.add_listener(heard)
    return s, heard


def test_an_awaited_reply_goes_to_its_waiter_without_its_declaration() -> None:
    s, heard = prompt_session()
    waiter = s.expect("urn:uuid:1")
    s._dispatch_message('<?xml version="1.0" encoding="UTF-8"?>\n'  # noqa: SLF001
                        f"<nc:rpc-reply xmlns:nc='{BASE}' message-id='urn:uuid:1'><ok/>"
                        "</nc:rpc-reply>")
    assert waiter.event.is_set() and waiter.raw is not None
    assert waiter.raw.lstrip().startswith("<nc:rpc-reply") and heard.messages == []


def test_other_messages_go_to_ncclient() -> None:
    s, heard = prompt_session()
    waiter = s.expect("urn:uuid:1")
    other = f'<rpc-reply xmlns="{BASE}" message-id="urn:uuid:2"><ok/></rpc-reply>'
    hello = f'<hello xmlns="{BASE}"><session-id>4</session-id></hello>'
    s._dispatch_message(other)  # noqa: SLF001
    s._dispatch_message(hello)  # noqa: SLF001
    assert not waiter.event.is_set() and heard.messages == [other, hello]


def test_a_forgotten_waiter_gets_nothing() -> None:
    s, heard = prompt_session()
    waiter = s.expect("urn:uuid:1")
    s.forget(waiter)
    late = f'<rpc-reply xmlns="{BASE}" message-id="urn:uuid:1"><ok/></rpc-reply>'
    s._dispatch_message(late)  # noqa: SLF001
    assert not waiter.event.is_set() and heard.messages == [late]


def test_a_lost_session_wakes_every_waiter_with_the_error() -> None:
    s, heard = prompt_session()
    waiters = [s.expect(f"urn:uuid:{i}") for i in range(2)]
    lost = EOFError("gone")
    woken = threading.Event()
    threading.Thread(target=lambda: woken.set() if waiters[0].event.wait(5) else None).start()
    s._dispatch_error(lost)  # noqa: SLF001
    assert woken.wait(5)
    assert all(w.error is lost and w.raw is None for w in waiters)
    assert heard.errors == [lost]
