"""The one command table: CLI words <-> RPC element <-> handler <-> renderers.

DESIGN.md: "An operational command is defined once".  NETCONF ``<command>``, the XML RPC and
the interactive CLI all resolve through the rows of one :class:`Table` (the rows are in
``emulator.commands.operational``), so text and XML cannot disagree: a handler returns a
:class:`~emulator.commands.context.Result` holding both forms, built from one view of the model.
Configuration RPCs are rows too (no CLI words: configuration mode is the CLI's own).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum

from lxml import etree

from emulator.commands.context import ArgValue, CommandContext, Request, Result
from emulator.model.errors import ModelError

__all__ = [
    "Arg",
    "ArgKind",
    "Command",
    "CommandSyntaxError",
    "Handler",
    "PathBuilder",
    "Preamble",
    "Table",
    "WarningForm",
]

class ArgKind(Enum):
    """How an argument is written on the CLI and in the RPC."""

    FLAG = "flag"  # CLI keyword alone; RPC empty element <x/>
    VALUE = "value"  # CLI "keyword value"; RPC <keyword>value</keyword>
    POSITIONAL = "positional"  # CLI bare value; RPC <name>value</name>
    #: CLI: the rest of the line (a configuration path); RPC: the element ``build`` makes of
    #: it (``show configuration chassis redundancy`` -> ``<configuration><chassis>
    #: <redundancy/>``).
    PATH = "path"


#: Builds the RPC child element of a PATH argument from its words.  Raises
#: CommandSyntaxError naming the first word that is not a statement there.
PathBuilder = Callable[[list[str]], etree._Element]


@dataclass(frozen=True, slots=True)
class Arg:
    """One argument of a command."""

    name: str
    kind: ArgKind
    help: str = ""
    choices: tuple[str, ...] = ()
    build: PathBuilder | None = None


class CommandSyntaxError(ModelError):
    """The CLI words do not form a known command (Junos: ``syntax error``)."""

    tag = "invalid-value"


class WarningForm(Enum):
    """How a row's warnings appear in its XML reply."""

    #: ``<xnm:warning><message>`` among the reply's children (``request-halt.pyez.xml``).
    XNM = "xnm"
    #: A leading ``<rpc-error>`` of severity warning, then ``<ok/>`` (commit, NOTES.md 3.6).
    RPC_ERROR = "rpc-error"


Handler = Callable[[CommandContext, Request], Result]
Preamble = Callable[[CommandContext, Mapping[str, ArgValue]], list[str]]

#: ``<output>``: the element that holds a command's text reply (NOTES.md 3.13).
OUTPUT = ("output",)


@dataclass(frozen=True, slots=True)
class Command:
    """One row: a command's CLI words (none for an RPC the CLI has no word for), its RPC, its
    arguments, its handler and how its replies are shaped."""

    words: tuple[str, ...]
    rpc: str
    handler: Handler
    args: tuple[Arg, ...] = ()
    help: str = ""
    #: RPC attributes the CLI words imply: ``show configuration`` is ``<get-configuration
    #: database="committed">`` (operational mode shows the committed configuration).
    implied: tuple[tuple[str, str], ...] = ()
    #: CLI confirmation prompt (``Toggle mastership between routing engines ?``), if any.
    confirm: str | None = None
    #: Lines the CLI prints before the prompt, computed from the context.
    preamble: Preamble | None = None
    #: The elements that hold the text form of the reply, outermost first: ``<output>``, or
    #: ``configuration-information/configuration-output`` for ``show configuration`` (sample
    #: ``command.text.show-configuration.pyez.xml``).
    text_shape: tuple[str, ...] = OUTPUT
    #: The RPC's ``format`` attribute is the RPC's own argument (``get-configuration`` answers
    #: ``<configuration-text>``, ``load-configuration`` reads its payload in it) rather than a
    #: request for the text form every operational RPC accepts.
    own_format: bool = False
    #: ``format`` names the format of the request's payload (``load-configuration``), so the
    #: reply stays XML whatever it says (PyEZ: "should not convert rpc response to json when
    #: loading json config").
    payload_format: bool = False
    warning_form: WarningForm = WarningForm.XNM
    #: The handler only reads the model (and the context's RE slot and user): two calls with
    #: the same request, between two changes of the router's state, answer the same, so the
    #: server may keep the reply (``RouterRuntime.replies``).  A unit test dispatches every such
    #: row and checks the model is unchanged.
    read_only: bool = False

    @property
    def cli(self) -> str:
        """Return the canonical CLI form (``show chassis routing-engine``)."""
        return " ".join(self.words)

    def text_element(self, text: str) -> etree._Element:
        """Return ``text`` inside this row's text shape (``<output>text</output>``)."""
        outer = inner = etree.Element(self.text_shape[0])
        for tag in self.text_shape[1:]:
            inner = etree.SubElement(inner, tag)
        inner.text = text
        return outer


class Table:
    """Lookup of rows by RPC name and of commands by (possibly abbreviated) CLI words."""

    def __init__(self, rows: Sequence[Command]) -> None:
        #: Every row, RPC-only ones included.
        self.rows = tuple(rows)
        #: The rows with CLI words: what the CLI and ``<command>`` know.
        self.commands = tuple(r for r in rows if r.words)
        self._by_rpc: dict[str, list[Command]] = {}
        for row in rows:
            self._by_rpc.setdefault(row.rpc, []).append(row)

    def by_rpc(self, name: str) -> Command | None:
        """Return the command whose RPC is ``name`` (the first one defined), or None."""
        found = self._by_rpc.get(name)
        return found[0] if found else None

    def request(self, element: etree._Element) -> Request:
        """Return the invocation an RPC element asks for: its arguments, attributes, itself."""
        attrs = {etree.QName(k).localname: str(v) for k, v in element.attrib.items()}
        return Request(self.rpc_args(element), attrs, element)

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

    def parse_cli(self, line: str) -> tuple[Command, Request]:
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
                cmd = complete[0]
                return cmd, self._cli_request(cmd, tokens[depth:])
        expected = sorted({c.words[depth] for c in candidates if len(c.words) > depth})
        if depth == 0:
            raise CommandSyntaxError("syntax error, expecting <command>.")
        want = expected[0] if len(expected) == 1 else "<command>"
        raise CommandSyntaxError(f"syntax error, expecting {want}.")

    def _cli_request(self, cmd: Command, rest: list[str]) -> Request:
        """Return the invocation of ``cmd`` by the CLI words ``rest``; a PATH argument takes
        the words left and is the RPC element's child (the Request carries the element)."""
        path = next((a for a in cmd.args if a.kind is ArgKind.PATH), None)
        if path is None or path.build is None or not rest or rest[0] in (
                a.name for a in cmd.args if a.kind is not ArgKind.PATH):
            return Request(self._cli_args(cmd, rest), dict(cmd.implied))
        element = etree.Element(cmd.rpc, dict(cmd.implied))
        element.append(path.build(rest))
        return Request({path.name: " ".join(rest)}, dict(cmd.implied), element)

    def _cli_args(self, cmd: Command, rest: list[str]) -> dict[str, str | bool]:
        args: dict[str, str | bool] = {}
        positional = [a for a in cmd.args if a.kind is ArgKind.POSITIONAL]
        named = [a for a in cmd.args if a.kind not in (ArgKind.POSITIONAL, ArgKind.PATH)]
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
