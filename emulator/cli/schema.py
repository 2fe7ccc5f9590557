"""What configuration mode's ``?`` and TAB offer after ``set``/``delete``/``edit``/``show``
(and operational ``show configuration``), read from the configuration schema
(``emulator.model.schema``): the statements that may follow, with Junos's help texts and its
markers (``>`` a statement with statements inside, ``+`` a list of values), the ``<...>`` word
of a key or a value with its range (``Time before Routing Engine failover (2..10000
seconds)``), in Junos's order (``<...>`` first, then alphabetical).
"""

from __future__ import annotations

from emulator.model.config_syntax import Mode, Want, Word, spell
from emulator.model.schema import ROOT, Kind, Statement

__all__ = ["Offer", "statement_help"]

#: One line of "Possible completions:": (marker, word, help text).
Offer = tuple[str, str, str]


def _mark(stmt: Statement) -> str:
    """Return Junos's marker column: ``+`` values, ``>`` statements inside, blank a leaf."""
    if stmt.kind is Kind.LEAF_LIST:
        return "+"
    return ">" if stmt.has_children else " "


def _children(at: Statement) -> list[Offer]:
    schema = ROOT if at.top_after_key else at
    out = [(_mark(c), c.name, c.value_help() if c.takes_value else c.help)
           for c in schema.keyword_children() if c.name != "groups" or schema is ROOT]
    hidden = schema.hidden_child()
    if hidden is not None:
        out += _placeholder(hidden)
    return out


def _placeholder(stmt: Statement) -> list[Offer]:
    """Return the ``<...>`` line of a key or value, or the words of an enumeration."""
    assert stmt.type is not None  # keys and values always have a type
    words = stmt.type.keywords()
    text = stmt.key_help if stmt.kind is Kind.LIST else stmt.value_help()
    if words:
        return [(" ", w, text) for w in words]
    return [(" ", stmt.placeholder, text)]


def statement_help(words: list[Word], partial: str) -> tuple[list[Offer], Want]:
    """Return what may follow the statement ``words`` (the ``[edit]`` level's words first)
    when the word being typed is ``partial``, and whether the words make a whole statement
    (:class:`Want`).  Raises ConfigSyntaxError at the first word that is no statement."""
    at, want, tip = ROOT, Want.CHILD, ROOT
    if words:
        spelled = spell(words, mode=Mode.PATTERN, abbreviate=True)
        at, want, tip = spelled.at, spelled.want, spelled.tip_schema
    if want is Want.CHILD:
        found = _children(at)
    elif want in (Want.KEY, Want.VALUE):
        found = _placeholder(tip)
    else:
        found = []
    found = [f for f in found if f[1].startswith(partial)]
    return sorted(found, key=lambda f: (not f[1].startswith("<"), f[1])), want
