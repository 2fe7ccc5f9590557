"""The ``set`` command format: parse (``load set``) and render (``| display set``).

Every line is spelled against the schema (:func:`~emulator.model.config_syntax.spell`).  A
load reports each refused line and applies the others, as Junos's ``load set terminal`` does
("terminal:1:(36) syntax error: metric" then "load complete", Junos 25.4 capture); callers that
want all or nothing use :func:`parse_set`, which raises at the first refused line.
"""

from __future__ import annotations

from emulator.model.config_errors import ConfigSyntaxError, LoadProblem
from emulator.model.config_syntax import (
    Mode,
    Tok,
    Want,
    Word,
    level_words,
    quote,
    spell,
    statement_head,
    tokenize,
)
from emulator.model.config_tree import ConfigNode, Edit, EditAction, NodeKind, PathStep
from emulator.model.schema import ROOT, Statement, child_of

__all__ = ["edit_level", "parse_set", "parse_set_lines", "render_set"]

_SET_VERBS = {
    "set": EditAction.MERGE,
    "delete": EditAction.DELETE,
    "activate": EditAction.ACTIVATE,
    "deactivate": EditAction.DEACTIVATE,
}


def _set_words(line: str) -> tuple[list[Word], list[str] | None]:
    """Return the words of a set command and its bracketed values (or None)."""
    words: list[Word] = []
    bracket: list[str] | None = None
    toks = iter(tokenize(line))
    for tok in toks:
        if tok.kind is not Tok.PUNCT:
            words.append(Word(tok.text, tok.column, 1, tok.end))
        elif tok.text == "[" and bracket is None:
            bracket = []
            for t in toks:
                if t.kind is Tok.PUNCT:
                    break
                bracket.append(t.text)
            else:
                raise ConfigSyntaxError("[", "syntax error, expecting ]", column=tok.column)
        else:
            raise ConfigSyntaxError(tok.text, column=tok.column)
    return words, bracket


def edit_level(level: tuple[PathStep, ...], words: list[Word], *,
               abbreviate: bool = False) -> tuple[PathStep, ...]:
    """Return the level ``edit <words>`` moves to from ``level``.  Raises ConfigSyntaxError
    (a word that names no statement there) and ConfigValueError."""
    if not words:
        return level
    spelled = spell([Word(w) for w in level_words(level)] + words, mode=Mode.PATTERN,
                    abbreviate=abbreviate)
    if spelled.want is Want.KEY and not spelled.tip_schema.grouped:
        # A list needs its entry ("edit system login user bob"); a grouped list is shown as
        # a block of its own ("edit groups", the chapter's "[edit groups]").
        raise ConfigSyntaxError(words[-1].text, "syntax error, expecting <data>",
                                column=words[-1].column)
    if spelled.tip_schema.takes_value or not spelled.tip_schema.has_children:
        raise ConfigSyntaxError(words[-1].text, column=words[-1].column)
    return spelled.path + (PathStep(spelled.tip.name, spelled.tip.key),)


def _move(level: tuple[PathStep, ...], verb: str, rest: list[Word]) -> tuple[PathStep, ...]:
    if verb == "edit":
        return edit_level(level, rest)
    if verb == "top":
        return ()
    count = int(rest[0].text) if rest and rest[0].text.isdigit() else 1
    return level[: max(0, len(level) - count)]


def _set_edit(verb: Word, level: tuple[PathStep, ...], words: list[Word],
              bracket: list[str] | None) -> Edit:
    action = _SET_VERBS.get(verb.text)
    if action is None:
        raise ConfigSyntaxError(verb.text, column=verb.column)
    if not words:
        raise ConfigSyntaxError(verb.text, "syntax error, expecting <statement>",
                                column=verb.column)
    mode = Mode.SET if action is EditAction.MERGE else Mode.PATTERN
    spelled = spell([Word(w) for w in level_words(level)] + words, mode=mode, bracket=bracket)
    return Edit(action, spelled.path, spelled.tip)


def parse_set_lines(text: str) -> tuple[list[Edit], list[LoadProblem]]:
    """Parse ``set``/``delete``/``activate``/``deactivate`` lines (``load set``): the edits of
    the lines the schema accepts and the refusal of each other line (with its line number).

    ``edit <path>``, ``up`` and ``top`` move the level later commands are relative to, as in
    configuration mode.  Blank lines and ``#`` comments are skipped.
    """
    edits: list[Edit] = []
    problems: list[LoadProblem] = []
    level: tuple[PathStep, ...] = ()
    for number, raw in enumerate(text.splitlines(), start=1):
        try:
            words, bracket = _set_words(raw)
            if not words:
                continue
            verb, rest = words[0], words[1:]
            if verb.text in ("edit", "top", "up"):
                level = _move(level, verb.text, rest)
                continue
            edits.append(_set_edit(verb, level, rest, bracket))
        except ConfigSyntaxError as exc:
            exc.line = number
            problems.append(LoadProblem(exc))
    return edits, problems


def parse_set(text: str) -> list[Edit]:
    """Parse set lines all or nothing.  Raises ConfigSyntaxError naming the first bad word."""
    edits, problems = parse_set_lines(text)
    if problems:
        raise problems[0].error
    return edits


def render_set(root: ConfigNode) -> list[str]:
    """Return ``show configuration | display set``: one command per line, in tree order."""
    lines: list[str] = []
    at = ROOT if root.name == "configuration" else None
    for c in root.children:
        _set_lines(c, at, "", lines)
    return lines


def _set_lines(node: ConfigNode, parent: Statement | None, prefix: str,
               lines: list[str]) -> None:
    me = child_of(parent, node.name)
    hidden_leaf = me is not None and not me.keyword and node.kind is not NodeKind.ENTRY
    here = prefix.rstrip() if hidden_leaf else f"{prefix}{statement_head(node, parent)}"
    if node.kind is NodeKind.LEAF:
        lines.append(f"set {here} {quote(node.value or '')}")
    elif node.kind is NodeKind.LEAF_LIST:
        lines += [f"set {here} {quote(v)}" for v in node.values]
    elif not node.children:
        lines.append(f"set {here}")
    for c in node.children:
        _set_lines(c, me, here + " ", lines)
    if node.inactive:
        lines.append(f"deactivate {here}")
