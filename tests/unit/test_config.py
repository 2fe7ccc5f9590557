"""Unit tests of the configuration database (emulator.model.config and its helpers)."""

from __future__ import annotations

import re

import pytest
from lxml import etree

from emulator.model.config import (
    MAX_ROLLBACK,
    CommitCheckError,
    ConfigDatabase,
    ConfigLockedError,
    ConfigNode,
    ConfigSyntaxError,
    ConfigValueError,
    RedundancyConfig,
    RollbackNotFoundError,
    apply_groups,
    group_applies,
    host_name,
    keepalive_time_validator,
    parse_set,
    parse_text,
    parse_xml,
    redundancy_settings,
    render_compare,
    render_set,
    render_text,
    render_xml,
)
from emulator.model.config_tree import NodeKind
from emulator.model.errors import ModelError
from emulator.model.routing_engine import Role

# samples/config.groups-re0-re1.curly.vrnetlab-vmx.conf, verbatim.
VRNETLAB = """\
groups {
    re0 {
        system {
            host-name re0;
        }
        interfaces {
            fxp0 {
                unit 0 {
                    family inet {
                        address 10.0.0.15/24;
                    }
                }
            }
        }
    }
    re1 {
        system {
            host-name re1;
        }
        interfaces {
            fxp0 {
                unit 0 {
                    family inet {
                        address 10.0.0.16/24;
                    }
                }
            }
        }
    }
}
apply-groups [ re0 re1 ];
system {
    login {
        user vrnetlab {
            uid 2000;
            class super-user;
            authentication {
                encrypted-password "$6$CDmzGe/d$g43HmhI3FA.21JCYppnTg1h4q/JO4DOHSICLhhavqBem5zUTgKEcg5m9tBG1Ik6qmfb7L3v.wgj4/DkfgZejO0"; ## VR-netlab9
            }
        }
    }
    root-authentication {
        encrypted-password "$6$vOte4zs5$j1X3fElYvJSt8VPNXx2KzRNrZIkp9CeRX83/W4wQo5K4Tl/MHZeMcvbymEzm9/2ya3S4hU993YDSLY26ROGnW/"; ## VR-netlab9
    }
    services {
        ssh;
        extension-service {
            request-response {
                grpc {
                    clear-text {
                        port 57400;
                    }
                }
            }
        }
        netconf {
            ssh;
        }
    }
    syslog {
        user * {
            any emergency;
        }
        file messages {
            any notice;
            authorization info;
        }
        file interactive-commands {
            interactive-commands any;
        }
    }
}
chassis {
    fpc 0 {
        pic 0 {
            number-of-ports 96;
        }
    }
}
"""  # noqa: E501

# The chapter's "Sample Output [edit groups]" of "Use the Groups Configuration", verbatim.
CHAPTER_GROUPS = """\
re0 {
  system {
    host-name foo-re0;
  }
  interfaces {
    fxp0 {
      unit 0 {
        family inet {
          address 10.0.0.1/24;
        }
      }
    }
  }
}
re1 {
  system {
    host-name foo-re1;
  }
  interfaces {
    fxp0 {
      unit 0 {
        family inet {
          address 10.0.0.2/24;
        }
      }
    }
  }
}
"""

# samples/get-configuration.filtered-domain-name.pyez.xml, verbatim.
FILTERED_XML = """\
<rpc-reply xmlns:junos="http://xml.juniper.net/junos/16.1R1/junos">
    <configuration junos:commit-seconds="1481740774" junos:commit-localtime="2016-12-14 10:39:34 PST" junos:commit-user="user">
            <system>
                <domain-name>juniper.net</domain-name>
            </system>
        </configuration>
    </rpc-reply>
"""  # noqa: E501

REDUNDANCY_SET = """\
set chassis redundancy routing-engine 0 master
set chassis redundancy routing-engine 1 backup
set chassis redundancy failover on-loss-of-keepalives
set chassis redundancy keepalive-time 20
set chassis redundancy graceful-switchover
set system commit synchronize
set system processes routing failover other-routing-engine
set groups re0 system host-name r1-re0
set groups re0 interfaces fxp0 unit 0 family inet address 10.0.0.15/24
set groups re1 system host-name r1-re1
set groups re1 interfaces fxp0 unit 0 family inet address 10.0.0.16/24
set apply-groups [ re0 re1 ]
set system location building "lab router one"
"""


