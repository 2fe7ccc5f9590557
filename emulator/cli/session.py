"""The interactive Junos CLI of one shell session, sans-IO: keystrokes in, terminal bytes out.

Every operational command goes through the one command table
(``emulator.commands.operational.TABLE``: ``parse_cli`` + handler), exactly as NETCONF
``<command>`` does; only what exists nowhere but in an interactive shell is handled here
(``configure``, ``exit``, ``request routing-engine login``, ``[yes,no]`` confirmations, pipes,
completion and help).

Texts follow the chapter ("Log In To Backup Routing Engine If graceful-switchover is
Configured", "Manually Switching Routing Engine Mastership", "Use the Proper Shutdown Process
on a Backup Routing Engine") and the transcripts in ``samples/cli.*.txt``.  The caller may hold
``model.lock``; every entry point takes it (it is re-entrant).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum

from emulator.cli.configure import CONFIG_GRAMMAR, ConfigMode, Confirm
from emulator.cli.errors import CliSyntaxError
from emulator.cli.grammar import CliVerb, Grammar, Resolution, completion_lines, tokenize
from emulator.cli.lineedit import EditEvent, EventKind, LineEditor
from emulator.cli.pipes import (
    PIPE_GRAMMAR,
    Pipe,
    PipeKind,
    apply_text,
    parse_pipes,
    render_reply,
    render_rpc,
    split_pipes,
)
from emulator.cli.schema import statement_help
from emulator.commands.operational import TABLE
from emulator.commands.table import Arg, ArgKind, Command, CommandContext, CommandSyntaxError
from emulator.commands.xmlutil import junos_ns, xnm_message
from emulator.model.errors import ModelError, NotReadyError, UnreachableError
from emulator.model.router import RouterModel
from emulator.model.routing_engine import REState

__all__ = ["OPERATIONAL_GRAMMAR", "CliSession", "Mode", "banner_for"]

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
    ("set",): "Set CLI properties, date/time, craft interface message",
    ("set", "cli"): "Set CLI properties",
    ("show", "chassis", "cluster"): "Show chassis cluster information",
    ("show", "ethernet-switching"): "Show Ethernet-switching information",
    ("show", "bridge"): "Show bridging information",
}

#: Junos's hidden commands: they run when typed in full but ``?`` and TAB never offer them.
_HIDDEN = (("request", "shell"),)

#: Operational mode: the command table's words plus the shell-only verbs.
OPERATIONAL_GRAMMAR = Grammar((*TABLE.commands, *_LOCAL_VERBS), _WORD_HELP, _HIDDEN)

#: ``{master}``/``{backup}`` for the RE states (transitional states show where they lead from).
_BANNER_STATE = {
    REState.MASTER: "master",
    REState.GIVEUP: "master",
    REState.BACKUP: "backup",
    REState.CLAIM: "backup",
    REState.DISABLED: "disabled",
}

#: The compile date the ``--- JUNOS`` login line shows (any fixed date; the model has none).
BUILD_STAMP = "2016-06-29 09:51:55 UTC"


class Mode(Enum):
    """Where the shell is: operational mode, configuration mode, or gone."""

    OPERATIONAL = "operational"
    CONFIGURE = "configure"
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class _Hop:
    """An RE the shell is logged in to (``request routing-engine login`` adds one)."""

    slot: int
    boot_stamp: float


def banner_for(model: RouterModel, slot: int) -> str:
    """Return ``{master}``/``{backup}`` once graceful-switchover is configured, else ''.

    Chapter: "If graceful-switchover is configured, the CLI command prompt will look as
    follows: {backup} user@host-re0>".
    """
    r = model.chassis.re(slot)
    if not model.settings(slot).graceful_switchover or r.state not in _BANNER_STATE:
        return ""
    return "{" + _BANNER_STATE[r.state] + "}"


class CliSession:
    """One interactive CLI session of ``user`` that starts on RE ``slot`` of ``model``."""

    def __init__(self, model: RouterModel, slot: int, user: str, *, session_id: int,
                 on_close: Callable[[], None] | None = None) -> None:
        self.model = model
        self.user = user
        self.session_id = session_id
        self._closed = False
        self.editor = LineEditor()
        self._on_close = on_close
        self._out: list[str] = []
        self._pending: Confirm | None = None
        self._config: ConfigMode | None = None
        #: Whether the next prompt follows a blank line (Junos's layout after output).
        self._blank = True
        with model.lock:
            self._hops = [self._hop(slot)]

    # ------------------------------------------------------------ public API
    @property
    def slot(self) -> int:
        """Return the slot of the RE the shell is on now."""
        return self._hops[-1].slot

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
        with self.model.lock:
            self._write(self._junos_line())
            self._prompt(blank=False)

    def receive_data(self, data: bytes) -> None:
        """Consume keystrokes; run each completed line."""
        with self.model.lock:
            for i in range(len(data)):
                if self.closed:
                    return
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
        """Notice REs that went down while the user typed nothing (halt from elsewhere)."""
        with self.model.lock:
            if not self.closed and self._check_hops():
                self._prompt()

    def close(self) -> None:
        """End the session (the terminal sees no more output)."""
        if self._closed:
            return
        self._closed = True
        if self._on_close is not None:
            self._on_close()

    # ------------------------------------------------------------ output
    def _write(self, text: str) -> None:
        if text:
            self._out.append(text)

    def _hop(self, slot: int) -> _Hop:
        return _Hop(slot, self.model.chassis.re(slot).start_time)

    def _junos_line(self) -> str:
        version = self.model.chassis.re(self.slot).hardware.version
        return f"--- JUNOS {version} built {BUILD_STAMP}\n"

    def prompt_text(self) -> str:
        """Return the banner/``[edit]`` line (if any) and ``user@host> `` (or ``#``)."""
        host = self.model.hostname(self.slot)
        banner = banner_for(self.model, self.slot)
        if self._config is not None:
            return f"{banner}{self._config.header()}\n{self.user}@{host}# "
        head = f"{banner}\n" if banner else ""
        return f"{head}{self.user}@{host}> "

    def _prompt(self, *, blank: bool = True) -> None:
        if self.closed:
            return
        if self._pending is not None:
            self._write(self._pending.question)
            return
        self._write(("\n" if blank else "") + self.prompt_text())

    def _redraw(self) -> None:
        """After a help list: the whole prompt again (Junos repeats the ``{master}`` and
        ``[edit]`` lines too) with what was typed so far."""
        self._write(self.prompt_text() + self.editor.buffer)

    # ------------------------------------------------------------ events
    def _event(self, event: EditEvent) -> None:
        if event.kind is EventKind.LINE:
            self._write("\n")
            self._line(event.text)
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

    def _grammar_for(self, text: str) -> tuple[Grammar, str]:
        head, stages = split_pipes(text)
        if stages:
            return PIPE_GRAMMAR, stages[-1][0]
        return (CONFIG_GRAMMAR if self._config is not None else OPERATIONAL_GRAMMAR), head

    def _complete(self, text: str) -> None:
        if self._pending is not None:
            return
        statements = self._statement_help(text)
        if statements is not None:
            self._complete_statement(text, statements)
            return
        grammar, part = self._grammar_for(text)
        done = grammar.complete(part)
        if done is not None:
            self.editor.set_buffer(text[: len(text) - len(part)] + done)
            self._write(self.editor.echo())
            return
        pairs = grammar.candidates(part)
        if pairs:
            self._write("\n" + "\n".join(completion_lines(pairs)) + "\n")
            self._redraw()

    def _statement_help(self, text: str) -> list[tuple[str, str, str]] | None:
        """In configuration mode, after ``set``/``delete``/``edit``/``show``: the statements
        that may follow (``emulator.cli.schema``), or None to use the command grammar."""
        head, stages = split_pipes(text)
        tokens = tokenize(head)
        if self._config is None or stages or not tokens or (
                len(tokens) == 1 and not head[-1:].isspace()):
            return None
        try:
            verb = CONFIG_GRAMMAR.resolve(tokens[0].text).words[0]
        except CliSyntaxError:
            return None
        if verb not in ("set", "delete", "edit", "show"):
            return None
        words = [t.text for t in tokens[1:]]
        partial = "" if head[-1:].isspace() else words.pop()
        found = statement_help([*self._config.path, *words], partial)
        if found is not None and verb == "show" and not partial:
            found = [f for f in found if f[1] != "<[Enter]>"]
            found = [_ENTER_HELP, *found, (" ", "|", "Pipe through a command")]
        return found

    def _complete_statement(self, text: str, found: list[tuple[str, str, str]]) -> None:
        words = [w for _, w, _ in found if not w.startswith(("<", "|"))]
        partial = "" if text[-1:].isspace() else tokenize(text)[-1].text
        if len(words) == 1 and partial:
            self.editor.set_buffer(text[: len(text) - len(partial)] + words[0] + " ")
            self._write(self.editor.echo())
        elif found and not partial:
            self._write("\n" + _statement_lines(found))
            self._redraw()

    def _help(self, text: str) -> None:
        if self._pending is not None:
            return
        statements = self._statement_help(text)
        if statements:
            self._write("?\n" + _statement_lines(statements))
            self._redraw()
            return
        grammar, part = self._grammar_for(text)
        pairs = grammar.candidates(part)
        self._write("?\n")
        if pairs:
            self._write("\n".join(completion_lines(pairs)) + "\n")
        else:
            self._write(self._error_lines(_help_error(grammar, part, len(text) - len(part))))
        self._redraw()

    # ------------------------------------------------------------ lines
    def _line(self, text: str) -> None:
        if self._pending is not None:
            confirm, self._pending = self._pending, None
            answer = _answer(text, confirm.default)
            self._write(_ensure_nl(self._guarded(lambda: confirm.action(answer))))
            self._after_command()
            return
        if not text.strip():
            self._prompt(blank=False)
            return
        try:
            if self._config is not None:
                self._config_line(text)
            else:
                self._operational(text)
        except CliSyntaxError as exc:
            self._syntax_error(text, exc)
        self._after_command()

    def _after_command(self) -> None:
        self._check_hops()
        self._prompt(blank=self._blank)
        self._blank = True

    def _syntax_error(self, text: str, exc: CliSyntaxError) -> None:
        self._write(self._error_lines(exc))

    def _error_lines(self, exc: CliSyntaxError) -> str:
        """Return the caret under the bad word, the message and any completions."""
        width = len(self.prompt_text().split("\n")[-1])
        lines = [" " * (width + exc.column) + "^", str(exc)]
        if exc.completions:
            lines += completion_lines(exc.completions)
        return "\n".join(lines) + "\n"

    def _guarded(self, run: Callable[[], str]) -> str:
        """Run a model operation; the router's refusals become ``error:`` lines."""
        try:
            return run()
        except ModelError as exc:
            return _error_text(exc)

    # ------------------------------------------------------------ operational mode
    def _operational(self, text: str) -> None:
        head, stages = split_pipes(text)
        res = OPERATIONAL_GRAMMAR.resolve(head)
        pipes = parse_pipes(stages)
        if isinstance(res.target, CliVerb):
            self._verb(res, pipes)
        else:
            self._table_command(head, pipes)

    def _ctx(self) -> CommandContext:
        return CommandContext(self.model, self.slot, self.user, interactive=True,
                              extra={"session_id": self.session_id})

    def _table_command(self, head: str, pipes: Sequence[Pipe]) -> None:
        try:
            cmd, args = TABLE.parse_cli(head)
        except CommandSyntaxError as exc:
            raise _located(head, exc) from exc
        kinds = {p.kind for p in pipes}
        ns = junos_ns(self.model.chassis.re(self.slot).hardware.version)
        if PipeKind.DISPLAY_XML_RPC in kinds:
            rpc = render_rpc(cmd.rpc, args, ns, banner_for(self.model, self.slot))
            self._write(apply_text(rpc, pipes))
            return
        if cmd.confirm and not args.get("no-confirm") and PipeKind.DISPLAY_XML not in kinds:
            self._ask(cmd, args, pipes)
            return
        self._write(self._guarded(lambda: self._execute(cmd, args, pipes, [])))

    def _ask(self, cmd: Command, args: Mapping[str, str | bool], pipes: Sequence[Pipe]) -> None:
        """Print the command's preamble and its ``[yes,no] (no)`` prompt; "yes" runs it."""
        ctx = self._ctx()
        shown = cmd.preamble(ctx, args) if cmd.preamble else []
        self._write("".join(line + "\n" for line in shown))
        assert cmd.confirm is not None

        def action(yes: bool) -> str:
            if not yes:
                return ""
            return "\n" + self._execute(cmd, args, pipes, shown).lstrip("\n")

        self._pending = Confirm(cmd.confirm, False, lambda yes: self._guarded(
            lambda: action(yes)))

    def _execute(self, cmd: Command, args: Mapping[str, str | bool], pipes: Sequence[Pipe],
                 shown: Sequence[str]) -> str:
        """Run the table command; return its text (or ``| display xml``).  Raises ModelError."""
        result = cmd.handler(self._ctx(), args)
        if any(p.kind is PipeKind.DISPLAY_XML for p in pipes):
            ns = junos_ns(self.model.chassis.re(self.slot).hardware.version)
            body = [xnm_message("warning", w) for w in result.warnings] + list(result.xml)
            return apply_text(render_reply(body, ns, banner_for(self.model, self.slot)), pipes)
        said = "\n".join(shown)
        lines = [f"warning: {w}" for w in result.warnings if w.split("\n")[0] not in said]
        lines += [f"error: {e}" for e in result.errors]
        head = "".join(line + "\n" for line in lines)
        return head + _ensure_nl(apply_text(result.text, pipes))

    def _verb(self, res: Resolution, pipes: Sequence[Pipe]) -> None:
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
        self._write(f"Screen {what} set to {value}\n")

    def _exit_hop(self) -> None:
        if len(self._hops) > 1:
            self._hops.pop()
            self._write("\nrlogin: connection closed\n")
            return
        self.close()

    def _login(self, res: Resolution) -> None:
        """``request routing-engine login other-routing-engine`` (chapter, "Log In To Backup
        Routing Engine"): the shell continues on the other RE until ``exit``."""
        words = {t.text for t in res.args}
        try:
            target = self._login_target(words)
            if target != self.slot and not self.model.chassis.reachable(self.slot, target):
                raise UnreachableError(f"Could not connect to re{target} : No route to host")
        except ModelError as exc:
            self._write(f"error: {exc}\n")
            return
        if target == self.slot:
            return
        self._hops.append(self._hop(target))
        # Sample cli.dual-re-gres-checks: the --- JUNOS line, then the other RE's prompt.
        self._write("\n" + self._junos_line())
        self._blank = False

    def _login_target(self, words: set[str]) -> int:
        if "re0" in words or "re1" in words:
            return 0 if "re0" in words else 1
        if "master" in words or "backup" in words:
            want = REState.MASTER if "master" in words else REState.BACKUP
            for slot, r in self.model.chassis.res.items():
                if r.state is want:
                    return slot
            raise UnreachableError(f"Could not connect to {want.value} : No route to host")
        return self.model.require_reachable_other(self.slot)

    def _check_hops(self) -> bool:
        """End the session if its first RE went down; drop logins to REs that went down.

        Returns True if something was printed."""
        if not self._hop_alive(self._hops[0]):
            self.close()
            return False
        printed = False
        while len(self._hops) > 1 and not self._hop_alive(self._hops[-1]):
            dead = self._hops.pop()
            if self._config is not None and self._config.slot == dead.slot:
                self._config = None
            self._write("\nrlogin: connection closed\n")
            printed = True
        return printed

    def _hop_alive(self, hop: _Hop) -> bool:
        r = self.model.chassis.re(hop.slot)
        return r.alive and r.start_time == hop.boot_stamp

    # ------------------------------------------------------------ configuration mode
    def _config_line(self, text: str) -> None:
        assert self._config is not None
        head, stages = split_pipes(text)
        res = CONFIG_GRAMMAR.resolve(head)
        pipes = parse_pipes(stages)
        try:
            outcome = self._config.run(res, pipes, head)
        except ModelError as exc:
            self._write(_error_text(exc))
            return
        self._write(outcome.text)
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


_ENTER_HELP = (" ", "<[Enter]>", "Execute this command")


def _statement_lines(found: Sequence[tuple[str, str, str]]) -> str:
    """Return configuration mode's "Possible completions:" with Junos's ``>``/``+`` marks."""
    lines = ["Possible completions:"] + [f"{mark} {word:<20} {text}".rstrip()
                                         for mark, word, text in found]
    return "\n".join(lines) + "\n"


def _help_error(grammar: Grammar, part: str, offset: int) -> CliSyntaxError:
    """Return why ``?`` has nothing to offer after ``part`` (which starts at column ``offset``
    of the line): the first word that makes no sense, as Enter would report it."""
    try:
        grammar.resolve(part)
    except CliSyntaxError as exc:
        message = str(exc)
        if offset and message == "unknown command.":
            message = "syntax error, expecting <command>."  # after "|": not a first word
        return CliSyntaxError(message, exc.column + offset, exc.completions)
    tokens = tokenize(part)
    column = tokens[-1].column if tokens and not part[-1:].isspace() else len(part)
    return CliSyntaxError("syntax error.", column + offset)


def _error_text(exc: ModelError) -> str:
    """Return the router's refusal as Junos prints it: ``error: ...`` lines."""
    if isinstance(exc, NotReadyError):
        # Real transcript: "Command aborted. Not ready for mastership switch, ..." after a
        # blank line and without "error:".
        return f"\n{exc}\n"
    return "".join(f"error: {line}\n" for line in str(exc).splitlines())


def _located(head: str, exc: CommandSyntaxError) -> CliSyntaxError:
    """Turn the table's message into a CLI error with the caret under the offending word."""
    message = str(exc)
    bad = message.rsplit(": ", 1)[1] if message.startswith("syntax error, expecting <command>: ") \
        else None
    if bad is not None:
        message = "syntax error, expecting <command>."
    column = head.rfind(bad) if bad else len(head.rstrip()) + 1
    if "ambiguous" in message:
        word = message.split("'")[1]
        column = head.find(word)
    return CliSyntaxError(message, max(column, 0))


def _answer(text: str, default: bool) -> bool:
    word = text.strip().lower()
    if not word:
        return default
    if "yes".startswith(word):
        return True
    if "no".startswith(word):
        return False
    return default


def _ensure_nl(text: str) -> str:
    return text if not text or text.endswith("\n") else text + "\n"
