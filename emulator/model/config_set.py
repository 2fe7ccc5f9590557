"""The ``set`` command format: parse (``load set``) and render (``| display set``)."""

from __future__ import annotations

from emulator.model.config_errors import ConfigSyntaxError
from emulator.model.config_syntax import (
    Tok,
    quote,
    split_chain,
    statement_chain,
    statement_head,
    tokenize,
)
from emulator.model.config_tree import ConfigNode, Edit, EditAction, NodeKind

__all__ = ["parse_set", "render_set"]

# ------------------------------------------------------------------ set commands
_SET_VERBS = {
    "set": EditAction.MERGE,
    "delete": EditAction.DELETE,
    "activate": EditAction.ACTIVATE,
    "deactivate": EditAction.DEACTIVATE,
}


def _set_words(line: str) -> tuple[list[str], list[str] | None]:
    """Return the words of a set command and its bracketed values (or None)."""
    words: list[str] = []
    bracket: list[str] | None = None
    toks = iter(tokenize(line))
    for tok in toks:
        if tok.kind is not Tok.PUNCT:
            words.append(tok.text)
        elif tok.text == "[" and bracket is None:
            bracket = []
            for t in toks:
                if t.kind is Tok.PUNCT:
                    break
                bracket.append(t.text)
            else:
                raise ConfigSyntaxError("[", "syntax error, expecting ]")
        else:
            raise ConfigSyntaxError(tok.text)
    return words, bracket


def _set_edit(verb: str, words: list[str], bracket: list[str] | None) -> Edit:
    action = _SET_VERBS.get(verb)
    if action is None:
        raise ConfigSyntaxError(verb, f"syntax error, unknown command: {verb}")
    if not words:
        raise ConfigSyntaxError(verb, "syntax error, expecting <statement>")
    steps, last = split_chain(statement_chain(words, bracket, None, False), ())
    return Edit(action, steps, last)


def parse_set(text: str) -> list[Edit]:
    """Parse ``set``/``delete``/``activate``/``deactivate`` lines (``load set``).

    ``edit <path>``, ``up`` and ``top`` move the hierarchy later commands are relative to, as
    in configuration mode.  Blank lines and ``#`` comments are skipped.
    Raises ConfigSyntaxError naming the bad word.
    """
    edits: list[Edit] = []
    at: list[str] = []
    for raw in text.splitlines():
        words, bracket = _set_words(raw)
        if not words:
            continue
        verb, rest = words[0], words[1:]
        if verb in ("edit", "top", "up"):
            at = _move(at, verb, rest)
            continue
        edits.append(_set_edit(verb, at + rest, bracket))
    return edits


def _move(at: list[str], verb: str, rest: list[str]) -> list[str]:
    if verb == "edit":
        return at + rest
    if verb == "top":
        return []
    levels = int(rest[0]) if rest and rest[0].isdigit() else 1
    # "up" leaves one statement; a keyed statement counts its key too (approximation).
    return at[: max(0, len(at) - levels)]


def render_set(root: ConfigNode) -> list[str]:
    """Return ``show configuration | display set``: one command per line, in tree order."""
    lines: list[str] = []
    for c in root.children:
        _set_lines(c, root.name, "", lines)
    return lines


def _set_lines(node: ConfigNode, parent: str, prefix: str, lines: list[str]) -> None:
    here = f"{prefix}{statement_head(node, parent)}"
    if node.kind is NodeKind.LEAF:
        lines.append(f"set {here} {quote(node.value or '')}")
    elif node.kind is NodeKind.LEAF_LIST:
        lines += [f"set {here} {quote(v)}" for v in node.values]
    elif not node.children:
        lines.append(f"set {here}")
    for c in node.children:
        _set_lines(c, node.name, here + " ", lines)
    if node.inactive:
        lines.append(f"deactivate {here}")

