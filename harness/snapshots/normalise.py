"""Replies as comparable values: an XML reply as a tree of plain data, a text reply as lines.

A tree is what a snapshot file stores and a diff walks (JSON: dicts, strings, integers, true):

- the ``<rpc-reply>`` wrapper is dropped, and so is a single data element under it
  (``route-engine-information``), so paths read ``re-status/re0/route-engine[1]/up-time``;
  the CLI-mode artefact ``<cli><banner>{master}</banner></cli>`` some replies carry (NOTES.md
  3.13) is dropped too: it is the RE's role, which ``re-status`` holds;
- an element with children is a mapping of its children by tag;
- a repeated element whose tag has a key (:data:`~harness.snapshots.items.DEFAULT_KEYS`, or the
  item's ``keys``, JSNAPy's ``id``) is named by its key's text, ``route-engine[1]``, so entries
  are matched by name and not by position; other repeated elements by position, ``alarm[2]``;
- a leaf is its stripped text; Junos's ``junos:seconds`` attribute (``<up-time
  junos:seconds="529200">6 days, 3 hours</up-time>``) makes it that integer instead, so times
  compare as numbers; an empty element is ``true``.  Other attributes are not kept.

Text is split into lines, trailing blanks removed, empty lines dropped.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from lxml import etree

__all__ = ["Tree", "lines_of", "text_of", "tree_of"]

#: A normalised value: a mapping, a list of lines, a string, an integer or true.
Tree = Any

#: The elements whose text is a reply's text (``<output>`` of ``format="text"``, a
#: configuration as text or set lines, a log file).
TEXT_ELEMENTS = ("output", "configuration-text", "configuration-set", "configuration-output",
                 "file-content")


def tree_of(reply: etree._Element, keys: Mapping[str, str]) -> Tree:
    """Return the tree of an ``<rpc-reply>`` (namespaces already stripped) with repeated
    elements named by ``keys`` (tag -> key child)."""
    data = [c for c in reply if isinstance(c.tag, str) and c.tag != "cli"]
    if len(data) == 1 and len(data[0]):
        return _children(data[0], keys)
    return _children(reply, keys)


def _children(el: etree._Element, keys: Mapping[str, str]) -> dict[str, Tree]:
    kids = [c for c in el if isinstance(c.tag, str) and c.tag != "cli"]
    counts = Counter(str(c.tag) for c in kids)
    out: dict[str, Tree] = {}
    positions: Counter[str] = Counter()
    for kid in kids:
        tag = str(kid.tag)
        positions[tag] += 1
        name = _segment(kid, tag, keys, counts[tag], positions[tag])
        while name in out:  # two entries with one key: keep both, the later numbered
            positions[tag] += 1
            name = f"{tag}[#{positions[tag]}]"
        out[name] = _value(kid, keys)
    return out


def _segment(el: etree._Element, tag: str, keys: Mapping[str, str], count: int,
             position: int) -> str:
    """Return the name of ``el`` among its siblings: ``tag[key]``, ``tag[n]`` or ``tag``."""
    key = keys.get(tag)
    if key is not None:
        named = (el.findtext(key) or "").strip()
        if named:
            return f"{tag}[{named}]"
    return f"{tag}[{position}]" if count > 1 else tag


def _value(el: etree._Element, keys: Mapping[str, str]) -> Tree:
    if any(isinstance(c.tag, str) for c in el):
        return _children(el, keys)
    seconds = el.get("seconds")
    if seconds is not None and seconds.lstrip("-").isdigit():
        return int(seconds)
    text = (el.text or "").strip()
    return text if text else True


def text_of(reply: etree._Element) -> str:
    """Return the text of a text reply: every text element's (:data:`TEXT_ELEMENTS`), joined."""
    parts = [el.text or "" for el in reply.iter(*TEXT_ELEMENTS)]
    return "\n".join(parts)


def lines_of(text: str, tail: int | None = None) -> list[str]:
    """Return the non-empty lines of ``text`` without trailing blanks; the last ``tail`` only
    when given."""
    lines = [line.rstrip() for line in text.splitlines() if line.strip()]
    return lines[-tail:] if tail else lines
