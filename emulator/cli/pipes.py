"""Output pipes (``| match X``, ``| count``, ``| display xml``, ...) and Junos's XML printing.

``| display xml`` prints the reply the command's RPC returns, wrapped in ``<rpc-reply>`` with the
``<cli><banner>`` element and 4-space indentation, as in
``samples/command.display-xml-rpc.show-system-uptime.pyez.xml``; ``| display xml rpc`` prints the
RPC the command stands for.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum

from lxml import etree

from emulator.cli.errors import CliSyntaxError
from emulator.cli.grammar import CliVerb, Grammar
from emulator.commands.table import Arg, ArgKind

__all__ = [
    "PIPE_GRAMMAR",
    "Pipe",
    "PipeKind",
    "apply_text",
    "parse_pipes",
    "render_reply",
    "render_rpc",
    "split_pipes",
]

INDENT = "    "

#: What ``| last`` without a number shows: one screen of a default terminal.
SCREEN_LINES = 24


class PipeKind(Enum):
    """The pipe commands the emulator implements."""

    COUNT = "count"
    DISPLAY_XML = "display xml"
    DISPLAY_XML_RPC = "display xml rpc"
    DISPLAY_SET = "display set"
    EXCEPT = "except"
    FIND = "find"
    LAST = "last"
    MATCH = "match"
    NO_MORE = "no-more"
    COMPARE = "compare"


_PATTERN = (Arg("pattern", ArgKind.POSITIONAL, "Pattern to match"),)
_VERBS = {
    PipeKind.COUNT: CliVerb(("count",), "Count occurrences"),
    PipeKind.DISPLAY_XML: CliVerb(("display", "xml"), "Show XML tags in output"),
    PipeKind.DISPLAY_XML_RPC: CliVerb(("display", "xml", "rpc"),
                                      "Show XML RPC request for this command"),
    PipeKind.DISPLAY_SET: CliVerb(("display", "set"), "Show 'set' commands"),
    PipeKind.EXCEPT: CliVerb(("except",), "Show only text that does not match a pattern",
                             _PATTERN, free=True),
    PipeKind.FIND: CliVerb(("find",), "Search for first occurrence of pattern", _PATTERN,
                           free=True),
    PipeKind.LAST: CliVerb(("last",), "Display end of output only",
                           (Arg("lines", ArgKind.POSITIONAL, "Number of lines"),), free=True),
    PipeKind.MATCH: CliVerb(("match",), "Show only text that matches a pattern", _PATTERN,
                            free=True),
    PipeKind.NO_MORE: CliVerb(("no-more",), "Don't paginate output"),
    PipeKind.COMPARE: CliVerb(("compare",), "Compare configuration changes with prior version",
                              (Arg("rollback", ArgKind.VALUE, "Index of rollback file"),),
                              free=True),
}
_KIND = {verb: kind for kind, verb in _VERBS.items()}

#: The words after ``|``.
PIPE_GRAMMAR = Grammar(_VERBS.values(), {("display",): "Show additional kinds of information"})


@dataclass(frozen=True, slots=True)
class Pipe:
    """One pipe stage and its argument (the pattern of match/except, compare's rollback)."""

    kind: PipeKind
    arg: str = ""


def split_pipes(line: str) -> tuple[str, list[tuple[str, int]]]:
    """Return the command part and each pipe stage with its start column (quotes respected)."""
    parts: list[tuple[str, int]] = []
    quoted, start = False, 0
    for i, ch in enumerate(line):
        if ch == '"':
            quoted = not quoted
        elif ch == "|" and not quoted:
            parts.append((line[start:i], start))
            start = i + 1
    parts.append((line[start:], start))
    return parts[0][0], parts[1:]


def parse_pipes(stages: Sequence[tuple[str, int]]) -> list[Pipe]:
    """Resolve each stage (prefixes allowed).  Raises CliSyntaxError (caret in line columns)."""
    out: list[Pipe] = []
    for text, offset in stages:
        try:
            res = PIPE_GRAMMAR.resolve(text)
        except CliSyntaxError as exc:
            raise CliSyntaxError(str(exc).replace("unknown command.",
                                                  "syntax error, expecting <command>."),
                                 exc.column + offset, exc.completions) from exc
        assert isinstance(res.target, CliVerb)
        kind = _KIND[res.target]
        out.append(Pipe(kind, _pipe_arg(kind, [t.text for t in res.args], offset + len(text))))
    return out


def _pipe_arg(kind: PipeKind, words: list[str], end: int) -> str:
    if kind is PipeKind.LAST:
        if words and not words[0].isdigit():
            raise CliSyntaxError("syntax error, expecting <number>.", end - len(" ".join(words)))
        return words[0] if words else str(SCREEN_LINES)
    if kind in (PipeKind.MATCH, PipeKind.EXCEPT, PipeKind.FIND):
        if not words:
            raise CliSyntaxError("syntax error, expecting <pattern>.", end + 1)
        return " ".join(words)
    if kind is PipeKind.COMPARE and words:
        return words[-1]
    return ""


def apply_text(text: str, pipes: Iterable[Pipe]) -> str:
    """Apply the text filters in order (match and except are case-insensitive regexes, as
    Junos's are); display pipes are the caller's business and pass through."""
    for pipe in pipes:
        lines = text.splitlines()
        if pipe.kind is PipeKind.MATCH:
            text = _join(line for line in lines if _search(pipe.arg, line))
        elif pipe.kind is PipeKind.EXCEPT:
            text = _join(line for line in lines if not _search(pipe.arg, line))
        elif pipe.kind is PipeKind.FIND:
            first = next((i for i, line in enumerate(lines) if _search(pipe.arg, line)), None)
            text = _join(lines[first:]) if first is not None else ""
        elif pipe.kind is PipeKind.LAST:
            text = _join(lines[-int(pipe.arg):]) if int(pipe.arg) else ""
        elif pipe.kind is PipeKind.COUNT:
            text = f"Count: {len(lines)} lines\n"
    return text


def _search(pattern: str, line: str) -> bool:
    try:
        return re.search(pattern, line, re.IGNORECASE) is not None
    except re.error:
        return pattern.lower() in line.lower()


def _join(lines: Iterable[str]) -> str:
    return "".join(line + "\n" for line in lines)


# ------------------------------------------------------------------ XML printing
def render_reply(elements: Iterable[etree._Element], junos_ns: str, banner: str) -> str:
    """Return ``<rpc-reply>`` around ``elements`` and ``<cli><banner>``, as ``| display xml``."""
    reply = etree.Element("rpc-reply", nsmap={"junos": junos_ns})
    for el in elements:
        reply.append(_copy(el))
    cli = etree.SubElement(reply, "cli")
    etree.SubElement(cli, "banner").text = banner
    return _serialize(reply)


def render_rpc(rpc: str, args: Mapping[str, str | bool], junos_ns: str, banner: str = "") -> str:
    """Return ``| display xml rpc``: the ``<rpc>`` a command stands for, in ``<rpc-reply>``.

    ``banner`` is the ``{master}``/``{backup}`` the prompt shows (empty without GRES), as in
    ``| display xml``.
    """
    reply = etree.Element("rpc-reply", nsmap={"junos": junos_ns})
    call = etree.SubElement(etree.SubElement(reply, "rpc"), rpc)
    for key, value in args.items():
        etree.SubElement(call, key).text = None if value is True else str(value)
    if not len(call):
        # Junos writes an argument-less RPC as an open and a close tag on two lines.
        call.text = "\n" + INDENT * 2
    cli = etree.SubElement(reply, "cli")
    etree.SubElement(cli, "banner").text = banner
    return _serialize(reply)


def _copy(el: etree._Element) -> etree._Element:
    return etree.fromstring(etree.tostring(el))


def _serialize(reply: etree._Element) -> str:
    etree.indent(reply, space=INDENT)
    text = etree.tostring(reply, encoding="unicode")
    # lxml writes <banner></banner> as <banner/>; Junos writes both tags.
    return text.replace("<banner/>", "<banner></banner>") + "\n"
