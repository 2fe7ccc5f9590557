"""What a pre/post snapshot captures and which rules its diff applies, as users declare them: a
testbed's ``snapshots:`` section (per router or under ``defaults``) or a YAML file of its own
(the plugin's ``--snapshot-file``), both with the same keys::

    snapshots:
      defaults: true                 # also take the built-in items (the default)
      items:
        bgp:                         # an RPC, as JSNAPy's ``rpc:``
          rpc: get-bgp-summary-information
          re: master                 # each (both REs, the default) | master | backup
          keys: {bgp-peer: peer-address}
        alarms-text:                 # a CLI command, as JSNAPy's ``command:``
          command: show chassis alarms
          format: text
      rules:
        - {path: "bgp/*/peer-state", check: is-equal, value: Established}
        - {path: "interfaces/*/physical-interface[em*]", check: ignore}

The vocabulary of checks (:class:`SnapshotCheck`) is declared here, with the values each needs;
what a check means is the harness's (``harness.snapshots``).  JSNAPy's names are accepted where
they mean the same (``no-diff``, ``delta``; pyATS's ``exclude``), see :data:`CHECK_ALIASES`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

from pydantic import ConfigDict, Field, ValidationError, field_validator, model_validator

from re_contract.errors import TestbedError
from re_contract.problems import Problems, render_path, schema_problems
from re_contract.schema_types import (
    Expect,
    Flag,
    Name,
    RpcArgument,
    Section,
    Text,
    XmlName,
    refuse,
    show,
)
from re_contract.yaml_source import parse_yaml, read_bounded

__all__ = [
    "CHECK_ALIASES",
    "Delta",
    "ReplyFormat",
    "SnapshotCheck",
    "SnapshotItemSection",
    "SnapshotItemSpec",
    "SnapshotRuleSection",
    "SnapshotRuleSpec",
    "SnapshotScope",
    "SnapshotSettings",
    "SnapshotsSection",
    "check_named",
    "check_value",
    "load_snapshot_file",
    "parse_delta",
    "settings_of",
]


class SnapshotScope(Enum):
    """Which RE an item is read from: each RE (by name), or the RE holding a role then."""

    EACH = "each"
    MASTER = "master"
    BACKUP = "backup"


class ReplyFormat(Enum):
    """How an item's reply is kept: as an XML tree, or as lines of text."""

    XML = "xml"
    TEXT = "text"


class SnapshotCheck(Enum):
    """The checks a diff rule may apply to the values its path matches."""

    IGNORE = "ignore"
    MAY_CHANGE = "may-change"
    MUST_EQUAL = "must-equal"
    MUST_CHANGE = "must-change"
    TOLERANCE = "tolerance"
    INCREASES = "increases"
    IN_RANGE = "in-range"
    NOT_RANGE = "not-range"
    IS_EQUAL = "is-equal"
    NOT_EQUAL = "not-equal"
    IS_GT = "is-gt"
    IS_LT = "is-lt"
    EXISTS = "exists"
    NOT_EXISTS = "not-exists"
    CONTAINS = "contains"
    IS_IN = "is-in"
    NOT_IN = "not-in"
    REGEX = "regex"
    LIST_NOT_LESS = "list-not-less"
    LIST_NOT_MORE = "list-not-more"


#: Names other tools use for the same check (JSNAPy ``no-diff``/``delta``, pyATS ``exclude``).
CHECK_ALIASES: dict[str, SnapshotCheck] = {
    "no-diff": SnapshotCheck.MUST_EQUAL,
    "delta": SnapshotCheck.TOLERANCE,
    "exclude": SnapshotCheck.IGNORE,
}

