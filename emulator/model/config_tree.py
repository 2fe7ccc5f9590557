"""The configuration tree of one Routing Engine and the edits that change it.

No Junos schema is available to the emulator, so the shape of a statement is decided by a rule
and a small table (:data:`HINTS`):

* a statement followed by exactly one value is a leaf (``host-name r1;``);
* a statement followed by nothing is a presence container (``graceful-switchover;``);
* a statement followed by two or more words is a container holding the rest
  (``redundancy failover on-loss-of-keepalives``);
* ``name value { ... }`` in the curly format is always a keyed list entry (``user admin {``);
* ``name [ a b ]`` is always a leaf-list;
* the names in :data:`HINTS` override the rule (keyed lists, leaf-lists, containers that take no
  value, and lists whose element name is hidden in the text formats).

The tree mirrors the Junos XML (NOTES.md 3.11): ``interfaces { fxp0 {...} }`` is a container
``interfaces`` holding a list entry ``interface`` keyed ``fxp0``; ``groups re0`` is a list entry
``groups`` keyed ``re0`` at the top level.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import Enum

__all__ = [
    "CHOICES",
    "CONTEXT_HINTS",
    "HIDDEN_ENTRY",
    "HINTS",
    "ONELINERS",
    "PREFIXED",
    "WRAPPER_EXCEPTIONS",
    "ConfigNode",
    "Edit",
    "EditAction",
    "Hint",
    "NodeKind",
    "PathStep",
    "apply_edit",
    "find",
    "hint_for",
    "merge_into",
    "merge_under",
    "strip_inactive",
]


class NodeKind(Enum):
    """What a node of the configuration tree is."""

    CONTAINER = "container"  # children only; no children = presence (``graceful-switchover;``)
    LEAF = "leaf"  # one value (``host-name r1;``)
    LEAF_LIST = "leaf-list"  # ordered values (``apply-groups [ re0 re1 ];``)
    ENTRY = "entry"  # keyed list entry with children (``unit 0 {...}``)


class Hint(Enum):
    """How a statement name is parsed when the default rule would guess wrong."""

    CONTAINER = "container"  # never takes a value: the next word is a child statement
    KEYED = "keyed"  # the next word is its key: ``unit 0``
    GROUPED = "grouped"  # keyed, shown as ``groups { re0 {...} }`` in the curly format
    WRAPPER = "wrapper"  # holds entries whose element name is hidden: ``interfaces { fxp0 {``
    LEAF_LIST = "leaf-list"  # takes one or more values: ``apply-groups [ re0 re1 ]``


#: Statement names whose parse the default rule would get wrong.  Keyed lists are the ones the
#: redundancy configuration uses (NOTES.md 3.11, chapter "Use the Groups Configuration") plus
#: common Junos lists seen in the samples; containers are those that hold a single presence
#: child in common configurations (``system commit synchronize``, ``services ssh``).
HINTS: dict[str, Hint] = {
    # top level (junos-conf-root: list groups, leaf-list apply-groups)
    "groups": Hint.GROUPED,
    "apply-groups": Hint.LEAF_LIST,
    "apply-groups-except": Hint.LEAF_LIST,
    # lists shown without their element name
    "interfaces": Hint.WRAPPER,
    "routing-instances": Hint.WRAPPER,
    # keyed lists
    "routing-engine": Hint.KEYED,
    "unit": Hint.KEYED,
    "address": Hint.KEYED,
    "interface": Hint.KEYED,
    "user": Hint.KEYED,
    "file": Hint.KEYED,
    "host": Hint.KEYED,
    "fpc": Hint.KEYED,
    "pic": Hint.KEYED,
    "route": Hint.KEYED,
    "policy": Hint.KEYED,
    "policy-statement": Hint.KEYED,
    "term": Hint.KEYED,
    "filter": Hint.KEYED,
    "security-zone": Hint.KEYED,
    "ids-option": Hint.KEYED,
    "community": Hint.KEYED,
    "neighbor": Hint.KEYED,
    "group": Hint.KEYED,
    "area": Hint.KEYED,
    # containers that never take a value
    "system": Hint.CONTAINER,
    "chassis": Hint.CONTAINER,
    "redundancy": Hint.CONTAINER,
    "graceful-switchover": Hint.CONTAINER,
    "commit": Hint.CONTAINER,
    "processes": Hint.CONTAINER,
    "services": Hint.CONTAINER,
    "netconf": Hint.CONTAINER,
    "login": Hint.CONTAINER,
    "syslog": Hint.CONTAINER,
    "family": Hint.CONTAINER,
    "inet": Hint.CONTAINER,
    "inet6": Hint.CONTAINER,
    "routing-options": Hint.CONTAINER,
    "protocols": Hint.CONTAINER,
    "static": Hint.CONTAINER,
    "authentication": Hint.CONTAINER,
    "root-authentication": Hint.CONTAINER,
}

#: Hints that depend on the parent statement: ``chassis redundancy failover`` holds presence
#: children (``on-loss-of-keepalives``) while ``system processes routing failover`` is a leaf.
CONTEXT_HINTS: dict[tuple[str, str], Hint] = {
    ("redundancy", "failover"): Hint.CONTAINER,
}

#: Element name of the entries inside a :attr:`Hint.WRAPPER` container (Junos XML mapping).
HIDDEN_ENTRY: dict[str, str] = {"interfaces": "interface", "routing-instances": "instance"}

#: Statements inside a wrapper that are not entries of the hidden list.
WRAPPER_EXCEPTIONS = frozenset(
    {"traceoptions", "interface-range", "interface-set", "apply-groups", "apply-groups-except"}
)

#: Mutually exclusive children of an entry: ``routing-engine N (master|backup|disabled)`` is a
#: YANG choice (NOTES.md 3.11, chassis_rdd_re_type), so setting one removes the others.
CHOICES: dict[str, frozenset[str]] = {
    "routing-engine": frozenset({"master", "backup", "disabled"}),
}

#: Entries Junos shows on one line when they hold a single leaf or presence child
#: (``routing-engine 0 master;``, ``route 0.0.0.0/0 next-hop 10.0.0.1;``).
ONELINERS = frozenset({"routing-engine", "route"})

#: Containers Junos never opens a block for: each child is shown as ``family inet {``.
PREFIXED = frozenset({"family"})


def hint_for(parent: str | None, name: str) -> Hint | None:
    """Return the parse hint of statement ``name`` under ``parent``, or None (default rule)."""
    if parent is not None and (parent, name) in CONTEXT_HINTS:
        return CONTEXT_HINTS[(parent, name)]
    return HINTS.get(name)


@dataclass(slots=True)
class ConfigNode:
    """One statement of the configuration tree.

    Mutable on purpose: the database edits its candidate in place.  ``value`` is set for a
    LEAF, ``values`` for a LEAF_LIST, ``key`` for an ENTRY; ``children`` are ordered.
    ``inactive`` marks an ``inactive:`` statement (kept, shown, but not applied).
    """

    name: str
    kind: NodeKind = NodeKind.CONTAINER
    key: str | None = None
    value: str | None = None
    values: list[str] = field(default_factory=list)
    children: list[ConfigNode] = field(default_factory=list)
    inactive: bool = False

    # -------------------------------------------------------------- builders
    @classmethod
    def root(cls) -> ConfigNode:
        """Return an empty ``<configuration>`` root."""
        return cls("configuration")

    @classmethod
    def leaf(cls, name: str, value: str) -> ConfigNode:
        """Return a leaf ``name value;``."""
        return cls(name, NodeKind.LEAF, value=value)

    @classmethod
    def leaf_list(cls, name: str, values: list[str]) -> ConfigNode:
        """Return a leaf-list ``name [ values ];``."""
        return cls(name, NodeKind.LEAF_LIST, values=list(values))

    @classmethod
    def entry(cls, name: str, key: str, children: list[ConfigNode] | None = None) -> ConfigNode:
        """Return a keyed list entry ``name key { children }``."""
        return cls(name, NodeKind.ENTRY, key=key, children=children or [])

    @classmethod
    def container(cls, name: str, children: list[ConfigNode] | None = None) -> ConfigNode:
        """Return a container (a presence container when ``children`` is empty)."""
        return cls(name, NodeKind.CONTAINER, children=children or [])

    # -------------------------------------------------------------- queries
    def ident(self) -> tuple[str, str | None]:
        """Return what identifies this node among its siblings: (name, key)."""
        return (self.name, self.key)

    def child(self, name: str, key: str | None = None) -> ConfigNode | None:
        """Return the first child called ``name`` (with ``key`` for entries), or None."""
        for c in self.children:
            if c.name == name and (key is None or c.key == key):
                return c
        return None

    def entries(self, name: str) -> list[ConfigNode]:
        """Return the list entries called ``name``, in order."""
        return [c for c in self.children if c.name == name and c.kind is NodeKind.ENTRY]

    def get(self, *names: str) -> ConfigNode | None:
        """Return the node at the path of container/leaf ``names`` (keys not allowed), or None."""
        node: ConfigNode | None = self
        for n in names:
            node = node.child(n) if node is not None else None
        return node

    def walk(self) -> Iterator[ConfigNode]:
        """Yield this node and every descendant, depth first, in order."""
        yield self
        for c in self.children:
            yield from c.walk()

    def copy(self) -> ConfigNode:
        """Return a deep copy."""
        return copy.deepcopy(self)


@dataclass(frozen=True, slots=True)
class PathStep:
    """One step of a path to a node: a container/leaf name, or a list entry and its key."""

    name: str
    key: str | None = None

    def make(self) -> ConfigNode:
        """Return an empty node for this step (an entry if keyed, else a container)."""
        if self.key is None:
            return ConfigNode.container(self.name)
        return ConfigNode.entry(self.name, self.key)


class EditAction(Enum):
    """What one edit does to the node at its path (set/delete commands, XML operations)."""

    MERGE = "merge"
    REPLACE = "replace"
    DELETE = "delete"
    ACTIVATE = "activate"
    DEACTIVATE = "deactivate"


@dataclass(frozen=True, slots=True)
class Edit:
    """One change: ``action`` on ``node`` under the parent at ``path``.

    For DELETE/ACTIVATE/DEACTIVATE, ``node`` is a pattern: name (and key for an entry) select
    the targets; a LEAF_LIST pattern with values deletes only those values.
    """

    action: EditAction
    path: tuple[PathStep, ...]
    node: ConfigNode


# ------------------------------------------------------------------ tree operations
def _matches(target: ConfigNode, pattern: ConfigNode) -> bool:
    """Return True if ``target`` is selected by the (name, optional key) of ``pattern``."""
    return target.name == pattern.name and (pattern.key is None or target.key == pattern.key)


def _same(a: ConfigNode, b: ConfigNode) -> bool:
    """Return True if ``a`` and ``b`` are the same statement (merge identity)."""
    if a.name != b.name:
        return False
    if NodeKind.ENTRY in (a.kind, b.kind):
        return a.kind is b.kind and a.key == b.key
    return True


def _drop_choice_siblings(parent: ConfigNode, name: str) -> None:
    """Remove the other branches of a choice when ``name`` is set (NOTES.md 3.11)."""
    branches = CHOICES.get(parent.name)
    if branches and name in branches:
        parent.children = [
            c for c in parent.children if c.name == name or c.name not in branches
        ]


def merge_into(parent: ConfigNode, node: ConfigNode) -> None:
    """Merge ``node`` into ``parent``'s children: new values win (Junos ``load merge``)."""
    _drop_choice_siblings(parent, node.name)
    for i, old in enumerate(parent.children):
        if not _same(old, node):
            continue
        # Only an ``activate`` edit makes an inactive statement active again.
        inactive = old.inactive or node.inactive
        if old.kind is not node.kind or node.kind is NodeKind.LEAF:
            parent.children[i] = node.copy()
            parent.children[i].inactive = inactive
        elif node.kind is NodeKind.LEAF_LIST:
            old.values += [v for v in node.values if v not in old.values]
            old.inactive = inactive
        else:
            old.inactive = inactive
            for c in node.children:
                merge_into(old, c)
        return
    parent.children.insert(_position(parent, node), node.copy())


