"""Reading a testbed file safely: bounded, regular files only, YAML with limits.

A testbed may come from anywhere a user points ``--testbed``: the reader never reads more than
:data:`MAX_BYTES`, refuses anything but a regular file at once (``/dev/zero`` is not read, a
FIFO is not waited on), and the YAML loader -- PyYAML's safe loader -- refuses more than
:data:`MAX_DEPTH` levels of nesting (a deep document would raise ``RecursionError``), more than
:data:`MAX_ALIASES` aliases and documents whose aliases expand to more than :data:`MAX_NODES`
nodes (a 400-byte "billion laughs" expands to 10**9).  It also records duplicate keys (plain
PyYAML keeps the last silently) and the line of every key path, for the messages.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, SequenceNode
from yaml.resolver import Resolver

from re_contract.errors import TestbedError
from re_contract.schema_types import show

__all__ = ["MAX_ALIASES", "MAX_BYTES", "MAX_DEPTH", "MAX_NODES", "Duplicate", "YamlDocument",
           "read_bounded", "parse_yaml"]

#: The largest testbed file read (bytes): thousands of routers fit in far less.
MAX_BYTES = 8 * 1024 * 1024
#: The deepest nesting of mappings and lists (the schema itself needs about ten).
MAX_DEPTH = 64
#: The most aliases (``*name``) in one file.
MAX_ALIASES = 1000
#: The most nodes the document may hold with every alias expanded.
MAX_NODES = 1_000_000


@dataclass(frozen=True, slots=True)
class Duplicate:
    """A key given twice in one mapping (PyYAML would silently keep the last value)."""

    path: str
    key: str
    line: int
    first_line: int


@dataclass(frozen=True, slots=True)
class YamlDocument:
    """The data of a file, its duplicate keys, and the line of every key path."""

    data: object
    duplicates: tuple[Duplicate, ...] = ()
    key_lines: dict[str, int] = field(default_factory=dict)


def read_bounded(path: Path, source: str, limit: int = MAX_BYTES) -> str:
    """Return the text of the regular file ``path``, at most ``limit`` bytes of UTF-8.

    The file is opened without blocking and checked before anything is read.

    Raises:
        FileNotFoundError: there is no such file.
        TestbedError: not a regular file (a device, a FIFO, a directory), larger than
            ``limit``, unreadable or not UTF-8.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise TestbedError(f"{source}: expected a readable file, got {exc.strerror}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise TestbedError(
                f"{source}: expected a regular file, got {_file_kind(info.st_mode)}")
        if info.st_size > limit:
            raise TestbedError(
                f"{source}: expected a file of at most {limit} bytes, got {info.st_size}")
        raw = _read_at_most(fd, limit + 1)
    finally:
        os.close(fd)
    if len(raw) > limit:
        raise TestbedError(f"{source}: expected a file of at most {limit} bytes, got more")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise TestbedError(f"{source}: expected a UTF-8 file, got {exc.reason} at byte "
                           f"{exc.start}") from None


def _read_at_most(fd: int, count: int) -> bytes:
    """Return up to ``count`` bytes read from ``fd`` (fewer at end of file)."""
    chunks: list[bytes] = []
    left = count
    while left > 0:
        chunk = os.read(fd, min(left, 1 << 16))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _file_kind(mode: int) -> str:
    """Return what a non-regular file is, in words."""
    kinds = ((stat.S_ISDIR, "a directory"), (stat.S_ISCHR, "a character device"),
             (stat.S_ISBLK, "a block device"), (stat.S_ISFIFO, "a FIFO"),
             (stat.S_ISSOCK, "a socket"))
    return next((words for test, words in kinds if test(mode)), "a special file")


def parse_yaml(text: str, source: str) -> YamlDocument:
    """Return the data of the YAML document ``text`` with its duplicates and key lines.

    Raises:
        TestbedError: not valid YAML (with line and column), or beyond the limits.
    """
    loader = _StrictLoader(text)
    try:
        data = loader.get_single_data()
    except _LimitError as exc:
        raise TestbedError(f"{source}: {exc}") from None
    except yaml.MarkedYAMLError as exc:
        raise TestbedError(_yaml_problem(source, exc)) from None
    except yaml.YAMLError as exc:
        raise TestbedError(f"{source}: expected valid YAML, got {show(str(exc))}") from None
    finally:
        loader.dispose()
    return YamlDocument(data, tuple(loader.duplicates), loader.key_lines)


def _yaml_problem(source: str, exc: yaml.MarkedYAMLError) -> str:
    """Return the one-line message for a YAML syntax error, with its line and column."""
    mark = exc.problem_mark or exc.context_mark
    if "maximum nesting depth" in str(exc.problem) and mark is not None:
        # libyaml's own bound (1,000 levels of flow nesting), met before this module's
        return f"{source}: expected at most {MAX_DEPTH} levels of nesting, got more " \
               f"(line {mark.line + 1})"
    where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
    context = f" {exc.context}" if exc.context else ""
    return f"{source}: expected valid YAML, got {exc.problem or 'an error'}{context}{where}"


