"""The one operational command table: CLI words <-> RPC element <-> handler <-> renderers.

DESIGN.md: "An operational command is defined once".  NETCONF ``<command>``, the XML RPC and
the interactive CLI all resolve through :data:`COMMANDS`, so text and XML cannot disagree: a
handler returns a :class:`Result` holding both forms, built from one view of the model.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum

from lxml import etree

from emulator.model.errors import ModelError

__all__ = [
    "Arg",
    "ArgKind",
    "Command",
    "CommandContext",
    "CommandSyntaxError",
    "Result",
    "Table",
    "output_element",
]


class ArgKind(Enum):
    """How an argument is written on the CLI and in the RPC."""

    FLAG = "flag"  # CLI keyword alone; RPC empty element <x/>
    VALUE = "value"  # CLI "keyword value"; RPC <keyword>value</keyword>
    POSITIONAL = "positional"  # CLI bare value; RPC <name>value</name>


@dataclass(frozen=True, slots=True)
class Arg:
    """One argument of a command."""

    name: str
    kind: ArgKind
    help: str = ""
    choices: tuple[str, ...] = ()


class CommandSyntaxError(ModelError):
    """The CLI words do not form a known command (Junos: ``syntax error``)."""

    tag = "invalid-value"


@dataclass(slots=True)
class Result:
    """What a command produced: XML children of ``<rpc-reply>`` and the CLI text.

    ``warnings`` are rendered as ``<xnm:warning>`` in XML (as in ``request-halt.pyez.xml``) and
    ``warning: ...`` lines before the text on the CLI.
    """

    xml: list[etree._Element]
    text: str
    warnings: list[str] = field(default_factory=list)
    #: Partial failures reported as ``<rpc-error>`` before the data (as Junos does for an
    #: unreachable other RE in ``show version invoke-on all-routing-engines``).
    errors: list[str] = field(default_factory=list)


@dataclass(slots=True)
class CommandContext:
    """Who runs a command, where: the chassis model, the RE slot the session is on, the user."""

    chassis: object
    slot: int
    user: str
    #: Set by the CLI face when it asked for (and got) confirmation; NETCONF never prompts.
    interactive: bool = False
    extra: dict[str, object] = field(default_factory=dict)


Handler = Callable[[CommandContext, Mapping[str, str | bool]], Result]


@dataclass(frozen=True, slots=True)
class Command:
    """An operational command: its CLI words, its RPC, its arguments and its handler."""

    words: tuple[str, ...]
    rpc: str
    handler: Handler
    args: tuple[Arg, ...] = ()
    help: str = ""
    #: Fixed RPC arguments implied by the CLI words (``show log mastership`` -> filename).
    implied: tuple[tuple[str, str | bool], ...] = ()
    #: CLI confirmation prompt (``Toggle mastership between routing engines ?``), if any.
    confirm: str | None = None
    #: Lines the CLI prints before the prompt, computed from the context.
    preamble: Callable[[CommandContext, Mapping[str, str | bool]], list[str]] | None = None

    @property
    def cli(self) -> str:
        """Return the canonical CLI form (``show chassis routing-engine``)."""
        return " ".join(self.words)


def output_element(text: str) -> etree._Element:
    """Return ``<output>text</output>``, Junos's reply element for plain text."""
    el = etree.Element("output")
    el.text = text
    return el


class Table:
    """Lookup of commands by RPC name and by (possibly abbreviated) CLI words."""

    def __init__(self, commands: Sequence[Command]) -> None:
        self.commands = tuple(commands)
        self._by_rpc: dict[str, list[Command]] = {}
        for cmd in commands:
            self._by_rpc.setdefault(cmd.rpc, []).append(cmd)

    def by_rpc(self, name: str) -> Command | None:
        """Return the command whose RPC is ``name`` (the first one defined), or None."""
        found = self._by_rpc.get(name)
        return found[0] if found else None

    def rpc_args(self, element: etree._Element) -> dict[str, str | bool]:
        """Return the arguments of an RPC element: ``<x/>`` -> True, ``<x>v</x>`` -> "v"."""
        args: dict[str, str | bool] = {}
        for child in element:
            if not isinstance(child.tag, str):
                continue
            name = etree.QName(child).localname
            text = (child.text or "").strip()
            args[name] = text if text or len(child) else True
        return args

    def parse_cli(self, line: str) -> tuple[Command, dict[str, str | bool]]:
        """Resolve a CLI line (unambiguous prefixes allowed) to a command and its arguments.

        Raises CommandSyntaxError with the Junos wording for an unknown or ambiguous word.
        """
        tokens = _split(line)
        if not tokens:
            raise CommandSyntaxError("syntax error, expecting <command>.")
        candidates = list(self.commands)
        depth = 0
        while depth < len(tokens):
            nxt = [c for c in candidates if len(c.words) > depth
                   and c.words[depth].startswith(tokens[depth])]
            exact = [c for c in nxt if c.words[depth] == tokens[depth]]
            nxt = exact or nxt
            if not nxt:
                break
            if len({c.words[depth] for c in nxt}) > 1:
                raise CommandSyntaxError(f"'{tokens[depth]}' is ambiguous.")
            candidates = nxt
            depth += 1
            complete = [c for c in candidates if len(c.words) == depth]
            if complete and (depth == len(tokens) or not any(
                    len(c.words) > depth and c.words[depth].startswith(tokens[depth])
                    for c in candidates)):
                return complete[0], self._cli_args(complete[0], tokens[depth:])
        expected = sorted({c.words[depth] for c in candidates if len(c.words) > depth})
        if depth == 0:
            raise CommandSyntaxError("syntax error, expecting <command>.")
        want = expected[0] if len(expected) == 1 else "<command>"
        raise CommandSyntaxError(f"syntax error, expecting {want}.")

    def _cli_args(self, cmd: Command, rest: list[str]) -> dict[str, str | bool]:
        args: dict[str, str | bool] = dict(cmd.implied)
        positional = [a for a in cmd.args if a.kind is ArgKind.POSITIONAL]
        named = [a for a in cmd.args if a.kind is not ArgKind.POSITIONAL]
        i = 0
        while i < len(rest):
            word = rest[i]
            match = [a for a in named if a.name == word] or \
                [a for a in named if a.name.startswith(word)]
            if len(match) == 1:
                arg = match[0]
                if arg.kind is ArgKind.FLAG:
                    args[arg.name] = True
                else:
                    if i + 1 >= len(rest):
                        raise CommandSyntaxError(f"syntax error, expecting <{arg.name}>.")
                    args[arg.name] = _choice(arg, rest[i + 1])
                    i += 1
            elif len(match) > 1:
                raise CommandSyntaxError(f"'{word}' is ambiguous.")
            elif positional:
                args[positional.pop(0).name] = word
            else:
                raise CommandSyntaxError(f"syntax error, expecting <command>: {word}")
            i += 1
        return args


def _choice(arg: Arg, value: str) -> str:
    if not arg.choices:
        return value
    hits = [c for c in arg.choices if c == value] or [c for c in arg.choices if c.startswith(value)]
    if len(hits) != 1:
        raise CommandSyntaxError(f"syntax error, expecting {' | '.join(arg.choices)}.")
    return hits[0]


def _split(line: str) -> list[str]:
    """Split CLI words, keeping double-quoted strings together."""
    out: list[str] = []
    cur = ""
    quoted = False
    for ch in line.strip():
        if ch == '"':
            quoted = not quoted
        elif ch.isspace() and not quoted:
            if cur:
                out.append(cur)
            cur = ""
        else:
            cur += ch
    if cur:
        out.append(cur)
    return out