def _position(parent: ConfigNode, node: ConfigNode) -> int:
    """Return where a new child goes: at the end, except that the top level keeps Junos's
    schema order for ``groups`` (first) and ``apply-groups`` (next), so that every format
    loads to the same tree."""
    if parent.name != "configuration" or node.name not in _TOP_FIRST:
        return len(parent.children)
    rank = _TOP_FIRST.index(node.name)
    for i, c in enumerate(parent.children):
        if c.name not in _TOP_FIRST or _TOP_FIRST.index(c.name) > rank:
            return i
    return len(parent.children)


_TOP_FIRST = ("groups", "apply-groups", "apply-groups-except")


def merge_under(parent: ConfigNode, node: ConfigNode) -> None:
    """Merge ``node`` into ``parent`` where ``parent`` has nothing: existing values win.

    This is group inheritance (chapter, "Use the Groups Configuration": "the configuration in
    the body takes precedence").  A leaf-list present in the body is kept whole.
    """
    for old in parent.children:
        if _same(old, node):
            if old.kind is node.kind and node.kind in (NodeKind.CONTAINER, NodeKind.ENTRY):
                for c in node.children:
                    merge_under(old, c)
            return
    branches = CHOICES.get(parent.name)
    if branches and node.name in branches and any(c.name in branches for c in parent.children):
        return  # the body already chose a branch of this choice
    parent.children.append(node.copy())


