"""Typed readers of the replies ``re-emulator clone`` reads, as pure functions over lxml trees.

Every element is looked up by local name, so a reply with or without namespaces (real Junos
puts ``route-engine-information`` in ``.../junos-chassis``) reads the same.  The shapes are the
ones of NOTES.md section 3 and the samples in ``../shared/junos/samples``:

* ``get-route-engine-information``: ``route-engine`` siblings (one chassis), each with slot,
  mastership state, model, serial number, memory, start time and up time (``junos:seconds``);
* ``get-software-information``: host name, product model, the Junos version (``junos-version``
  from 15.1 on, else the release in the ``junos`` package's brackets);
* ``get-chassis-inventory``: the chassis row and its module tree (sub-modules nested), each
  row as the testbed writes one (:class:`re_contract.platform.InventoryModule`); on the backup
  RE an ``<output>`` "can only be used on the master" instead;
* ``get-configuration format=text``: ``configuration-text``;
* ``get-log``: ``file-content`` (or ``output``) holding the log's lines.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree

from re_contract.platform import InventoryModule

__all__ = [
    "InventoryFacts",
    "RouteEngineFacts",
    "SoftwareFacts",
    "configuration_text",
    "find",
    "first",
    "inventory",
    "log_text",
    "route_engines",
    "software",
    "text_of",
    "utc_offset",
]

#: A Junos date as ``start-time`` prints it: ``2016-12-21 08:47:57 PST``.
_DATE = re.compile(r"^\s*(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\s+(\S+))?")
_BRACKET = re.compile(r"\[([^\]]+)\]")
_MB = re.compile(r"(\d+)\s*MB")
_SUB = ("chassis-sub-module", "chassis-sub-sub-module", "chassis-sub-sub-sub-module")
_ROW_FIELDS = ("version", "part_number", "serial_number", "description", "clei_code",
               "model_number")


def _local(el: etree._Element) -> str:
    return str(etree.QName(el).localname) if isinstance(el.tag, str) else ""


def find(root: etree._Element, name: str) -> Iterator[etree._Element]:
    """Yield every element called ``name`` (local name) under ``root``, document order."""
    for el in root.iter():
        if _local(el) == name:
            yield el


def first(root: etree._Element, name: str) -> etree._Element | None:
    """Return the first element called ``name`` under ``root``, or None."""
    return next(find(root, name), None)


def text_of(el: etree._Element | None, name: str) -> str | None:
    """Return the stripped text of ``el``'s direct child ``name``, or None."""
    if el is None:
        return None
    for child in el:
        if _local(child) == name:
            return (child.text or "").strip()
    return None


def _seconds(el: etree._Element | None, name: str) -> float | None:
    """Return the ``junos:seconds`` attribute of ``el``'s child ``name`` (any namespace)."""
    if el is None:
        return None
    for child in el:
        if _local(child) == name:
            for key, value in child.attrib.items():
                if etree.QName(key).localname == "seconds" and value.strip().isdigit():
                    return float(value)
    return None


def utc_offset(el: etree._Element | None, name: str) -> tuple[float, str] | None:
    """Return ``(offset, zone)`` of the date in child ``name`` of ``el``: how many seconds the
    printed wall time is ahead of UTC (``junos:seconds`` against the text) and the zone it
    names (``PST``); None when the child has no date or no seconds."""
    seconds = _seconds(el, name)
    text = text_of(el, name)
    match = _DATE.match(text or "")
    if seconds is None or match is None:
        return None
    wall = calendar.timegm(tuple(int(g) for g in match.groups()[:6]) + (0, 0, 0))
    return float(wall) - seconds, match.group(7) or "UTC"


@dataclass(frozen=True, slots=True)
class RouteEngineFacts:
    """One ``route-engine`` of ``show chassis routing-engine``."""

    slot: int
    state: str
    model: str | None = None
    serial: str | None = None
    dram_mb: int | None = None
    dram_usable_mb: int | None = None
    #: POSIX seconds of the RE's start, and its up time in seconds (None when not shown).
    start_time: float | None = None
    up_time: float | None = None
    #: ``(offset, zone)`` of the router's printed times (see :func:`utc_offset`).
    zone: tuple[float, str] | None = None

    @property
    def now(self) -> float | None:
        """Return the router's time when it answered (start + up time), or None."""
        if self.start_time is None or self.up_time is None:
            return None
        return self.start_time + self.up_time


