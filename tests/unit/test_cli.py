"""The interactive CLI, sans-IO: keystrokes in, terminal text out (chapter texts and samples)."""

from __future__ import annotations

import re

import pytest

from emulator.cli.lineedit import EventKind, LineEditor
from emulator.cli.session import CliSession, Mode
from emulator.model.clock import VirtualClock
from emulator.model.router import RouterModel, RouterParams

GRES = ("set chassis redundancy graceful-switchover\n"
        "set groups re0 system host-name host-re0\n"
        "set groups re1 system host-name host-re1\n"
        "set apply-groups [ re0 re1 ]\n")


class Term:
    """A terminal on a CLI session: types text, returns what the screen shows (CR LF -> LF)."""

    def __init__(self, model: RouterModel, slot: int = 0, password: str | None = None) -> None:
        self.cli = CliSession(model, slot, "user", session_id=42, password=password)
        self.cli.start()
        self.screen = self.read()

    def read(self) -> str:
        raw = self.cli.data_to_send().decode()
        assert "\n" not in raw.replace("\r\n", "")  # every newline goes out as CR LF
        return raw.replace("\r\n", "\n")

    def type(self, keys: str) -> str:
        self.cli.receive_data(keys.encode())
        return self.read()

    def run(self, line: str) -> str:
        """Type ``line`` + Enter; return the output between the echoed line and the prompt."""
        out = self.type(line + "\r")
        assert out.startswith(line + "\n"), out
        return out[len(line) + 1:]


def make_model(config: str = "", platform: str = "MX480") -> RouterModel:
    model = RouterModel(RouterParams(name="r1", platform=platform, hostname="host",
                                     config=config), VirtualClock())
    model.clock.advance(400)  # past the 240 s hold-down after boot
    return model


def gres_model(platform: str = "MX480") -> RouterModel:
    model = make_model(platform=platform)
    for slot in (0, 1):
        db = model.configs[slot]
        db.load("delete system host-name\n" + GRES, format="set")
        model.commit(slot, "root")
    return model


@pytest.fixture
def term() -> Term:
    return Term(make_model())


# ------------------------------------------------------------------ prompts
def test_login_shows_junos_line_and_prompt(term: Term) -> None:
    assert term.screen.startswith("--- JUNOS 15.1F5.15")
    assert term.screen.endswith("\nuser@host> ")
    assert "{master}" not in term.screen  # no graceful-switchover: no banner


def test_banners_once_graceful_switchover_is_configured() -> None:
    model = gres_model()
    master, backup = Term(model, 0), Term(model, 1)
    assert master.screen.endswith("{master}\nuser@host-re0> ")
    assert backup.screen.endswith("{backup}\nuser@host-re1> ")


def test_empty_line_reprompts(term: Term) -> None:
    assert term.type("\r") == "\nuser@host> "


# ------------------------------------------------------------------ table commands
def test_prefixes_resolve_through_the_table(term: Term) -> None:
    out = term.run("sh chas rout")
    assert out.startswith("Routing Engine status:\n  Slot 0:\n    Current state")
    assert out.endswith("\n\nuser@host> ")


def test_show_chassis_hardware_on_backup_is_refused() -> None:
    out = Term(make_model(), 1).run("show chassis hardware")
    assert out.startswith("error: Aborted! This command can only be used on the master "
                          "routing engine.\n")


def test_unknown_word_gets_caret_and_junos_message(term: Term) -> None:
    out = term.run("show chasis")
    caret, message = out.splitlines()[:2]
    assert caret == " " * len("user@host> show ") + "^"
    assert message == "syntax error, expecting <command>."


def test_unknown_first_word(term: Term) -> None:
    out = term.run("frobnicate")
    assert out.splitlines()[:2] == [" " * len("user@host> ") + "^", "unknown command."]


def test_ambiguous_word_lists_completions(term: Term) -> None:
    out = term.run("s")
    assert "'s' is ambiguous." in out
    assert re.search(r"^  show +Show system information$", out, re.MULTILINE)


def test_incomplete_command(term: Term) -> None:
    out = term.run("show chassis")
    assert "syntax error, expecting <command>." in out


def test_question_mark_lists_help_texts_and_keeps_the_line(term: Term) -> None:
    out = term.type("show chassis ?")
    assert out.startswith("show chassis ?\nPossible completions:\n")
    assert re.search(r"^  routing-engine +Show Routing Engine status$", out, re.MULTILINE)
    assert re.search(r"^  hardware +Show installed hardware components$", out, re.MULTILINE)
    assert out.endswith("user@host> show chassis ")
    assert term.run("routing-engine").startswith("Routing Engine status:")


def test_question_mark_on_complete_command_offers_enter_and_pipe(term: Term) -> None:
    out = term.type("show chassis routing-engine ?")
    assert "<[Enter]>            Execute this command" in out
    assert "|                    Pipe through a command" in out