def find(root: ConfigNode, path: tuple[PathStep, ...], *, create: bool) -> ConfigNode | None:
    """Return the node at ``path`` under ``root``; create missing steps if ``create``."""
    node = root
    for step in path:
        nxt = node.child(step.name, step.key)
        if nxt is not None and step.key is None and nxt.kind is NodeKind.ENTRY:
            nxt = None  # a container step never selects a list entry of the same name
        if nxt is None:
            if not create:
                return None
            nxt = step.make()
            node.children.insert(_position(node, nxt), nxt)
        node = nxt
    return node


def _delete(parent: ConfigNode, pattern: ConfigNode) -> bool:
    """Delete what ``pattern`` selects under ``parent``; return False if nothing matched."""
    hit = [c for c in parent.children if _matches(c, pattern)]
    if not hit:
        return False
    if pattern.kind is NodeKind.LEAF_LIST and pattern.values:
        for c in hit:
            if not set(pattern.values) & set(c.values):
                return False
            c.values = [v for v in c.values if v not in pattern.values]
        parent.children = [c for c in parent.children if c.values or not _matches(c, pattern)]
        return True
    parent.children = [c for c in parent.children if not any(c is h for h in hit)]
    return True


def _replace(parent: ConfigNode, node: ConfigNode) -> None:
    """Replace the statement ``node`` names under ``parent`` (``replace:`` tag)."""
    for i, old in enumerate(parent.children):
        if _same(old, node):
            rest = [c for c in parent.children[i + 1 :] if not _same(c, node)]
            parent.children = [*parent.children[:i], node.copy(), *rest]
            return
    merge_into(parent, node)