def _db(text: str = "", fmt: str = "set") -> ConfigDatabase:
    db = ConfigDatabase()
    if text:
        db.load(text, format=fmt)
        db.commit(100.0, "root", "setup")
    return db


def _addresses(root: ConfigNode) -> list[str]:
    unit = root.get("interfaces")
    assert unit is not None
    fxp0 = unit.child("interface", "fxp0")
    assert fxp0 is not None
    u0 = fxp0.child("unit", "0")
    assert u0 is not None
    inet = u0.get("family", "inet")
    assert inet is not None
    return [a.key or "" for a in inet.entries("address")]


# ------------------------------------------------------------------ 1. tree shapes
def test_set_statement_shapes_follow_the_rule_and_the_table() -> None:
    tree = ConfigDatabase()
    tree.load(REDUNDANCY_SET, format="set")
    root = tree.candidate
    red = root.get("chassis", "redundancy")
    assert red is not None
    re0 = red.child("routing-engine", "0")
    assert re0 is not None and re0.kind is NodeKind.ENTRY
    assert [c.name for c in re0.children] == ["master"]
    keepalive = red.child("keepalive-time")
    assert keepalive is not None and keepalive.kind is NodeKind.LEAF and keepalive.value == "20"
    gres = red.child("graceful-switchover")
    assert gres is not None and gres.kind is NodeKind.CONTAINER and not gres.children
    failover = red.get("failover", "on-loss-of-keepalives")
    assert failover is not None and failover.kind is NodeKind.CONTAINER
    apply = root.child("apply-groups")
    assert apply is not None and apply.kind is NodeKind.LEAF_LIST
    assert apply.values == ["re0", "re1"]
    assert [g.key for g in root.entries("groups")] == ["re0", "re1"]
    building = root.get("system", "location", "building")
    assert building is not None and building.value == "lab router one"


def test_role_is_a_choice_setting_master_removes_backup() -> None:
    db = _db("set chassis redundancy routing-engine 1 backup\n")
    db.load("set chassis redundancy routing-engine 1 master", format="set")
    entry = db.candidate.get("chassis", "redundancy")
    assert entry is not None
    re1 = entry.child("routing-engine", "1")
    assert re1 is not None and [c.name for c in re1.children] == ["master"]


def test_set_apply_groups_single_value_appends() -> None:
    db = _db("set apply-groups re0\n")
    db.load("set apply-groups re1\nset apply-groups re0", format="set")
    apply = db.candidate.child("apply-groups")
    assert apply is not None and apply.values == ["re0", "re1"]


def test_delete_removes_statement_and_leaf_list_value() -> None:
    db = _db(REDUNDANCY_SET)
    res = db.load("delete chassis redundancy keepalive-time\ndelete apply-groups re1\n"
                  "delete interfaces fxp0", format="set")
    assert db.candidate.get("chassis", "redundancy", "keepalive-time") is None
    apply = db.candidate.child("apply-groups")
    assert apply is not None and apply.values == ["re0"]
    assert res.warnings == ("statement not found: interfaces interface fxp0",)


def test_edit_up_top_make_set_commands_relative() -> None:
    db = ConfigDatabase()
    db.load("edit chassis redundancy\nset keepalive-time 30\ntop\nset system host-name x",
            format="set")
    assert redundancy_settings(db.candidate).keepalive_time == 30
    assert host_name(db.candidate) == "x"


def test_set_syntax_errors_name_the_bad_element() -> None:
    with pytest.raises(ConfigSyntaxError) as err:
        parse_set("sett system host-name x")
    assert err.value.bad_element == "sett"
    with pytest.raises(ConfigSyntaxError):
        parse_set("set apply-groups [ re0 re1")