def test_tab_completes_unambiguous_words(term: Term) -> None:
    assert term.type("sh\t") == "sh" + "ow "
    assert term.type("chas\t") == "chas" + "sis "
    assert term.type("rou\t") == "rou" + "ting-engine "
    assert term.type("\r").startswith("\nRouting Engine status:")


def test_backspace_and_ctrl_c(term: Term) -> None:
    assert term.type("shx\x7f") == "shx\b \b"
    out = term.type("ow version\x03")
    assert out.endswith("\nuser@host> ")
    assert "Hostname" not in out  # Ctrl-C dropped the line
    assert term.type("show chassis craft\r").count("Routing Engine") >= 0


@pytest.mark.parametrize("eol", ["\r", "\n", "\r\n", "\r\0"])
def test_every_line_end_runs_the_line_once(term: Term, eol: str) -> None:
    out = term.type(f"show version{eol}")
    assert out.count("user@host> ") == 1


def test_ctrl_d_ends_the_session(term: Term) -> None:
    term.type("\x04")
    assert term.cli.closed


def test_exit_ends_the_session(term: Term) -> None:
    term.run("exit")
    assert term.cli.closed and term.cli.mode is Mode.CLOSED


# ------------------------------------------------------------------ pipes
def test_display_xml_prints_rpc_reply_with_cli_banner(term: Term) -> None:
    out = term.run("show chassis routing-engine | display xml")
    lines = out.splitlines()
    assert lines[0] == '<rpc-reply xmlns:junos="http://xml.juniper.net/junos/15.1F5/junos">'
    assert lines[1].startswith("    <route-engine-information xmlns=")
    assert "        <route-engine>" in lines
    assert "    <cli>\n        <banner></banner>\n    </cli>\n</rpc-reply>\n" in out


def test_display_xml_rpc_matches_the_sample_shape(term: Term) -> None:
    out = term.run("show chassis routing-engine | display xml rpc")
    assert out.startswith(
        '<rpc-reply xmlns:junos="http://xml.juniper.net/junos/15.1F5/junos">\n'
        "    <rpc>\n"
        "        <get-route-engine-information>\n"
        "        </get-route-engine-information>\n"
        "    </rpc>\n"
        "    <cli>\n"
        "        <banner></banner>\n"
        "    </cli>\n"
        "</rpc-reply>\n")


def test_display_xml_rpc_with_arguments(term: Term) -> None:
    text = term.run("file list /var/tmp/ detail | display xml rpc")
    assert "<path>/var/tmp/</path>" in text and "<detail/>" in text


def test_match_count_and_no_more(term: Term) -> None:
    assert term.run("show chassis routing-engine | match state").splitlines()[:2] == [
        "    Current state                  Master", "    Current state                  Backup"]
    assert term.run("show chassis routing-engine | count").startswith("Count: ")
    full = term.run("show chassis routing-engine")
    assert term.run("show chassis routing-engine | no-more") == full
    assert term.run("sh chas rout | ma Slot | count").startswith("Count: 2 lines")


def test_bad_pipe_word(term: Term) -> None:
    out = term.run("show version | frob")
    assert "syntax error, expecting <command>." in out
    assert out.splitlines()[0].index("^") == len("user@host> show version | ")


# ------------------------------------------------------------------ confirmations
def test_switch_prints_warning_and_prompt_then_runs_on_yes(term: Term) -> None:
    out = term.run("request chassis routing-engine master switch")
    assert out == ("warning: Traffic will be interrupted while the PFE is re-initialized\n"
                   "Toggle mastership between routing engines ? [yes,no] (no) ")
    # Junos prints "Complete." once mastership is resolved, and only then its prompt
    # (12.3 transcript); keys typed meanwhile wait for that prompt.
    assert term.run("yes") == "\nResolving mastership...\n"
    assert term.type("show vers") == ""
    term.cli.model.clock.advance(3)
    term.cli.tick()
    assert term.read() == ""  # the MX480 resolves in 4 s without graceful switchover
    term.cli.model.clock.advance(1)
    term.cli.tick()
    assert term.read() == ("Complete. The other routing engine becomes the master.\n\n"
                           "user@host> show vers")
    assert term.cli.model.chassis.master_slot() == 1


def test_release_prints_the_chapter_lines(term: Term) -> None:
    out = term.run("request chassis routing-engine master release")
    assert out == ("\nTraffic will be interrupted while the PFE is re-initialized\n"
                   "Request the other routing engine become master ? [yes,no] (no) ")


