"""Problem lines: ``file: key.path: expected X, got Y (line N)``, from the schema's errors too.

:func:`schema_problems` turns a pydantic ``ValidationError`` into such lines: the words after
"expected" come from the :class:`~re_contract.schema_types.Expect` marker of the value at the
error's location (or, for an unknown key, from the keys the mapping allows, with a "did you
mean"), so no message is written twice.
"""

from __future__ import annotations

import difflib
import types
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from re_contract.schema_types import CUSTOM_ERROR, Expect, show

__all__ = ["Location", "Problems", "child", "hint", "quoted", "render_path", "schema_problems"]

#: A location in the file: mapping keys and list indexes from the top.
Location = tuple[str | int, ...]
_KEY = "[key]"  # pydantic's marker for an error in a mapping's key


def quoted(names: Iterable[object]) -> str:
    """Return ``'a', 'b', 'c'``."""
    return ", ".join(repr(n) for n in names)


def hint(word: object, choices: Iterable[str]) -> str:
    """Return `` (did you mean 'x'?)`` for the closest choice, or "" if none is close."""
    if not isinstance(word, str) or len(word) > 64:
        return ""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


#: The longest key a message shows whole.
KEY_SHOWN = 40


def _shorten(path: str) -> str:
    """Return ``path`` with each key longer than KEY_SHOWN cut to it, ending in "..."."""
    if len(path) <= KEY_SHOWN:
        return path
    return ".".join(k if len(k) <= KEY_SHOWN else f"{k[:KEY_SHOWN - 3]}..."
                    for k in path.split("."))


def child(path: str, key: object) -> str:
    """Return the key path of ``key`` under ``path``."""
    return f"{path}.{key}" if path else str(key)


def render_path(location: Sequence[str | int], data: object) -> str:
    """Return ``routers.r1.emulator.platform.modules[2]``: list indexes in brackets (``data``
    tells a list index from an integer mapping key)."""
    path, node = "", data
    for part in location:
        if isinstance(node, list) and isinstance(part, int):
            path = f"{path}[{part}]"
            node = node[part] if 0 <= part < len(node) else None
        else:
            path = child(path, part)
            node = node.get(part) if isinstance(node, dict) else None
    return path


class Problems:
    """Collects problems and warnings, each one line, in order, without repeats.

    ``lines`` maps key paths to their line in the file; a problem shows the line of its path
    or of the nearest ancestor.
    """

    __slots__ = ("found", "lines", "source", "warnings")

    def __init__(self, source: str, lines: Mapping[str, int]) -> None:
        """Start an empty collection for the file labelled ``source``."""
        self.source = source
        self.lines = lines
        self.found: dict[str, None] = {}
        self.warnings: dict[str, None] = {}

    def add(self, path: str, expected: str, got: str, line: int | None = None) -> None:
        """Record that at ``path`` we expected ``expected`` and got ``got`` (already shown)."""
        self.found[self.line(path, f"expected {expected}, got {got}", line)] = None

    def warn(self, path: str, text: str) -> None:
        """Record a lint warning about ``path``."""
        self.warnings[self.line(path, text, None)] = None

    def line(self, path: str, text: str, line: int | None = None) -> str:
        """Return ``source: path: text (line N)``; N is the nearest known line of the path.
        A key longer than :data:`KEY_SHOWN` is cut short (a message never holds a whole
        value, keys included)."""
        line = line if line is not None else self._nearest_line(path)
        suffix = f" (line {line})" if line is not None else ""
        return f"{self.source}: {_shorten(path) or '(top level)'}: {text}{suffix}"

    def _nearest_line(self, path: str) -> int | None:
        """Return the line of ``path`` or of its nearest ancestor in the file, if known."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path.rpartition(".")[0] if "." in path else ""
        return None


# --------------------------------------------------------------------------- the schema's errors


@dataclass(frozen=True, slots=True)
class _Node:
    """The declared type found at a location, with the metadata of the way there."""

    kind: Any
    meta: tuple[Any, ...] = ()

    def expected(self) -> str:
        """Return what a value here must be, in message words."""
        marker = next((m for m in reversed(self.meta) if isinstance(m, Expect)), None)
        if marker is not None:
            return marker.text
        if _is_model(self.kind):
            return f"a mapping with keys among {quoted(_keys(self.kind))}"
        if self.choices():
            return f"one of {quoted(self.choices())}"
        return "a mapping" if get_origin(self.kind) is dict else "a valid value"

    def choices(self) -> tuple[str, ...]:
        """Return the values an enum or literal here allows (none for other types)."""
        if isinstance(self.kind, type) and issubclass(self.kind, Enum):
            return tuple(str(m.value) for m in self.kind)
        if get_origin(self.kind) is Literal:
            return tuple(str(a) for a in get_args(self.kind))
        return ()


def _is_model(kind: Any) -> bool:
    return isinstance(kind, type) and issubclass(kind, BaseModel)


def _keys(model: type[BaseModel]) -> list[str]:
    """Return the keys a model's mapping allows, as written in the file (aliases)."""
    return [f.alias or name for name, f in model.model_fields.items()]