# ------------------------------------------------------------------ 2. formats
def test_round_trip_set_text_xml() -> None:
    db = ConfigDatabase()
    db.load(REDUNDANCY_SET, format="set")
    from_set = db.candidate
    from_text = parse_text(render_text(from_set)).tree
    assert from_text == from_set
    from_xml, _ = parse_xml(etree.tostring(render_xml(from_text)))
    assert from_xml == from_set
    again = ConfigDatabase()
    again.load("\n".join(render_set(from_xml)), format="set")
    assert again.candidate == from_set


def test_render_text_matches_junos_layout() -> None:
    db = ConfigDatabase()
    db.load(REDUNDANCY_SET, format="set")
    text = render_text(db.candidate)
    assert text.startswith("groups {\n    re0 {\n        system {\n            host-name r1-re0;")
    assert "\napply-groups [ re0 re1 ];\n" in text
    assert "        routing-engine 0 master;\n" in text
    assert "                    family inet {\n" in text
    assert '        building "lab router one";\n' in text


def test_vrnetlab_sample_parses_and_renders_back() -> None:
    parsed = parse_text(VRNETLAB)
    assert parsed.problems == []
    tree = parsed.tree
    assert [g.key for g in tree.entries("groups")] == ["re0", "re1"]
    user = tree.get("system", "login")
    assert user is not None and user.child("user", "vrnetlab") is not None
    # Junos output, less the trailing "## VR-netlab9" comments, in schema order: Junos shows
    # root-authentication before login whatever order a loaded file had.
    text = re.sub(r" ## .*", "", VRNETLAB)
    rendered = render_text(tree)
    assert sorted(rendered.splitlines()) == sorted(text.splitlines())
    assert rendered.index("root-authentication {") < rendered.index("login {")
    assert render_text(parse_text(rendered).tree) == rendered


def test_comments_and_inactive_are_understood() -> None:
    text = """
    /* annotation */
    # a comment line
    system {
        inactive: host-name old;   ## trailing
        domain-name example.net;
    }
    """
    tree = parse_text(text).tree
    leaf = tree.get("system", "host-name")
    assert leaf is not None and leaf.inactive
    assert host_name(apply_groups(tree, 0)) is None
    assert "    inactive: host-name old;\n" in render_text(tree)
    assert "deactivate system host-name" in render_set(tree)


def test_text_syntax_errors() -> None:
    with pytest.raises(ConfigSyntaxError) as err:
        parse_text("system { host-name x; }\n}")
    assert err.value.bad_element == "}"
    with pytest.raises(ConfigSyntaxError):
        parse_text("system { host-name x;")
    # A leaf-list cannot open a block: the statement is refused, its block skipped.
    refused = parse_text("apply-groups [ a ] { x; }").problems
    assert [(p.error.bad_element, str(p.error)) for p in refused] == [
        ("{", "syntax error"), ("}", "error recovery ignores input until this point")]
    assert isinstance(ConfigSyntaxError("x"), ModelError)


def test_xml_sample_and_keyed_lists() -> None:
    tree, edits = parse_xml(FILTERED_XML)
    assert tree.get("system", "domain-name") is not None
    assert len(edits) == 1
    xml = """<configuration>
      <groups><name>re0</name><system><host-name>r1-re0</host-name></system></groups>
      <apply-groups>re0</apply-groups><apply-groups>re1</apply-groups>
      <chassis><redundancy>
        <routing-engine><name>0</name><master/></routing-engine>
        <keepalive-time>300</keepalive-time><graceful-switchover/>
      </redundancy></chassis></configuration>"""
    tree, _ = parse_xml(xml)
    assert render_set(tree) == [
        "set groups re0 system host-name r1-re0",
        "set apply-groups re0",
        "set apply-groups re1",
        "set chassis redundancy routing-engine 0 master",
        "set chassis redundancy keepalive-time 300",
        "set chassis redundancy graceful-switchover",
    ]
    out = etree.tostring(render_xml(tree)).decode()
    assert "<routing-engine><name>0</name><master/></routing-engine>" in out
    assert "<apply-groups>re0</apply-groups><apply-groups>re1</apply-groups>" in out


