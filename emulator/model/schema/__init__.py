"""The Junos configuration schema: the one source of truth for every statement the emulator
accepts (docs/emulator-model.md, "The configuration schema").

Every format (set commands, curly text, Junos XML), every face (CLI ``set``/``?``/TAB,
NETCONF ``load-configuration``/``edit-config``) and every renderer (``show configuration``,
``| display set``, ``| display xml``) reads it: what it does not know is refused, what it knows
is typed, ranged, and shown as Junos shows it.  Statement facts are taken from Juniper's
published YANG modules (``Juniper/yang``, 22.4R1 ``junos-conf-*.yang``), written here in the
project's own form (:mod:`emulator.model.schema.types`).
"""

from __future__ import annotations

from collections.abc import Iterable

from emulator.model.schema.root import HIERARCHIES, ROOT
from emulator.model.schema.types import (
    AreaId,
    AsNumber,
    Choice,
    Either,
    IfName,
    Ip,
    Kind,
    Number,
    Problem,
    Statement,
    Text,
    ValueType,
)

__all__ = [
    "HIERARCHIES",
    "ROOT",
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
    "child_of",
    "lookup",
]


def child_of(at: Statement | None, name: str) -> Statement | None:
    """Return the schema of child ``name`` of a node whose schema is ``at`` (None if unknown).

    Inside a ``groups`` entry the top-level statements apply again.
    """
    if at is None:
        return None
    if at.top_after_key:
        at = ROOT
    return at.member(name)


def lookup(names: Iterable[str], at: Statement = ROOT) -> Statement | None:
    """Return the schema at the path of statement ``names`` (element names, keys left out:
    ``("interfaces", "interface", "unit")``), or None where the schema does not go."""
    node: Statement | None = at
    for name in names:
        node = child_of(node, name)
    return node
