"""The vocabulary of the Junos configuration schema: statements and the types of their values.

A :class:`Statement` is one configuration statement as Junos's schema (and Juniper's published
YANG modules, ``junos-conf-*.yang``) defines it: a container, a presence container, a keyed list,
a leaf with a value, an empty leaf (a flag) or a leaf-list, with its help text, its children, the
choice it belongs to among its siblings and how Junos prints it.  A value type checks a word and
answers with Junos's refusal when the word is not a value of the type: ``Value 1 is not within
range (2..10000)`` for a number out of range, ``Invalid numeric value: 'x'`` for a word that is
not a number (wordings of Junos 25.4 captured in the ``junos_bgp_socket_buffers`` lab notes).

Pure data: frozen dataclasses, no I/O.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum
from typing import Protocol

__all__ = [
    "AreaId",
    "AsNumber",
    "Choice",
    "Either",
    "IfName",
    "Ip",
    "Kind",
    "Number",
    "Problem",
    "Statement",
    "Text",
    "ValueType",
]


class Kind(Enum):
    """What a statement is (YANG: container, presence container, list, leaf, empty leaf,
    leaf-list)."""

    CONTAINER = "container"
    PRESENCE = "presence"
    LIST = "list"
    LEAF = "leaf"
    FLAG = "flag"
    LEAF_LIST = "leaf-list"


@dataclass(frozen=True, slots=True)
class Problem:
    """Why a word is not a value of a type: Junos's message, and whether Junos treats the word
    as a syntax error (an unknown keyword of an enumeration) rather than a bad value."""

    message: str
    syntax: bool = False


class ValueType(Protocol):
    """A type of value: checks and normalises a word, names its range for help texts."""

    def problem(self, word: str) -> Problem | None:
        """Return why ``word`` is refused, or None when it is a value of the type."""

    def normalize(self, word: str) -> str:
        """Return ``word`` as Junos stores it (``area 0`` is ``area 0.0.0.0``)."""

    def range_help(self) -> str:
        """Return the range Junos appends to a help text (``2..10000``), or ''."""

    def keywords(self) -> tuple[str, ...]:
        """Return the words ``?`` offers for the value (an enumeration's), else ()."""


@dataclass(frozen=True, slots=True)
class _Value:
    """What most types share: a word is stored as typed, no range, no keywords."""

    def normalize(self, word: str) -> str:
        """Return ``word`` unchanged."""
        return word

    def range_help(self) -> str:
        """Return '' (no range to show)."""
        return ""

    def keywords(self) -> tuple[str, ...]:
        """Return () (no words to offer)."""
        return ()


@dataclass(frozen=True, slots=True)
class Text(_Value):
    """A string, optionally limited in length (YANG ``string { length "1 .. 255"; }``)."""

    low: int = 0
    high: int | None = None

    def problem(self, word: str) -> Problem | None:
        """Return a problem when ``word`` is outside the length range (Junos's wording for a
        string length is not in the samples: ours follows its numeric range message)."""
        if len(word) < self.low or (self.high is not None and len(word) > self.high):
            return Problem(f"Length {len(word)} is not within range ({self.low}..{self.high})")
        return None


_NUMBER = re.compile(r"(0x[0-9a-fA-F]+|\d+)([kmgKMG]?)")
_SCALE = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}


@dataclass(frozen=True, slots=True)
class Number(_Value):
    """An integer in ``low..high`` (YANG ``uint32 { range "2 .. 10000"; }``)."""

    low: int = 0
    high: int = 4294967295

    def problem(self, word: str) -> Problem | None:
        """Return Junos's refusal of a non-number or of a number out of range."""
        m = _NUMBER.fullmatch(word)
        if m is None:
            return Problem(f"Invalid numeric value: '{word}'")
        if not self.low <= _value(m) <= self.high:
            return Problem(f"Value {word} is not within range ({self.low}..{self.high})")
        return None

    def normalize(self, word: str) -> str:
        """Return the number in decimal (Junos shows ``0x10`` as ``16``)."""
        m = _NUMBER.fullmatch(word)
        return str(_value(m)) if m is not None and not m.group(2) else word

    def range_help(self) -> str:
        """Return ``low..high``."""
        return f"{self.low}..{self.high}"


def _value(m: re.Match[str]) -> int:
    digits, suffix = m.group(1), m.group(2).lower()
    return int(digits, 16 if digits.startswith("0x") else 10) * _SCALE[suffix]


