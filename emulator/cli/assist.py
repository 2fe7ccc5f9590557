"""What ``?`` and TAB show, sans-IO: from the typed line (and the ``[edit]`` level in
configuration mode) to a completed line or a "Possible completions:" listing.

Operational mode offers the command table's words plus the shell-only verbs, and after ``show
configuration`` the statements of the schema; configuration mode its verbs, and after
``set``/``delete``/``activate``/``deactivate``/``edit``/``show`` the statements of the schema
(``emulator.cli.schema``); after ``|`` the pipes (``emulator.commands.pipes``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from emulator.cli.configure import CONFIG_GRAMMAR, located
from emulator.cli.schema import statement_help
from emulator.commands.grammar import CliSyntaxError, Grammar, completion_lines, tokenize
from emulator.commands.pipes import PIPE_GRAMMAR, split_pipes
from emulator.commands.table import CommandSyntaxError
from emulator.model.config_errors import ConfigSyntaxError
from emulator.model.config_syntax import Want, Word

__all__ = ["Completion", "complete", "error_lines", "help_text", "table_error"]

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


_PIPE_HELP = (" ", "|", "Pipe through a command")

#: Configuration-mode verbs followed by a statement path, and what else ``?`` offers after a
#: whole one (``<[Enter]>``, ``|``).
_PATH_VERBS = {"set": True, "delete": True, "activate": True, "deactivate": True,
               "show": True, "edit": False}


def _path_words(head: str, config_path: list[str] | None, operational: Grammar
                ) -> tuple[str, list[Word], int] | None:
    """Return (the verb, the statement words with their columns, how many lead the line
    from the ``[edit]`` level) when ``head`` ends in a configuration statement path, else
    None (the command grammar answers)."""
    tokens = tokenize(head)
    if not tokens or (len(tokens) == 1 and not head[-1:].isspace()):
        return None
    level = [Word(w) for w in config_path or []]
    try:
        if config_path is not None:
            verb = CONFIG_GRAMMAR.resolve(tokens[0].text).words[0]
            rest = tokens[1:]
        else:
            res = operational.resolve(head)
            if res.words != ("show", "configuration") or (
                    not res.args and not head[-1:].isspace()):
                return None
            verb, rest, level = "show", list(res.args), []
    except CliSyntaxError:
        return None
    if verb not in _PATH_VERBS:
        return None
    return verb, level + [Word(t.text, t.column) for t in rest], len(level)


def _statements(text: str, config_path: list[str] | None, operational: Grammar
                ) -> list[tuple[str, str, str]] | CliSyntaxError | None:
    """After ``set``/``delete``/``edit``/``show`` (configuration mode) or ``show
    configuration``: the statements that may follow (``emulator.cli.schema``), the caret
    error of a word that is no statement, or None to use the command grammar."""
    head, stages = split_pipes(text)
    found = _path_words(head, config_path, operational) if not stages else None
    if found is None:
        return None
    verb, words, lead = found
    partial = "" if head[-1:].isspace() or len(words) == lead else words.pop().text
    try:
        offers, want = statement_help(words, partial)
    except ConfigSyntaxError as exc:
        return located(exc)
    whole = want in (Want.CHILD, Want.NOTHING) and (verb == "show" or len(words) > lead)
    if not partial and whole:
        offers = [_ENTER_HELP, *offers] + ([_PIPE_HELP] if _PATH_VERBS[verb] else [])
    return offers


def complete(text: str, operational: Grammar, config_path: list[str] | None) -> Completion:
    """Return what TAB does after ``text`` (``config_path``: the ``[edit]`` level, None in
    operational mode)."""
    found = _statements(text, config_path, operational)
    if isinstance(found, CliSyntaxError):
        return Completion()
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
    found = _statements(text, config_path, operational)
    if isinstance(found, CliSyntaxError):
        return error_lines(found, prompt_width)
    if found:
        return _statement_lines(found)
    grammar, part = _grammar_for(text, operational, config_path)
    pairs = grammar.candidates(part)
    if pairs:
        return "\n".join(completion_lines(pairs)) + "\n"
    return error_lines(_help_error(grammar, part, len(text) - len(part)), prompt_width)


def error_lines(exc: CliSyntaxError, prompt_width: int) -> str:
    """Return the caret under the bad word, the message and any completions."""
    lines = [" " * (exc.column if exc.absolute else prompt_width + exc.column) + "^",
             str(exc)]
    if exc.completions:
        lines += completion_lines(exc.completions)
    return "\n".join(lines) + "\n"


def _statement_lines(found: Sequence[tuple[str, str, str]]) -> str:
    """Return configuration mode's "Possible completions:" with Junos's ``>``/``+`` marks."""
    # Junos pads the word to 20 columns, and keeps two blanks after a longer one.
    lines = ["Possible completions:"] + [
        f"{mark} {word:<{max(20, len(word) + 1)}} {text}".rstrip() for mark, word, text in found]
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


def table_error(head: str, exc: CommandSyntaxError) -> CliSyntaxError:
    """Return the CLI error for the command table's refusal of ``head``: Junos's message
    with the caret under the offending word."""
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
