"""The configuration schema over NETCONF: the typos of issue 12 are refused at load time with
``<bad-element>`` (shaped like samples/load-configuration.error.pyez.xml), nothing refused is
ever committed (commit check and commit synchronize included), and a realistic MX lab base
configuration loads and commits unchanged on both REs."""

from __future__ import annotations

from xml.sax.saxutils import escape

import pytest
from lxml import etree

from tests.integration.test_emulator_lab import NC, Lab, lab, rpc_errors
from tests.unit.test_config_schema import BASE_SET, BASE_TEXT, TYPOS

__all__ = ["lab"]


def _load(lab: Lab, payload: str, *, action: str = "merge") -> etree._Element:
    """Return the raw reply to a load (its errors are data here)."""
    session = lab.open("re0")
    try:
        session._send(f'<rpc message-id="l1" xmlns="{NC}"><load-configuration action="{action}" '  # noqa: SLF001
                      f'format="text">{payload}</load-configuration></rpc>')
        return session._read()  # noqa: SLF001
    finally:
        session.close()


def _bad_elements(reply: etree._Element) -> list[tuple[str, str, str]]:
    return [(e.findtext(f"{{{NC}}}error-severity") or "",
             e.findtext(f".//{{{NC}}}bad-element") or "",
             (e.findtext(f"{{{NC}}}error-message") or "").strip())
            for e in reply.iter(f"{{{NC}}}rpc-error")]


@pytest.mark.parametrize(("line", "bad", "message"), TYPOS)
def test_each_typo_is_refused_over_netconf_and_never_committed(lab: Lab, line: str, bad: str,
                                                             message: str) -> None:
    before = lab.snapshot()
    reply = _load(lab, f"<configuration-set>{line}</configuration-set>", action="set")
    results = reply.find(f"{{{NC}}}load-configuration-results")
    assert results is not None and results.find(f"{{{NC}}}ok") is None
    assert _bad_elements(reply) == [("error", bad, message)]
    # The refused statement never reached the candidate: a commit synchronize (and its
    # check) commits nothing new on either RE.
    session = lab.open("re0")
    try:
        check = session.rpc("<commit-configuration><check/><synchronize/>"
                            "</commit-configuration>")
        assert [e.findtext("name") for e in check.iter("routing-engine")] == ["re0", "re1"]
        session.rpc("<commit-configuration><synchronize/></commit-configuration>")
    finally:
        session.close()
    for re_name in ("re0", "re1"):
        assert bad not in lab.config_text(re_name)
    assert lab.snapshot()[1:] == before[1:]


def test_typos_in_curly_text_and_xml_name_the_element(lab: Lab) -> None:
    text = ("<configuration-text>chassis { redundancy { graceful-switchower; "
            "failover { on-loss-of-keepalive; } } }</configuration-text>")
    assert _bad_elements(_load(lab, text)) == [
        ("error", "graceful-switchower", "syntax error"),
        ("error", "on-loss-of-keepalive", "syntax error")]
    xml = ("<configuration><chassis><redundancy><routing-engine><name>0</name><foo/>"
           "</routing-engine></redundancy></chassis></configuration>")
    assert _bad_elements(_load(lab, xml)) == [("error", "foo", "syntax error")]


def test_a_partial_text_load_keeps_the_good_statements(lab: Lab) -> None:
    """Junos loads what it accepts and reports the rest (25.4 ``load merge`` capture); the
    client sees the errors and does not commit, or commits what was accepted."""
    reply = _load(lab, "<configuration-text>system { domain-name ok.net; bogus-knob 1; }"
                       "</configuration-text>")
    assert _bad_elements(reply) == [("error", "bogus-knob", "syntax error")]
    candidate = lab.rpc("re0", '<get-configuration format="text"><configuration><system/>'
                               "</configuration></get-configuration>")
    assert "domain-name ok.net;" in (candidate.findtext(".//configuration-text") or "")


def test_the_lab_base_configuration_loads_and_commits_unchanged_on_both_res(lab: Lab) -> None:
    reply = _load(lab, f"<configuration-text>{escape(BASE_TEXT)}</configuration-text>",
                  action="override")
    assert rpc_errors(reply) == []
    lab.rpc("re0", "<commit-configuration><synchronize/></commit-configuration>")
    for re_name in ("re0", "re1"):
        assert lab.config_text(re_name) == BASE_TEXT
    # The set form, loaded over the same configuration, changes nothing.
    assert rpc_errors(_load(lab, f"<configuration-set>{escape(BASE_SET)}</configuration-set>",
                            action="set")) == []
    compare = lab.rpc("re0", '<get-configuration compare="rollback" rollback="0" '
                             'format="text"/>')
    # No difference: one newline, as Junos answers it (PyEZ Config.diff reads "\n" so).
    assert compare.findtext(".//configuration-output") == "\n"
    # The chapter's groups: each RE runs with its own host name.
    assert lab.command("re1", "show version").count("mx-lab-re1") == 1


def test_missing_mandatory_statement_fails_the_commit_as_junos_answers(lab: Lab) -> None:
    _load(lab, "<configuration-set>set system login user bob uid 2000</configuration-set>",
          action="set")
    session = lab.open("re0")
    try:
        session._send(f'<rpc message-id="c1" xmlns="{NC}"><commit-configuration/></rpc>')  # noqa: SLF001
        reply = session._read()  # noqa: SLF001
    finally:
        session.close()
    error = reply.find(f"{{{NC}}}rpc-error")
    assert error is not None
    assert error.findtext(f"{{{NC}}}error-path") == "[edit system login]"
    assert error.findtext(f".//{{{NC}}}bad-element") == "user bob"
    assert (error.findtext(f"{{{NC}}}error-message") or "").split("\n") == [
        "mgd: Missing mandatory statement: 'class'",
        "configuration check-out failed: (missing mandatory statements)"]
    assert "bob" not in lab.config_text("re0")
