"""The word tree the CLI completes, explains (``?``) and checks as you type, and its refusal.

It is built from the one command table (``emulator.commands.operational.TABLE``) plus the few
verbs only an interactive CLI has (``configure``, ``exit``, ``request routing-engine login``,
the configuration-mode verbs).  It never runs a table command itself: it only finds where a
line stops making sense, for the ``^`` caret and the "Possible completions:" lists; the session
then hands the line to ``TABLE.parse_cli``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from emulator.commands.table import Arg, ArgKind, Command

__all__ = [
    "CliSyntaxError",
    "CliVerb",
    "Grammar",
    "Resolution",
    "Target",
    "Token",
    "completion_lines",
    "tokenize",
]


class CliSyntaxError(Exception):
    """The words do not form a command; ``str()`` is the message Junos prints.

    ``column`` is where the ``^`` goes (an index into the typed line, or into the terminal line
    when ``absolute``: Junos puts the caret of a bad configuration value in column 0);
    ``completions`` are the ``(word, help)`` pairs Junos lists under "Possible completions:"
    (ambiguous words).
    """

    def __init__(self, message: str, column: int,
                 completions: tuple[tuple[str, str], ...] = (), *,
                 absolute: bool = False) -> None:
        super().__init__(message)
        self.column = column
        self.completions = completions
        self.absolute = absolute


@dataclass(frozen=True, slots=True)
class CliVerb:
    """A command only the interactive CLI knows; ``free`` ones take any words after them
    (configuration paths, patterns)."""

    words: tuple[str, ...]
    help: str
    args: tuple[Arg, ...] = ()
    free: bool = False


Target = Command | CliVerb


@dataclass(frozen=True, slots=True)
class Token:
    """A word of the typed line and the column it starts at."""

    text: str
    column: int


@dataclass(slots=True)
class _Node:
    word: str
    help: str = ""
    children: dict[str, _Node] = field(default_factory=dict)
    target: Target | None = None
    #: Hidden words (Junos's hidden commands such as ``request shell execute``) resolve and
    #: run but are never offered by ``?`` or TAB.
    hidden: bool = False


@dataclass(frozen=True, slots=True)
class Resolution:
    """A line resolved to a target: the full words, and the argument tokens after them."""

    target: Target
    words: tuple[str, ...]
    args: tuple[Token, ...]


def tokenize(line: str) -> list[Token]:
    """Split ``line`` into words (double-quoted strings stay one word, quotes removed)."""
    out: list[Token] = []
    cur, start, quoted = "", -1, False
    for i, ch in enumerate(line):
        if ch == '"':
            quoted = not quoted
            start = i if start < 0 else start
        elif ch.isspace() and not quoted:
            if start >= 0:
                out.append(Token(cur, start))
            cur, start = "", -1
        else:
            cur += ch
            start = i if start < 0 else start
    if start >= 0:
        out.append(Token(cur, start))
    return out


def completion_lines(pairs: Iterable[tuple[str, str]]) -> list[str]:
    """Return the "Possible completions:" block as Junos lays it out (word in 20 columns)."""
    return ["Possible completions:"] + [f"  {w:<20} {h}".rstrip() for w, h in pairs]


def _arg_help(target: Target) -> list[tuple[str, str]]:
    return [(a.name if a.kind is not ArgKind.POSITIONAL else f"<{a.name}>", a.help)
            for a in target.args]


class Grammar:
    """A tree of command words; leaves (and some inner nodes) are targets."""

    def __init__(self, targets: Iterable[Target], word_help: Mapping[tuple[str, ...], str],
                 hidden: Iterable[tuple[str, ...]] = ()) -> None:
        self._root = _Node("")
        self._hidden = frozenset(hidden)
        for target in targets:
            self._add(target, word_help)

    def _add(self, target: Target, word_help: Mapping[tuple[str, ...], str]) -> None:
        node = self._root
        for i, word in enumerate(target.words):
            path = target.words[:i + 1]
            node = node.children.setdefault(word, _Node(word, word_help.get(path, ""),
                                                        hidden=path in self._hidden))
        node.target = target
        node.help = target.help or node.help

    # ------------------------------------------------------------- resolve
    def resolve(self, line: str) -> Resolution:
        """Return the target ``line`` names (unambiguous prefixes allowed).

        Raises CliSyntaxError with the caret column and the Junos message.
        """
        tokens = tokenize(line)
        node, words = self._root, list[str]()
        for i, tok in enumerate(tokens):
            child = self._step(node, tok, first=not words)
            if child is None:
                if node.target is not None:
                    return Resolution(node.target, tuple(words), tuple(tokens[i:]))
                raise self._expecting(node, tok.column, first=not words)
            node = child
            words.append(child.word)
        if node.target is None:
            raise self._expecting(node, len(line.rstrip()) + 1, first=not words)
        return Resolution(node.target, tuple(words), ())

    def _step(self, node: _Node, tok: Token, *, first: bool) -> _Node | None:
        """Return the child ``tok`` selects, None if none.  Raises CliSyntaxError (ambiguous)."""
        if node.target is not None and node.target.args and tok.text in (
                a.name for a in node.target.args):
            return None  # an argument named like a deeper word: the argument wins
        if tok.text in node.children:
            return node.children[tok.text]
        # A hidden word must be typed in full (Junos does not complete hidden commands).
        hits = [c for w, c in sorted(node.children.items())
                if w.startswith(tok.text) and not c.hidden]
        if len(hits) > 1:
            raise CliSyntaxError(f"'{tok.text}' is ambiguous.", tok.column,
                                 tuple((c.word, c.help) for c in hits))
        return hits[0] if hits else None

    def _expecting(self, node: _Node, column: int, *, first: bool) -> CliSyntaxError:
        if first:
            return CliSyntaxError("unknown command.", column)
        return CliSyntaxError("syntax error, expecting <command>.", column)

    # ------------------------------------------------------------- complete
    def candidates(self, line: str) -> list[tuple[str, str]]:
        """Return ``(word, help)`` for what may follow ``line`` (its last word is a prefix
        unless the line ends with a space); a complete command adds ``<[Enter]>`` and ``|``.

        The order is Junos's: ``<...>`` entries first, then words alphabetically, ``|`` last
        (ASCII order gives exactly that)."""
        tokens = tokenize(line)
        partial = "" if not tokens or line[-1:].isspace() else tokens.pop().text
        node = self._root
        for tok in tokens:
            try:
                child = self._step(node, tok, first=node is self._root)
            except CliSyntaxError:
                return []
            if child is None:
                return self._arg_candidates(node, partial)
            node = child
        out = [(c.word, c.help) for w, c in node.children.items()
               if w.startswith(partial) and not c.hidden]
        if node.target is not None:
            out += self._arg_candidates(node, partial)
        return sorted(out)

    def _arg_candidates(self, node: _Node, partial: str) -> list[tuple[str, str]]:
        if node.target is None:
            return []
        out = [(w, h) for w, h in _arg_help(node.target) if w.startswith(partial)]
        if not partial:
            out += [("<[Enter]>", "Execute this command"), ("|", "Pipe through a command")]
        return sorted(out)

    def complete(self, line: str) -> str | None:
        """Return ``line`` with its last word completed (TAB), or None when it is not unique."""
        tokens = tokenize(line)
        if not tokens or line[-1:].isspace():
            return None
        partial = tokens[-1].text
        words = [w for w, _ in self.candidates(line) if not w.startswith(("<", "|"))]
        if len(words) == 1:
            return line[: len(line) - len(partial)] + words[0] + " "
        common = _common_prefix(words)
        if len(common) > len(partial):
            return line[: len(line) - len(partial)] + common
        return None


def _common_prefix(words: list[str]) -> str:
    if not words:
        return ""
    first, last = min(words), max(words)
    i = 0
    while i < len(first) and first[i] == last[i]:
        i += 1
    return first[:i]
