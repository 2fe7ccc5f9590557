"""Tests of ``harness.rpcs``: each builder gives the element the Junos RPC names (NOTES.md
3.2-3.12), values escaped by lxml, bad arguments refused with a message naming the choices."""

from __future__ import annotations

import pytest
from lxml import etree

from harness import rpcs
from re_contract.control import CONTROL_NS
from re_contract.errors import ControlRpcError


def xml(el: etree._Element) -> str:
    return etree.tostring(el, encoding="unicode")


@pytest.mark.parametrize("method, tag", [
    ("switch", "request-chassis-routing-engine-switch"),
    ("acquire", "request-chassis-routing-engine-acquire"),
    ("release", "request-chassis-routing-engine-release"),
])
def test_switch_methods_send_their_rpc_without_confirmation(method: str, tag: str) -> None:
    request = rpcs.request_switch(rpcs.SwitchMethod.named(method))
    assert xml(request) == f"<{tag}><no-confirm/></{tag}>"


def test_switch_check_asks_only() -> None:
    el = rpcs.request_switch(rpcs.SwitchMethod.SWITCH, check=True)
    assert [c.tag for c in el] == ["check"]


@pytest.mark.parametrize("name", ["Switch", "toggle", ""])
def test_unknown_switch_method_names_the_choices(name: str) -> None:
    with pytest.raises(ValueError, match=r"expected one of \['acquire', 'release', 'switch'\]"):
        rpcs.SwitchMethod.named(name)


def test_halt_and_reboot_scopes() -> None:
    assert xml(rpcs.request_halt()) == "<request-halt/>"
    assert xml(rpcs.request_reboot(rpcs.ShutdownScope.BOTH)) == (
        "<request-reboot><both-routing-engines/></request-reboot>")
    assert xml(rpcs.request_power_on_other()) == (
        "<request-power-on><other-routing-engine/></request-power-on>")


def test_command_text_is_escaped_and_text_format_is_asked() -> None:
    el = rpcs.command("show log messages | match \"<E_&>\"")
    assert el.get("format") == "text"
    assert "&lt;E_&amp;&gt;" in xml(el)
    assert etree.fromstring(xml(el)).text == el.text
    assert rpcs.command("show version", text=False).get("format") is None


def test_load_configuration_formats() -> None:
    set_el = rpcs.load_configuration("set system host-name a&b", rpcs.ConfigFormat.SET)
    assert dict(set_el.attrib) == {"action": "set", "format": "text"}
    assert set_el.findtext("configuration-set") == "set system host-name a&b"
    text_el = rpcs.load_configuration("system { host-name x; }", rpcs.ConfigFormat.TEXT)
    assert dict(text_el.attrib) == {"action": "merge", "format": "text"}
    xml_el = rpcs.load_configuration("<configuration><system/></configuration>",
                                     rpcs.ConfigFormat.XML)
    assert dict(xml_el.attrib) == {"action": "merge"} and xml_el[0].tag == "configuration"


def test_load_configuration_refuses_bad_xml_and_formats() -> None:
    with pytest.raises(ValueError, match="not well-formed XML"):
        rpcs.load_configuration("<configuration>", rpcs.ConfigFormat.XML)
    with pytest.raises(ValueError, match=r"format: expected one of \['set', 'text', 'xml'\]"):
        rpcs.ConfigFormat.named("json")
    with pytest.raises(ValueError, match="rollback: expected 0 or more"):
        rpcs.load_rollback(-1)
    assert rpcs.load_rollback(3).get("rollback") == "3"


def test_commit_options_and_comment() -> None:
    el = rpcs.commit_configuration(check=True, synchronize=True, comment="a < b")
    assert [c.tag for c in el] == ["check", "synchronize", "log"]
    assert el.findtext("log") == "a < b"
    assert xml(rpcs.commit_configuration()) == "<commit-configuration/>"


def test_get_configuration_and_the_gres_filter() -> None:
    el = rpcs.get_configuration(inherit=True)
    assert dict(el.attrib) == {"database": "committed", "format": "text", "inherit": "inherit"}
    gres = rpcs.gres_configuration()
    assert gres.get("format") is None
    assert gres.find("configuration/chassis/redundancy") is not None


def test_control_rpcs_live_in_the_emulator_namespace() -> None:
    el = rpcs.control("kill-process", re="re1", name="rpd")
    assert etree.QName(el).namespace == CONTROL_NS
    assert [etree.QName(c).localname for c in el] == ["re", "name"]
    assert el.findtext(f"{{{CONTROL_NS}}}re") == "re1"


def test_control_rpcs_take_only_what_the_contract_declares() -> None:
    with pytest.raises(ControlRpcError, match="advance-clock: unknown argument 're-name'"):
        rpcs.control("advance-clock", seconds="1.5", re_name="re1")
    with pytest.raises(ControlRpcError, match="unknown control RPC 'advance-clok'"):
        rpcs.control("advance-clok", seconds="1")


def test_each_builder_returns_a_fresh_element() -> None:
    a, b = rpcs.get_route_engine_information(), rpcs.get_route_engine_information()
    a.append(etree.Element("extra"))
    assert len(b) == 0
    assert xml(rpcs.get_log("mastership")) == "<get-log><filename>mastership</filename></get-log>"