def test_acquire_on_backup() -> None:
    model = make_model()
    t = Term(model, 1)
    out = t.run("request chassis routing-engine master acquire")
    assert out.endswith("Attempt to become the master routing engine ? [yes,no] (no) ")
    assert t.run("yes") == "\nResolving mastership...\n"
    model.clock.advance(5)  # the MX480's mastership resolution time
    t.cli.tick()
    assert t.read() == ("Complete. The local routing engine becomes the master.\n\n"
                        "user@host> ")
    assert model.chassis.master_slot() == 1


def test_anything_but_yes_aborts(term: Term) -> None:
    term.run("request chassis routing-engine master switch")
    out = term.run("")
    assert out == "\nuser@host> "
    assert term.cli.model.chassis.master_slot() == 0


def test_switch_too_soon_is_aborted_with_the_transcript_text() -> None:
    model = gres_model()
    t = Term(model, 0)
    t.run("request chassis routing-engine master switch")
    t.run("yes")
    model.clock.advance(19)
    t.cli.tick()
    t2 = Term(model, 1)
    t2.run("request chassis routing-engine master switch")
    out = t2.run("yes")
    assert re.match(r"\nCommand aborted\. Not ready for mastership switch, try after \d+ secs\.",
                    out)


def test_gres_switch_changes_the_banner_on_the_same_session() -> None:
    model = gres_model()
    t = Term(model, 0)
    out = t.run("request chassis routing-engine master switch")
    assert out == "Toggle mastership between routing engines ? [yes,no] (no) "
    assert t.run("yes") == "\nResolving mastership...\n"
    model.clock.advance(2)  # the MX480 resolves mastership in 2 s with graceful switchover
    t.cli.tick()
    # The 12.3 transcript: "Complete." and the next prompt shows the new role.
    assert t.read() == ("Complete. The other routing engine becomes the master.\n\n"
                        "{backup}\nuser@host-re0> ")


def test_halt_local_re_ends_the_session(term: Term) -> None:
    out = term.run("request system halt")
    assert out == ("warning: This command will not halt the other routing-engine.\n"
                   "If planning to switch off power, use the both-routing-engines option.\n"
                   "Halt the system ? [yes,no] (no) ")
    out = term.type("yes\r")
    assert "\n\n*** FINAL System shutdown message from user@host ***\n" in out
    assert out.rstrip().endswith("Shutdown NOW!")
    assert term.cli.closed


# ------------------------------------------------------------------ other RE
def test_login_other_routing_engine_and_back() -> None:
    model = gres_model()
    t = Term(model, 0)
    out = t.run("request routing-engine login other-routing-engine")
    assert out.startswith("\n--- JUNOS ")
    assert out.endswith("\n{backup}\nuser@host-re1> ")
    assert t.cli.slot == 1
    out = t.run("exit")
    assert out == "\nrlogin: connection closed\n\n{master}\nuser@host-re0> "
    assert not t.cli.closed and t.cli.slot == 0


def test_login_to_an_re_of_the_chapters_era_asks_the_password() -> None:
    """The chapter's sample: ``Password: #####`` (not echoed), then ``{backup}`` and the
    other RE's prompt; a wrong password leaves the shell where it was."""
    t = Term(gres_model("M320"), 1, password="secret")  # Junos 7.4, the chapter's era
    assert t.run("request routing-engine login other-routing-engine") == "Password:"
    assert t.type("wrong\r") == "\nLogin incorrect\n{backup}\nuser@host-re1> "
    t.run("request routing-engine login other-routing-engine")
    assert t.type("secret\r") == "\n{master}\nuser@host-re0> "
    assert t.cli.slot == 0 and "secret" not in t.cli.editor._history


@pytest.mark.parametrize("password", [None, ""])
def test_without_a_password_the_login_of_the_chapters_era_is_refused(
        password: str | None) -> None:
    t = Term(gres_model("M320"), 1, password=password)
    t.run("request routing-engine login other-routing-engine")
    assert t.type("\r") == "\nLogin incorrect\n{backup}\nuser@host-re1> "
    assert t.cli.slot == 1


def test_login_refused_when_other_re_unreachable(term: Term) -> None:
    term.cli.model.chassis.sever_link()
    out = term.run("request routing-engine login other-routing-engine")
    assert out.startswith("error: Could not connect to re1 : No route to host\n")
    assert term.cli.slot == 0


def test_halting_the_other_re_from_a_login_returns_home(term: Term) -> None:
    term.run("request routing-engine login other-routing-engine")
    term.run("request system halt")
    out = term.run("yes")
    assert "rlogin: connection closed" in out
    assert not term.cli.closed and term.cli.slot == 0


def test_file_copy_then_list_on_other_re(term: Term) -> None:
    src = "/var/tmp/jinstall-6.0R3.3-domestic-signed.tgz"
    assert term.run(f"file copy {src} re1:/var/tmp/") == "\nuser@host> "
    term.run("request routing-engine login other-routing-engine")
    out = term.run("file list /var/tmp/")
    for name in (".pccardd=", "jbundle-5.5R3.1-domestic.tgz*",
                 "jinstall-6.0R3.3-domestic-signed.tgz", "sampled.pkts"):
        assert name in out.splitlines()


