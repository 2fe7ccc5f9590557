"""The configuration tree of one Routing Engine and the edits that change it.

The tree mirrors the Junos XML (NOTES.md 3.11): ``interfaces { fxp0 {...} }`` is a container
``interfaces`` holding a list entry ``interface`` keyed ``fxp0``; ``groups re0`` is a list entry
``groups`` keyed ``re0`` at the top level.  What a statement is (leaf, list, choice case) and
where it goes among its siblings come from the configuration schema
(:mod:`emulator.model.schema`): a new child takes its schema position (Junos shows statements
in schema order, whatever the order they were set in), entries of one list keep the order they
were set in, and setting one case of a choice removes the others (``routing-engine 1 master``
after ``routing-engine 1 backup``).  Operations take the schema of the node they work under
(``at``); None means a tree the schema does not describe (order of insertion, no choices).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import Enum

from emulator.model.schema import ROOT, Statement, child_of

__all__ = [
    "ConfigNode",
    "Edit",
    "EditAction",
    "NodeKind",
    "PathStep",
    "apply_edit",
    "find",
    "merge_into",
    "merge_under",
    "place",
    "schema_at",
    "strip_inactive",
]


class NodeKind(Enum):
    """What a node is, as the Junos XML shows it."""

    CONTAINER = "container"  # holds child statements (or none: a presence statement)
    LEAF = "leaf"  # one value: ``host-name r1;``
    LEAF_LIST = "leaf-list"  # values: ``apply-groups [ re0 re1 ];``
    ENTRY = "entry"  # a keyed list entry: ``routing-engine 0 { ... }``


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
        """Return a deep copy (written out: ``copy.deepcopy`` costs about twenty times as much,
        and every commit and candidate takes one; a fleet's start-up takes thousands)."""
        return ConfigNode(self.name, self.kind, self.key, self.value, list(self.values),
                          [c.copy() for c in self.children], self.inactive)


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


def _choice_rivals(at: Statement | None, name: str) -> frozenset[str]:
    """Return the other cases of the choice ``name`` belongs to under ``at`` (NOTES.md 3.11:
    ``chassis_rdd_re_type`` is a choice master | backup | disabled)."""
    me = child_of(at, name)
    if me is None or me.choice is None or at is None:
        return frozenset()
    parent = ROOT if at.top_after_key else at
    return frozenset(c.name for c in parent.children if c.choice == me.choice) - {name}


def merge_into(parent: ConfigNode, node: ConfigNode, at: Statement | None = None) -> None:
    """Merge ``node`` into ``parent``'s children (``at``: the schema of ``parent``): new values
    win (Junos ``load merge``), a choice case replaces its rivals."""
    rivals = _choice_rivals(at, node.name)
    if rivals:
        parent.children = [c for c in parent.children if c.name not in rivals]
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
            below = child_of(at, node.name)
            for c in node.children:
                merge_into(old, c, below)
        return
    parent.children.insert(_position(parent, node, at), node.copy())


def _position(parent: ConfigNode, node: ConfigNode, at: Statement | None) -> int:
    """Return where a new child goes: after every sibling that comes before it in the schema
    (and after the entries of its own list); at the end when the schema does not know it."""
    if at is None or child_of(at, node.name) is None:
        return len(parent.children)
    schema = ROOT if at.top_after_key else at
    rank = schema.order(node.name)
    for i, c in enumerate(parent.children):
        if schema.order(c.name) > rank:
            return i
    return len(parent.children)


def merge_under(parent: ConfigNode, node: ConfigNode, at: Statement | None = None) -> None:
    """Merge ``node`` into ``parent`` where ``parent`` has nothing: existing values win.

    This is group inheritance (chapter, "Use the Groups Configuration": "the configuration in
    the body takes precedence").  A leaf-list present in the body is kept whole; a choice
    case already chosen in the body keeps out the group's other cases.
    """
    for old in parent.children:
        if _same(old, node):
            if old.kind is node.kind and node.kind in (NodeKind.CONTAINER, NodeKind.ENTRY):
                below = child_of(at, node.name)
                for c in node.children:
                    merge_under(old, c, below)
            return
    rivals = _choice_rivals(at, node.name)
    if any(c.name in rivals for c in parent.children):
        return  # the body already chose a case of this choice
    parent.children.insert(_position(parent, node, at), node.copy())


def schema_at(path: tuple[PathStep, ...]) -> Statement | None:
    """Return the schema of the node at ``path`` from the top (None where it does not go)."""
    at: Statement | None = ROOT
    for step in path:
        at = child_of(at, step.name)
    return at


def place(parent: ConfigNode, node: ConfigNode, at: Statement | None) -> None:
    """Insert ``node`` (not a copy) among ``parent``'s children at its schema position."""
    parent.children.insert(_position(parent, node, at), node)


def find(root: ConfigNode, path: tuple[PathStep, ...], *, create: bool,
         at: Statement | None = None) -> ConfigNode | None:
    """Return the node at ``path`` under ``root``; create missing steps if ``create`` (at
    their schema position: ``at`` is the schema of ``root``, the top level by default for a
    ``<configuration>`` root)."""
    node = root
    if at is None and root.name == "configuration":
        at = ROOT
    for step in path:
        nxt = node.child(step.name, step.key)
        if nxt is not None and step.key is None and nxt.kind is NodeKind.ENTRY:
            nxt = None  # a container step never selects a list entry of the same name
        if nxt is None:
            if not create:
                return None
            nxt = step.make()
            node.children.insert(_position(node, nxt, at), nxt)
        node = nxt
        at = child_of(at, step.name)
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


def _replace(parent: ConfigNode, node: ConfigNode, at: Statement | None) -> None:
    """Replace the statement ``node`` names under ``parent`` (``replace:`` tag)."""
    for i, old in enumerate(parent.children):
        if _same(old, node):
            rest = [c for c in parent.children[i + 1 :] if not _same(c, node)]
            parent.children = [*parent.children[:i], node.copy(), *rest]
            return
    merge_into(parent, node, at)


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
    at = schema_at(edit.path)
    if edit.action in (EditAction.MERGE, EditAction.REPLACE):
        parent = find(root, edit.path, create=True)
        assert parent is not None  # create=True always returns a node
        if edit.action is EditAction.MERGE:
            merge_into(parent, edit.node, at)
        else:
            _replace(parent, edit.node, at)
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
