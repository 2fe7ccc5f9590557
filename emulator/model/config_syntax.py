"""The words of the Junos configuration formats: tokens, quoting, and how a statement's words
spell nodes of the tree, checked against the schema (shared by the curly-text parser, the
``set`` parser, the CLI's ``set``/``delete``/``show``/``edit`` and its ``?``), and how a node is
named in text (shared by every renderer).

:func:`spell` is the one place where words meet the schema: a word that is no statement there
is refused with Junos's ``syntax error``, a value outside its type with Junos's value message
(``Value 1 is not within range (2..10000)``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum

from emulator.model.config_errors import ConfigSyntaxError, ConfigValueError
from emulator.model.config_tree import ConfigNode, NodeKind, PathStep, place
from emulator.model.schema import ROOT, Kind, Statement, child_of

__all__ = [
    "INDENT",
    "Mode",
    "Spelled",
    "Tok",
    "Token",
    "Want",
    "Word",
    "edit_path",
    "level_words",
    "quote",
    "spell",
    "statement_head",
    "tokenize",
    "words_of",
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

#: Words shown without quotes; anything else (blanks, braces, ``$``, the CLI's ``?``) is
#: quoted so that the text loads back.
_SAFE = re.compile(r"""[^\s"'{};\[\]#$?\\]+""")


class Tok(Enum):
    """The kinds of token the formats share."""

    WORD = "word"
    QUOTED = "quoted"
    PUNCT = "punct"


@dataclass(frozen=True, slots=True)
class Token:
    """One token: a word, a quoted string (unquoted) or punctuation, and where it was."""

    kind: Tok
    text: str
    line: int = 0
    column: int = -1
    end: int = -1


@dataclass(frozen=True, slots=True)
class Word:
    """A word of a statement and where it was typed (column -1: not typed on this line, e.g.
    the ``[edit ...]`` level of the CLI)."""

    text: str
    column: int = -1
    line: int = 0
    end: int = -1


