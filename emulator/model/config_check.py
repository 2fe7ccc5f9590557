"""Commit checks of a candidate: the schema's mandatory statements and the chapter's
keepalive-time range.

Junos refuses a commit that lacks a mandatory statement ("Missing mandatory statement:
'root-authentication'" under ``[edit]`` / ``'system'``, then "commit failed: (missing mandatory
statements)"); the statements the schema marks ``mandatory`` are checked on the configuration
each RE would run (groups applied, inactive statements left out).
"""

from __future__ import annotations

from emulator.model.config_errors import MissingStatement
from emulator.model.config_groups import apply_groups
from emulator.model.config_syntax import statement_head
from emulator.model.config_tree import ConfigNode, NodeKind
from emulator.model.schema import ROOT, Statement, child_of

__all__ = ["KEEPALIVE_RANGE", "keepalive_time_validator", "missing_statements"]

#: ``chassis redundancy keepalive-time`` range in seconds (chapter: "from 2 to 10,000").
KEEPALIVE_RANGE = (2, 10000)

#: The slots whose view of the configuration is checked (groups re0/re1 differ per slot).
_SLOTS = (0, 1)


def _missing(node: ConfigNode, at: Statement | None, where: list[str],
             out: list[MissingStatement]) -> None:
    for c in node.children:
        me = child_of(at, c.name)
        if me is None:
            continue
        here = statement_head(c, at)
        for need in me.children if c.kind in (NodeKind.CONTAINER, NodeKind.ENTRY) else ():
            if need.mandatory and c.child(need.name) is None:
                path = "[edit" + "".join(" " + w for w in where) + "]"
                out.append(MissingStatement(path, here, need.name))
        _missing(c, me, [*where, here], out)


def missing_statements(candidate: ConfigNode) -> tuple[MissingStatement, ...]:
    """Return the mandatory statements missing from what any RE would run, in tree order."""
    found: list[MissingStatement] = []
    for slot in _SLOTS:
        _missing(apply_groups(candidate, slot), ROOT, [], found)
    return tuple(dict.fromkeys(found))


def _leaf(node: ConfigNode | None, name: str) -> str | None:
    c = node.child(name) if node is not None else None
    return c.value if c is not None and c.kind is NodeKind.LEAF else None


def _keepalive_messages(value: str) -> list[str]:
    low, high = KEEPALIVE_RANGE
    if not value.isdigit():
        return [f"Invalid numeric value: '{value}'"]
    if not low <= int(value) <= high:
        # Junos's wording for an out-of-range number, e.g. "Value 1 is not within range
        # (2..10000)".
        return [f"Value {value} is not within range ({low}..{high})"]
    return []


def keepalive_time_validator(root: ConfigNode) -> list[str]:
    """Return errors for ``chassis redundancy keepalive-time`` outside 2..10000 (chapter).

    The schema refuses such a value at load time; this check also covers trees built
    without the schema.  Checks the body and every group (Junos range-checks a statement
    wherever it is written).  Messages: ``Value 1 is not within range (2..10000)``,
    ``Invalid numeric value: 'x'``.
    """
    messages: list[str] = []
    for tree in [root, *root.entries("groups")]:
        value = _leaf(tree.get("chassis", "redundancy"), "keepalive-time")
        if value is not None:
            messages += _keepalive_messages(value)
    return messages