def _unwrap(kind: Any, meta: tuple[Any, ...] = ()) -> _Node:
    """Return the node of ``kind`` without ``Optional`` and ``Annotated`` (kept as metadata)."""
    while True:
        origin = get_origin(kind)
        if origin is Annotated:
            meta, kind = meta + tuple(kind.__metadata__), get_args(kind)[0]
        elif origin in (Union, types.UnionType):
            others = [a for a in get_args(kind) if a is not type(None)]
            if len(others) != 1:
                return _Node(kind, meta)
            kind = others[0]
        else:
            return _Node(kind, meta)


def _step(node: _Node, part: str | int) -> _Node | None:
    """Return the node one key or index below ``node``, or None if the schema has none."""
    if _is_model(node.kind):
        for name, info in node.kind.model_fields.items():
            if part in (name, info.alias):
                return _unwrap(info.annotation, tuple(info.metadata))
        return None
    args = get_args(node.kind)
    if get_origin(node.kind) is dict and len(args) == 2:
        return _unwrap(args[1])
    if get_origin(node.kind) in (tuple, list) and args:
        return _unwrap(args[0])
    return None


def _walk(root: type[BaseModel], location: Sequence[str | int]) -> _Node | None:
    """Return the declared node at ``location`` under ``root``."""
    node: _Node | None = _Node(root)
    for part in location:
        if node is None:
            return None
        node = _step(node, part)
    return node


def _key_node(root: type[BaseModel], location: Sequence[str | int]) -> _Node:
    """Return the node of the keys of the mapping at ``location``."""
    node = _walk(root, location)
    args = get_args(node.kind) if node is not None else ()
    return _unwrap(args[0]) if len(args) == 2 else _Node(str)


@dataclass(frozen=True, slots=True)
class SchemaProblem:
    """One error of the schema: where, what was expected, what was found (as shown)."""

    location: Location
    expected: str
    got: str


def schema_problems(error: ValidationError, root: type[BaseModel]) -> Iterator[SchemaProblem]:
    """Yield one problem per error of ``error`` (raised validating ``root``)."""
    for detail in error.errors(include_url=False):
        yield _problem(detail, root)


def _problem(detail: ErrorDetails, root: type[BaseModel]) -> SchemaProblem:
    """Return the problem of one pydantic error."""
    loc, kind, value = tuple(detail["loc"]), detail["type"], detail.get("input")
    context = detail.get("ctx") or {}
    if kind == CUSTOM_ERROR:
        at = (context["at"],) if "at" in context else ()
        return SchemaProblem(loc + at, context["expected"], context.get("got") or show(value))
    if loc and loc[-1] == _KEY:
        node = _key_node(root, loc[:-2])
        key = loc[-2]
        if kind == "string_type":
            return SchemaProblem(loc[:-1], "a string key (quote it)", show(key))
        return SchemaProblem(loc[:-1], node.expected(), show(key) + hint(key, node.choices()))
    if kind == "extra_forbidden":
        parent = _walk(root, loc[:-1])
        keys = _keys(parent.kind) if parent is not None and _is_model(parent.kind) else []
        return SchemaProblem(loc, f"one of {quoted(keys)}", show(loc[-1]) + hint(loc[-1], keys))
    node = _walk(root, loc) or _Node(object)
    if kind == "missing":
        return SchemaProblem(loc, node.expected(), "nothing")
    return SchemaProblem(loc, node.expected(), show(value) + hint(value, node.choices()))


def error_locations(error: ValidationError) -> Iterator[Location]:
    """Yield the location of the value each error condemns: the key for an unknown or bad
    key, the mapping for a missing key, else the value itself."""
    for detail in error.errors(include_url=False):
        loc = tuple(detail["loc"])
        if loc and loc[-1] == _KEY:
            yield loc[:-2] + (loc[-2],)
        elif detail["type"] == "missing":
            yield loc[:-1]
        else:
            yield loc
