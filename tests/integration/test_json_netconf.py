"""JSON over NETCONF and in the CLI (issue 13, point 2): ``format="json"`` on any RPC and on
``get-configuration``, ``<command format="json">``, ``| display json``, and
``load-configuration format="json"``; the JSON is the text of ``<rpc-reply>`` and says what
the XML reply says."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from lxml import etree
from ncclient import manager
from ncclient.operations import RaiseMode

from emulator.commands.junos_json import operational_json
from emulator.model.router import RouterModel
from tests.integration.conftest import Served
from tests.unit.test_cli import Term

NC = "urn:ietf:params:xml:ns:netconf:base:1.0"

OPERATIONAL = [
    "<get-route-engine-information/>",
    "<get-software-information/>",
    "<get-system-uptime-information/>",
    "<get-environment-information/>",
    "<file-list><detail/><path>/var/tmp</path></file-list>",
]


@pytest.fixture
def m(served: Served) -> Iterator[manager.Manager]:
    """A plain RFC 6241 ncclient session: replies as the router sent them (the Junos handler
    would strip their namespaces)."""
    host, port = served.endpoints["re0"]
    session = manager.connect(host=host, port=port, username="lab", password="lab123",
                              hostkey_verify=False, look_for_keys=False, allow_agent=False,
                              timeout=10)
    session.raise_mode = RaiseMode.NONE  # rpc-errors are looked at as data
    yield session
    session.close_session()


def _reply(m: manager.Manager, rpc: str | etree._Element) -> etree._Element:
    op = etree.fromstring(rpc) if isinstance(rpc, str) else rpc
    return etree.fromstring(m.dispatch(op).xml.encode())


def _json(m: manager.Manager, rpc: str | etree._Element) -> Any:
    reply = _reply(m, rpc)
    assert len(reply) == 0, etree.tostring(reply)  # nothing but the JSON text
    return json.loads(reply.text or "")


def _unqualified(el: etree._Element) -> etree._Element:
    """``el`` with the NETCONF namespace it inherited from ``<rpc-reply>`` taken off (the
    router wrote these elements without a namespace)."""
    for node in el.iter():
        if isinstance(node.tag, str) and etree.QName(node).namespace == NC:
            node.tag = etree.QName(node).localname
    etree.cleanup_namespaces(el)
    return el


def _document(screen: str) -> Any:
    """The JSON document the terminal shows before the next prompt."""
    return json.loads(screen[: screen.rindex("}") + 1])


def _with_format(rpc: str, fmt: str) -> etree._Element:
    el = etree.fromstring(rpc)
    el.set("format", fmt)
    return el


@pytest.mark.parametrize("rpc", OPERATIONAL)
def test_format_json_says_what_the_xml_says(m: manager.Manager, rpc: str) -> None:
    xml = [_unqualified(el) for el in _reply(m, rpc) if isinstance(el.tag, str)]
    assert _json(m, _with_format(rpc, "json")) == json.loads(operational_json(xml))


def test_command_format_json_and_display_json_agree(m: manager.Manager) -> None:
    by_format = _json(m, '<command format="json">show chassis routing-engine</command>')
    by_pipe = _json(m, "<command>show chassis routing-engine | display json</command>")
    by_rpc = _json(m, '<get-route-engine-information format="json"/>')
    assert by_format == by_pipe == by_rpc
    assert [r["slot"][0]["data"] for r in by_rpc["route-engine-information"][0]
            ["route-engine"]] == ["0", "1"]


def test_get_configuration_json(m: manager.Manager) -> None:
    document = _json(m, '<get-configuration format="json" database="committed"/>')
    conf = document["configuration"]
    assert conf["system"]["host-name"] == "r1"
    assert conf["@"]["junos:commit-user"] == "root"


def test_load_configuration_json_then_commit(m: manager.Manager) -> None:
    payload = json.dumps({"configuration": {"system": {
        "domain-name": "example.net",
        "syslog": {"file": [{"name": "interactive-commands", "contents": [
            {"name": "interactive-commands", "any": [None]}]}]}}}})
    load = etree.Element("load-configuration", format="json", action="merge")
    etree.SubElement(load, "configuration-json").text = payload
    results = _reply(m, load)
    assert results.find(f".//{{{NC}}}ok") is not None, etree.tostring(results)
    _reply(m, "<commit-configuration/>")
    conf = _json(m, '<get-configuration format="json" database="committed"/>')["configuration"]
    assert conf["system"]["domain-name"] == "example.net"
    assert conf["system"]["syslog"]["file"] == [{"name": "interactive-commands", "contents": [
        {"name": "interactive-commands", "any": [None]}]}]
    xml = _reply(m, '<get-configuration database="committed"/>')
    assert xml.findtext(".//{*}system/{*}domain-name") == "example.net"


def test_bad_json_is_refused_and_loads_nothing(m: manager.Manager) -> None:
    before = _json(m, '<get-configuration format="json"/>')["configuration"]
    load = etree.Element("load-configuration", format="json", action="merge")
    etree.SubElement(load, "configuration-json").text = '{"configuration": {"system": '
    results = _reply(m, load)
    assert "syntax error" in "".join(results.itertext())
    assert results.find(f".//{{{NC}}}ok") is None
    assert _json(m, '<get-configuration format="json"/>')["configuration"] == before


def test_cli_display_json_is_the_netconf_json(m: manager.Manager, served: Served) -> None:
    assert served.server is not None

    def screens(model: RouterModel) -> tuple[str, str]:
        term = Term(model, 0)
        return (term.run("show system uptime | display json"),
                term.run("show configuration | display json"))

    uptime, conf = served.server.call("r1", screens)  # in the server's loop, as the CLI runs
    shown, configuration = _document(uptime), _document(conf)
    assert shown == _json(m, '<get-system-uptime-information format="json"/>')
    assert configuration["configuration"]["system"]["host-name"] == "r1"
