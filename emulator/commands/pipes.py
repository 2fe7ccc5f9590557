"""The one pipe engine (``| match X``, ``| count``, ``| display xml``, ...) of the CLI and of
NETCONF ``<command>``: the pipe words, their parsing, the text filters and the XML printing.

Junos splits the work in two (NOTES.md 3.13, docs/emulator-model.md "Pipes"): the management
daemon answers ``<command>`` and applies the display pipes (:data:`SERVER_PIPES`: ``display
xml``, ``display xml rpc``, ``display set``, ``display json``); the text filters (match,
except, find, last, count, no-more) are the CLI's own, applied to that answer as its pager
shows it.  Over NETCONF the text filters are therefore not applied (PyEZ ``Device.cli``: "You
cannot use pipe filters with command such as | match or | count"); ``| match`` is echoed in a
``<pipe>`` element before the text, as Junos does.  The interactive CLI is ``<command>`` plus
:func:`apply_text`.

Printing XML on the terminal (``| display xml``) wraps it in ``<rpc-reply>`` with 4-space
indentation, as in ``samples/command.display-xml-rpc.show-system-uptime.pyez.xml``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum

from lxml import etree

from emulator.commands.grammar import CliSyntaxError, CliVerb, Grammar
from emulator.commands.table import Arg, ArgKind

__all__ = [
    "PIPE_GRAMMAR",
    "SERVER_PIPES",
    "Pipe",
    "PipeKind",
    "apply_text",
    "directive",
    "parse_line_pipes",
    "parse_pipes",
    "split_pipes",
    "terminal_xml",
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
    DISPLAY_JSON = "display json"
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
    PipeKind.DISPLAY_JSON: CliVerb(("display", "json"), "Show output in JSON format"),
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

#: The pipes the management daemon applies to a ``<command>`` answer; the others are the
#: CLI's (its pager's) and NETCONF clients get the text without them.
SERVER_PIPES = frozenset({PipeKind.DISPLAY_XML, PipeKind.DISPLAY_XML_RPC, PipeKind.DISPLAY_SET,
                          PipeKind.DISPLAY_JSON})

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


def parse_line_pipes(line: str) -> tuple[str, list[Pipe]]:
    """Return the command part of ``line`` and its parsed pipes.  Raises CliSyntaxError."""
    head, stages = split_pipes(line)
    return head, parse_pipes(stages)


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


def directive(pipes: Iterable[Pipe]) -> etree._Element | None:
    """Return the ``<pipe>`` element Junos puts before a ``<command>`` text answer for the
    CLI's pager (``<more-match-string>`` for ``| match``, as captured from Junos 12.1X47 in
    py-junos-eznc issue 616), or None when no pipe asks for one."""
    found = [p for p in pipes if p.kind is PipeKind.MATCH]
    if not found:
        return None
    el = etree.Element("pipe")
    for pipe in found:
        etree.SubElement(el, "more-match-string").text = pipe.arg
    return el


# ------------------------------------------------------------------ XML printing
def terminal_xml(children: Iterable[etree._Element], junos_ns: str) -> str:
    """Return ``<rpc-reply>`` around ``children`` as the CLI prints it (``| display xml``,
    ``| display xml rpc``): 4-space indentation, an empty RPC call and ``<banner>`` each written
    with an open and a close tag, as Junos writes them."""
    reply = etree.Element("rpc-reply", nsmap={"junos": junos_ns})
    for el in children:
        reply.append(etree.fromstring(etree.tostring(el)))
    for call in reply.xpath("rpc/*[not(node())]"):
        call.text = "\n" + INDENT * 2
    etree.indent(reply, space=INDENT)
    text = etree.tostring(reply, encoding="unicode")
    # lxml writes <banner></banner> as <banner/>; Junos writes both tags.
    return text.replace("<banner/>", "<banner></banner>") + "\n"
