"""Chapter "Use the Groups Configuration", "Synchronize Configurations" and "Manually
Configuring Master and Backup Routing Engines", over NETCONF: commit synchronize replies,
the other RE unreachable, groups re0/re1 per slot, confirmed commits and rollback."""

from __future__ import annotations

from lxml import etree

from tests.integration.test_emulator_lab import NC, Lab, Netconf, lab, rpc_errors, strip

__all__ = ["lab"]

GROUPS = ("set groups re0 system host-name foo-re0\n"
          "set groups re0 interfaces fxp0 unit 0 family inet address 10.0.0.1/24\n"
          "set groups re1 system host-name foo-re1\n"
          "set groups re1 interfaces fxp0 unit 0 family inet address 10.0.0.2/24\n"
          "set apply-groups re0\nset apply-groups re1\ndelete system host-name")


def steps(reply: etree._Element) -> list[tuple[str, str]]:
    return [(str(e.findtext("name")), etree.QName(e[-1]).localname)
            for e in reply.iter("routing-engine")]


def raw_commit(session: Netconf, body: str) -> etree._Element:
    """Send a commit and return the unstripped reply (warnings are rpc-errors)."""
    session._send(f'<rpc message-id="c1" xmlns="{NC}">{body}</rpc>')  # noqa: SLF001
    return session._read()  # noqa: SLF001


def test_commit_synchronize_reply_order(lab: Lab) -> None:
    reply = lab.configure("re0", "set system location building b1")
    assert steps(reply) == [("re0", "commit-check-success"), ("re1", "commit-check-success"),
                            ("re1", "commit-success"), ("re0", "commit-success")]
    assert "building b1" in lab.config_text("re1")


def test_commit_synchronize_with_other_re_unreachable_warns_and_commits_locally(lab: Lab
                                                                               ) -> None:
    lab.rpc("re1", "<request-halt/>")
    session = lab.open("re0")
    try:
        session.rpc('<load-configuration action="set" format="text"><configuration-set>'
                    "set system location building b2</configuration-set></load-configuration>")
        reply = raw_commit(session, "<commit-configuration><synchronize/></commit-configuration>")
    finally:
        session.close()
    assert rpc_errors(reply) == [("warning", "Could not connect to re1 : No route to host"),
                                 ("warning", "Cannot connect to other RE, ignoring it")]
    assert reply.find(f"{{{NC}}}ok") is not None
    names = [e.findtext("name") for e in strip(reply).iter("routing-engine")]
    assert names == ["re0"]
    assert "building b2" in lab.config_text("re0")


def test_groups_re0_re1_apply_only_on_their_slot(lab: Lab) -> None:
    lab.configure("re0", GROUPS)
    versions = lab.rpc("re0", "<command>show version invoke-on all-routing-engines</command>")
    hosts = {i.findtext("re-name"): i.findtext(".//host-name")
             for i in versions.iter("multi-routing-engine-item")}
    assert hosts == {"re0": "foo-re0", "re1": "foo-re1"}
    inherited = lab.rpc("re1", '<get-configuration database="committed" inherit="inherit">'
                               "<configuration><system/></configuration></get-configuration>")
    assert inherited.findtext(".//system/host-name") == "foo-re1"


def test_body_takes_precedence_over_groups(lab: Lab) -> None:
    lab.configure("re0", GROUPS + "\nset system host-name body-name")
    reply = lab.rpc("re1", "<get-software-information/>")
    assert reply.findtext(".//host-name") == "body-name"


def test_role_change_commits_log_e_cfg_events(lab: Lab) -> None:
    lab.configure("re0", "set chassis redundancy routing-engine 1 master")
    assert lab.events("re1")[-1] == "E_CFG_M"
    lab.configure("re0", "set chassis redundancy routing-engine 0 backup")
    assert lab.events("re0")[-1] == "E_CFG_B"
    # Chapter: the running state "is determined by mastership election upon system boot".
    assert lab.states() == {"re0": "master", "re1": "backup"}
    entries = lab.route_engines("re0")
    assert entries["0"].findtext("mastership-priority") == "backup"
    assert entries["1"].findtext("mastership-priority") == "master"


def test_confirmed_commit_rolls_back_unless_confirmed(lab: Lab) -> None:
    session = lab.open("re0")
    try:
        session.rpc('<load-configuration action="set" format="text"><configuration-set>'
                    "set system location building b3</configuration-set></load-configuration>")
        session.rpc("<commit-configuration><confirmed/><confirm-timeout>1</confirm-timeout>"
                    "</commit-configuration>")
    finally:
        session.close()
    assert "building b3" in lab.config_text("re0")
    lab.advance(60)
    assert "building b3" not in lab.config_text("re0")


def test_confirmed_commit_kept_when_confirmed(lab: Lab) -> None:
    session = lab.open("re0")
    try:
        session.rpc('<load-configuration action="set" format="text"><configuration-set>'
                    "set system location building b4</configuration-set></load-configuration>")
        session.rpc("<commit-configuration><confirmed/><confirm-timeout>1</confirm-timeout>"
                    "</commit-configuration>")
        session.rpc("<commit-configuration/>")
    finally:
        session.close()
    lab.advance(120)
    assert "building b4" in lab.config_text("re0")


def test_rollback_over_netconf(lab: Lab) -> None:
    lab.configure("re0", "set system location building b5", synchronize=False)
    session = lab.open("re0")
    try:
        session.rpc('<load-configuration rollback="1"/>')
        session.rpc("<commit-configuration/>")
    finally:
        session.close()
    assert "building b5" not in lab.config_text("re0")


def test_lock_held_by_another_session_refuses_commit(lab: Lab) -> None:
    holder = lab.open("re0")
    try:
        holder.rpc("<lock><target><candidate/></target></lock>")
        message = lab.error("re0", "<commit-configuration/>")
        assert message.startswith("configuration database locked by:")
    finally:
        holder.close()