_NUMBER_CHECKS = (SnapshotCheck.IS_GT, SnapshotCheck.IS_LT)
_RANGE_CHECKS = (SnapshotCheck.IN_RANGE, SnapshotCheck.NOT_RANGE)
_SCALAR_CHECKS = (SnapshotCheck.IS_EQUAL, SnapshotCheck.NOT_EQUAL)
_TEXT_CHECKS = (SnapshotCheck.CONTAINS, SnapshotCheck.REGEX)
_LIST_CHECKS = (SnapshotCheck.IS_IN, SnapshotCheck.NOT_IN)
#: The checks that take a value; the others take none.
VALUED = frozenset({SnapshotCheck.TOLERANCE, *_NUMBER_CHECKS, *_RANGE_CHECKS, *_SCALAR_CHECKS,
                    *_TEXT_CHECKS, *_LIST_CHECKS})


def check_named(name: str) -> SnapshotCheck:
    """Return the check called ``name`` (or one of :data:`CHECK_ALIASES`).

    Raises ValueError naming the checks there are.
    """
    for check in SnapshotCheck:
        if check.value == name:
            return check
    if name in CHECK_ALIASES:
        return CHECK_ALIASES[name]
    names = [c.value for c in SnapshotCheck] + list(CHECK_ALIASES)
    raise ValueError(f"a check among {', '.join(names)}")


@dataclass(frozen=True, slots=True)
class Delta:
    """JSNAPy's ``delta``: a change of at most ``amount`` (percent of the old value when
    ``percent``), either way (``direction`` 0), only up (+1) or only down (-1)."""

    amount: float
    percent: bool = False
    direction: int = 0

    def allows(self, pre: float, post: float) -> bool:
        """Return True when going from ``pre`` to ``post`` stays within the delta."""
        change = post - pre
        if self.direction * change < 0:
            return False
        limit = abs(pre) * self.amount / 100 if self.percent else self.amount
        return abs(change) <= limit

    def __str__(self) -> str:
        sign = {1: "+", -1: "-", 0: ""}[self.direction]
        return f"{sign}{self.amount:g}{'%' if self.percent else ''}"


_DELTA = re.compile(r"^\s*([+-]?)\s*(\d+(?:\.\d+)?)\s*(%?)\s*$")


