"""The configuration statements configuration mode's ``?`` and TAB know.

The emulator has no Junos schema (``model/config_tree.py`` parses any statement), so ``?`` after
``set``/``delete``/``edit``/``show`` is answered from this small tree: the statements of the
chapter ("Manually Configuring Master and Backup Routing Engines", "Configuring the Backup
Routing Engine to Assume Mastership on Failure of Keepalives", "Use the Groups Configuration",
``system processes <name> failover``) and the ones next to them in real Junos, with Junos's help
texts and its markers (``>`` a statement block, ``+`` a list of values).  Anything deeper than
this tree is still accepted by ``set``; ``?`` there only offers ``<[Enter]>``.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["SCHEMA", "Statement", "statement_help"]


@dataclass(frozen=True, slots=True)
class Statement:
    """One statement: its help, what follows it (a key, a value, or child statements)."""

    name: str
    help: str
    children: tuple[Statement, ...] = ()
    #: ``<slot-number>`` when the statement is a keyed list (the key comes next).
    key: str | None = None
    #: ``<host-name>`` when the statement takes a value.
    value: str | None = None
    #: ``+`` for a list of values (``apply-groups``).
    values: bool = False
    #: After the key, the statements of the top level apply again (``groups re0 ...``).
    top_after_key: bool = False

    @property
    def mark(self) -> str:
        """Return Junos's marker column: ``>`` a block, ``+`` values, blank a leaf."""
        if self.values:
            return "+"
        return ">" if self.children or self.key or self.top_after_key else " "


def _s(name: str, help_text: str, *children: Statement, key: str | None = None,
       value: str | None = None, values: bool = False, top_after_key: bool = False
       ) -> Statement:
    return Statement(name, help_text, children, key, value, values, top_after_key)


_FAILOVER = _s("failover", "Failover to other Routing Engine",
               _s("alternate-media", "Failover to alternate media"),
               _s("other-routing-engine", "Failover to other Routing Engine"))

SCHEMA = _s(
    "", "",
    _s("apply-groups", "Groups from which to inherit configuration data",
       value="<group-name>", values=True),
    _s("chassis", "Chassis configuration",
       _s("redundancy", "Redundancy parameters",
          _s("failover", "Failover to other Routing Engine",
             _s("on-disk-failure", "Failover on disk failure"),
             _s("on-loss-of-keepalives", "Failover on loss of keepalives")),
          _s("graceful-switchover", "Enable graceful switchover on supported hardware"),
          _s("keepalive-time", "Time before Routing Engine failover (2..10000 seconds)",
             value="<keepalive-time>"),
          _s("routing-engine", "Redundancy options for Routing Engines",
             _s("backup", "Backup Routing Engine"),
             _s("disabled", "Routing Engine disabled"),
             _s("master", "Master Routing Engine"),
             key="<slot>"))),
    _s("groups", "Configuration groups", key="<group-name>", top_after_key=True),
    _s("interfaces", "Interface configuration", key="<interface-name>"),
    _s("routing-options", "Protocol-independent routing option configuration",
       _s("nonstop-routing", "Enable nonstop routing")),
    _s("system", "System parameters",
       _s("commit", "Configuration commit management",
          _s("synchronize", "Synchronize commit on both Routing Engines by default")),
       _s("host-name", "Hostname for this router", value="<host-name>"),
       _s("processes", "Process control",
          _s("chassis-control", "Chassis control process", _FAILOVER),
          _s("interface-control", "Interface control process", _FAILOVER),
          _s("routing", "Routing process", _FAILOVER))),
)

_ENTER = (" ", "<[Enter]>", "Execute this command")


def _child(node: Statement, word: str) -> Statement | None:
    exact = [c for c in node.children if c.name == word]
    hits = exact or [c for c in node.children if c.name.startswith(word)]
    return hits[0] if len(hits) == 1 else None


def _walk(words: list[str]) -> tuple[Statement, str] | None:
    """Follow ``words`` from the top; return the statement reached and what it waits for
    (``key``, ``value`` or ``children``), or None where the tree does not go."""
    node, want = SCHEMA, "children"
    for word in words:
        if want == "key":
            node, want = (SCHEMA if node.top_after_key else node), "children"
        elif want == "value":
            want = "done" if not node.values else "value"
        else:
            found = _child(node, word)
            if found is None:
                return None
            node = found
            want = "key" if node.key else "value" if node.value else "children"
    return node, want


def statement_help(words: list[str], partial: str) -> list[tuple[str, str, str]] | None:
    """Return ``(mark, word, help)`` for what may follow the statement path ``words`` (the
    words after ``set`` joined to the ``[edit ...]`` level), the last word being ``partial``;
    None where this tree does not know the path."""
    found = _walk(words)
    if found is None:
        return None
    node, want = found
    if want == "key":
        return [(" ", node.key or "", node.help)] if not partial else []
    if want == "value":
        return [(" ", node.value or "", node.help)] if not partial else []
    out = [(c.mark, c.name, c.help) for c in node.children if c.name.startswith(partial)]
    if not partial and (want == "done" or not node.children):
        out.insert(0, _ENTER)
    return out
