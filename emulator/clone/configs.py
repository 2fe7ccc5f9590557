"""A live router's committed configuration, as close as the emulator's schema can carry it.

The text is loaded as Junos loads a configuration in the CLI (``load override`` of curly text,
statement by statement): what the schema (``emulator/model/schema``) refuses -- a statement it
does not know, a value of a type it lacks -- is left out and listed, the rest is kept.  The
result must then pass the emulator's commit check; a statement left without a mandatory child
(because that child was refused) is left out too and listed.  What is kept is rendered back as
curly text, which the recorded router commits when it is built.
"""

from __future__ import annotations

from dataclasses import dataclass

from emulator.clone.errors import CloneError
from emulator.model.config import CommitCheckError, ConfigDatabase, ConfigError
from emulator.model.config_errors import MissingStatement
from emulator.model.config_syntax import statement_head
from emulator.model.config_text import render_text
from emulator.model.config_tree import ConfigNode
from emulator.model.schema import ROOT, Statement, child_of

__all__ = ["CarriedConfig", "carry_config"]

#: How many rounds of dropping incomplete statements before giving up (each round drops every
#: statement the check named; a chain deeper than this is not a configuration Junos committed).
_ROUNDS = 8


@dataclass(frozen=True, slots=True)
class CarriedConfig:
    """The configuration the clone keeps (curly text) and one line per statement it could not
    (``[edit system] frobnicate yes; -- syntax error (line 5)``)."""

    text: str
    dropped: tuple[str, ...] = ()


def carry_config(text: str) -> CarriedConfig:
    """Return as much of ``text`` (a committed configuration in curly text) as the emulator's
    schema and commit check accept, and what was left out.

    Raises CloneError when the text cannot be read as a configuration at all, or when what is
    kept still fails the commit check after dropping the incomplete statements.
    """
    db = ConfigDatabase()
    try:
        loaded = db.load(text, format="text", action="override", partial=True)
    except ConfigError as exc:
        raise CloneError(f"not a configuration the emulator can read: {exc}") from exc
    dropped = [_problem_line(p.edit_path, p.statement, p.error.message, p.error.line)
               for p in loaded.problems]
    for _ in range(_ROUNDS):
        try:
            db.check()
        except CommitCheckError as exc:
            if not exc.missing or not _drop(db, exc.missing):
                raise CloneError("the configuration the emulator can carry fails its commit "
                                 f"check: {'; '.join(exc.messages)}") from exc
            dropped += [_problem_line(m.edit_path, m.statement, m.message() +
                                      " (a statement it needs was left out)", 0)
                        for m in exc.missing]
            continue
        return CarriedConfig(db.candidate_text(), tuple(dropped))
    raise CloneError("the configuration the emulator can carry still fails its commit check "
                     f"after {_ROUNDS} rounds of dropping incomplete statements")


def _problem_line(edit_path: str, statement: str, message: str, line: int) -> str:
    where = f" (line {line})" if line > 0 else ""
    shown = statement.strip() or "(statement)"
    return f"{edit_path} {shown} -- {message}{where}"


def _drop(db: ConfigDatabase, missing: tuple[MissingStatement, ...]) -> bool:
    """Remove from ``db``'s candidate every statement ``missing`` names (in the body and in any
    group); return True when at least one was removed."""
    tree = db.candidate.copy()
    removed = 0
    for need in missing:
        words = need.edit_path.removeprefix("[edit").removesuffix("]").split()
        removed += _remove(tree, ROOT, [], words, need.statement)
    if removed:
        db.load(render_text(tree), format="text", action="override")
    return removed > 0


def _remove(node: ConfigNode, at: Statement | None, where: list[str], words: list[str],
            head: str) -> int:
    """Remove the children of ``node`` whose path (without a leading ``groups NAME``) is
    ``words`` and whose head is ``head``; return how many were removed."""
    count = 0
    for child in list(node.children):
        me = child_of(at, child.name)
        here = statement_head(child, at)
        path = where[2:] if where[:1] == ["groups"] else where
        if path == words and here == head:
            node.children.remove(child)
            count += 1
            continue
        count += _remove(child, me, [*where, *here.split()], words, head)
    return count