def test_xml_load_operations_delete_replace_inactive() -> None:
    db = _db(REDUNDANCY_SET)
    db.load("""<configuration xmlns:nc="urn:ietf:params:xml:ns:netconf:base:1.0">
      <chassis><redundancy>
        <keepalive-time nc:operation="delete"/>
        <routing-engine replace="replace"><name>1</name><disabled/></routing-engine>
      </redundancy></chassis>
      <apply-groups delete="delete">re1</apply-groups>
      <system><location inactive="inactive"/><host-name>body</host-name></system>
    </configuration>""", format="xml")
    s = redundancy_settings(apply_groups(db.candidate, 1))
    assert s.keepalive_time == 300
    assert s.roles == {0: Role.MASTER, 1: Role.DISABLED}
    assert host_name(apply_groups(db.candidate, 1)) == "body"
    location = db.candidate.get("system", "location")
    assert location is not None and location.inactive
    apply = db.candidate.child("apply-groups")
    assert apply is not None and apply.values == ["re0"]


def test_xml_syntax_error() -> None:
    with pytest.raises(ConfigSyntaxError):
        parse_xml("<configuration><system></configuration>")
    with pytest.raises(ConfigSyntaxError):
        parse_xml("<rpc-reply/>")


# ------------------------------------------------------------------ 3. database
def test_load_override_and_replace_tags() -> None:
    db = _db(REDUNDANCY_SET)
    db.load("system { host-name only; }", format="text", action="override")
    assert render_set(db.candidate) == ["set system host-name only"]
    db.rollback(0)
    db.load("chassis { redundancy { replace: routing-engine 1 { disabled; } } }\n"
            "system { delete: location; }", format="text", action="replace")
    s = redundancy_settings(db.candidate)
    assert s.roles[1] is Role.DISABLED
    assert db.candidate.get("system", "location") is None
    assert db.candidate.get("system", "processes") is not None  # merge kept the rest


def test_load_is_all_or_nothing() -> None:
    db = _db(REDUNDANCY_SET)
    before = db.candidate_text()
    with pytest.raises(ConfigSyntaxError):
        db.load("set system host-name changed\nbogus words", format="set")
    assert db.candidate_text() == before
    with pytest.raises(ConfigSyntaxError):
        db.load("x", format="json")
    with pytest.raises(ConfigSyntaxError):
        db.load("set a b", format="set", action="override")


def test_keepalive_time_range_is_refused_at_load() -> None:
    db = _db()
    with pytest.raises(ConfigValueError) as err:
        db.load("set chassis redundancy keepalive-time 1", format="set")
    assert str(err.value) == "Value 1 is not within range (2..10000)"
    assert err.value.bad_element == "1"
    assert db.candidate.children == [] and not db.modified
    db.load("set chassis redundancy keepalive-time 10000", format="set")
    assert db.commit(2.0, "root").changed
    assert redundancy_settings(db.effective(0)).keepalive_time == 10000
    with pytest.raises(ConfigValueError):  # in a group too
        db.load("set groups re1 chassis redundancy keepalive-time 10001", format="set")
    with pytest.raises(ConfigValueError):
        db.load("chassis { redundancy { keepalive-time 10001; } }", format="text")
    with pytest.raises(ConfigValueError):
        db.load("<configuration><chassis><redundancy><keepalive-time>1</keepalive-time>"
                "</redundancy></chassis></configuration>", format="xml")
    assert not db.modified


def test_keepalive_validator_bounds() -> None:
    def tree(value: str) -> ConfigNode:
        return ConfigNode("configuration", children=[ConfigNode.container("chassis", [
            ConfigNode.container("redundancy", [ConfigNode.leaf("keepalive-time", value)])])])

    assert keepalive_time_validator(tree("2")) == []
    assert keepalive_time_validator(tree("10000")) == []
    assert keepalive_time_validator(tree("10001")) == [
        "Value 10001 is not within range (2..10000)"]
    assert keepalive_time_validator(tree("abc")) == ["Invalid numeric value: 'abc'"]


