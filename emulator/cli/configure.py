"""Configuration mode: ``[edit]``, ``set``/``delete``/``activate``/``deactivate``/``show``/
``edit``/``load``/``commit``/``rollback``.

It edits the candidate of the RE the shell is on (``RouterModel.configs[slot]``) and commits
through ``RouterModel.commit`` so that ``commit synchronize`` checks and commits both REs in the
chapter's order ("Synchronize Configurations": ``re1: configuration check succeeds`` ...).
Every statement is spelled against the configuration schema (``emulator.model.schema``), with
the unique-prefix abbreviations the Junos CLI accepts; a word the schema refuses gets the caret
and Junos's message.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from emulator.cli import config_load
from emulator.commands.context import Result
from emulator.commands.grammar import CliSyntaxError, CliVerb, Grammar, Resolution
from emulator.commands.pipes import Pipe, PipeKind, apply_text, terminal_xml
from emulator.commands.reply import message_lines
from emulator.commands.table import Arg, ArgKind
from emulator.commands.xmlutil import junos_ns
from emulator.model import config as cfg
from emulator.model.config_errors import (
    MISSING_STATEMENTS,
    CommitCheckError,
    ConfigSyntaxError,
    ConfigValueError,
)
from emulator.model.config_set import edit_level
from emulator.model.config_syntax import (
    Mode,
    Tok,
    Word,
    edit_path,
    level_words,
    spell,
    tokenize,
)
from emulator.model.config_text import render_at, select
from emulator.model.config_tree import Edit, EditAction, PathStep
from emulator.model.router import CommitOutcome, RouterModel

__all__ = [
    "CONFIG_GRAMMAR",
    "GRES_NOT_SYNCHRONIZED",
    "UNCOMMITTED",
    "ConfigMode",
    "Confirm",
    "Outcome",
    "commit_text",
    "located",
]

F, V = ArgKind.FLAG, ArgKind.VALUE

_VERBS = (
    CliVerb(("set",), "Set a parameter", free=True),
    CliVerb(("delete",), "Delete a data element", free=True),
    CliVerb(("activate",), "Remove the inactive tag from a statement", free=True),
    CliVerb(("deactivate",), "Add the inactive tag to a statement", free=True),
    CliVerb(("show",), "Show a parameter", free=True),
    CliVerb(("edit",), "Edit a sub-element", free=True),
    CliVerb(("load",), "Load configuration from ASCII file", free=True),
    CliVerb(("top",), "Exit to top level of configuration"),
    CliVerb(("up",), "Exit one level of configuration", free=True),
    CliVerb(("exit",), "Exit from this level",
            (Arg("configuration-mode", F, "Exit from configuration mode"),)),
    CliVerb(("quit",), "Quit from this level",
            (Arg("configuration-mode", F, "Exit from configuration mode"),)),
    CliVerb(("commit",), "Commit current set of changes",
            (Arg("and-quit", F, "Quit configuration mode if commit succeeds"),
             Arg("check", F, "Check correctness of syntax; do not apply changes"),
             Arg("comment", V, "Message to write to commit log"),
             Arg("synchronize", F, "Synchronize commit on both Routing Engines"))),
    CliVerb(("rollback",), "Roll back to previous committed configuration", free=True),
    CliVerb(("run",), "Run an operational-mode command", free=True),
)

#: The words configuration mode accepts.
CONFIG_GRAMMAR = Grammar(_VERBS, {})

UNCOMMITTED = "The configuration has been changed but not committed"

#: Real Junos's warning for a plain ``commit`` once graceful-switchover is configured: the
#: backup's configuration must follow the master's for GRES to work.
GRES_NOT_SYNCHRONIZED = "graceful-switchover is enabled, commit synchronize should be used"

_ACTIONS = {"set": EditAction.MERGE, "delete": EditAction.DELETE,
            "activate": EditAction.ACTIVATE, "deactivate": EditAction.DEACTIVATE}


@dataclass(slots=True)
class Confirm:
    """A ``[yes,no]`` question; ``action(answer)`` returns the text to print afterwards."""

    question: str
    default: bool
    action: Callable[[bool], str]
    #: A "yes" also leaves configuration mode (``exit`` with uncommitted changes).
    leave: bool = False

    def answer(self, text: str) -> bool:
        """Return the answer ``text`` gives: a prefix of yes or no, else the default."""
        word = text.strip().lower()
        if not word:
            return self.default
        if "yes".startswith(word):
            return True
        if "no".startswith(word):
            return False
        return self.default


@dataclass(slots=True)
class Outcome:
    """What a configuration-mode line produced."""

    text: str = ""
    leave: bool = False
    confirm: Confirm | None = None
    #: ``run <command>``: the operational line to run.
    run: str | None = None
    #: ``load ... terminal``: the terminal's next lines (up to Ctrl-D) are the text to load.
    collect: config_load.LoadRequest | None = None
    extra: list[str] = field(default_factory=list)


def located(exc: ConfigSyntaxError) -> CliSyntaxError:
    """Return the schema's refusal as the CLI shows it: the caret under the word (in the
    terminal's first column for a bad value, as Junos 25.4 prints it) and Junos's line."""
    return CliSyntaxError(exc.cli_text(), max(exc.column, 0) if not isinstance(
        exc, ConfigValueError) else 0, exc.completions, absolute=isinstance(
        exc, ConfigValueError))


def _statement_words(head: str) -> tuple[list[Word], list[str] | None]:
    """Return the words after the verb of ``head`` (columns in ``head``) and the values of a
    closing ``[ a b ]``.  Raises CliSyntaxError for brackets that do not close."""
    try:
        toks = tokenize(head)[1:]
    except ConfigSyntaxError as exc:
        raise CliSyntaxError("syntax error.", len(head)) from exc
    if toks and toks[-1].kind is Tok.PUNCT and toks[-1].text == "]":
        opened = next((i for i, t in enumerate(toks) if t.text == "[" and t.kind is Tok.PUNCT),
                      None)
        if opened is None:
            raise CliSyntaxError("syntax error.", toks[-1].column)
        values = [t.text for t in toks[opened + 1:-1]]
        return [Word(t.text, t.column, 1, t.end) for t in toks[:opened]], values
    for t in toks:
        if t.kind is Tok.PUNCT:
            raise CliSyntaxError("syntax error.", t.column)
    return [Word(t.text, t.column, 1, t.end) for t in toks], None


class ConfigMode:
    """One user's configuration mode on RE ``slot`` (the candidate is shared, as on Junos)."""

    def __init__(self, model: RouterModel, slot: int, user: str, session_id: int) -> None:
        self.model = model
        self.slot = slot
        self.user = user
        self.session_id = session_id
        #: The ``edit`` levels entered, innermost last (``exit`` goes back one).
        self.levels: list[tuple[PathStep, ...]] = [()]

    @property
    def db(self) -> cfg.ConfigDatabase:
        """Return the configuration database of the RE the shell is on."""
        return self.model.configs[self.slot]

    @property
    def level(self) -> tuple[PathStep, ...]:
        """Return the current ``[edit ...]`` level."""
        return self.levels[-1]

    @property
    def path(self) -> list[str]:
        """Return the words of the current ``[edit ...]`` level."""
        return level_words(self.level)

    def header(self) -> str:
        """Return ``[edit]`` or ``[edit chassis redundancy]``."""
        return edit_path(self.level)

    def enter_text(self) -> str:
        """Return what ``configure`` prints."""
        lines = ["Entering configuration mode"]
        if self.db.modified:
            lines.append(UNCOMMITTED)
        return "\n".join(lines) + "\n"

    # ------------------------------------------------------------ dispatch
    def run(self, res: Resolution, pipes: Sequence[Pipe], line: str) -> Outcome:
        """Run one resolved configuration-mode line (``line`` is its command part, before
        any ``|``).  Raises CliSyntaxError (the caret under the word the schema refuses) and
        ModelError for the router's refusals (the session prints them as ``error:`` lines)."""
        verb = res.words[0]
        words = [t.text for t in res.args]
        if verb == "run":
            return Outcome(run=line.split(None, 1)[1] if len(line.split(None, 1)) > 1 else "")
        try:
            if verb in _ACTIONS:
                return self._edit_data(verb, line)
            if verb == "show":
                return self._show(line, pipes)
            if verb == "edit":
                return self._edit(line)
            if verb == "load":
                return self._load(res)
        except ConfigSyntaxError as exc:
            raise located(exc) from exc
        handler: Callable[[list[str]], Outcome] = getattr(self, f"_{verb}")
        return handler(words)

    def _spell(self, words: list[Word], mode: Mode,
               bracket: list[str] | None = None) -> tuple[tuple[PathStep, ...], cfg.ConfigNode]:
        spelled = spell([Word(w) for w in self.path] + words, mode=mode, bracket=bracket,
                        abbreviate=True)
        return spelled.path, spelled.tip

    def _edit_data(self, verb: str, line: str) -> Outcome:
        words, bracket = _statement_words(line)
        if verb == "delete" and not words:
            return Outcome(confirm=Confirm("Delete everything under this level? [yes,no] (no) ",
                                           False, self._delete_all))
        if not words:
            raise CliSyntaxError("syntax error, expecting <statement> or <identifier>.",
                                 len(line.rstrip()) + 1)
        action = _ACTIONS[verb]
        mode = Mode.SET if action is EditAction.MERGE else Mode.PATTERN
        path, tip = self._spell(words, mode, bracket)
        loaded = self.db.apply([Edit(action, path, tip)], session_id=self.session_id)
        # Junos: "warning: statement not found" for a delete of what is not there.
        return Outcome("".join("warning: statement not found\n" for _ in loaded.warnings))

    def _delete_all(self, yes: bool) -> str:
        if not yes:
            return ""
        if not self.level:
            self.db.load("", format="text", action="override", session_id=self.session_id)
        else:
            tip = self.level[-1]
            node = cfg.ConfigNode(tip.name, cfg.NodeKind.ENTRY if tip.key else
                                  cfg.NodeKind.CONTAINER, tip.key)
            self.db.apply([Edit(EditAction.DELETE, self.level[:-1], node)],
                          session_id=self.session_id)
        return ""

    def _show(self, line: str, pipes: Sequence[Pipe]) -> Outcome:
        kinds = {p.kind for p in pipes}
        if PipeKind.COMPARE in kinds:
            compare = next(p for p in pipes if p.kind is PipeKind.COMPARE)
            text = self.db.compare(int(compare.arg) if compare.arg.isdigit() else 0)
            return Outcome(apply_text(text, pipes))
        words, _ = _statement_words(line)
        root = self.db.candidate
        path: tuple[PathStep, ...] = ()
        tip: cfg.ConfigNode | None = None
        if words or self.level:
            path, tip = self._spell(words, Mode.PATTERN) if words else (
                self.level[:-1], _pattern(self.level[-1]))
        if PipeKind.DISPLAY_SET in kinds:
            prefix = " ".join(["set", *level_words(path + _steps(tip))])
            text = "".join(s + "\n" for s in cfg.render_set(root)
                           if s == prefix or s.startswith(prefix + " "))
        elif PipeKind.DISPLAY_XML in kinds:
            text = self._xml(path, tip)
        else:
            text = cfg.render_text(root) if tip is None else render_at(root, path, tip)
        return Outcome(apply_text(text, pipes))

    def _xml(self, path: tuple[PathStep, ...], tip: cfg.ConfigNode | None) -> str:
        """``show ... | display xml``: the candidate's subtree in ``<configuration>``."""
        root = self.db.candidate
        if tip is not None:
            root = select(root, path, tip)
        version = self.model.chassis.re(self.slot).hardware.version
        return terminal_xml([cfg.render_xml(root)], junos_ns(version))

    def _edit(self, line: str) -> Outcome:
        words, _ = _statement_words(line)
        self.levels.append(edit_level(self.level, words, abbreviate=True))
        return Outcome()

    def _load(self, res: Resolution) -> Outcome:
        request = config_load.parse_load(res.args, self.level)
        if request.terminal:
            return Outcome(config_load.TERMINAL_PROMPT + "\n", collect=request)
        data = config_load.read_file(self.model, self.slot, self.user, request.source)
        if data is None:
            return Outcome(config_load.missing_file(request.source))
        return Outcome(self.finish_load(request, data))

    def finish_load(self, request: config_load.LoadRequest, text: str) -> str:
        """Load ``text`` as ``request`` asks; return the report (``load complete``).
        Raises ModelError (the database is locked by another session)."""
        return config_load.run_load(self.db, request, text, self.session_id)

    def _top(self, words: list[str]) -> Outcome:
        self.levels.append(())
        return Outcome()

    def _up(self, words: list[str]) -> Outcome:
        count = int(words[0]) if words and words[0].isdigit() else 1
        self.levels.append(self.level[: max(0, len(self.level) - count)])
        return Outcome()

    def _exit(self, words: list[str]) -> Outcome:
        if self.level and not words:
            self.levels.pop()
            return Outcome()
        if not self.db.modified:
            return Outcome("Exiting configuration mode\n", leave=True)
        return Outcome(UNCOMMITTED + "\n", confirm=Confirm(
            "Exit with uncommitted changes? [yes,no] (yes) ", True, self._confirm_exit,
            leave=True))

    _quit = _exit

    def _confirm_exit(self, yes: bool) -> str:
        return "\nExiting configuration mode\n" if yes else ""

    def _rollback(self, words: list[str]) -> Outcome:
        n = int(words[0]) if words and words[0].isdigit() else 0
        self.db.rollback(n, session_id=self.session_id)
        return Outcome("load complete\n")

    def _commit(self, words: list[str]) -> Outcome:
        flags = set(words)
        check = "check" in flags
        comment = words[words.index("comment") + 1] if "comment" in words[:-1] else None
        try:
            outcome = self.model.commit(
                self.slot, self.user, synchronize="synchronize" in flags, check=check,
                log=comment, session_id=self.session_id)
        except CommitCheckError as exc:
            if not exc.missing:
                raise
            return Outcome(_missing_text(exc, check))
        text = commit_text(outcome, self.slot, check=check)
        if not check and "synchronize" not in flags and self._gres_unsynchronized():
            text = message_lines(Result([], warnings=[GRES_NOT_SYNCHRONIZED])) + text
        if "and-quit" in flags and not check:
            return Outcome(text + "Exiting configuration mode\n", leave=True)
        return Outcome(text)

    def _gres_unsynchronized(self) -> bool:
        """Return True when the RE now runs graceful-switchover on a dual-RE router without
        ``system commit synchronize`` (real Junos then warns on every plain commit)."""
        running = cfg.redundancy_settings(self.db.effective(self.slot))
        return (len(self.model.chassis.res) > 1 and running.graceful_switchover
                and not running.commit_synchronize)