def quote(value: str) -> str:
    """Return ``value`` as a Junos text token: quoted when it holds blanks or specials."""
    if _SAFE.fullmatch(value):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _unquote(raw: str) -> str:
    return re.sub(r"\\(.)", r"\1", raw[1:-1])


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens with their line and columns, dropping blanks and comments.

    Raises ConfigSyntaxError on an unterminated string or comment.
    """
    out: list[Token] = []
    pos, line, line_start = 0, 1, 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise ConfigSyntaxError(text[pos : pos + 20].split()[0], "syntax error")
        kind, raw = m.lastgroup, m.group()
        col = pos - line_start
        tok = {"quoted": Tok.QUOTED, "punct": Tok.PUNCT, "word": Tok.WORD}.get(kind or "")
        if tok is not None:
            value = _unquote(raw) if tok is Tok.QUOTED else raw
            out.append(Token(tok, value, line, col, col + len(raw)))
        newlines = raw.count("\n")
        if newlines:
            line += newlines
            line_start = pos + raw.rindex("\n") + 1
        pos = m.end()
    return out


def words_of(tokens: list[Token]) -> list[Word]:
    """Return the words of ``tokens`` (punctuation dropped)."""
    return [Word(t.text, t.column, t.line, t.end) for t in tokens if t.kind is not Tok.PUNCT]


# ------------------------------------------------------------------ words -> nodes
class Mode(Enum):
    """What the words are for."""

    SET = "set"  # a statement to create: every list needs its key, every leaf its value
    PATTERN = "pattern"  # delete / (de)activate / show / edit: may stop at a list or a leaf


class Want(Enum):
    """What may follow the words spelled so far (for ``?``)."""

    CHILD = "child"  # a child statement (or the key of a nokeyword list among them)
    KEY = "key"  # the key of the list just named
    VALUE = "value"  # the value of the leaf just named
    NOTHING = "nothing"  # the statement is complete


@dataclass(slots=True)
class Spelled:
    """The nodes a statement's words spell: ``path`` to the parent of ``tip`` (relative to
    where the words started), ``tip`` holding the rest; ``at`` is the schema the next word
    would be read under and ``want`` what it would be."""

    path: tuple[PathStep, ...]
    tip: ConfigNode
    tip_schema: Statement
    at: Statement
    want: Want
    words: list[str] = field(default_factory=list)


def _error(word: Word, message: str = "syntax error") -> ConfigSyntaxError:
    return ConfigSyntaxError(word.text, message, column=word.column, line=word.line,
                             end=word.end)


def _keyword(at: Statement, word: Word, abbreviate: bool) -> Statement | None:
    """Return the keyword child ``word`` names (a unique prefix when abbreviating)."""
    schema = ROOT if at.top_after_key else at
    found = schema.member(word.text)
    if found is not None and found.keyword:
        return found
    if not abbreviate:
        return None
    hits = [c for c in schema.keyword_children() if c.name.startswith(word.text)]
    if len(hits) > 1:
        raise ConfigSyntaxError(word.text, f"'{word.text}' is ambiguous.", column=word.column,
                                completions=tuple((c.name, c.help) for c in hits))
    return hits[0] if hits else None


def _checked(stmt: Statement, word: Word, abbreviate: bool) -> str:
    """Return ``word`` as a value (key) of ``stmt``, normalised.  Raises ConfigSyntaxError
    (an unknown keyword of an enumeration) or ConfigValueError."""
    assert stmt.type is not None  # lists, leaves and leaf-lists all have one
    text = word.text
    choices = stmt.type.keywords()
    if abbreviate and choices and text not in choices:
        hits = [c for c in choices if c.startswith(text)]
        text = hits[0] if len(hits) == 1 else text
    problem = stmt.type.problem(text)
    if problem is None:
        return stmt.type.normalize(text)
    if problem.syntax:
        raise _error(word)
    raise ConfigValueError(word.text, problem.message, column=word.column, line=word.line,
                           end=word.end)


class _Walk:
    """One walk of words through the schema (see :func:`spell`)."""

    def __init__(self, words: list[Word], at: Statement, mode: Mode, abbreviate: bool) -> None:
        self.words = words
        self.i = 0
        self.at = at
        self.mode = mode
        self.abbreviate = abbreviate
        self.stack: list[tuple[ConfigNode, Statement]] = []
        self.want = Want.CHILD
        self.spelled: list[str] = []
        #: After siblings in a oneliner (``autonomous-system 65001 loops 2``) the tip is the
        #: oneliner (stack index), so that it holds them all.
        self.floor: int | None = None

    def more(self) -> bool:
        return self.i < len(self.words)

    def take(self) -> Word:
        word = self.words[self.i]
        self.i += 1
        return word

    def push(self, node: ConfigNode, stmt: Statement) -> None:
        if self.stack:
            place(self.stack[-1][0], node, self.stack[-1][1])
        self.stack.append((node, stmt))

    def statement(self, bracket: list[str] | None) -> None:
        word = self.take()
        stmt = _keyword(self.at, word, self.abbreviate)
        keyword = stmt is not None
        if stmt is None:
            stmt = (ROOT if self.at.top_after_key else self.at).hidden_child()
            if stmt is None:
                raise _error(word)
            self.i -= 1  # the word is the key or value of a nokeyword statement
        else:
            self.spelled.append(stmt.name)
        if stmt.kind is Kind.LIST:
            self.entry(stmt, word, keyword)
        elif stmt.kind is Kind.LEAF:
            self.leaf(stmt, word)
        elif stmt.kind is Kind.LEAF_LIST:
            self.leaf_list(stmt, word, bracket)
        else:
            self.push(ConfigNode.container(stmt.name), stmt)
            self.at, self.want = stmt, Want.CHILD if stmt.has_children else Want.NOTHING

    def entry(self, stmt: Statement, word: Word, keyword: bool) -> None:
        if not self.more():
            if self.mode is Mode.SET:
                raise _error(word, "syntax error, expecting <data>")
            self.push(ConfigNode(stmt.name, NodeKind.ENTRY), stmt)  # every entry (delete)
            self.at, self.want = stmt, Want.KEY
            return
        key = self.take()
        self.spelled.append(key.text)
        self.push(ConfigNode.entry(stmt.name, _checked(stmt, key, False)), stmt)
        self.at, self.want = stmt, Want.CHILD

    def leaf(self, stmt: Statement, word: Word) -> None:
        if not self.more():
            if self.mode is Mode.SET:
                raise _error(word, "syntax error, expecting <data>")
            self.push(ConfigNode(stmt.name, NodeKind.LEAF), stmt)
            self.want = Want.VALUE
            return
        value = self.take()
        self.spelled.append(value.text)
        self.push(ConfigNode.leaf(stmt.name, _checked(stmt, value, self.abbreviate)), stmt)
        self.want = Want.NOTHING

    def leaf_list(self, stmt: Statement, word: Word, bracket: list[str] | None) -> None:
        if bracket is not None and not self.more():
            values = [_checked(stmt, Word(v), self.abbreviate) for v in bracket]
        elif self.more():
            value = self.take()
            self.spelled.append(value.text)
            values = [_checked(stmt, value, self.abbreviate)]
        elif self.mode is Mode.SET:
            raise _error(word, "syntax error, expecting <data>")
        else:
            values = []
            self.want = Want.VALUE
        self.push(ConfigNode.leaf_list(stmt.name, values), stmt)
        if values:
            self.want = Want.NOTHING

    def after_terminal(self) -> None:
        """After a leaf or flag more words may name its siblings inside a oneliner parent
        (``autonomous-system 65001 loops 2``); otherwise they are a syntax error."""
        node, stmt = self.stack[-1]
        if stmt.kind not in (Kind.LEAF, Kind.LEAF_LIST, Kind.FLAG) or not self.more():
            return
        if len(self.stack) < 2 or not self.stack[-2][1].oneliner:
            raise _error(self.words[self.i])
        self.stack.pop()
        self.at = self.stack[-1][1]
        top = len(self.stack) - 1
        self.floor = top if self.floor is None else min(self.floor, top)


def spell(words: list[Word], at: Statement = ROOT, *, mode: Mode = Mode.SET,
          bracket: list[str] | None = None, abbreviate: bool = False) -> Spelled:
    """Return the nodes ``words`` spell under the schema ``at``.

    ``bracket`` holds the ``[ a b ]`` values of a leaf-list ending the statement.
    ``abbreviate`` accepts unique prefixes of keywords and enumerated values, as the CLI does
    when a line is entered.  Raises ConfigSyntaxError (naming the word and its column) and
    ConfigValueError; never returns an empty statement (raises on no words).
    """
    if not words:
        raise ConfigSyntaxError("", "syntax error, expecting <statement>")
    walk = _Walk(words, at, mode, abbreviate)
    while walk.more():
        walk.statement(bracket if walk.i == len(words) - 1 else None)
        walk.after_terminal()
    cut = len(walk.stack) - 1 if walk.floor is None else walk.floor
    steps = tuple(PathStep(n.name, n.key) for n, _ in walk.stack[:cut])
    tip, tip_schema = walk.stack[cut]
    return Spelled(steps, tip, tip_schema, walk.at, walk.want, walk.spelled)


def level_words(level: tuple[PathStep, ...]) -> list[str]:
    """Return the words that name the statements of ``level`` (``interfaces fxp0 unit 0``)."""
    out: list[str] = []
    at: Statement | None = ROOT
    for step in level:
        me = child_of(at, step.name)
        if me is None or me.keyword:
            out.append(step.name)
        if step.key is not None:
            out.append(step.key)
        at = me
    return out


def edit_path(level: tuple[PathStep, ...]) -> str:
    """Return the ``[edit ...]`` banner of ``level`` (``[edit interfaces fxp0 unit 0]``)."""
    return "[edit" + "".join(" " + quote(w) for w in level_words(level)) + "]"


def statement_head(node: ConfigNode, parent: Statement | None) -> str:
    """Return how a statement is named in text: ``unit 0``, ``fxp0`` (a nokeyword list),
    ``re0`` (inside the ``groups`` block), ``host-name``."""
    if node.kind is not NodeKind.ENTRY:
        return node.name
    assert node.key is not None  # an ENTRY always has a key
    me = child_of(parent, node.name)
    if me is not None and not me.keyword:
        return quote(node.key)
    return f"{node.name} {quote(node.key)}"
