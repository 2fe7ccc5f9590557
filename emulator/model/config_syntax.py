"""The words of the Junos configuration formats: tokens, quoting, and how a statement's words
spell nodes of the tree (shared by the curly-text and ``set`` parsers) and how a node is named
in text (shared by every renderer).

The shape rules (what is a leaf, a keyed list, ...) are in ``config_tree``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from emulator.model.config_errors import ConfigSyntaxError
from emulator.model.config_tree import (
    HIDDEN_ENTRY,
    HINTS,
    WRAPPER_EXCEPTIONS,
    ConfigNode,
    Hint,
    NodeKind,
    PathStep,
    hint_for,
)

__all__ = [
    "INDENT",
    "Tok",
    "Token",
    "quote",
    "split_chain",
    "statement_chain",
    "statement_head",
    "tokenize",
]

#: Junos indents ``show configuration`` by four spaces per level.
INDENT = "    "

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n]*)
  | (?P<block>/\*.*?\*/)
  | (?P<quoted>"(?:[^"\\]|\\.)*")
  | (?P<punct>[{};\[\]])
  | (?P<word>[^\s{};\[\]"]+)
    """,
    re.VERBOSE | re.DOTALL,
)

_SAFE = re.compile(r"""[^\s"'{};\[\]#$\\]+""")

class Tok(Enum):
    """The kinds of token the formats share."""

    WORD = "word"
    QUOTED = "quoted"
    PUNCT = "punct"


@dataclass(frozen=True, slots=True)
class Token:
    """One token: a word, a quoted string (unquoted) or punctuation."""

    kind: Tok
    text: str


def quote(value: str) -> str:
    """Return ``value`` as a Junos text token: quoted when it holds blanks or specials."""
    if _SAFE.fullmatch(value):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _unquote(raw: str) -> str:
    return re.sub(r"\\(.)", r"\1", raw[1:-1])


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens, dropping blanks and comments.

    Raises ConfigSyntaxError on an unterminated string or comment.
    """
    out: list[Token] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise ConfigSyntaxError(text[pos : pos + 20].split()[0], "syntax error")
        pos = m.end()
        kind = m.lastgroup
        if kind == "quoted":
            out.append(Token(Tok.QUOTED, _unquote(m.group())))
        elif kind == "punct":
            out.append(Token(Tok.PUNCT, m.group()))
        elif kind == "word":
            out.append(Token(Tok.WORD, m.group()))
    return out


# ------------------------------------------------------------------ statement -> nodes
def _wrapped_entry(parent: str | None, word: str) -> ConfigNode | None:
    """Return the hidden list entry ``word`` names inside a wrapper, or None."""
    hidden = HIDDEN_ENTRY.get(parent or "")
    if hidden is None or word in WRAPPER_EXCEPTIONS:
        return None
    return ConfigNode.entry(hidden, word)


def _one(words: list[str], i: int, parent: str | None, block: bool) -> tuple[ConfigNode, int]:
    """Return the node the word at ``i`` starts and the index after it (the default rule)."""
    w, rest = words[i], len(words) - i - 1
    hint = hint_for(parent, w)
    if hint is Hint.LEAF_LIST and rest:
        return ConfigNode.leaf_list(w, words[i + 1 :]), len(words)
    if hint in (Hint.KEYED, Hint.GROUPED) and rest:
        return ConfigNode.entry(w, words[i + 1]), i + 2
    if hint is None and rest == 1:
        # A statement with one value is a leaf, unless a block follows: then it is keyed.
        if block:
            return ConfigNode.entry(w, words[i + 1]), i + 2
        return ConfigNode.leaf(w, words[i + 1]), i + 2
    return ConfigNode.container(w), i + 1


def statement_chain(
    words: list[str], bracket: list[str] | None, parent: str | None, block: bool
) -> list[ConfigNode]:
    """Return the nodes a statement's words spell, outermost first (each holds the next)."""
    nodes: list[ConfigNode] = []
    i = 0
    while i < len(words):
        node = _wrapped_entry(parent, words[i])
        if node is not None:
            i += 1
        elif bracket is not None and i == len(words) - 1:
            node, i = ConfigNode.leaf_list(words[i], bracket), i + 1
        else:
            node, i = _one(words, i, parent, block)
        nodes.append(node)
        parent = node.name
    return nodes


def split_chain(chain: list[ConfigNode], base: tuple[PathStep, ...]) -> tuple[tuple[PathStep, ...],
                                                                           ConfigNode]:
    """Return (path to the last node's parent, last node) of a chain."""
    return base + tuple(PathStep(n.name, n.key) for n in chain[:-1]), chain[-1]


def statement_head(node: ConfigNode, parent: str | None) -> str:
    """Return how a statement is named in text: ``unit 0``, ``fxp0``, ``host-name``."""
    if node.kind is not NodeKind.ENTRY:
        return node.name
    assert node.key is not None  # an ENTRY always has a key
    hidden = HIDDEN_ENTRY.get(parent or "") == node.name
    grouped = node.name == parent and HINTS.get(node.name) is Hint.GROUPED
    return quote(node.key) if hidden or grouped else f"{node.name} {quote(node.key)}"

