"""Configuration mode: ``[edit]``, ``set``/``delete``/``show``/``edit``/``commit``/``rollback``.

It edits the candidate of the RE the shell is on (``RouterModel.configs[slot]``) and commits
through ``RouterModel.commit`` so that ``commit synchronize`` checks and commits both REs in the
chapter's order ("Synchronize Configurations": ``re1: configuration check succeeds`` ...).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from emulator.commands.context import Result
from emulator.commands.grammar import CliVerb, Grammar, Resolution
from emulator.commands.pipes import Pipe, PipeKind, apply_text
from emulator.commands.reply import message_lines
from emulator.commands.table import Arg, ArgKind
from emulator.model import config as cfg
from emulator.model.config_syntax import INDENT
from emulator.model.config_tree import ConfigNode, NodeKind, find
from emulator.model.errors import ModelError
from emulator.model.router import CommitOutcome, RouterModel

__all__ = [
    "CONFIG_GRAMMAR",
    "GRES_NOT_SYNCHRONIZED",
    "UNCOMMITTED",
    "ConfigMode",
    "Confirm",
    "Outcome",
    "commit_text",
]

F, V = ArgKind.FLAG, ArgKind.VALUE

_VERBS = (
    CliVerb(("set",), "Set a parameter", free=True),
    CliVerb(("delete",), "Delete a data element", free=True),
    CliVerb(("show",), "Show a parameter", free=True),
    CliVerb(("edit",), "Edit a sub-element", free=True),
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


@dataclass(slots=True)
class Confirm:
    """A ``[yes,no]`` question; ``action(answer)`` returns the text to print afterwards."""

    question: str
    default: bool
    action: Callable[[bool], str]
    #: A "yes" also leaves configuration mode (``exit`` with uncommitted changes).
    leave: bool = False


@dataclass(slots=True)
class Outcome:
    """What a configuration-mode line produced."""

    text: str = ""
    leave: bool = False
    confirm: Confirm | None = None
    #: ``run <command>``: the operational line to run.
    run: str | None = None
    extra: list[str] = field(default_factory=list)


def _lines(text: str) -> str:
    return text if not text or text.endswith("\n") else text + "\n"


class ConfigMode:
    """One user's configuration mode on RE ``slot`` (the candidate is shared, as on Junos)."""

    def __init__(self, model: RouterModel, slot: int, user: str, session_id: int) -> None:
        self.model = model
        self.slot = slot
        self.user = user
        self.session_id = session_id
        #: The ``edit`` levels entered, innermost last (``exit`` goes back one).
        self.levels: list[list[str]] = [[]]

    @property
    def db(self) -> cfg.ConfigDatabase:
        """Return the configuration database of the RE the shell is on."""
        return self.model.configs[self.slot]

    @property
    def path(self) -> list[str]:
        """Return the words of the current ``[edit ...]`` level."""
        return self.levels[-1]

    def header(self) -> str:
        """Return ``[edit]`` or ``[edit chassis redundancy]``."""
        return "[edit" + "".join(" " + w for w in self.path) + "]"

    def enter_text(self) -> str:
        """Return what ``configure`` prints."""
        lines = ["Entering configuration mode"]
        if self.db.modified:
            lines.append(UNCOMMITTED)
        return "\n".join(lines) + "\n"

    # ------------------------------------------------------------ dispatch
    def run(self, res: Resolution, pipes: Sequence[Pipe], line: str) -> Outcome:
        """Run one resolved configuration-mode line.  Raises ModelError for the router's
        refusals (the session prints them as ``error:`` lines)."""
        verb = res.words[0]
        words = [t.text for t in res.args]
        if verb == "run":
            return Outcome(run=line.split(None, 1)[1] if len(line.split(None, 1)) > 1 else "")
        if verb in ("set", "delete"):
            return self._edit_data(verb, words)
        handler = getattr(self, f"_{verb}")
        result: Outcome = handler(words, pipes) if verb == "show" else handler(words)
        return result

    def _edit_data(self, verb: str, words: list[str]) -> Outcome:
        if verb == "delete" and not words and not self.path:
            return Outcome(confirm=Confirm("Delete everything under this level? [yes,no] (no) ",
                                           False, self._delete_all))
        statement = " ".join([verb, *self.path, *(_quote(w) for w in words)])
        self.db.load(statement, format="set", session_id=self.session_id)
        return Outcome()

    def _delete_all(self, yes: bool) -> str:
        if yes:
            self.db.load("", format="text", action="override", session_id=self.session_id)
        return ""

    def _show(self, words: list[str], pipes: Sequence[Pipe]) -> Outcome:
        kinds = {p.kind for p in pipes}
        if PipeKind.COMPARE in kinds:
            compare = next(p for p in pipes if p.kind is PipeKind.COMPARE)
            text = self.db.compare(int(compare.arg) if compare.arg.isdigit() else 0)
        elif PipeKind.DISPLAY_SET in kinds:
            prefix = " ".join(["set", *self.path, *words])
            text = "".join(s + "\n" for s in cfg.render_set(self.db.candidate)
                           if s == prefix or s.startswith(prefix + " "))
        else:
            text = self._subtree_text([*self.path, *words])
        return Outcome(apply_text(text, pipes))

    def _subtree_text(self, words: list[str]) -> str:
        if not words:
            return self.db.candidate_text()
        return _statement_text(self.db.candidate, words)

    def _edit(self, words: list[str]) -> Outcome:
        self.levels.append([*self.path, *words])
        return Outcome()

    def _top(self, words: list[str]) -> Outcome:
        self.levels.append([])
        return Outcome()

    def _up(self, words: list[str]) -> Outcome:
        count = int(words[0]) if words and words[0].isdigit() else 1
        self.levels.append(self.path[: max(0, len(self.path) - count)])
        return Outcome()

    def _exit(self, words: list[str]) -> Outcome:
        if self.path and not words:
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
        comment = words[words.index("comment") + 1] if "comment" in words[:-1] else None
        outcome = self.model.commit(
            self.slot, self.user, synchronize="synchronize" in flags, check="check" in flags,
            log=comment, session_id=self.session_id)
        text = commit_text(outcome, self.slot, check="check" in flags)
        if "check" not in flags and "synchronize" not in flags and self._gres_unsynchronized():
            text = message_lines(Result([], warnings=[GRES_NOT_SYNCHRONIZED])) + text
        if "and-quit" in flags and "check" not in flags:
            return Outcome(text + "Exiting configuration mode\n", leave=True)
        return Outcome(text)


    def _gres_unsynchronized(self) -> bool:
        """Return True when the RE now runs graceful-switchover on a dual-RE router without
        ``system commit synchronize`` (real Junos then warns on every plain commit)."""
        running = cfg.redundancy_settings(self.db.effective(self.slot))
        return (len(self.model.chassis.res) > 1 and running.graceful_switchover
                and not running.commit_synchronize)


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