@dataclass(frozen=True, slots=True)
class Choice(_Value):
    """One word of a fixed set (YANG ``enumeration``); Junos parses them as keywords."""

    words: tuple[str, ...]

    def problem(self, word: str) -> Problem | None:
        """Return a syntax error for a word that is not one of the set."""
        return None if word in self.words else Problem("syntax error", syntax=True)

    def keywords(self) -> tuple[str, ...]:
        """Return the words of the set."""
        return self.words


@dataclass(frozen=True, slots=True)
class Ip(_Value):
    """An IPv4/IPv6 address or prefix (``jt:ipv4prefix``, ``jt:ipaddr``, ...).

    ``family`` is 4, 6 or 0 (either); ``prefix`` None: no length, True: a length is required
    (``ipprefix-only``), False: optional.  Junos's exact wording for a malformed address is not
    in the samples; ours is ``Invalid IP address: '<word>'`` (docs/emulator-model.md).
    """

    family: int = 0
    prefix: bool | None = None

    def problem(self, word: str) -> Problem | None:
        """Return a problem when ``word`` is not an address (prefix) of the family."""
        address, slash, length = word.partition("/")
        if (slash and self.prefix is None) or (not slash and self.prefix is True):
            return Problem(f"Invalid IP address: '{word}'")
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return Problem(f"Invalid IP address: '{word}'")
        if self.family and ip.version != self.family:
            return Problem(f"Invalid IP address: '{word}'")
        if slash and (not length.isdigit() or int(length) > ip.max_prefixlen):
            return Problem(f"Invalid prefix length: '{word}'")
        return None


@dataclass(frozen=True, slots=True)
class AreaId(_Value):
    """An OSPF area (``jt:areaid``): a dotted quad, or a number Junos stores dotted
    (``area 0`` is shown as ``area 0.0.0.0``)."""

    def problem(self, word: str) -> Problem | None:
        """Return a problem when ``word`` is neither a dotted quad nor a 32-bit number."""
        if word.isdigit() and int(word) <= 4294967295:
            return None
        try:
            ipaddress.IPv4Address(word)
        except ValueError:
            return Problem(f"Invalid area identifier: '{word}'")
        return None

    def normalize(self, word: str) -> str:
        """Return the dotted form."""
        return str(ipaddress.IPv4Address(int(word))) if word.isdigit() else word


@dataclass(frozen=True, slots=True)
class AsNumber(_Value):
    """An AS number, plain (``65001``, 1..4294967295) or asdot (``1.10``): YANG's
    ``autonomous-system`` / ``peer-as`` description."""

    def problem(self, word: str) -> Problem | None:
        """Return a problem for a word that is neither form."""
        if re.fullmatch(r"\d+\.\d+", word):
            high, low = (int(p) for p in word.split("."))
            ok = high <= 65535 and low <= 65535
            return None if ok else Problem(f"Invalid AS number: '{word}'")
        return Number(1, 4294967295).problem(word)


#: Junos interface types (``show interfaces`` names); a name of another type is refused.
_PHYSICAL = ("ge", "xe", "et", "fe", "so", "at", "t1", "e1", "t3", "e3", "ce", "gr", "ip", "lt",
             "vt", "mt", "pd", "pe", "sp", "ms", "rlsq", "lsq", "si", "ps", "ae", "cs")
_LOGICAL = ("fxp", "em", "me", "lo", "ae", "irb", "vlan", "dsc", "bcm", "vme", "reth", "fab",
            "st", "pp", "ps", "demux", "lsi", "gre", "ipip", "tap", "cbp", "pip", "rbeb",
            "vtep", "esi", "mtun", "pimd", "pime", "jsrv", "swfab", "all")
_IFNAME = re.compile(
    rf"(?:(?:{'|'.join(_PHYSICAL)})-\d+/\d+/\d+(?::\d+)?"
    rf"|(?:{'|'.join(_LOGICAL)})\d*)(?:\.\d+)?"
    r"|<[^>]*>|\*|[a-z]+-\*")