def test_custom_validators_refuse_with_their_messages() -> None:
    db = ConfigDatabase()
    db.validators.append(
        lambda root: ["host-name required"] if host_name(root) is None else []
    )
    db.load("set chassis redundancy graceful-switchover", format="set")
    with pytest.raises(CommitCheckError, match="host-name required"):
        db.check()
    db.load("set system host-name r1", format="set")
    assert db.commit(5.0, "lab", check_only=True).check_only
    assert db.history == ()


def test_commit_records_history_and_rollback_1() -> None:
    db = _db("set system host-name one\n")
    db.load("set system host-name two", format="set")
    result = db.commit(200.0, "alice", "second")
    assert result.record is not None
    assert (result.record.time, result.record.user, result.record.log) == (200.0, "alice",
                                                                            "second")
    db.rollback(1)
    assert host_name(db.candidate) == "one"
    assert host_name(db.committed) == "two"
    assert db.compare() == (
        "[edit system]\n-  host-name two;\n+  host-name one;\n"
    )
    db.commit(300.0, "alice")
    assert [r.user for r in db.history] == ["alice", "alice", "root"]
    with pytest.raises(RollbackNotFoundError):
        db.rollback(3)


def test_history_keeps_the_last_fifty() -> None:
    db = ConfigDatabase()
    for i in range(MAX_ROLLBACK + 5):
        db.load(f"set system host-name h{i}", format="set")
        db.commit(float(i), "root")
    assert len(db.history) == MAX_ROLLBACK
    db.rollback(MAX_ROLLBACK - 1)
    assert host_name(db.candidate) == f"h{5}"
    with pytest.raises(RollbackNotFoundError):
        db.rollback(MAX_ROLLBACK)


def test_compare_shows_added_and_removed_blocks() -> None:
    old = ConfigNode.root()
    db = ConfigDatabase()
    db.load("set interfaces fxp0 unit 0 family inet address 10.0.0.1/24", format="set")
    assert render_compare(old, db.candidate) == (
        "[edit]\n"
        "+  interfaces {\n"
        "+      fxp0 {\n"
        "+          unit 0 {\n"
        "+              family inet {\n"
        "+                  address 10.0.0.1/24;\n"
        "+              }\n"
        "+          }\n"
        "+      }\n"
        "+  }\n"
    )
    assert db.compare() == render_compare(old, db.candidate)
    db.discard()
    assert db.compare() == ""


def test_lock_held_by_another_session_refuses_changes() -> None:
    db = _db("set system host-name r1\n")
    db.lock(7, "alice", since=0.0)
    with pytest.raises(ConfigLockedError) as err:
        db.lock(9, "bob")
    assert str(err.value).startswith("configuration database locked by:\n  alice")
    assert err.value.holder_session == 7
    assert err.value.tag == "lock-denied"
    with pytest.raises(ConfigLockedError):
        db.load("set system host-name r2", format="set", session_id=9)
    with pytest.raises(ConfigLockedError):
        db.commit(1.0, "bob", session_id=9)
    with pytest.raises(ConfigLockedError):
        db.unlock(9)
    db.load("set system host-name r2", format="set", session_id=7)
    db.unlock(7)  # uncommitted changes are discarded with the lock
    assert host_name(db.candidate) == "r1"
    assert db.lock_holder is None
    db.lock(9, "bob")
    db.release_session(9)
    assert db.lock_holder is None


def test_lock_refused_when_candidate_modified() -> None:
    db = _db()
    db.load("set system host-name dirty", format="set")
    with pytest.raises(ConfigLockedError, match="configuration database modified"):
        db.lock(1)


def test_stage_copy_for_commit_synchronize() -> None:
    local = _db(REDUNDANCY_SET)
    local.load("set system host-name synced", format="set")
    other = _db("set system host-name other\n")
    other.load("set system location building lab", format="set")
    other.stage_copy(local.candidate_text())
    other.check()
    other.discard_staged()
    assert other.candidate.get("system", "location") is not None
    other.stage_copy(local.candidate_text())
    other.commit(10.0, "root")
    assert host_name(other.effective(0)) == "synced"
    other.discard_staged()  # nothing staged any more: a no-op
    assert other.candidate == other.committed