def test_show_log_mastership(term: Term) -> None:
    term.run("request chassis routing-engine master switch")
    term.run("yes")
    term.cli.model.clock.advance(5)
    term.cli.tick()
    term.read()
    out = term.run("show log mastership")
    assert "event = E_CMD_S" in out


# ------------------------------------------------------------------ configuration mode
def test_configure_set_show_compare_commit(term: Term) -> None:
    out = term.run("configure")
    assert out == "Entering configuration mode\n\n[edit]\nuser@host# "
    term.run("set chassis redundancy routing-engine 1 master")
    out = term.run("show chassis")
    assert "redundancy {\n    routing-engine 1 master;\n}" in out
    assert "+" in term.run("show | compare")
    out = term.run("commit")
    assert out == "commit complete\n\n[edit]\nuser@host# "
    assert term.cli.model.configs[0].committed_text().count("routing-engine 1 master") == 1


def test_commit_synchronize_prints_the_chapter_lines(term: Term) -> None:
    term.run("configure")
    term.run("set system commit synchronize")
    out = term.run("commit synchronize")
    assert out.startswith("re1: configuration check succeeds\n"
                          "re0: configuration check succeeds\n"
                          "re1: commit complete\n"
                          "re0: commit complete\n")


def test_commit_synchronize_with_other_re_down_warns(term: Term) -> None:
    term.run("configure")
    term.run("set system commit synchronize")
    term.run("commit")
    term.cli.model.chassis.halt(1)
    term.run("set system location building 2")
    out = term.run("commit")
    assert out.startswith("warning: Could not connect to re1 : No route to host\n"
                          "warning: Cannot connect to other RE, ignoring it\n"
                          "commit complete\n")


def test_out_of_range_value_is_refused_at_set_and_never_reaches_commit(term: Term) -> None:
    """Junos 25.4 capture: the caret in the first column, then ``Value ... at '<value>'``."""
    term.run("configure")
    out = term.run("set chassis redundancy keepalive-time 1")
    assert out.startswith("^\nValue 1 is not within range (2..10000) at '1'\n")
    assert term.run("show | compare").startswith("\n[edit]")
    assert term.run("commit check").startswith("configuration check succeeds\n")


def test_edit_top_up_and_prompts(term: Term) -> None:
    term.run("configure")
    out = term.run("edit chassis redundancy")
    assert out.endswith("[edit chassis redundancy]\nuser@host# ")
    term.run("set failover on-loss-of-keepalives")
    assert term.run("show").startswith("failover {\n    on-loss-of-keepalives;\n}\n")
    assert term.run("up").endswith("[edit chassis]\nuser@host# ")
    assert term.run("top").endswith("[edit]\nuser@host# ")


def test_exit_with_uncommitted_changes_asks(term: Term) -> None:
    term.run("configure")
    term.run("set system location building 1")
    out = term.run("exit")
    assert out == ("The configuration has been changed but not committed\n"
                   "Exit with uncommitted changes? [yes,no] (yes) ")
    out = term.run("")
    assert out.endswith("Exiting configuration mode\n\nuser@host> ")
    assert term.cli.mode is Mode.OPERATIONAL


def test_rollback(term: Term) -> None:
    term.run("configure")
    term.run("set system location building 1")
    assert term.run("rollback").startswith("load complete\n")
    assert term.run("show | compare") == "\n[edit]\nuser@host# "


def test_run_from_configuration_mode(term: Term) -> None:
    term.run("configure")
    out = term.run("run show chassis routing-engine")
    assert out.startswith("Routing Engine status:")
    assert out.endswith("[edit]\nuser@host# ")


def test_configure_roles_and_commit_changes_the_election() -> None:
    model = make_model()
    t0 = Term(model, 0)
    t0.run("configure")
    t0.run("set chassis redundancy routing-engine 1 master")
    t0.run("set chassis redundancy routing-engine 0 backup")
    t0.run("commit synchronize")
    assert "E_CFG" in model.chassis.re(1).log.render() + model.chassis.re(0).log.render()


# ------------------------------------------------------------------ line editor
def test_line_editor_ignores_arrow_keys() -> None:
    ed = LineEditor()
    events = ed.feed(b"ab\x1b[Ac\r")
    assert [(e.kind, e.text) for e in events] == [(EventKind.LINE, "abc")]
    assert ed.echo() == "abc"


def test_line_editor_utf8_split_across_reads() -> None:
    ed = LineEditor()
    data = "é\r".encode()
    events = ed.feed(data[:1]) + ed.feed(data[1:])
    assert events[0].text == "é"