class _LimitError(yaml.YAMLError):
    """The document is beyond a limit of this module (the message says which)."""


if yaml.__with_libyaml__ and not TYPE_CHECKING:
    from yaml._yaml import CParser

    class _SafeLoader(Composer, CParser, SafeConstructor, Resolver):
        """PyYAML's safe loader with libyaml's scanner and parser (six times as fast on a
        fleet of thousands of routers) under PyYAML's own Python composer, whose
        ``compose_node`` :class:`_StrictLoader` bounds (``yaml.CSafeLoader`` composes in C,
        out of its reach)."""

        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            Composer.__init__(self)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)
else:  # type-checked as, and without libyaml run as, PyYAML's pure-Python safe loader
    _SafeLoader = yaml.SafeLoader


class _StrictLoader(_SafeLoader):
    """A safe loader with limits that records duplicate keys and the line of every key path.

    It surveys the composed node tree before constructing it, so each finding has a key path.
    """

    def __init__(self, stream: str) -> None:
        """Prepare to load ``stream``."""
        super().__init__(stream)
        self.duplicates: list[Duplicate] = []
        self.key_lines: dict[str, int] = {}
        self._depth = 0
        self._aliases = 0
        self._sizes: dict[int, tuple[int, int]] = {}

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        """Compose one node within the limits: its depth in the document plus the height of
        what it holds (aliases expanded), the aliases and the expanded node count."""
        if self.check_event(AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                self._refuse(f"at most {MAX_ALIASES} aliases")
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                self._refuse(f"at most {MAX_DEPTH} levels of nesting")
            node = super().compose_node(parent, index)  # type: ignore[no-untyped-call]
        finally:
            self._depth -= 1
        if node is None:
            return None
        size, height = self._measure(node)
        if self._depth + height > MAX_DEPTH:
            self._refuse(f"at most {MAX_DEPTH} levels of nesting (aliases expanded)")
        if size > MAX_NODES:
            self._refuse(f"at most {MAX_NODES} nodes (aliases expanded)")
        return node

    def _refuse(self, expected: str) -> None:
        """Raise _LimitError: ``expected`` was exceeded at the current event's line."""
        line = self.peek_event().start_mark.line + 1
        raise _LimitError(f"expected {expected}, got more (line {line})")

    def _measure(self, node: Node) -> tuple[int, int]:
        """Return (expanded size, expanded height) of ``node``, whose children are measured
        already; an alias reuses the figures of its anchor (linear whatever the expansion)."""
        known = self._sizes.get(id(node))
        if known is not None:
            return known
        children: list[Node] = []
        if isinstance(node, MappingNode):
            children = [part for pair in node.value for part in pair]
        elif isinstance(node, SequenceNode):
            children = list(node.value)
        # A child still being composed (a recursive anchor) counts as one node.
        figures = [self._sizes.get(id(c), (1, 1)) for c in children]
        size = min(1 + sum(f[0] for f in figures), MAX_NODES + 1)
        height = 1 + max((f[1] for f in figures), default=0)
        self._sizes[id(node)] = (size, height)
        return size, height

    def construct_document(self, node: Node) -> Any:
        """Survey ``node`` for duplicates and key lines, then return the constructed data."""
        self._survey(node, "", set())
        return super().construct_document(node)

    def _survey(self, node: Node, path: str, seen: set[int]) -> None:
        """Walk ``node`` once (aliases may repeat or nest it), recording keys and duplicates."""
        if id(node) in seen:
            return
        seen.add(id(node))
        if isinstance(node, MappingNode):
            self._survey_mapping(node, path, seen)
        elif isinstance(node, SequenceNode):
            for index, item in enumerate(node.value):
                self._survey(item, f"{path}[{index}]", seen)

    def _survey_mapping(self, node: MappingNode, path: str, seen: set[int]) -> None:
        """Record each key's line, and every key given again in the same mapping."""
        first: dict[str, int] = {}
        for key_node, value_node in node.value:
            # "<<" merge keys may repeat by design and their keys are not in the file here.
            if key_node.tag == "tag:yaml.org,2002:merge" or not isinstance(key_node.value, str):
                continue
            key = key_node.value
            key_path = f"{path}.{key}" if path else key
            line = key_node.start_mark.line + 1
            if key in first:
                self.duplicates.append(Duplicate(key_path, key, line, first[key]))
            else:
                first[key] = line
                self.key_lines[key_path] = line
            self._survey(value_node, key_path, seen)