# ------------------------------------------------------------------ 4. groups
def test_chapter_groups_sample_applies_per_slot() -> None:
    db = ConfigDatabase()
    db.load("groups {\n" + CHAPTER_GROUPS + "}\napply-groups [ re0 re1 ];\n", format="text")
    db.commit(1.0, "root")
    assert host_name(db.effective(0)) == "foo-re0"
    assert host_name(db.effective(1)) == "foo-re1"
    assert _addresses(db.effective(0)) == ["10.0.0.1/24"]
    assert _addresses(db.effective(1)) == ["10.0.0.2/24"]


def test_re0_group_is_not_applied_on_slot_1() -> None:
    db = _db("set groups re0 system host-name only-re0\nset apply-groups re0\n")
    assert host_name(db.effective(0)) == "only-re0"
    assert host_name(db.effective(1)) is None
    assert group_applies("re0", 0) and not group_applies("re0", 1)
    assert group_applies("common", 1)


def test_body_takes_precedence_over_groups() -> None:
    db = _db(REDUNDANCY_SET + "set system host-name body\n")
    assert host_name(db.effective(0)) == "body"
    assert host_name(db.effective(1)) == "body"
    assert _addresses(db.effective(1)) == ["10.0.0.16/24"]  # not in the body: inherited


def test_group_listed_first_wins_and_groups_leave_the_effective_tree() -> None:
    db = _db("set groups a system host-name from-a\nset groups b system host-name from-b\n"
             "set groups b system domain-name b.example\nset apply-groups [ a b ]\n")
    eff = db.effective(0)
    assert host_name(eff) == "from-a"
    domain = eff.get("system", "domain-name")
    assert domain is not None and domain.value == "b.example"
    assert eff.entries("groups") == [] and eff.child("apply-groups") is None


def test_apply_groups_at_a_sub_hierarchy() -> None:
    db = _db("set groups g system host-name from-g\nset groups g chassis redundancy "
             "graceful-switchover\nset system apply-groups g\n")
    eff = db.effective(0)
    assert host_name(eff) == "from-g"
    assert not redundancy_settings(eff).graceful_switchover  # g applied at [edit system] only


def test_role_from_group_does_not_override_body_choice() -> None:
    db = _db("set groups re1 chassis redundancy routing-engine 1 master\n"
             "set chassis redundancy routing-engine 1 backup\nset apply-groups re1\n")
    assert redundancy_settings(db.effective(1)).roles[1] is Role.BACKUP


# ------------------------------------------------------------------ 5. readers
def test_redundancy_settings_reads_every_statement() -> None:
    db = _db(REDUNDANCY_SET)
    assert redundancy_settings(db.effective(0)) == RedundancyConfig(
        roles={0: Role.MASTER, 1: Role.BACKUP},
        failover_on_loss_of_keepalives=True,
        keepalive_time=20,
        graceful_switchover=True,
        commit_synchronize=True,
        process_failover={"routing": "other-routing-engine"},
    )


def test_redundancy_settings_defaults() -> None:
    s = redundancy_settings(ConfigNode.root())
    assert s == RedundancyConfig()
    assert s.keepalive_time == 300 and s.roles == {}
    assert host_name(ConfigNode.root()) is None
    db = _db("set chassis redundancy routing-engine 1\n")
    assert redundancy_settings(db.effective(0)).roles == {1: None}


def test_deactivate_and_activate_by_set_commands() -> None:
    db = _db(REDUNDANCY_SET)
    db.load("deactivate chassis redundancy failover", format="set")
    db.commit(2.0, "root")
    assert not redundancy_settings(db.effective(0)).failover_on_loss_of_keepalives
    db.load("activate chassis redundancy failover", format="set")
    db.commit(3.0, "root")
    assert redundancy_settings(db.effective(0)).failover_on_loss_of_keepalives
