"""Configuration mode on the schema: Junos's refusals at ``set`` time, ``?`` from the schema,
``activate``/``deactivate``, ``show | compare`` markers, ``load ... terminal|<file>``, and the
operational commands around configuration (``show configuration <hierarchy>``)."""

from __future__ import annotations

import pytest

from emulator.model import config as cfg
from tests.unit.test_cli import Term, make_model

PROMPT = len("user@host# ")


@pytest.fixture
def conf() -> Term:
    term = Term(make_model())
    term.run("configure")
    return term


def _refusal(term: Term, line: str) -> list[str]:
    return term.run(line).split("\n")[:2]


# ------------------------------------------------------------------ set refused as Junos does
def test_typos_of_the_issue_are_refused_at_set_time_with_the_caret(conf: Term) -> None:
    cases = {
        "set chassis redundancy graceful-switchower": ("set chassis redundancy ",
                                                       "syntax error."),
        "set chassis redundancy routing-engine 0 foo": (
            "set chassis redundancy routing-engine 0 ", "syntax error."),
        "set chassis foo bar": ("set chassis ", "syntax error."),
        "set system bogus-knob 1": ("set system ", "syntax error."),
    }
    for line, (before, message) in cases.items():
        assert _refusal(conf, line) == [" " * (PROMPT + len(before)) + "^", message]
    # A value out of range: the caret in the first column (Junos 25.4 capture).
    assert _refusal(conf, "set chassis redundancy routing-engine 2 master") == [
        "^", "Value 2 is not within range (0..1) at '2'"]
    assert conf.cli.model.configs[0].candidate == conf.cli.model.configs[0].committed
    assert conf.run("commit check").startswith("configuration check succeeds")


def test_a_unique_prefix_is_completed_as_the_junos_cli_does(conf: Term) -> None:
    """``on-loss-of-keepalive`` is a unique prefix of ``on-loss-of-keepalives``: the Junos CLI
    completes it on Enter, so the statement stored is the right one (NETCONF loads refuse it:
    tests/integration/test_emulator_config.py)."""
    conf.run("set chassis redundancy failover on-loss-of-keepalive")
    assert conf.run("show chassis redundancy").startswith(
        "failover {\n    on-loss-of-keepalives;\n}\n")
    out = conf.run("set chassis redundancy failover on")
    assert out.split("\n")[1:3] == ["'on' is ambiguous.", "Possible completions:"]


def test_missing_value(conf: Term) -> None:
    assert _refusal(conf, "set system host-name") == [
        " " * (PROMPT + len("set system ")) + "^",
        "error: syntax error, expecting <data>: host-name"]


# ------------------------------------------------------------------ ? and TAB
def test_question_mark_shows_keys_and_ranged_values(conf: Term) -> None:
    out = conf.type("set interfaces ?")
    assert "  <interface-name>     Interface name" in out
    assert "> interface-range      Interface ranges configuration" in out
    conf.type("\x15")
    out = conf.type("set chassis redundancy keepalive-time ?")
    assert out.split("\n")[1:3] == [
        "Possible completions:",
        "  <keepalive-time>     Time before Routing Engine failover (2..10000 seconds)"]
    conf.type("\x15")
    out = conf.type("set chassis frob ?")
    assert out.split("\n")[1:3] == [" " * (PROMPT + len("set chassis ")) + "^",
                                    "syntax error."]


def test_tab_completes_and_question_mark_follows_show_configuration(conf: Term) -> None:
    assert conf.type("set sys\t") == "set sys" + "tem "
    conf.type("\x15")
    conf.run("exit")
    out = conf.type("show configuration ch?")
    assert "> chassis              Chassis configuration" in out


# ------------------------------------------------------------------ (de)activate
def test_deactivate_marks_inactive_and_the_re_does_not_apply_it() -> None:
    term = Term(make_model("set chassis redundancy graceful-switchover\n"))
    term.run("configure")
    term.run("deactivate chassis redundancy graceful-switchover")
    assert term.run("show | compare").startswith(
        "[edit chassis redundancy]\n!    inactive: graceful-switchover;\n")
    assert term.run("show chassis redundancy").startswith("inactive: graceful-switchover;")
    term.run("commit")
    model = term.cli.model
    assert not cfg.redundancy_settings(model.configs[0].effective(0)).graceful_switchover
    term.run("activate chassis redundancy graceful-switchover")
    term.run("commit")
    assert cfg.redundancy_settings(model.configs[0].effective(0)).graceful_switchover


def test_compare_markers(conf: Term) -> None:
    conf.run("set system host-name r2")
    conf.run("set system domain-name lab.net")
    conf.run("delete system host-name")
    conf.run("set system host-name r3")
    assert conf.run("show | compare").startswith(
        "[edit system]\n-  host-name host;\n+  host-name r3;\n+  domain-name lab.net;\n")


def test_delete_of_what_is_not_there_warns(conf: Term) -> None:
    assert conf.run("delete system domain-name").startswith("warning: statement not found\n")