@dataclass(frozen=True, slots=True)
class IfName(_Value):
    """An interface name (``ge-0/0/0``, ``fxp0``, ``lo0``, ``ge-0/0/0.0`` with ``unit``).

    Junos refuses a name of no known type with ``invalid interface type in '<name>'`` (the
    wording real Juniper switches give, as recorded by fake-switches); ``unit`` allows the
    ``.N`` suffix, ``extra`` words (``all``) are accepted too.
    """

    unit: bool = False
    extra: tuple[str, ...] = ()

    def problem(self, word: str) -> Problem | None:
        """Return a problem when ``word`` is not an interface name."""
        if word in self.extra or (_IFNAME.fullmatch(word) and (self.unit or "." not in word)):
            return None
        return Problem(f"invalid interface type in '{word}'")

    def keywords(self) -> tuple[str, ...]:
        """Return the extra words."""
        return self.extra


@dataclass(frozen=True, slots=True)
class Either(_Value):
    """A value of either type (``jt:ipaddr-or-interface``); the second type's refusal is
    reported when neither accepts the word."""

    first: ValueType
    second: ValueType

    def problem(self, word: str) -> Problem | None:
        """Return None if either type accepts ``word``, else the second type's problem."""
        if self.first.problem(word) is None:
            return None
        return self.second.problem(word)

    def keywords(self) -> tuple[str, ...]:
        """Return the keywords of both types."""
        return (*self.first.keywords(), *self.second.keywords())


@dataclass(frozen=True, slots=True, eq=False)
class Statement:
    """One configuration statement of the schema.

    ``type`` is the value's type (LEAF, LEAF_LIST) or the key's (LIST).  ``keyword=False``
    marks what Junos calls a nokeyword statement: the list ``interface`` under ``interfaces``
    (``interfaces { fxp0 { ...``), the syslog ``contents`` (``any notice;``), the leaf
    ``as-number`` of ``autonomous-system 65001;``; its first word is its key or value.
    ``choice`` names the choice among siblings the statement is a case of (setting one case
    removes the others: ``routing-engine 0 master``).  Display: ``oneliner`` entries holding
    one child print on one line (``routing-engine 0 master;``); ``merged`` containers print
    their children as ``family inet {``; ``grouped`` lists print their entries inside one
    block (``groups { re0 {...} }``); after the key of a ``top_after_key`` list the top-level
    statements apply again (``groups re0 system ...``).
    """

    name: str
    kind: Kind
    help: str = ""
    type: ValueType | None = None
    children: tuple[Statement, ...] = ()
    keyword: bool = True
    choice: str | None = None
    mandatory: bool = False
    oneliner: bool = False
    merged: bool = False
    grouped: bool = False
    top_after_key: bool = False
    #: The ``<...>`` word of the key or value in help texts (``<slot>``).
    placeholder: str = ""
    #: Help of the key (the YANG key leaf's description).
    key_help: str = ""
    #: XML element of the key (``name``; ``address`` for ``route-filter``).
    key_tag: str = "name"
    #: YANG ``units``, shown after the range in help texts (``2..10000 seconds``).
    units: str = ""
    _index: dict[str, Statement] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {c.name: c for c in self.children})

    def __deepcopy__(self, memo: dict[int, object]) -> Statement:
        return self  # immutable: copies of configuration trees share their schema

    @property
    def takes_value(self) -> bool:
        """Return True for a leaf or leaf-list (a value follows the keyword)."""
        return self.kind in (Kind.LEAF, Kind.LEAF_LIST)

    @property
    def has_children(self) -> bool:
        """Return True if statements may be nested in this one."""
        return self.kind in (Kind.CONTAINER, Kind.PRESENCE, Kind.LIST) and (
            bool(self.children) or self.top_after_key)

    def member(self, name: str) -> Statement | None:
        """Return the child statement called ``name`` (keyword or not), or None."""
        return self._index.get(name)

    def keyword_children(self) -> Iterable[Statement]:
        """Return the children that are written with their keyword."""
        return (c for c in self.children if c.keyword)

    def hidden_child(self) -> Statement | None:
        """Return the nokeyword child (its first word is its key or value), or None."""
        return next((c for c in self.children if not c.keyword), None)

    def order(self, name: str) -> int:
        """Return the schema position of child ``name`` (Junos shows children in schema
        order), or the number of children for an unknown name."""
        for i, c in enumerate(self.children):
            if c.name == name:
                return i
        return len(self.children)

    def value_help(self) -> str:
        """Return the help text with Junos's range suffix (``... (2..10000 seconds)``)."""
        rng = self.type.range_help() if self.type is not None else ""
        if not rng:
            return self.help
        return f"{self.help} ({rng}{' ' + self.units if self.units else ''})"