def parse_delta(value: object) -> Delta:
    """Return the delta ``value`` writes: ``10%`` (either way), ``+10%`` (only up), ``-5``
    (only down, absolute) or a plain number.  Raises ValueError for anything else."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError("a delta such as 10%, +10%, -5 or 5")
    if isinstance(value, int | float):
        return Delta(abs(float(value)))
    found = _DELTA.match(value)
    if found is None:
        raise ValueError("a delta such as 10%, +10%, -5 or 5")
    sign, amount, percent = found.groups()
    return Delta(float(amount), bool(percent), {"+": 1, "-": -1, "": 0}[sign])


def _number(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("a number")
    return float(value)


def check_value(check: SnapshotCheck, value: object) -> Any:
    """Return ``value`` as ``check`` uses it (a :class:`Delta`, a ``(low, high)`` pair, a
    number, a scalar, a string or a compiled pattern; None for checks that take none).

    Raises ValueError saying what ``check`` expects.
    """
    if check not in VALUED:
        if value is not None:
            raise ValueError(f"no value with check {check.value}")
        return None
    if check is SnapshotCheck.TOLERANCE:
        return parse_delta(value)
    if check in _NUMBER_CHECKS:
        return _number(value)
    if check in _RANGE_CHECKS:
        if not isinstance(value, list | tuple) or len(value) != 2:
            raise ValueError("a pair of numbers [low, high]")
        low, high = _number(value[0]), _number(value[1])
        if low > high:
            raise ValueError("a pair [low, high] with low <= high")
        return (low, high)
    if check in _LIST_CHECKS:
        if not isinstance(value, list | tuple) or not value or any(
                isinstance(v, list | dict) or v is None for v in value):
            raise ValueError("a list of strings or numbers")
        return tuple(value)
    if check in _SCALAR_CHECKS:
        if value is None or isinstance(value, list | dict):
            raise ValueError("a string, a number or true/false")
        return value
    if not isinstance(value, str):
        raise ValueError("a string")
    if check is SnapshotCheck.REGEX:
        try:
            return re.compile(value)
        except re.error as exc:
            raise ValueError(f"a regular expression ({exc})") from None
    return value


# ---------------------------------------------------------------------------------- the schema
ItemName = Annotated[Name, Expect("an item name of letters, digits, '_', '.', '-'")]


class SnapshotItemSection(Section):
    """One thing a snapshot captures: an RPC or a CLI command, read from each RE or from the RE
    in a role."""

    model_config = ConfigDict(title="Snapshot item")

    rpc: Annotated[XmlName, Expect("an RPC name such as get-fpc-information")] | None = None
    command: Annotated[Text, Expect("a CLI command such as 'show chassis alarms'")] | None = None
    args: Annotated[dict[Annotated[XmlName, Expect("an XML element name")], RpcArgument], Field(
        description="with rpc only: child elements, name -> string, integer or true")] | None = None
    attrs: Annotated[dict[Annotated[XmlName, Expect("an XML attribute name")],
                          Annotated[Text, Expect("a string")]], Field(
        description="with rpc only: attributes, such as {database: committed}")] | None = None
    format: Annotated[ReplyFormat, Field(strict=False, description=(
        "xml (a tree, the default) or text (lines)"))] | None = None
    re: Annotated[SnapshotScope, Field(strict=False, description=(
        "the RE it is read from: each (both, the default), master or backup"))] | None = None
    keys: Annotated[dict[Annotated[XmlName, Expect("an XML element name")],
                         Annotated[XmlName, Expect("the name of its key child")]], Field(
        description="element -> the child that names it (JSNAPy's id), such as "
                    "{bgp-peer: peer-address}")] | None = None
    tail: Annotated[int, Field(ge=1, le=100000), Expect("a number of lines 1..100000"), Field(
        description="a log: keep its last lines; lines only ever add up")] | None = None
    settles: Annotated[Flag, Field(description=(
        "state that converges after a switchover (FPCs, readiness): a post snapshot is "
        "taken again while only such items differ"))] | None = None

    @model_validator(mode="after")
    def _one_way(self) -> SnapshotItemSection:
        """Check that exactly one of rpc and command is given, and args/attrs only with rpc."""
        if (self.rpc is None) == (self.command is None):
            raise refuse("exactly one of 'rpc', 'command'")
        for key in ("args", "attrs"):
            if getattr(self, key) is not None and self.rpc is None:
                raise refuse(f"{key} only with rpc", got=show(getattr(self, key)), at=key)
        return self


class SnapshotRuleSection(Section):
    """A diff rule: the values at ``path`` (a glob, or a bare key name matching at any level as
    pyATS's ``exclude``) are judged by ``check``."""

    model_config = ConfigDict(title="Snapshot rule")

    path: Annotated[Text, Expect("a path glob such as 'fpc/*/state' or a key such as up-time")]
    check: Annotated[str, Expect("a check name such as must-equal"), Field(json_schema_extra={
        "enum": [c.value for c in SnapshotCheck] + list(CHECK_ALIASES)})]
    value: Annotated[Any, Field(description=(
        "what the check compares with: a delta (10%, +5), [low, high], a number, a string, "
        "a list"))
                     ] = None

    @field_validator("check")
    @classmethod
    def _known(cls, name: str) -> str:
        """Return ``name`` if it names a check."""
        try:
            check_named(name)
        except ValueError as exc:
            raise refuse(str(exc)) from None
        return name

    @model_validator(mode="after")
    def _value(self) -> SnapshotRuleSection:
        """Check the value against what the check expects."""
        try:
            check_value(check_named(self.check), self.value)
        except ValueError as exc:
            raise refuse(str(exc), got=show(self.value), at="value") from None
        return self


class SnapshotsSection(Section):
    """``snapshots:``: items to capture beyond (or instead of) the built-in ones, and rules."""

    model_config = ConfigDict(title="Snapshots")

    defaults: Annotated[Flag, Field(description=(
        "also capture the built-in items (default true)"))] | None = None
    items: Annotated[dict[ItemName, SnapshotItemSection], Expect("a mapping of item names to "
                                                                 "items")] | None = None
    rules: Annotated[list[SnapshotRuleSection], Expect("a list of rules")] | None = None


# ----------------------------------------------------------------------------------- records
@dataclass(frozen=True, slots=True)
class SnapshotItemSpec:
    """A declared snapshot item, validated (see :class:`SnapshotItemSection`)."""

    name: str
    rpc: str | None = None
    command: str | None = None
    args: Mapping[str, str | int | bool] = field(default_factory=dict)
    attrs: Mapping[str, str] = field(default_factory=dict)
    format: ReplyFormat = ReplyFormat.XML
    re: SnapshotScope = SnapshotScope.EACH
    keys: Mapping[str, str] = field(default_factory=dict)
    tail: int | None = None
    settles: bool = False


@dataclass(frozen=True, slots=True)
class SnapshotRuleSpec:
    """A declared diff rule; ``value`` as :func:`check_value` returns it; ``origin`` says where
    it was written (``file: rules[2]``)."""

    path: str
    check: SnapshotCheck
    value: Any = None
    origin: str = ""


@dataclass(frozen=True, slots=True)
class SnapshotSettings:
    """What a router's snapshots capture beyond the built-in items, and the rules of its diffs."""

    defaults: bool = True
    items: Mapping[str, SnapshotItemSpec] = field(default_factory=dict)
    rules: tuple[SnapshotRuleSpec, ...] = ()

    def over(self, base: SnapshotSettings) -> SnapshotSettings:
        """Return these settings laid over ``base``: items by name (these win), these rules
        first (the first rule matching a value decides), this ``defaults`` flag."""
        return SnapshotSettings(self.defaults, {**base.items, **self.items},
                                self.rules + base.rules)


def settings_of(section: SnapshotsSection, origin: str,
                base: SnapshotSettings | None = None) -> SnapshotSettings:
    """Return the settings a validated ``section`` declares (``origin`` labels its rules),
    laid over ``base``; a ``defaults`` flag not given keeps ``base``'s."""
    base = base or SnapshotSettings()
    items = {name: _item(name, item) for name, item in (section.items or {}).items()}
    rules = tuple(
        SnapshotRuleSpec(r.path, check_named(r.check),
                         check_value(check_named(r.check), r.value), f"{origin}.rules[{i}]")
        for i, r in enumerate(section.rules or ()))
    flag = base.defaults if section.defaults is None else section.defaults
    return SnapshotSettings(flag, items, rules).over(base)


def _item(name: str, item: SnapshotItemSection) -> SnapshotItemSpec:
    return SnapshotItemSpec(
        name=name, rpc=item.rpc, command=item.command, args=dict(item.args or {}),
        attrs=dict(item.attrs or {}), format=item.format or ReplyFormat.XML,
        re=item.re or SnapshotScope.EACH, keys=dict(item.keys or {}), tail=item.tail,
        settles=bool(item.settles))


def load_snapshot_file(path: str | os.PathLike[str]) -> SnapshotSettings:
    """Load a YAML file of snapshot items and rules (the keys of a testbed's ``snapshots:``).

    Raises TestbedError naming the file, the key path and the line of every problem.
    """
    source = str(path)
    try:
        text = read_bounded(Path(path), source)
    except FileNotFoundError:
        raise TestbedError(f"{source}: expected an existing snapshot file, got no such file"
                           ) from None
    document = parse_yaml(text, source)
    problems = Problems(source, document.key_lines)
    for dup in document.duplicates:
        problems.add(dup.path, "each key once per mapping", f"{show(dup.key)} again",
                     line=dup.line)
    try:
        section = SnapshotsSection.model_validate(document.data)
    except ValidationError as exc:
        for found in schema_problems(exc, SnapshotsSection):
            problems.add(render_path(found.location, document.data), found.expected,
                         found.got)
        raise TestbedError(list(problems.found)) from None
    if problems.found:
        raise TestbedError(list(problems.found))
    return settings_of(section, source)