def _quote(word: str) -> str:
    return f'"{word}"' if any(c.isspace() for c in word) or not word else word


def _statement_text(root: ConfigNode, words: list[str]) -> str:
    """Return ``show <words>`` in configuration mode.

    A container or a keyed entry shows its contents (``show chassis`` -> ``redundancy {``); a
    leaf or leaf-list shows its own line (``show apply-groups`` -> ``apply-groups [ re0 re1 ];``,
    chapter "Use the Groups Configuration"); a list named without a key shows every entry
    (``show groups`` -> ``re0 {...} re1 {...}``, the chapter's ``[edit groups]`` sample).
    Returns '' when nothing is configured there.
    """
    try:
        edit = cfg.parse_set("set " + " ".join(_quote(w) for w in words))[0]
    except ModelError:
        return ""
    parent = find(root, edit.path, create=False)
    if parent is None:
        return ""
    want = edit.node
    hits = [c for c in parent.children
            if c.name == want.name and (want.key is None or c.key == want.key)]
    if len(hits) == 1 and hits[0].kind in (NodeKind.CONTAINER, NodeKind.ENTRY) \
            and (want.key is not None or hits[0].kind is NodeKind.CONTAINER):
        return cfg.render_text(hits[0])
    holder = ConfigNode(parent.name, children=hits)
    text = cfg.render_text(holder)
    if want.name == "groups" and hits:
        # render_text gathers the entries under one "groups {" block: show its inside.
        inner = text.splitlines()[1:-1]
        text = "".join(line[len(INDENT):] + "\n" for line in inner)
    return text

