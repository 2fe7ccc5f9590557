"""Group inheritance (chapter, "Use the Groups Configuration"): the configuration an RE runs
with is its configuration with the groups it lists applied and the inactive statements left
out.  Groups ``re0`` and ``re1`` apply only on the RE in that slot; the body takes precedence
over the groups; a group listed first wins over later ones.
"""

from __future__ import annotations

import re

from emulator.model.config_tree import (
    ConfigNode,
    NodeKind,
    PathStep,
    find,
    merge_under,
    strip_inactive,
)
from emulator.model.schema import ROOT, Statement, child_of

__all__ = ["apply_groups", "group_applies"]

_RE_GROUP = re.compile(r"re(\d+)")
_GROUP_STATEMENTS = frozenset({"apply-groups", "apply-groups-except"})


def group_applies(name: str, slot: int) -> bool:
    """Return True if group ``name`` applies on the RE in ``slot``.

    Chapter, "Use the Groups Configuration": "The configuration specified in group re0 is only
    applied if the current Routing Engine is in slot 0"; other groups apply everywhere.
    """
    m = _RE_GROUP.fullmatch(name)
    return m is None or int(m.group(1)) == slot


def _inherit(node: ConfigNode, path: tuple[PathStep, ...], at: Statement | None,
             groups: dict[str, ConfigNode], slot: int) -> None:
    """Apply the groups listed at ``node`` and below, the most specific level first."""
    for c in node.children:
        if c.kind in (NodeKind.CONTAINER, NodeKind.ENTRY):
            _inherit(c, path + (PathStep(c.name, c.key),), child_of(at, c.name), groups, slot)
    listed = node.child("apply-groups")
    for name in listed.values if listed is not None else []:
        group = groups.get(name)
        src = find(group, path, create=False) if group and group_applies(name, slot) else None
        for c in src.children if src is not None else []:
            if c.name not in _GROUP_STATEMENTS:
                # Body first, then groups in the order listed: merge_under never overrides.
                merge_under(node, c, at)


def _drop_group_statements(node: ConfigNode) -> None:
    node.children = [c for c in node.children if c.name not in _GROUP_STATEMENTS]
    for c in node.children:
        _drop_group_statements(c)


def apply_groups(root: ConfigNode, slot: int) -> ConfigNode:
    """Return the configuration RE ``slot`` runs with: groups inherited, inactive removed.

    ``apply-groups`` is honoured at the top and at any sub-hierarchy; the body wins over the
    groups and a group listed first wins over later ones.  The result holds no ``groups`` and
    no ``apply-groups`` statements (``apply-groups-except`` is not implemented).
    """
    tree = strip_inactive(root)
    groups = {g.key or "": g for g in tree.entries("groups")}
    tree.children = [c for c in tree.children if not (c.kind is NodeKind.ENTRY
                                                      and c.name == "groups")]
    _inherit(tree, (), ROOT, groups, slot)
    _drop_group_statements(tree)
    return tree
