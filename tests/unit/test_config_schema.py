"""The Junos configuration schema (emulator.model.schema) and what it decides: which statements
exist, their types and ranges, choices, mandatory statements, and the Junos layout of a
realistic MX lab base configuration in every format."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from emulator.model.config import (
    CommitCheckError,
    ConfigDatabase,
    ConfigNode,
    ConfigSyntaxError,
    ConfigValueError,
    parse_set,
    parse_text,
    parse_xml,
    render_set,
    render_text,
    render_xml,
)
from emulator.model.config_syntax import Mode, Word, spell
from emulator.model.schema import ROOT, Kind, lookup

DATA = Path(__file__).parent / "data"
#: A realistic MX lab base configuration, as ``show configuration`` prints it.
BASE_TEXT = (DATA / "mx-lab-base.conf").read_text()
#: The same configuration as ``show configuration | display set`` prints it.
BASE_SET = (DATA / "mx-lab-base.set").read_text()

#: The typos of issue 12: each was accepted, checked and committed before the schema.
TYPOS = [
    ("set chassis redundancy failover on-loss-of-keepalive", "on-loss-of-keepalive",
     "syntax error"),
    ("set chassis redundancy graceful-switchower", "graceful-switchower", "syntax error"),
    ("set chassis redundancy routing-engine 2 master", "2",
     "Value 2 is not within range (0..1)"),
    ("set chassis redundancy routing-engine 0 foo", "foo", "syntax error"),
    ("set chassis foo bar", "foo", "syntax error"),
    ("set system bogus-knob 1", "bogus-knob", "syntax error"),
]


def _words(line: str) -> list[Word]:
    return [Word(w) for w in line.split()]


# ------------------------------------------------------------------ coverage
@pytest.mark.parametrize("path", [
    "system host-name", "system domain-name", "system time-zone",
    "system root-authentication encrypted-password", "system login user class",
    "system login class permissions", "system services ssh", "system services netconf ssh",
    "system syslog file contents", "system ntp server", "system processes routing failover",
    "system commit synchronize",
    "chassis redundancy routing-engine master", "chassis redundancy failover "
    "on-loss-of-keepalives", "chassis redundancy failover on-disk-failure",
    "chassis redundancy keepalive-time", "chassis redundancy graceful-switchover",
    "chassis fpc pic", "groups", "apply-groups", "system apply-groups",
    "chassis redundancy apply-groups", "interfaces interface description",
    "interfaces interface disable", "interfaces interface unit family inet address",
    "interfaces interface unit family inet6 address",
    "routing-options static route next-hop", "routing-options router-id",
    "routing-options autonomous-system", "protocols ospf area interface",
    "protocols isis interface level", "protocols bgp group neighbor",
    "protocols lldp interface", "snmp community", "policy-options policy-statement term "
    "then accept",
])
def test_the_schema_covers_a_lab_routers_base_configuration(path: str) -> None:
    assert lookup(path.split()) is not None, path


def test_keepalive_time_is_typed_and_ranged_as_in_the_yang() -> None:
    keepalive = lookup(["chassis", "redundancy", "keepalive-time"])
    assert keepalive is not None and keepalive.kind is Kind.LEAF
    assert keepalive.value_help() == "Time before Routing Engine failover (2..10000 seconds)"
    role = lookup(["chassis", "redundancy", "routing-engine"])
    assert role is not None and role.kind is Kind.LIST and role.placeholder == "<slot>"
    assert {c.name for c in role.children if c.choice == "priority"} == {
        "master", "backup", "disabled"}


# ------------------------------------------------------------------ the lab base configuration
def test_base_configuration_renders_back_unchanged_in_every_format() -> None:
    parsed = parse_text(BASE_TEXT)
    assert parsed.problems == []
    tree = parsed.tree
    assert render_text(tree) == BASE_TEXT
    assert "".join(line + "\n" for line in render_set(tree)) == BASE_SET
    from_set = ConfigDatabase()
    from_set.load(BASE_SET, format="set")
    assert from_set.candidate == tree
    from_xml, _ = parse_xml(etree.tostring(render_xml(tree)))
    assert from_xml == tree


def test_base_configuration_loads_and_commits_unchanged() -> None:
    for data, fmt in ((BASE_TEXT, "text"), (BASE_SET, "set")):
        db = ConfigDatabase()
        db.load(data, format=fmt, action="override" if fmt == "text" else "merge")
        assert db.commit(1.0, "lab").changed
        assert db.committed_text() == BASE_TEXT
        # What each RE runs: its re0/re1 group and the common group inherited.
        running = render_text(db.effective(1))
        assert "host-name mx-lab-re1;" in running and "interactive-commands any;" in running
        assert "groups" not in running


def test_junos_display_rules_of_the_base_configuration() -> None:
    """Oneliners, merged family, grouped lists, nokeyword values, as Junos shows them."""
    for line in ("        routing-engine 0 master;", "    autonomous-system 64512;",
                 "        route 0.0.0.0/0 next-hop 10.0.0.254;", "            family iso;",
                 "    name-server {\n        10.0.0.53;", "            0.0.0.0/0 restrict;",
                 "            any notice;", "    backup-router 10.0.0.254 destination "
                 "10.255.0.0/16;", "            level 1 disable;", "            then accept;",
                 "    community lab members 64512:100;", "        server 10.0.0.123 prefer;"):
        assert line in BASE_TEXT
    assert "set routing-options autonomous-system 64512" in BASE_SET


# ------------------------------------------------------------------ refusals
@pytest.mark.parametrize(("line", "bad", "message"), TYPOS)
def test_each_typo_of_the_issue_is_refused_in_every_format(line: str, bad: str,
                                                          message: str) -> None:
    db = ConfigDatabase()
    with pytest.raises(ConfigSyntaxError) as by_set:
        db.load(line, format="set")
    assert (by_set.value.bad_element, str(by_set.value)) == (bad, message)
    words = line.split()[1:]
    text = " { ".join(words[:-1]) + f" {words[-1]};" + " }" * (len(words) - 2)
    with pytest.raises(ConfigSyntaxError):
        db.load(text, format="text")
    assert not db.modified


def test_a_value_outside_its_type_is_refused_with_junos_wording() -> None:
    refusals = {
        "set system login user lab uid 99": "Value 99 is not within range (100..64000)",
        "set protocols ospf area 0 interface lo0.0 metric 0":
            "Value 0 is not within range (1..65535)",
        "set protocols ospf area 0 interface lo0.0 hello-interval x":
            "Invalid numeric value: 'x'",
        "set interfaces fe0/0/0 description x": "invalid interface type in 'fe0/0/0'",
        "set routing-options router-id 10.0.0.300": "Invalid IP address: '10.0.0.300'",
        "set system host-name " + "h" * 256: "Length 256 is not within range (1..255)",
    }
    for line, message in refusals.items():
        with pytest.raises(ConfigValueError) as err:
            parse_set(line)
        assert str(err.value) == message
    with pytest.raises(ConfigSyntaxError) as err:  # an enumeration's unknown word
        parse_set("set system services ssh root-login maybe")
    assert err.value.bad_element == "maybe" and str(err.value) == "syntax error"


def test_a_missing_value_is_refused() -> None:
    with pytest.raises(ConfigSyntaxError) as err:
        parse_set("set system host-name")
    assert (err.value.bad_element, str(err.value)) == ("host-name",
                                                       "syntax error, expecting <data>")


def test_xml_load_names_the_unknown_element() -> None:
    db = ConfigDatabase()
    with pytest.raises(ConfigSyntaxError) as err:
        db.load("<configuration><chassis><redundancy><graceful-switchower/></redundancy>"
                "</chassis></configuration>", format="xml")
    assert err.value.bad_element == "graceful-switchower"
    assert not db.modified


# ------------------------------------------------------------------ schema semantics
def test_choice_cases_replace_each_other() -> None:
    db = ConfigDatabase()
    db.load("set routing-options static route 10.0.0.0/8 next-hop 192.0.2.1\n"
            "set routing-options static route 10.0.0.0/8 discard", format="set")
    assert "route 10.0.0.0/8 discard;" in render_text(db.candidate)
    assert "next-hop" not in render_text(db.candidate)


def test_area_numbers_are_stored_dotted_as_junos_does() -> None:
    spelled = spell(_words("protocols ospf area 0 interface lo0.0"))
    assert spelled.path[-1].key == "0.0.0.0"
    assert spelled.tip == ConfigNode.entry("interface", "lo0.0")


def test_statements_show_in_schema_order_whatever_order_they_were_set_in() -> None:
    db = ConfigDatabase()
    db.load("set system services ssh\nset system host-name r1\n"
            "set system login user a class super-user", format="set")
    assert render_set(db.candidate) == ["set system host-name r1",
                                        "set system login user a class super-user",
                                        "set system services ssh"]


def test_abbreviations_are_the_clis_not_the_loads() -> None:
    spelled = spell(_words("chas red failover on-loss-of-keepalive"), abbreviate=True)
    assert spelled.tip.name == "on-loss-of-keepalives"
    with pytest.raises(ConfigSyntaxError):
        spell(_words("chas red failover on-loss-of-keepalives"))
    with pytest.raises(ConfigSyntaxError) as err:
        spell(_words("chassis redundancy failover on"), abbreviate=True)
    assert str(err.value) == "'on' is ambiguous."
    assert [w for w, _ in err.value.completions][:2] == ["on-loss-of-keepalives",
                                                         "on-re-to-fpc-stale"]


def test_patterns_stop_at_a_list_or_a_leaf() -> None:
    spelled = spell(_words("system login user"), mode=Mode.PATTERN)
    assert (spelled.tip.name, spelled.tip.key) == ("user", None)
    with pytest.raises(ConfigSyntaxError):
        spell(_words("system login user"))


def test_mandatory_statement_missing_fails_the_commit_with_junos_lines() -> None:
    db = ConfigDatabase()
    db.load("set system login user bob uid 2000", format="set")
    with pytest.raises(CommitCheckError) as err:
        db.commit(1.0, "root")
    missing = err.value.missing
    assert [(m.edit_path, m.statement, m.message()) for m in missing] == [
        ("[edit system login]", "user bob", "Missing mandatory statement: 'class'")]
    assert err.value.summary() == ("configuration check-out failed: (missing mandatory "
                                   "statements)")
    assert db.committed.children == []
    db.load("set groups users system login user bob class operator\nset apply-groups users",
            format="set")
    assert db.commit(2.0, "root").changed  # inherited from a group: the check is satisfied


def test_partial_load_reports_each_refused_statement_and_loads_the_rest() -> None:
    db = ConfigDatabase()
    text = ("protocols {\n    ospf {\n        topology default {\n            metric 10;\n"
            "        }\n        area 0 {\n            interface lo0.0;\n        }\n    }\n}\n"
            "system {\n    host-name r1;\n    bogus-knob 1;\n}\n")
    loaded = db.load(text, format="text", partial=True)
    report = [(p.error.line, p.error.end, p.error.bad_element, str(p.error), p.edit_path,
               p.statement) for p in loaded.problems]
    assert report == [
        (3, 16, "topology", "syntax error", "[edit protocols ospf]", "'topology default {'"),
        (5, 9, "}", "error recovery ignores input until this point",
         "[edit protocols ospf]", "'}'"),
        (13, 14, "bogus-knob", "syntax error", "[edit system]", "'bogus-knob 1;'"),
    ]
    assert render_set(db.candidate) == ["set system host-name r1",
                                        "set protocols ospf area 0.0.0.0 interface lo0.0"]
    with pytest.raises(ConfigSyntaxError):
        ConfigDatabase().load(text, format="text")  # all or nothing by default


def test_root_schema_lists_the_hierarchies_in_display_order() -> None:
    assert [c.name for c in ROOT.children] == [
        "version", "groups", "apply-groups", "apply-groups-except", "system", "chassis",
        "interfaces", "snmp", "routing-options", "protocols", "policy-options"]
