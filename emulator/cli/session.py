"""The interactive Junos CLI of one shell session, sans-IO: keystrokes in, terminal bytes out.

Every operational command goes through the one command table
(``emulator.commands.operational.TABLE``: ``parse_cli`` + handler) and is answered by the same
renderer and pipe engine as NETCONF ``<command>`` (``emulator.commands.reply``, ``.pipes``),
the CLI adding the text filters its pager applies; only what exists nowhere but in an
interactive shell is handled here (``configure``, ``exit``, ``request routing-engine login``
with ``emulator.cli.hops``, ``[yes,no]`` confirmations, and ``?``/TAB with
``emulator.cli.assist``).

A command's output longer than the terminal is paged (``emulator.cli.pager``: ``---(more
N%)---``) unless ``| no-more`` or ``set cli screen-length 0`` says otherwise; lines entered are
kept in the editor's history (up/down arrows, Ctrl-P/Ctrl-N); ``load ... terminal`` in
configuration mode reads the lines typed up to Ctrl-D.

Texts follow the chapter ("Log In To Backup Routing Engine If graceful-switchover is
Configured", "Manually Switching Routing Engine Mastership", "Use the Proper Shutdown Process
on a Backup Routing Engine") and the transcripts in ``samples/cli.*.txt``.  It takes no lock: the
server calls it from the one event loop that owns the router.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable, Sequence
from enum import Enum

from lxml import etree

from emulator.cli import assist
from emulator.cli.config_load import LoadRequest
from emulator.cli.configure import CONFIG_GRAMMAR, ConfigMode, Confirm, Outcome
from emulator.cli.hops import Hops, asks_password, login_target
from emulator.cli.lineedit import EditEvent, EventKind, LineEditor
from emulator.cli.pager import Pager
from emulator.commands.context import CommandContext
from emulator.commands.grammar import CliSyntaxError, CliVerb, Grammar, Resolution
from emulator.commands.operational import TABLE
from emulator.commands.pipes import (
    Pipe,
    PipeKind,
    apply_text,
    parse_pipes,
    split_pipes,
    terminal_xml,
)
from emulator.commands.reply import (
    CommandLine,
    banner_for,
    cli_banner,
    command_answer,
    displayed,
    refusal_text,
    result_text,
    xml_reply,
)
from emulator.commands.table import Arg, ArgKind, CommandSyntaxError
from emulator.commands.xmlutil import junos_ns
from emulator.model.errors import ModelError
from emulator.model.router import RouterModel

__all__ = ["BUILD_STAMP", "OPERATIONAL_GRAMMAR", "CliSession", "Mode", "banner_for"]

log = logging.getLogger(__name__)

F = ArgKind.FLAG

_LOCAL_VERBS = (
    CliVerb(("configure",), "Manipulate software configuration information",
            (Arg("exclusive", F, "Obtain exclusive lock (other users cannot make changes)"),
             Arg("private", F, "Work in private database (other users cannot see changes)"))),
    CliVerb(("exit",), "Exit the management session"),
    CliVerb(("quit",), "Exit the management session"),
    CliVerb(("request", "routing-engine", "login"), "Log in to another Routing Engine",
            (Arg("backup", F, "Log in to backup Routing Engine"),
             Arg("master", F, "Log in to master Routing Engine"),
             Arg("other-routing-engine", F, "Log in to other Routing Engine"),
             Arg("re0", F, "Log in to Routing Engine 0"),
             Arg("re1", F, "Log in to Routing Engine 1"))),
    CliVerb(("set", "cli", "screen-length"), "Set number of lines on screen", free=True),
    CliVerb(("set", "cli", "screen-width"), "Set number of characters on a line", free=True),
)

_WORD_HELP = {
    ("show",): "Show system information",
    ("show", "chassis"): "Show chassis information",
    ("show", "system"): "Show system-wide information",
    ("show", "task"): "Show routing protocol per-task information",
    ("request",): "Make system-level requests",
    ("request", "chassis"): "Perform chassis-specific operations",
    ("request", "chassis", "routing-engine"): "Routing Engine operations",
    ("request", "chassis", "routing-engine", "master"): "Change Routing Engine mastership",
    ("request", "system"): "Perform system-level operations",
    ("request", "routing-engine"): "Routing Engine operations",
    ("file",): "Perform file operations",
    ("clear",): "Clear information in the system",
    ("set",): "Set CLI properties, date/time, craft interface message",
    ("set", "cli"): "Set CLI properties",
    ("show", "chassis", "cluster"): "Show chassis cluster information",
    ("show", "ethernet-switching"): "Show Ethernet-switching information",
    ("show", "bridge"): "Show bridging information",
    ("show", "cli"): "Show command-line interface settings",
    ("show", "system", "commit"): "Show pending commit and commit history",
}

#: Junos's hidden commands: they run when typed in full but ``?`` and TAB never offer them.
_HIDDEN = (("request", "shell"),)

#: Operational mode: the command table's words plus the shell-only verbs.
OPERATIONAL_GRAMMAR = Grammar((*TABLE.commands, *_LOCAL_VERBS), _WORD_HELP, _HIDDEN)

#: The compile date the ``--- JUNOS`` login line shows (any fixed date; the model has none).
BUILD_STAMP = "2016-06-29 09:51:55 UTC"


class Mode(Enum):
    """Where the shell is: operational mode, configuration mode, or gone."""

    OPERATIONAL = "operational"
    CONFIGURE = "configure"
    CLOSED = "closed"


class CliSession:
    """One interactive CLI session of ``user`` that starts on RE ``slot`` of ``model``.

    ``password`` is the user's own, which an RE of the chapter's era asks again at ``request
    routing-engine login`` (None: no password is right there)."""

    def __init__(self, model: RouterModel, slot: int, user: str, *, session_id: int,
                 on_close: Callable[[], None] | None = None, password: str | None = None
                 ) -> None:
        self.model = model
        self.user = user
        self._password = password
        #: The RE whose ``Password:`` question is waiting for its answer.
        self._password_for: int | None = None
        self.session_id = session_id
        self._closed = False
        self.editor = LineEditor()
        self._on_close = on_close
        self._out: list[str] = []
        self._pending: Confirm | None = None
        self._config: ConfigMode | None = None
        #: Whether the next prompt follows a blank line (Junos's layout after output).
        self._blank = True
        self._hops = Hops(model, slot)
        self._pager: Pager | None = None
        #: ``load ... terminal``: the request and the lines typed so far (until Ctrl-D).
        self._collect: LoadRequest | None = None
        self._collected: list[str] = []
        #: The terminal's height (0: unknown, no paging) and ``set cli screen-length``.
        self._height = 0
        self._screen_length: int | None = None
        self._no_more = False
        #: A command whose outcome the router has not decided yet (``Result.settled``): the
        #: prompt waits, and what is typed meanwhile is kept for after it.
        self._settle: Callable[[], str | None] | None = None
        self._typeahead = bytearray()

    # ------------------------------------------------------------ public API
    @property
    def slot(self) -> int:
        """Return the slot of the RE the shell is on now."""
        return self._hops.slot

    @property
    def closed(self) -> bool:
        """Return True once the session has ended (exit, Ctrl-D, its RE went down)."""
        return self._closed

    @property
    def mode(self) -> Mode:
        """Return where the shell is."""
        if self._closed:
            return Mode.CLOSED
        return Mode.CONFIGURE if self._config is not None else Mode.OPERATIONAL

    def start(self) -> None:
        """Queue the login banner and the first prompt."""
        self._write(self._junos_line())
        self._prompt(blank=False)

    def resize(self, width: int, height: int) -> None:
        """The terminal is ``width`` x ``height`` (a pty request or a window change): output
        longer than ``height`` lines is paged, unless ``set cli screen-length`` said
        otherwise."""
        self._height = max(height, 0)

    @property
    def screen_length(self) -> int:
        """Return the lines per screen the pager uses (0: no paging)."""
        return self._screen_length if self._screen_length is not None else self._height

    def receive_data(self, data: bytes) -> None:
        """Consume keystrokes; run each completed line (or page on, at a more prompt).  While
        a command waits for the router to settle, keystrokes are kept for after its prompt."""
        if self._settle is not None:
            self._typeahead += data
            self._settle_check()
            return
        for i in range(len(data)):
            if self.closed:
                return
            if self._pager is not None:
                self._page_key(data[i:i + 1].decode(errors="ignore"))
                continue
            events = self.editor.feed(data[i:i + 1])
            self._write(self.editor.echo())
            for event in events:
                self._event(event)

    def data_to_send(self) -> bytes:
        """Return and forget the bytes for the terminal (``\\n`` sent as CR LF)."""
        text = "".join(self._out)
        self._out.clear()
        return text.replace("\r\n", "\n").replace("\n", "\r\n").encode()

    def tick(self) -> None:
        """Look at the model again: a command waiting for the router to settle finishes, REs
        that went down while the user typed nothing are noticed (halt from elsewhere)."""
        if self.closed:
            return
        if self._settle is not None:
            self._settle_check()
        elif self._check_hops():
            self._prompt()

    def close(self) -> None:
        """End the session (the terminal sees no more output)."""
        if self._closed:
            return
        self._closed = True
        if self._on_close is not None:
            self._on_close()

    def prompt_text(self) -> str:
        """Return the banner/``[edit]`` line (if any) and ``user@host> `` (or ``#``)."""
        host = self.model.hostname(self.slot)
        banner = banner_for(self.model, self.slot)
        if self._config is not None:
            return f"{banner}{self._config.header()}\n{self.user}@{host}# "
        head = f"{banner}\n" if banner else ""
        return f"{head}{self.user}@{host}> "

    # ------------------------------------------------------------ output
    def _write(self, text: str) -> None:
        if text:
            self._out.append(text)

    def _junos_line(self) -> str:
        version = self.model.chassis.re(self.slot).hardware.version
        return f"--- JUNOS {version} built {BUILD_STAMP}\n"

    def _prompt(self, *, blank: bool = True) -> None:
        if self.closed:
            return
        if self._pending is not None:
            self._write(self._pending.question)
            return
        if self._password_for is not None:
            self._write("Password:")
            return
        self._write(("\n" if blank else "") + self.prompt_text())

    def _redraw(self) -> None:
        """After a help list: the whole prompt again (Junos repeats the ``{master}`` and
        ``[edit]`` lines too) with what was typed so far."""
        self._write(self.prompt_text() + self.editor.buffer)

    def _prompt_width(self) -> int:
        return len(self.prompt_text().split("\n")[-1])

    # ------------------------------------------------------------ events
    def _event(self, event: EditEvent) -> None:
        if self._collect is not None:
            self._collect_event(event)
        elif event.kind is EventKind.LINE:
            self._write("\n")
            self._line(event.text)
        elif self._password_for is not None and event.kind in (EventKind.INTERRUPT,
                                                                EventKind.EOF):
            self._password_for, self.editor.echo_on = None, True
            self._write("\n")
            self._prompt(blank=False)
        elif event.kind is EventKind.INTERRUPT:
            self._pending = None
            self._write("\n")
            self._prompt(blank=False)
        elif event.kind is EventKind.EOF:
            self._write("\n")
            self._line("exit")
        elif event.kind is EventKind.COMPLETE:
            self._complete(event.text)
        else:
            self._help(event.text)

    def _config_path(self) -> list[str] | None:
        return self._config.path if self._config is not None else None

    def _complete(self, text: str) -> None:
        if self._pending is not None or self._password_for is not None:
            return
        done = assist.complete(text, OPERATIONAL_GRAMMAR, self._config_path())
        if done.buffer is not None:
            self.editor.set_buffer(done.buffer)
            self._write(self.editor.echo())
        elif done.listing is not None:
            self._write("\n" + done.listing)
            self._redraw()

    def _help(self, text: str) -> None:
        if self._pending is not None:
            return
        self._write("?\n" + assist.help_text(text, OPERATIONAL_GRAMMAR, self._config_path(),
                                              self._prompt_width()))
        self._redraw()

    # ------------------------------------------------------------ lines
    def _line(self, text: str) -> None:
        if self._password_for is not None:
            self._answer_password(self._password_for, text)
            self._after_command()
            return
        if self._pending is not None:
            confirm, self._pending = self._pending, None
            answer = confirm.answer(text)
            self._write(_ensure_nl(self._guarded(lambda: confirm.action(answer))))
            self._after_command()
            return
        if not text.strip():
            self._prompt(blank=False)
            return
        self.editor.remember(text)
        mark, self._no_more = len(self._out), False
        try:
            if self._config is not None:
                self._config_line(text)
            else:
                self._operational(text)
        except CliSyntaxError as exc:
            self._write(assist.error_lines(exc, self._prompt_width()))
        if self._collect is None:
            self._page_from(mark)

    # ------------------------------------------------------------ paging
    def _page_from(self, mark: int) -> None:
        """Page what the line printed (from ``_out[mark]``) if it does not fit the screen;
        otherwise show the prompt."""
        produced = "".join(self._out[mark:])
        if self._pending is None and not self.closed and not self._no_more \
                and Pager.needed(produced, self.screen_length):
            del self._out[mark:]
            self._pager = Pager(produced, self.screen_length)
            self._write(self._pager.start())
            return
        self._after_command()

    def _page_key(self, key: str) -> None:
        assert self._pager is not None
        self._write(self._pager.key(key))
        if self._pager.done:
            self._pager = None
            self._after_command()

    # ------------------------------------------------------------ load ... terminal
    def _collect_event(self, event: EditEvent) -> None:
        """A line of ``load ... terminal`` input; Ctrl-D on a new line ends it, Ctrl-C
        abandons the load."""
        assert self._collect is not None
        if event.kind is EventKind.LINE:
            self._write("\n")
            self._collected.append(event.text)
            return
        request, self._collect = self._collect, None
        self.editor.literal = False
        lines, self._collected = self._collected, []
        if event.kind is EventKind.EOF and self._config is not None:
            config = self._config
            self._write(self._guarded(lambda: config.finish_load(request, "\n".join(lines))))
        else:
            self._write("\n")
        self._after_command()

    def _after_command(self) -> None:
        if self._settle is not None:
            return  # the prompt comes once the router has settled (_settle_check)
        self._check_hops()
        self._prompt(blank=self._blank)
        self._blank = True

    def _settle_check(self) -> None:
        """Once the router has settled (a mastership resolution is over), print the command's
        last line, then the prompt, then run what was typed meanwhile."""
        assert self._settle is not None
        tail = self._settle()
        if tail is None:
            return
        self._settle = None
        self._write(_ensure_nl(tail))
        self._after_command()
        typed, self._typeahead = bytes(self._typeahead), bytearray()
        if typed:
            self.receive_data(typed)

    def _guarded(self, run: Callable[[], str]) -> str:
        """Run a model operation; the router's refusals become ``error:`` lines."""
        try:
            return run()
        except ModelError as exc:
            return refusal_text(exc)

    # ------------------------------------------------------------ operational mode
    def _operational(self, text: str) -> None:
        head, stages = split_pipes(text)
        res = OPERATIONAL_GRAMMAR.resolve(head)
        pipes = parse_pipes(stages)
        self._no_more = self._no_more or any(p.kind is PipeKind.NO_MORE for p in pipes)
        if isinstance(res.target, CliVerb):
            self._verb(res)
        else:
            self._table_command(head, pipes)

    def _ctx(self) -> CommandContext:
        return CommandContext(self.model, self.slot, self.user, interactive=True,
                              session_id=self.session_id)

    def _table_command(self, head: str, pipes: Sequence[Pipe]) -> None:
        """Run a row of the table as ``<command>`` does, then the CLI's own text filters."""
        try:
            cmd, req = TABLE.parse_cli(head)
        except CommandSyntaxError as exc:
            raise assist.table_error(head, exc) from exc
        line = CommandLine(cmd, req, tuple(pipes))
        if line.has(PipeKind.DISPLAY_XML_RPC):
            answer = command_answer(line, None, "xml", banner_for(self.model, self.slot))
            self._write(apply_text(self._terminal_xml(answer.body), pipes))
        elif cmd.confirm and not req.get("no-confirm") and not req.get("check") \
                and not line.has(PipeKind.DISPLAY_XML):
            self._ask(line)
        else:
            self._write(self._guarded(lambda: self._execute(line, [])))

    def _ask(self, line: CommandLine) -> None:
        """Print the command's preamble and its ``[yes,no] (no)`` prompt; "yes" runs it."""
        cmd = line.cmd
        shown = cmd.preamble(self._ctx(), line.request) if cmd.preamble else []
        self._write("".join(text + "\n" for text in shown))
        assert cmd.confirm is not None

        def action(yes: bool) -> str:
            if not yes:
                return ""
            return "\n" + self._execute(line, shown).lstrip("\n")

        self._pending = Confirm(cmd.confirm, False, lambda yes: self._guarded(
            lambda: action(yes)))

    def _execute(self, line: CommandLine, shown: Sequence[str]) -> str:
        """Run the row; return what the terminal shows.  Raises ModelError."""
        result = line.cmd.handler(self._ctx(), line.request)
        if line.has(PipeKind.DISPLAY_XML):
            body = xml_reply(line.cmd, result).body
            body.append(cli_banner(banner_for(self.model, self.slot)))
            return apply_text(self._terminal_xml(body), line.pipes)
        text = _ensure_nl(result_text(displayed(line, result), shown, line.pipes))
        if result.settled is not None:
            # The last line ("Complete. ...") is printed when the router has decided it.
            self._settle = result.settled
            text = text.rstrip("\n").rpartition("\n")[0] + "\n"
        return text

    def _terminal_xml(self, body: Sequence[etree._Element]) -> str:
        return terminal_xml(body, junos_ns(self.model.chassis.re(self.slot).hardware.version))

    def _verb(self, res: Resolution) -> None:
        name = res.words[0]
        if name == "configure":
            self._config = ConfigMode(self.model, self.slot, self.user, self.session_id)
            self._write(self._config.enter_text())
        elif name in ("exit", "quit"):
            self._exit_hop()
        elif name == "request":
            self._login(res)
        else:
            self._set_cli(res)

    def _set_cli(self, res: Resolution) -> None:
        value = res.args[0].text if res.args else ""
        what = "length" if res.words[-1] == "screen-length" else "width"
        if not value.isdigit():
            raise CliSyntaxError("syntax error, expecting <number>.",
                                 res.args[0].column if res.args else 0)
        if what == "length":
            self._screen_length = int(value)
        self._write(f"Screen {what} set to {value}\n")

    def _exit_hop(self) -> None:
        if self._hops.nested:
            self._hops.leave()
            self._write("\nrlogin: connection closed\n")
            return
        self.close()

    def _login(self, res: Resolution) -> None:
        """``request routing-engine login other-routing-engine`` (chapter, "Log In To Backup
        Routing Engine"): the shell continues on the other RE until ``exit``."""
        try:
            target = login_target(self.model, self.slot, {t.text for t in res.args})
        except ModelError as exc:
            self._write(f"error: {exc}\n")
            return
        if target == self.slot:
            return
        if asks_password(self.model, target):
            self._password_for, self.editor.echo_on = target, False
            return
        self._hops.login(target)
        # Sample cli.dual-re-gres-checks: the --- JUNOS line, then the other RE's prompt.
        self._write("\n" + self._junos_line())
        self._blank = False

    def _answer_password(self, target: int, typed: str) -> None:
        """The answer to ``Password:``: the other RE's prompt follows at once (the chapter's
        sample), a wrong one is refused as ``login`` refuses it and the shell stays here."""
        self._password_for, self.editor.echo_on = None, True
        self._blank = False
        # As every login of the emulator: an empty password never logs in (ssh.User.accepts).
        if not self._password or not hmac.compare_digest(self._password.encode(),
                                                         typed.encode()):
            self._write("Login incorrect\n")
            return
        if self._hops.first_alive() and self.model.chassis.reachable(self.slot, target):
            self._hops.login(target)

    def _check_hops(self) -> bool:
        """End the session if its first RE went down; drop logins to REs that went down.

        Returns True if something was printed."""
        if not self._hops.first_alive():
            self.close()
            return False
        dead = self._hops.drop_dead()
        for slot in dead:
            if self._config is not None and self._config.slot == slot:
                self._config = None
            self._write("\nrlogin: connection closed\n")
        return bool(dead)

    # ------------------------------------------------------------ configuration mode
    def _config_line(self, text: str) -> None:
        assert self._config is not None
        head, stages = split_pipes(text)
        res = CONFIG_GRAMMAR.resolve(head)
        pipes = parse_pipes(stages)
        self._no_more = any(p.kind is PipeKind.NO_MORE for p in pipes)
        try:
            outcome = self._config.run(res, pipes, head)
        except ModelError as exc:
            self._write(refusal_text(exc))
            return
        self._outcome(outcome)

    def _outcome(self, outcome: Outcome) -> None:
        self._write(outcome.text)
        if outcome.collect is not None:
            self._collect, self._collected = outcome.collect, []
            self.editor.literal = True
        if outcome.leave:
            self._config = None
        if outcome.confirm is not None:
            self._pending = self._wrap_confirm(outcome.confirm)
        if outcome.run is not None:
            self._run_from_config(outcome.run)

    def _wrap_confirm(self, confirm: Confirm) -> Confirm:
        def action(yes: bool) -> str:
            text = confirm.action(yes)
            if yes and confirm.leave:
                self._config = None
            return text

        return Confirm(confirm.question, confirm.default, action)

    def _run_from_config(self, line: str) -> None:
        """``run <command>``: an operational command without leaving configuration mode."""
        if not line.strip():
            raise CliSyntaxError("syntax error, expecting <command>.", 4)
        config, self._config = self._config, None
        try:
            self._operational(line)
        except CliSyntaxError as exc:
            raise CliSyntaxError(str(exc), exc.column + 4, exc.completions) from exc
        finally:
            if not self.closed and config is not None and config.slot == self.slot:
                self._config = config


def _ensure_nl(text: str) -> str:
    return text if not text or text.endswith("\n") else text + "\n"
