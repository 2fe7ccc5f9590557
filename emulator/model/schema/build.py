"""Builders that keep the schema data short: one call per statement, YANG's words.

Every container and list entry accepts ``apply-groups`` and ``apply-groups-except`` (YANG
``uses apply-advanced``) unless built with ``advanced=False``; they come first, as Junos shows
them.
"""

from __future__ import annotations

from emulator.model.schema.types import Kind, Statement, Text, ValueType

__all__ = ["APPLY", "container", "flag", "leaf", "leaves", "lst", "presence"]

#: ``apply-groups`` / ``apply-groups-except`` (junos-conf-root ``grouping apply-advanced``).
APPLY = (
    Statement("apply-groups", Kind.LEAF_LIST, "Groups from which to inherit configuration data",
              Text(), placeholder="<apply-groups>"),
    Statement("apply-groups-except", Kind.LEAF_LIST,
              "Don't inherit configuration data from these groups", Text(),
              placeholder="<apply-groups-except>"),
)


def _kids(children: tuple[Statement, ...], advanced: bool) -> tuple[Statement, ...]:
    return (*APPLY, *children) if advanced else children


def container(name: str, help_text: str, *children: Statement, advanced: bool = True,
              choice: str | None = None, merged: bool = False, oneliner: bool = False,
              mandatory: bool = False) -> Statement:
    """Return a container (it takes no value; ``set`` of it alone is allowed)."""
    return Statement(name, Kind.CONTAINER, help_text, children=_kids(children, advanced),
                     choice=choice, merged=merged, oneliner=oneliner, mandatory=mandatory)


def presence(name: str, help_text: str, *children: Statement, advanced: bool | None = None,
             choice: str | None = None, oneliner: bool = False) -> Statement:
    """Return a presence container: it means something even without children
    (``graceful-switchover;``).  ``advanced`` (apply-groups inside) defaults to whether it
    has children."""
    apply = bool(children) if advanced is None else advanced
    return Statement(name, Kind.PRESENCE, help_text, children=_kids(children, apply),
                     choice=choice, oneliner=oneliner)


def lst(name: str, help_text: str, key: ValueType, *children: Statement, placeholder: str = "",
        key_help: str = "", keyword: bool = True, oneliner: bool = False,
        advanced: bool = True, grouped: bool = False, top_after_key: bool = False,
        key_tag: str = "name", choice: str | None = None) -> Statement:
    """Return a keyed list (``routing-engine 0 { ... }``)."""
    return Statement(name, Kind.LIST, help_text, key, _kids(children, advanced),
                     keyword=keyword, oneliner=oneliner, grouped=grouped,
                     top_after_key=top_after_key, placeholder=placeholder or f"<{name}>",
                     key_help=key_help or help_text, key_tag=key_tag, choice=choice)


def leaf(name: str, help_text: str, value: ValueType, *, placeholder: str = "",
         choice: str | None = None, keyword: bool = True, mandatory: bool = False,
         units: str = "") -> Statement:
    """Return a leaf taking one value (``keepalive-time 300;``)."""
    return Statement(name, Kind.LEAF, help_text, value, keyword=keyword, choice=choice,
                     mandatory=mandatory, placeholder=placeholder or f"<{name}>", units=units)


def leaves(name: str, help_text: str, value: ValueType, *, placeholder: str = "",
           choice: str | None = None) -> Statement:
    """Return a leaf-list (``apply-groups [ re0 re1 ];``)."""
    return Statement(name, Kind.LEAF_LIST, help_text, value, choice=choice,
                     placeholder=placeholder or f"<{name}>")


def flag(name: str, help_text: str, *, choice: str | None = None) -> Statement:
    """Return an empty leaf (``on-loss-of-keepalives;``)."""
    return Statement(name, Kind.FLAG, help_text, choice=choice)