def _megabytes(text: str | None) -> int | None:
    match = _MB.search(text or "")
    return int(match.group(1)) if match else None


def route_engines(reply: etree._Element) -> list[RouteEngineFacts]:
    """Return the REs of a ``get-route-engine-information`` reply, by slot."""
    found = []
    for el in find(reply, "route-engine"):
        slot = text_of(el, "slot")
        if slot is None or not slot.isdigit():
            continue
        installed = _megabytes(text_of(el, "memory-installed-size"))
        usable = _megabytes(text_of(el, "memory-dram-size"))
        found.append(RouteEngineFacts(
            slot=int(slot), state=(text_of(el, "mastership-state") or "").lower(),
            model=text_of(el, "model"), serial=text_of(el, "serial-number"),
            dram_mb=installed or usable, dram_usable_mb=usable if installed else None,
            start_time=_seconds(el, "start-time"), up_time=_seconds(el, "up-time"),
            zone=utc_offset(el, "start-time")))
    return sorted(found, key=lambda r: r.slot)


@dataclass(frozen=True, slots=True)
class SoftwareFacts:
    """``show version`` of one RE."""

    host_name: str | None
    product_model: str | None
    version: str | None


def software(reply: etree._Element) -> SoftwareFacts:
    """Return the facts of a ``get-software-information`` reply (its first
    ``software-information`` when several REs answered)."""
    info = first(reply, "software-information")
    if info is None:
        return SoftwareFacts(None, None, None)
    version = text_of(info, "junos-version")
    if not version:
        for package in find(info, "package-information"):
            if text_of(package, "name") in ("junos", "jbase", "jkernel"):
                match = _BRACKET.search(text_of(package, "comment") or "")
                if match:
                    version = match.group(1)
                    break
    return SoftwareFacts(text_of(info, "host-name"), text_of(info, "product-model"),
                         version or None)


@dataclass(frozen=True, slots=True)
class InventoryFacts:
    """``show chassis hardware``: the chassis serial number, its description, the modules."""

    serial: str | None
    description: str | None
    modules: tuple[InventoryModule, ...]


def _row(el: etree._Element, depth: int) -> InventoryModule:
    """Return one row as the testbed's inventory row (``emulator.platform.modules``): the
    fields the router gave, and its sub-modules."""
    children = tuple(_row(c, depth + 1) for c in el
                     if depth < len(_SUB) and _local(c) == _SUB[depth])
    values = {key: value for key in _ROW_FIELDS if (value := text_of(el, key.replace("_", "-")))}
    return InventoryModule(name=text_of(el, "name") or "?", modules=children, **values)


def inventory(reply: etree._Element) -> InventoryFacts | None:
    """Return the inventory of a ``get-chassis-inventory`` reply, or None when the RE refused
    it (the backup's "can only be used on the master" ``<output>``)."""
    chassis = first(reply, "chassis")
    if chassis is None:
        return None
    modules = tuple(_row(el, 0) for el in chassis if _local(el) == "chassis-module")
    return InventoryFacts(text_of(chassis, "serial-number"), text_of(chassis, "description"),
                          modules)


def configuration_text(reply: etree._Element) -> str | None:
    """Return the curly text of a ``get-configuration format=text`` reply, or None."""
    for name in ("configuration-text", "configuration-output"):
        el = first(reply, name)
        if el is not None:
            return el.text or ""
    return None


def log_text(reply: etree._Element) -> tuple[str, float | None] | None:
    """Return ``(text, seconds)`` of a ``get-log`` reply: the log's lines and the router time
    of the reply when it carries one (``junos:seconds``); None without log content."""
    for name in ("file-content", "output"):
        el = first(reply, name)
        if el is not None:
            seconds = next((float(v) for k, v in el.attrib.items()
                            if etree.QName(k).localname == "seconds" and v.isdigit()), None)
            return el.text or "", seconds
    return None

