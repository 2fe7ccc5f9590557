"""Junos JSON (``emulator.commands.junos_json``): written from the XML it stands for, so the two
cannot disagree; the configuration JSON loads back to the same configuration."""

from __future__ import annotations

import json
from typing import Any

import pytest
from lxml import etree

from emulator.commands.junos_json import (
    JsonConfigError,
    config_json,
    config_xml_from_json,
    operational_json,
)
from emulator.model import config as cfg
from tests.shared import sample_path

SAMPLES = [
    "get-route-engine-information.dual.mx480.pyez.xml",
    "get-chassis-inventory.mx480-dual-re.pyez.xml",
    "command.show-version-invoke-on-all-routing-engines.dual.mx480.pyez.xml",
    "file-list.dir.pyez.xml",
]


def _reply_children(name: str) -> list[etree._Element]:
    root = etree.parse(str(sample_path(name))).getroot()
    return [el for el in root if isinstance(el.tag, str) and etree.QName(el).localname != "cli"]


def _xml_of(name: str, obj: dict[str, Any]) -> etree._Element:
    """Rebuild an element from its JSON object (the inverse of the convention)."""
    el = etree.Element(name)
    for key, value in obj.items():
        if key == "attributes":
            for attr, text in value.items():
                if attr != "xmlns":
                    el.set(attr.split(":")[-1], text)
        elif key == "data":
            el.text = None if value == [None] else value
        else:
            for item in value:
                el.append(_xml_of(key, item))
    return el


def _plain(el: etree._Element) -> etree._Element:
    """``el`` without namespaces or comments; attributes by local name; blank text dropped."""
    out = etree.Element(etree.QName(el).localname,
                        {etree.QName(k).localname: v for k, v in el.attrib.items()})
    children = [c for c in el if isinstance(c.tag, str)]
    if children:
        out.extend(_plain(c) for c in children)
    else:
        out.text = el.text
    return out


@pytest.mark.parametrize("name", SAMPLES)
def test_operational_json_holds_exactly_the_xml(name: str) -> None:
    elements = _reply_children(name)
    document = json.loads(operational_json(elements))
    assert list(document) == [etree.QName(el).localname for el in elements]
    for el in elements:
        (obj,) = document[etree.QName(el).localname]
        rebuilt = _xml_of(etree.QName(el).localname, obj)
        assert etree.tostring(rebuilt) == etree.tostring(_plain(el))


def test_operational_json_follows_junos_conventions() -> None:
    (reply,) = _reply_children("get-route-engine-information.dual.mx480.pyez.xml")
    document = json.loads(operational_json([reply]))
    (info,) = document["route-engine-information"]
    assert info["attributes"] == {"xmlns": etree.QName(reply).namespace}
    first = info["route-engine"][0]
    assert first["slot"] == [{"data": "0"}]
    assert first["temperature"][0]["attributes"] == {"junos:celsius": "32"}
    assert "attributes" not in first["slot"][0]  # the namespace is declared once


def test_empty_element_is_null_data() -> None:
    el = etree.fromstring("<a><b/><c>x</c></a>")
    assert json.loads(operational_json([el])) == {
        "a": [{"b": [{"data": [None]}], "c": [{"data": "x"}]}]}


def test_layout_is_junos_s() -> None:
    """Junos writes ``"key" : value`` members ending in ``", "``, arrays of objects opening on
    the member's line and attributes on one line (PyEZ's get-route-information.json)."""
    el = etree.fromstring('<r xmlns="urn:x"><s n="1">a</s></r>')
    assert operational_json([el]) == (
        '{\n'
        '    "r" : [\n'
        '    {\n'
        '        "attributes" : {"xmlns" : "urn:x"}, \n'
        '        "s" : [\n'
        '        {\n'
        '            "attributes" : {"n" : "1"}, \n'
        '            "data" : "a"\n'
        '        }\n'
        '        ]\n'
        '    }\n'
        '    ]\n'
        '}\n')


CONFIG = """set system host-name r1
set system services netconf ssh port 830
set system commit synchronize
set chassis redundancy graceful-switchover
set chassis redundancy routing-engine 0 master
set chassis redundancy routing-engine 1 backup
set chassis redundancy keepalive-time 300
set groups re0 system host-name r1-re0
set groups re1 system host-name r1-re1
set apply-groups re0
set apply-groups re1
"""


def _tree() -> cfg.ConfigNode:
    db = cfg.ConfigDatabase()
    db.load(CONFIG, format="set", action="merge")
    return db.candidate


def test_configuration_json_shape() -> None:
    document = json.loads(config_json(_tree(), {"junos:commit-user": "root"}))
    conf = document["configuration"]
    assert conf["@"] == {"junos:commit-user": "root"}
    assert conf["apply-groups"] == ["re0", "re1"]
    assert [g["name"] for g in conf["groups"]] == ["re0", "re1"]
    assert conf["system"]["services"]["netconf"]["ssh"]["port"] == 830
    assert conf["system"]["commit"]["synchronize"] == [None]
    redundancy = conf["chassis"]["redundancy"]
    assert redundancy["routing-engine"] == [{"name": 0, "master": [None]},
                                            {"name": 1, "backup": [None]}]
    assert redundancy["graceful-switchover"] == [None]


def test_configuration_json_loads_back_to_the_same_configuration() -> None:
    tree = _tree()
    back, _ = cfg.parse_xml(config_xml_from_json(config_json(tree)))
    assert cfg.render_set(back) == cfg.render_set(tree)


def test_inactive_statements_survive_the_round_trip() -> None:
    db = cfg.ConfigDatabase()
    db.load(CONFIG + "deactivate system commit\n", format="set", action="merge")
    document = json.loads(config_json(db.candidate))
    assert document["configuration"]["system"]["commit"]["@"] == {"inactive": True}
    back, _ = cfg.parse_xml(config_xml_from_json(config_json(db.candidate)))
    assert cfg.render_set(back) == cfg.render_set(db.candidate)


@pytest.mark.parametrize("text", ["{", "[]", '{"configuration": 1}', '{"system": {}}'])
def test_bad_configuration_json_is_refused(text: str) -> None:
    with pytest.raises(JsonConfigError, match="syntax error"):
        config_xml_from_json(text)


def test_operation_attributes_reach_the_xml() -> None:
    conf = config_xml_from_json(
        '{"configuration": {"system": {"@": {"operation": "delete"}}}}')
    assert conf.find("system").get("operation") == "delete"