def _set_active(parent: ConfigNode, pattern: ConfigNode, inactive: bool) -> bool:
    hit = [c for c in parent.children if _matches(c, pattern)]
    for c in hit:
        c.inactive = inactive
    return bool(hit)


def _words(path: tuple[PathStep, ...], node: ConfigNode) -> str:
    parts = [w for s in path for w in (s.name, s.key) if w is not None]
    parts += [w for w in (node.name, node.key) if w is not None]
    return " ".join(parts)


def apply_edit(root: ConfigNode, edit: Edit) -> str | None:
    """Apply ``edit`` to ``root`` in place; return a warning (nothing to delete) or None."""
    if edit.action in (EditAction.MERGE, EditAction.REPLACE):
        parent = find(root, edit.path, create=True)
        assert parent is not None  # create=True always returns a node
        if edit.action is EditAction.MERGE:
            merge_into(parent, edit.node)
        else:
            _replace(parent, edit.node)
        return None
    parent = find(root, edit.path, create=False)
    if edit.action is EditAction.DELETE:
        done = parent is not None and _delete(parent, edit.node)
    else:
        inactive = edit.action is EditAction.DEACTIVATE
        done = parent is not None and _set_active(parent, edit.node, inactive)
    # Junos answers a delete of an absent statement with a warning, not an error.
    return None if done else f"statement not found: {_words(edit.path, edit.node)}"


def strip_inactive(node: ConfigNode) -> ConfigNode:
    """Return a copy of ``node`` without its inactive descendants (what daemons apply)."""
    out = ConfigNode(node.name, node.kind, node.key, node.value, list(node.values))
    out.children = [strip_inactive(c) for c in node.children if not c.inactive]
    return out
