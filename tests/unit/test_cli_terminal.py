"""The terminal side of the CLI, sans-IO: command history and the ``---(more)---`` pager."""

from __future__ import annotations

from emulator.cli.lineedit import EventKind, LineEditor
from emulator.cli.pager import ERASE, Pager
from tests.unit.test_cli import Term, make_model

UP, DOWN = "\x1b[A", "\x1b[B"


# ------------------------------------------------------------------ history
def test_history_walks_back_and_forth_and_keeps_the_draft() -> None:
    ed = LineEditor()
    for line in ("show version", "show chassis hardware", "show version"):
        ed.remember(line)
    assert ed.history == ("show version", "show chassis hardware", "show version")
    ed.feed(b"sh")
    ed.echo()
    ed.feed(UP.encode())
    assert ed.buffer == "show version"
    assert ed.echo() == "\b \b" * 2 + "show version"
    ed.feed(b"\x10")  # Ctrl-P: older
    assert ed.buffer == "show chassis hardware"
    ed.feed(b"\x0e" + DOWN.encode())  # Ctrl-N, then down past the newest: the draft again
    assert ed.buffer == "sh"
    ed.feed(b"\x1bOA")  # up in application cursor mode
    assert ed.feed(b"\r")[0].text == "show version"


def test_history_skips_blank_and_repeated_lines_and_is_bounded() -> None:
    ed = LineEditor()
    for i in range(150):
        ed.remember(f"line {i}")
        ed.remember(f"line {i}")
        ed.remember("   ")
    assert len(ed.history) == 100 and ed.history[-1] == "line 149"


def test_literal_mode_takes_question_mark_and_tab_as_text() -> None:
    ed = LineEditor()
    ed.literal = True
    events = ed.feed(b'message "why?"\tx\r')
    assert [e.kind for e in events] == [EventKind.LINE]
    assert events[0].text == 'message "why?"\tx'


def test_session_remembers_lines_in_both_modes() -> None:
    term = Term(make_model())
    term.run("show version | match Hostname")
    term.run("configure")
    term.run("set system domain-name a.net")
    term.type(UP)
    assert term.cli.editor.buffer == "set system domain-name a.net"
    term.type(UP + UP)
    assert term.cli.editor.buffer == "show version | match Hostname"
    term.type(DOWN)
    assert term.cli.editor.buffer == "configure"
    term.type("\x15")  # Ctrl-U
    assert term.cli.editor.buffer == ""


# ------------------------------------------------------------------ pager
def test_pager_pages_lines_and_quits() -> None:
    text = "".join(f"line {i}\n" for i in range(10))
    assert Pager.needed(text, 5) and not Pager.needed(text, 0) and not Pager.needed(text, 11)
    pager = Pager(text, 5)
    assert pager.start() == "line 0\nline 1\nline 2\nline 3\n---(more 40%)---"
    assert pager.key("x") == ""
    assert pager.key("\r") == ERASE + "line 4\n---(more 50%)---"
    assert pager.key(" ") == ERASE + "line 5\nline 6\nline 7\nline 8\n---(more 90%)---"
    assert pager.key(" ") == ERASE + "line 9\n" and pager.done
    quit_early = Pager(text, 5)
    quit_early.start()
    assert quit_early.key("q") == ERASE and quit_early.done


def test_session_pages_on_the_terminal_height_unless_told_not_to() -> None:
    term = Term(make_model())
    term.cli.resize(80, 10)
    out = term.run("show chassis routing-engine")
    assert out.endswith("---(more 13%)---") and len(out.split("\n")) == 10
    out = term.type(" ")
    assert out.startswith(ERASE) and "---(more" in out
    out = term.type("q")  # the more line erased ("\r" + 40 blanks + "\r"), then the prompt
    assert out == "\r" + " " * 40 + "\nuser@host> "
    assert "---(more" not in term.run("show chassis routing-engine | no-more")
    assert term.run("set cli screen-length 0") == "Screen length set to 0\n\nuser@host> "
    assert "---(more" not in term.run("show chassis routing-engine")
    term.run("set cli screen-length 30")
    assert "---(more" in term.run("show chassis routing-engine")


def test_configuration_mode_pages_too() -> None:
    term = Term(make_model())
    term.cli.resize(80, 5)
    term.run("configure")
    term.run("set system syslog file messages any notice")
    out = term.run("show system")
    assert out.endswith("---(more 89%)---") and len(out.split("\n")) == 5
    out = term.type(" ")
    assert out.endswith("    }\n}\n\n[edit]\nuser@host# ")
    assert term.type("  ") == "  "  # the pager is done: keys are typed again