# ------------------------------------------------------------------ load
def test_load_merge_terminal_reports_like_junos_and_loads_the_rest(conf: Term) -> None:
    out = conf.run("load merge terminal")
    assert out == "[Type ^D at a new line to end input]\n"
    out = conf.type("system {\r    bogus 1;\r    domain-name x.net;\r}\r\x04")
    assert out.endswith("}\nterminal:2:(9) syntax error: bogus\n  [edit system]\n"
                        "    'bogus 1;'\n      syntax error\nload complete (1 errors)\n\n"
                        "[edit]\nuser@host# ")
    assert conf.run("show system domain-name").startswith("domain-name x.net;")


def test_load_set_terminal_and_relative(conf: Term) -> None:
    conf.run("load set terminal")
    out = conf.type("set system domain-name a.net\rset system frob 1\r\x04")
    assert "terminal:2:(11) syntax error: frob\nload complete\n" in out
    conf.run("edit chassis redundancy")
    conf.run("load merge terminal relative")
    conf.type("keepalive-time 30;\r\x04")
    conf.run("top")
    assert conf.run("show chassis").startswith("redundancy {\n    keepalive-time 30;\n}")


def test_load_override_of_a_file_copied_from_the_other_re() -> None:
    """Chapter, "Copy a Configuration File from One Routing Engine to Another": copy RE0's
    configuration to RE1, log in there and load it."""
    term = Term(make_model("set system domain-name from-re0.net\n"))
    term.run("file copy /config/juniper.conf re1:/var/tmp/")
    term.run("request routing-engine login other-routing-engine")
    term.run("configure")
    assert term.run("load override /var/tmp/juniper.conf") == "load complete\n\n[edit]\n" \
                                                              "user@host# "
    assert term.run("show system domain-name").startswith("domain-name from-re0.net;")
    assert term.run("load merge /var/tmp/nothing.conf").startswith(
        "error: Could not open configuration file: /var/tmp/nothing.conf")


def test_terminal_input_takes_question_marks_and_ctrl_c_abandons(conf: Term) -> None:
    conf.run("load merge terminal")
    conf.type('system { login { message "why?"; } }\r\x03')
    assert conf.cli.model.configs[0].candidate.get("system", "login") is None
    conf.run("load merge terminal")
    conf.type('system { login { message "why?"; } }\r\x04')
    assert conf.run("show system login").startswith('message "why?";')


# ------------------------------------------------------------------ commit checks
def test_commit_without_a_mandatory_statement_prints_junos_lines(conf: Term) -> None:
    conf.run("set system login user bob uid 2000")
    assert conf.run("commit").startswith(
        "[edit system login]\n  'user bob'\n    Missing mandatory statement: 'class'\n"
        "error: commit failed: (missing mandatory statements)\n")


# ------------------------------------------------------------------ operational side
def test_show_configuration_of_a_hierarchy_and_its_pipes() -> None:
    term = Term(make_model("set chassis redundancy graceful-switchover\n"
                           "set chassis redundancy keepalive-time 20\n"))
    assert term.run("show configuration chassis redundancy").startswith(
        "keepalive-time 20;\ngraceful-switchover;\n\n")
    assert term.run("show configuration chassis | display set").startswith(
        "set chassis redundancy keepalive-time 20\nset chassis redundancy graceful-switchover\n")
    out = term.run("show configuration chas red keep | display xml rpc")
    assert "<configuration>\n                <chassis>\n                    <redundancy>\n" \
           "                        <keepalive-time/>" in out
    assert term.run("show configuration chassis frob").split("\n")[:2] == [
        " " * len("user@host> show configuration chassis ") + "^",
        "syntax error, expecting <command>."]


def test_clear_log_mastership_leaves_the_chapter_line(term: Term) -> None:
    assert term.run("clear log mastership") == "\nuser@host> "
    lines = term.run("show log mastership").split("\n")
    assert lines[0].endswith("clear-log[800]: logfile cleared") and lines[1] == ""


def test_file_list_detail(term: Term) -> None:
    term.run("file copy /var/tmp/sampled.pkts /var/tmp/copy.pkts")
    out = term.run("file list /var/tmp/ detail").split("\n")
    assert out[:3] == ["/var/tmp/:", "total blocks: 2",
                       "srwxrwxrwx  1 root  wheel          0 Jan 12 21:50 .pccardd"]
    # The columns of a real router's detail line (genie's sample: "1 root  wheel     525672").
    assert "-rw-r--r--  1 user  wheel          0 Jan 12 21:56 copy.pkts" in out
    assert out[7] == "total files: 5"


def test_switch_check_answers_without_a_prompt_and_slot_is_positional(term: Term) -> None:
    assert term.run("request chassis routing-engine master switch check").startswith(
        "Switchover Ready")
    out = term.run("show chassis routing-engine 1")
    assert "Slot 1:" in out and "Slot 0:" not in out


@pytest.fixture
def term() -> Term:
    return Term(make_model())