def _pattern(step: PathStep) -> cfg.ConfigNode:
    return cfg.ConfigNode(step.name, cfg.NodeKind.ENTRY if step.key is not None
                          else cfg.NodeKind.CONTAINER, step.key)


def _steps(tip: cfg.ConfigNode | None) -> tuple[PathStep, ...]:
    return () if tip is None else (PathStep(tip.name, tip.key),)


def _missing_text(exc: CommitCheckError, check: bool) -> str:
    """Return Junos's report of missing mandatory statements (``[edit]`` / ``'system'`` /
    ``Missing mandatory statement: 'root-authentication'`` / ``error: commit failed:
    (missing mandatory statements)``)."""
    lines: list[str] = []
    for m in exc.missing:
        lines += [m.edit_path, f"  '{m.statement}'", f"    {m.message()}"]
    lines += [f"error: {m}" for m in exc.messages[len(exc.missing):]]
    what = "configuration check-out failed" if check else "commit failed"
    lines.append(f"error: {what}: {MISSING_STATEMENTS}")
    return "".join(line + "\n" for line in lines)


def commit_text(outcome: CommitOutcome, slot: int, *, check: bool) -> str:
    """Return the CLI lines of a commit: warnings, then one line per step.

    ``commit synchronize`` prints the other RE's check, the local check, the other RE's commit
    and the local commit, each prefixed by the RE name (chapter sample, "Synchronize
    Configurations"); a commit on one RE prints ``commit complete`` alone.
    """
    lines: list[str] = []
    local = f"re{slot}"
    checks = sorted((s for s in outcome.steps if s[1] == "check"), key=lambda s: s[0] == local)
    commits = [s for s in outcome.steps if s[1] == "commit"]
    if len(outcome.steps) == 1:
        lines.append("configuration check succeeds" if check else "commit complete")
    else:
        lines += [f"{name}: configuration check succeeds" for name, _ in checks]
        lines += [f"{name}: commit complete" for name, _ in commits]
    return message_lines(Result([], warnings=list(outcome.warnings))) + "\n".join(lines) + "\n"
