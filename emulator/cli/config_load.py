"""``load merge|override|replace|update|set <file>|terminal [relative]`` in configuration mode.

The chapter's "Copy a Configuration File from One Routing Engine to Another" copies a file to
the other RE and loads it there; ``terminal`` reads the text typed after ``[Type ^D at a new
line to end input]`` up to Ctrl-D.  The report follows Junos 25.4's (lab notes
``junos_ospf_topology``): for each refused statement ``terminal:4:(18) syntax error: metric``
then, for the curly format, its ``[edit ...]`` level, the statement and the message; the
others are loaded and ``load complete`` (``load complete (N errors)`` for the curly format)
ends the report.
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from dataclasses import dataclass

from emulator.commands.files import read_file as _read
from emulator.commands.grammar import CliSyntaxError, Token
from emulator.model import config as cfg
from emulator.model.config_errors import ConfigSyntaxError, LoadProblem
from emulator.model.config_syntax import level_words, quote
from emulator.model.config_tree import PathStep
from emulator.model.router import RouterModel

__all__ = [
    "ACTIONS",
    "TERMINAL_PROMPT",
    "LoadRequest",
    "missing_file",
    "parse_load",
    "read_file",
    "run_load",
]

#: What Junos prints before reading a configuration from the terminal.
TERMINAL_PROMPT = "[Type ^D at a new line to end input]"

#: The ``load`` actions and the database action each stands for.
ACTIONS = {"merge": "merge", "override": "override", "replace": "replace",
           "update": "update", "set": "set"}


@dataclass(frozen=True, slots=True)
class LoadRequest:
    """A parsed ``load`` line: the action, ``terminal`` or a file, ``relative`` to the level."""

    action: str
    source: str
    relative: bool = False
    level: tuple[PathStep, ...] = ()

    @property
    def terminal(self) -> bool:
        """Return True when the text comes from the terminal."""
        return self.source == "terminal"


def _one(word: Token, choices: Sequence[str]) -> str:
    hits = [c for c in choices if c == word.text] or [
        c for c in choices if c.startswith(word.text)]
    if len(hits) != 1:
        raise CliSyntaxError("syntax error.", word.column)
    return hits[0]


def parse_load(args: Sequence[Token], level: tuple[PathStep, ...]) -> LoadRequest:
    """Return the request ``load <args>`` makes at ``level``.  Raises CliSyntaxError."""
    words = list(args)
    if not words:
        raise CliSyntaxError("syntax error, expecting <command>.", 5)
    action = _one(words.pop(0), tuple(ACTIONS))
    relative = any(w.text == "relative" for w in words)
    rest = [w for w in words if w.text != "relative"]
    if len(rest) != 1:
        column = rest[1].column if len(rest) > 1 else args[0].column + len(args[0].text) + 1
        raise CliSyntaxError("syntax error, expecting <filename>.", column)
    source = "terminal" if "terminal".startswith(rest[0].text) and len(rest[0].text) > 1 \
        else rest[0].text
    return LoadRequest(action, source, relative, level)


def read_file(model: RouterModel, slot: int, user: str, path: str) -> str | None:
    """Return the text of file ``path`` on RE ``slot`` (relative to the user's home), or
    None when there is no such file."""
    home = f"/var/home/{user}"
    full = path if path.startswith("/") else posixpath.join(home, path)
    data = _read(model, slot, posixpath.normpath(full))
    return None if data is None else data.decode(errors="replace")


def missing_file(path: str) -> str:
    """Return the CLI's refusal of a file that is not there (Junos's wording is not in the
    samples; ours names the file and the system error, docs/emulator-model.md)."""
    return f"error: Could not open configuration file: {path}: No such file or directory\n"


def _relative(text: str, request: LoadRequest) -> str:
    """Return ``text`` placed at the request's level (``load merge terminal relative``)."""
    if not request.relative or not request.level:
        return text
    if request.action == "set":
        return f"edit {' '.join(quote(w) for w in level_words(request.level))}\n{text}"
    opening, closing = "", ""
    for i in range(len(request.level)):
        head = level_words(request.level[: i + 1])[len(level_words(request.level[:i])):]
        opening += " ".join(quote(w) for w in head) + " {\n"
        closing = "}\n" + closing
    return opening + text + "\n" + closing


def _problem_lines(source: str, problem: LoadProblem, set_format: bool) -> list[str]:
    error = problem.error
    column = error.column if set_format else error.end
    first = f"{source}:{error.line}:({max(column, 0)}) {error.message}: {error.bad_element}"
    if set_format:
        return [first]
    return [first, f"  {problem.edit_path}", f"    {problem.statement}",
            f"      {error.message}"]


def run_load(db: cfg.ConfigDatabase, request: LoadRequest, text: str, session_id: int) -> str:
    """Load ``text``; return Junos's report.  Raises ModelError (the database is locked)."""
    set_format = request.action == "set"
    body = _relative(text, request)
    source = request.source
    try:
        loaded = db.load(body, format="set" if set_format else "text",
                         action="merge" if set_format else ACTIONS[request.action],
                         session_id=session_id, partial=True)
    except ConfigSyntaxError as exc:  # not the format at all: nothing is loaded
        lines = _problem_lines(source, LoadProblem(exc), True)
        return "".join(line + "\n" for line in [*lines, "load failed (1 errors)"])
    lines = [line for p in loaded.problems for line in _problem_lines(source, p, set_format)]
    count = len(loaded.problems)
    lines.append("load complete" if not count or set_format else f"load complete ({count} "
                                                                  "errors)")
    return "".join(line + "\n" for line in lines)
