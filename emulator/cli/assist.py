"""What ``?`` and TAB show, sans-IO: from the typed line (and the ``[edit]`` level in
configuration mode) to a completed line or a "Possible completions:" listing.

Operational mode offers the command table's words plus the shell-only verbs; configuration
mode its verbs, and after ``set``/``delete``/``edit``/``show`` the statements of
``emulator.cli.schema``; after ``|`` the pipes (``emulator.commands.pipes``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from emulator.cli.configure import CONFIG_GRAMMAR
from emulator.cli.schema import statement_help
from emulator.commands.grammar import CliSyntaxError, Grammar, completion_lines, tokenize
from emulator.commands.pipes import PIPE_GRAMMAR, split_pipes

__all__ = ["Completion", "complete", "error_lines", "help_text"]

_ENTER_HELP = (" ", "<[Enter]>", "Execute this command")


@dataclass(frozen=True, slots=True)
class Completion:
    """What TAB does: replace the line (``buffer``), or list the candidates (``listing``)."""

    buffer: str | None = None
    listing: str | None = None


def _grammar_for(text: str, operational: Grammar, config_path: list[str] | None
                 ) -> tuple[Grammar, str]:
    head, stages = split_pipes(text)
    if stages:
        return PIPE_GRAMMAR, stages[-1][0]
    return (CONFIG_GRAMMAR if config_path is not None else operational), head


def _statements(text: str, config_path: list[str] | None) -> list[tuple[str, str, str]] | None:
    """In configuration mode, after ``set``/``delete``/``edit``/``show``: the statements that
    may follow (``emulator.cli.schema``), or None to use the command grammar."""
    head, stages = split_pipes(text)
    tokens = tokenize(head)
    if config_path is None or stages or not tokens or (
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
    found = statement_help([*config_path, *words], partial)
    if found is not None and verb == "show" and not partial:
        found = [f for f in found if f[1] != "<[Enter]>"]
        found = [_ENTER_HELP, *found, (" ", "|", "Pipe through a command")]
    return found


def complete(text: str, operational: Grammar, config_path: list[str] | None) -> Completion:
    """Return what TAB does after ``text`` (``config_path``: the ``[edit]`` level, None in
    operational mode)."""
    found = _statements(text, config_path)
    if found is not None:
        words = [w for _, w, _ in found if not w.startswith(("<", "|"))]
        partial = "" if text[-1:].isspace() else tokenize(text)[-1].text
        if len(words) == 1 and partial:
            return Completion(buffer=text[: len(text) - len(partial)] + words[0] + " ")
        return Completion(listing=_statement_lines(found) if found and not partial else None)
    grammar, part = _grammar_for(text, operational, config_path)
    done = grammar.complete(part)
    if done is not None:
        return Completion(buffer=text[: len(text) - len(part)] + done)
    pairs = grammar.candidates(part)
    return Completion(listing="\n".join(completion_lines(pairs)) + "\n" if pairs else None)


def help_text(text: str, operational: Grammar, config_path: list[str] | None,
              prompt_width: int) -> str:
    """Return what ``?`` prints after ``text``: the candidates, or why there are none (caret
    under the bad word, ``prompt_width`` columns in)."""
    found = _statements(text, config_path)
    if found:
        return _statement_lines(found)
    grammar, part = _grammar_for(text, operational, config_path)
    pairs = grammar.candidates(part)
    if pairs:
        return "\n".join(completion_lines(pairs)) + "\n"
    return error_lines(_help_error(grammar, part, len(text) - len(part)), prompt_width)


def error_lines(exc: CliSyntaxError, prompt_width: int) -> str:
    """Return the caret under the bad word, the message and any completions."""
    lines = [" " * (prompt_width + exc.column) + "^", str(exc)]
    if exc.completions:
        lines += completion_lines(exc.completions)
    return "\n".join(lines) + "\n"


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
