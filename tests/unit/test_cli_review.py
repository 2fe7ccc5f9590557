"""Regression tests from walking the chapter's procedures by hand in the CLI.

Each test is a discrepancy found against the chapter ("Host Redundancy Overview") or the real
transcripts in ``samples/cli.*.txt`` and then fixed; the docstring says what a Junos user saw.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys

import pytest

from emulator.cli.session import OPERATIONAL_GRAMMAR
from emulator.commands.operational import TABLE
from emulator.model.router import RouterModel
from tests.unit.test_cli import Term, make_model
from tests.unit.test_config import CHAPTER_GROUPS as CHAPTER_GROUPS_TEXT

CHAPTER_GROUPS = (
    "set groups re0 system host-name foo-re0\n"
    "set groups re0 interfaces fxp0 unit 0 family inet address 10.0.0.1/24\n"
    "set groups re1 system host-name foo-re1\n"
    "set groups re1 interfaces fxp0 unit 0 family inet address 10.0.0.2/24\n"
    "set apply-groups [ re0 re1 ]\n"
)

#: The chapter's ``[edit groups]`` / ``show`` sample, with Junos's 4-space indentation (the
#: chapter's typesetting used 2).
CHAPTER_GROUPS_SHOW = re.sub(r"(?m)^( +)", lambda m: m.group(1) * 2,
                             CHAPTER_GROUPS_TEXT)


# The terminal and the model of the CLI's own tests (tests/unit/test_cli.py).


def gres_model() -> RouterModel:
    model = make_model("set chassis redundancy graceful-switchover\n")
    return model


@pytest.fixture
def term() -> Term:
    return Term(make_model())


# ------------------------------------------------------------------ | display xml rpc
def test_display_xml_rpc_carries_the_prompt_banner() -> None:
    """``| display xml rpc`` printed ``<banner></banner>`` under a ``{master}`` prompt while
    ``| display xml`` printed ``<banner>{master}</banner>``."""
    master = Term(gres_model(), 0)
    out = master.run("show chassis routing-engine | display xml rpc")
    assert "<banner>{master}</banner>" in out
    assert "<banner>{backup}</banner>" in Term(gres_model(), 1).run(
        "show chassis routing-engine | display xml rpc")


# ------------------------------------------------------------------ ? help
def test_question_mark_redraws_the_banner_line() -> None:
    """After ``?`` Junos prints the whole prompt again, ``{master}`` line included."""
    out = Term(gres_model(), 0).type("show chassis ?")
    assert "Show Routing Engine status\n" in out
    assert out.endswith(" settings\n{master}\nuser@host> show chassis ")


def test_question_mark_in_configuration_mode_redraws_the_edit_line(term: Term) -> None:
    term.run("configure")
    out = term.type("commit ?")
    assert out.endswith("\n[edit]\nuser@host# commit ")


def test_question_mark_after_a_bad_word_puts_the_caret_under_it(term: Term) -> None:
    """The caret sat after the end of the line, wherever the mistake was."""
    out = term.type("show chasis ?")
    caret, message = out.splitlines()[1:3]
    assert caret == " " * len("user@host> show ") + "^"
    assert message == "syntax error, expecting <command>."
    assert out.endswith("user@host> show chasis ")


def test_question_mark_after_an_unknown_command(term: Term) -> None:
    out = term.type("frob ?")
    assert out.splitlines()[1:3] == [" " * len("user@host> ") + "^", "unknown command."]


def test_question_mark_after_a_bad_pipe_word(term: Term) -> None:
    line = "show log mastership | frob"
    out = term.type(line + "?")
    assert out.splitlines()[1:3] == [" " * len("user@host> " + line[:-4]) + "^",
                                     "syntax error, expecting <command>."]


def test_completions_are_in_junos_order_with_help_texts(term: Term) -> None:
    """``request chassis routing-engine master switch ?`` listed ``no-confirm`` and ``check``
    without help, before ``<[Enter]>``."""
    out = term.type("request chassis routing-engine master switch ?")
    assert out.splitlines()[1:6] == [
        "Possible completions:",
        "  <[Enter]>            Execute this command",
        "  check                Check status of graceful switchover",
        "  no-confirm           Don't ask for confirmation",
        "  |                    Pipe through a command",
    ]


def test_every_word_and_argument_offered_has_a_help_text() -> None:
    lines = {" ".join(c.words[:i]) + " " for c in TABLE.commands for i in range(len(c.words))}
    lines |= {c.cli + " " for c in TABLE.commands}
    for line in sorted(lines):
        for word, text in OPERATIONAL_GRAMMAR.candidates(line.lstrip()):
            assert text, f"{line!r} offers {word!r} without a help text"


def test_hidden_request_shell_is_not_offered(term: Term) -> None:
    """``request shell execute`` (PyEZ's hidden RPC) showed up in ``request ?`` with no help."""
    out = term.type("request ?")
    assert not re.search(r"^  shell\b", out, re.MULTILINE)
    term.type("\x15")  # Ctrl-U
    assert term.type("request sh\t") == "request sh"


# ------------------------------------------------------------------ configuration show
def test_show_groups_prints_the_chapter_sample() -> None:
    """``[edit groups]`` + ``show`` and ``show groups`` printed nothing."""
    term = Term(make_model(CHAPTER_GROUPS))
    term.run("configure")
    assert term.run("show groups").split("\n\n")[0] + "\n" == CHAPTER_GROUPS_SHOW
    assert term.run("edit groups").endswith("[edit groups]\nuser@host# ")
    assert term.run("show").split("\n\n")[0] + "\n" == CHAPTER_GROUPS_SHOW
    assert term.run("show re0 system").startswith("host-name foo-re0;\n\n")


def test_show_apply_groups_prints_the_chapter_line() -> None:
    """Chapter: ``user@host# show apply-groups`` -> ``apply-groups [ re0 re1 ];``."""
    term = Term(make_model(CHAPTER_GROUPS))
    term.run("configure")
    assert term.run("show apply-groups").startswith("apply-groups [ re0 re1 ];\n\n")


def test_show_of_a_leaf_and_of_a_keyed_list(term: Term) -> None:
    term.run("configure")
    term.run("set chassis redundancy routing-engine 0 master")
    term.run("set chassis redundancy routing-engine 1 backup")
    assert term.run("show system host-name").startswith("host-name host;\n\n")
    assert term.run("show chassis redundancy routing-engine").startswith(
        "routing-engine 0 master;\nrouting-engine 1 backup;\n\n")
    assert term.run("show chassis redundancy routing-engine 1").startswith("backup;\n\n")
    assert term.run("show chassis redundancy graceful-switchover").startswith("\n[edit]")
    # A word that is no statement: the caret under it, as Junos prints it.
    assert term.run("show chassis nothing").startswith(
        " " * len("user@host# show chassis ") + "^\nsyntax error.\n")


# ------------------------------------------------------------------ pipes and show log
def test_pipe_last_and_find(term: Term) -> None:
    """``show log mastership | last 3`` was a syntax error."""
    log = term.run("show log mastership").split("\n\n")[0].splitlines()
    assert term.run("show log mastership | last 3").split("\n\n")[0].splitlines() == log[-3:]
    found = term.run("show log mastership | find new state").split("\n\n")[0].splitlines()
    first = next(i for i, line in enumerate(log) if "new state" in line)
    assert found == log[first:]
    assert "expecting <number>" in term.run("show log mastership | last many")


def test_show_log_alone_lists_the_log_directory(term: Term) -> None:
    """``show log`` printed ``error: could not resolve file:``."""
    assert term.run("show log").startswith("/var/log/:\nmastership\nmessages\n")


# ------------------------------------------------------------------ commit with GRES
def test_plain_commit_with_gres_warns_to_use_commit_synchronize(term: Term) -> None:
    """Real Junos warns on a plain commit once graceful-switchover is on; the emulator
    committed silently and left the backup without GRES (``{backup}`` never showed)."""
    term.run("configure")
    term.run("set chassis redundancy graceful-switchover")
    assert term.run("commit").startswith(
        "warning: graceful-switchover is enabled, commit synchronize should be used\n"
        "commit complete\n")
    assert "warning" not in term.run("commit synchronize")
    term.run("set system commit synchronize")
    assert "warning" not in term.run("commit")


def test_plain_commit_without_gres_does_not_warn(term: Term) -> None:
    term.run("configure")
    term.run("set chassis redundancy keepalive-time 300")
    assert term.run("commit").startswith("commit complete\n")


# ------------------------------------------------------------------ configuration ? and TAB
def test_question_mark_in_configuration_mode_lists_the_chapter_statements(term: Term) -> None:
    """``set chassis redundancy ?`` offered only ``<[Enter]>`` and ``|``."""
    term.run("configure")
    out = term.type("set chassis redundancy ?")
    # Junos's layout (25.4 capture): <[Enter]> first, then alphabetical with the markers,
    # the range after a ranged value's help, "|" last.
    assert out.splitlines()[1:11] == [
        "Possible completions:",
        "  <[Enter]>            Execute this command",
        "+ apply-groups         Groups from which to inherit configuration data",
        "+ apply-groups-except  Don't inherit configuration data from these groups",
        "> failover             Failover to other Routing Engine",
        "> graceful-switchover  Enable graceful switchover on supported hardware",
        "  keepalive-time       Time before Routing Engine failover (2..10000 seconds)",
        "  mastership-refresh-timeout  Mastership refresh timeout (9..30 seconds)",
        "> routing-engine       Redundancy options for Routing Engines",
        "  |                    Pipe through a command",
    ]
    assert out.endswith("[edit]\nuser@host# set chassis redundancy ")
    out = term.type("routing-engine 1 ?")
    assert [line.split()[0] for line in out.splitlines()[2:6]] == ["<[Enter]>", "backup",
                                                                   "disabled", "master"]


def test_question_mark_follows_the_edit_level(term: Term) -> None:
    term.run("configure")
    term.run("edit chassis redundancy")
    assert "> routing-engine" in term.type("set ?")
    term.type("\x15")
    term.run("top")
    assert "+ apply-groups" in term.type("set ?")


def test_tab_completes_statements(term: Term) -> None:
    term.run("configure")
    assert term.type("set ch\t") == "set ch" + "assis "
    assert term.type("red\t") == "red" + "undancy "
    assert term.type("grace\t") == "grace" + "ful-switchover "
    assert term.run("").startswith("\n[edit]")
    assert "graceful-switchover;" in term.run("show chassis redundancy")


def test_show_question_mark_offers_enter_and_pipe(term: Term) -> None:
    term.run("configure")
    out = term.type("show chassis ?")
    assert "  <[Enter]>            Execute this command" in out
    assert "  |                    Pipe through a command" in out


# ------------------------------------------------------------------ model: stable serials
def test_re_serials_are_the_same_in_every_process() -> None:
    """Model bug: serials came from ``hash()``, so ``show chassis hardware`` showed new RE
    serial numbers after every ``re-emulator serve`` restart (PYTHONHASHSEED varies)."""
    script = ("from emulator.model.router import RouterModel, RouterParams\n"
              "from emulator.model.clock import VirtualClock\n"
              "m = RouterModel(RouterParams(name='r1', platform='MX480'), VirtualClock())\n"
              "print([m.chassis.re(s).hardware.serial for s in (0, 1)])\n")
    seen = {subprocess.run([sys.executable, "-c", script], check=True, capture_output=True,
                           text=True, env={**os.environ, "PYTHONHASHSEED": seed}).stdout
            for seed in ("1", "2")}
    assert len(seen) == 1
    serials = ast.literal_eval(seen.pop())
    # MX Routing Engine serials: ten digits starting 90 (get-route-engine-information sample).
    assert all(re.fullmatch(r"90\d{8}", s) for s in serials) and serials[0] != serials[1]
