"""What a snapshot captures: the built-in items (:data:`DEFAULT_ITEMS`), the items a testbed or a
snapshot file adds (:class:`~re_contract.snapshots.SnapshotItemSpec`), and how each becomes a
request and a value.

The built-in items, each read over NETCONF as the RPC a Junos CLI command maps to
(NOTES.md section 1; ``| display xml rpc``):

==================  ===========================================  ======  ===================
item                RPC (CLI)                                    from    kept as
==================  ===========================================  ======  ===================
``re-status``       get-route-engine-information (show chassis   each    tree
                    routing-engine)
``versions``        get-software-information (show version)      each    tree
``configuration``   get-configuration database=committed         each    set lines
                    format=set (show configuration | display
                    set)
``fpc``             get-fpc-information (show chassis fpc)       master  tree, settles
``pic``             get-pic-information (show chassis fpc        master  tree, settles
                    pic-status)
``interfaces``      get-interface-information terse (show        each    tree, settles
                    interfaces terse)
``alarms``          get-system-alarm-information (show system    each    tree, settles
                    alarms)
``switchover``      get-switchover-information (show system      backup  tree, settles
                    switchover; answered on the backup only)
``mastership-log``  get-log mastership (show log mastership)     each    last 50 lines (log)
==================  ===========================================  ======  ===================

A router that does not answer an item (an RPC its release lacks) has that recorded instead of a
value; a diff then says the item was not compared.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from lxml import etree

from re_contract.snapshots import (
    ReplyFormat,
    SnapshotItemSpec,
    SnapshotRuleSpec,
    SnapshotScope,
    SnapshotSettings,
)

__all__ = ["DEFAULT_ITEMS", "DEFAULT_KEYS", "SnapshotPlan", "item_from_dict", "item_to_dict",
           "request_of"]

#: The child that names each repeated element (JSNAPy's ``id``), for every item: entries are
#: matched by it between snapshots rather than by position.
DEFAULT_KEYS: Mapping[str, str] = {
    "route-engine": "slot",
    "fpc": "slot",
    "pic": "pic-slot",
    "physical-interface": "name",
    "logical-interface": "name",
    "address-family": "address-family-name",
    "interface-address": "ifa-local",
    "package-information": "name",
    "multi-routing-engine-item": "re-name",
    "alarm-detail": "alarm-description",
    "bgp-peer": "peer-address",
}

_EACH, _MASTER, _BACKUP = SnapshotScope.EACH, SnapshotScope.MASTER, SnapshotScope.BACKUP

#: The built-in items, in capture order (see the module docstring).
DEFAULT_ITEMS: tuple[SnapshotItemSpec, ...] = (
    SnapshotItemSpec("re-status", rpc="get-route-engine-information", re=_EACH),
    SnapshotItemSpec("versions", rpc="get-software-information", re=_EACH),
    SnapshotItemSpec("configuration", rpc="get-configuration",
                     attrs={"database": "committed", "format": "set"},
                     format=ReplyFormat.TEXT, re=_EACH),
    SnapshotItemSpec("fpc", rpc="get-fpc-information", re=_MASTER, settles=True),
    SnapshotItemSpec("pic", rpc="get-pic-information", re=_MASTER, settles=True),
    SnapshotItemSpec("interfaces", rpc="get-interface-information", args={"terse": True},
                     re=_EACH, settles=True),
    SnapshotItemSpec("alarms", rpc="get-system-alarm-information", re=_EACH, settles=True),
    SnapshotItemSpec("switchover", rpc="get-switchover-information", re=_BACKUP,
                     settles=True),
    SnapshotItemSpec("mastership-log", rpc="get-log", args={"filename": "mastership"},
                     format=ReplyFormat.TEXT, re=_EACH, tail=50),
)


def request_of(item: SnapshotItemSpec) -> etree._Element:
    """Return the request that reads ``item``: its RPC with attributes and argument children
    (``true``: an empty element), or ``<command>`` with its CLI line (``format="text"`` for a
    text item).  A text RPC asks ``format="text"`` unless it names its own format."""
    if item.command is not None:
        el = etree.Element("command")
        el.text = item.command
        if item.format is ReplyFormat.TEXT:
            el.set("format", "text")
        return el
    el = etree.Element(str(item.rpc))
    for name, value in item.attrs.items():
        el.set(name, value)
    if item.format is ReplyFormat.TEXT and "format" not in item.attrs:
        el.set("format", "text")
    for name, arg in item.args.items():
        child = etree.SubElement(el, name)
        if arg is not True:
            child.text = str(arg)
    return el


def item_to_dict(item: SnapshotItemSpec) -> dict[str, object]:
    """Return ``item`` as JSON data (a snapshot file carries the items it was taken with)."""
    return {"name": item.name, "rpc": item.rpc, "command": item.command,
            "args": dict(item.args), "attrs": dict(item.attrs), "format": item.format.value,
            "re": item.re.value, "keys": dict(item.keys), "tail": item.tail,
            "settles": item.settles}


def item_from_dict(data: Mapping[str, object]) -> SnapshotItemSpec:
    """Return the item :func:`item_to_dict` wrote.  Raises KeyError, ValueError, TypeError."""
    def mapping(key: str) -> dict[str, object]:
        value = data.get(key) or {}
        if not isinstance(value, dict):
            raise TypeError(f"{key}: expected a mapping, got {value!r}")
        return value

    tail = data.get("tail")
    return SnapshotItemSpec(
        name=str(data["name"]), rpc=_opt(data.get("rpc")), command=_opt(data.get("command")),
        args={k: v for k, v in mapping("args").items() if isinstance(v, str | int | bool)},
        attrs={k: str(v) for k, v in mapping("attrs").items()},
        format=ReplyFormat(data.get("format", "xml")), re=SnapshotScope(data.get("re", "each")),
        keys={k: str(v) for k, v in mapping("keys").items()},
        tail=int(tail) if isinstance(tail, int | str) else None,
        settles=bool(data.get("settles", False)))


def _opt(value: object) -> str | None:
    return None if value is None else str(value)


@dataclass(frozen=True, slots=True)
class SnapshotPlan:
    """The items a router's snapshots capture, in order, and the rules its diffs apply first
    (before the built-in HA rules)."""

    items: tuple[SnapshotItemSpec, ...] = DEFAULT_ITEMS
    rules: tuple[SnapshotRuleSpec, ...] = ()
    keys: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_KEYS))

    @classmethod
    def of(cls, settings: SnapshotSettings) -> SnapshotPlan:
        """Return the plan ``settings`` declare: the built-in items (unless ``defaults:
        false``) with the declared ones added or replacing them by name, and the rules."""
        base = DEFAULT_ITEMS if settings.defaults else ()
        return cls(_by_name(base, settings.items.values()), settings.rules)

    def extended(self, settings: SnapshotSettings) -> SnapshotPlan:
        """Return this plan with ``settings``' items added (or replacing by name; all of this
        plan's built-in items dropped when they say ``defaults: false``) and their rules
        first."""
        keep = self.items if settings.defaults else tuple(
            i for i in self.items if i not in DEFAULT_ITEMS)
        return SnapshotPlan(_by_name(keep, settings.items.values()),
                            settings.rules + self.rules, self.keys)

    def item(self, name: str) -> SnapshotItemSpec:
        """Return the item called ``name``.  Raises KeyError naming the items there are."""
        for item in self.items:
            if item.name == name:
                return item
        raise KeyError(f"no snapshot item {name!r}; the items are "
                       f"{', '.join(i.name for i in self.items)}")

    def only(self, names: Sequence[str]) -> SnapshotPlan:
        """Return the plan narrowed to the items ``names``.  Raises KeyError for an unknown
        name."""
        return SnapshotPlan(tuple(self.item(n) for n in names), self.rules, self.keys)

    def keys_for(self, item: SnapshotItemSpec) -> dict[str, str]:
        """Return the element keys that apply to ``item``: the defaults with its own over."""
        return {**self.keys, **item.keys}


def _by_name(base: Iterable[SnapshotItemSpec], added: Iterable[SnapshotItemSpec]
             ) -> tuple[SnapshotItemSpec, ...]:
    """Return ``base`` with each of ``added`` replacing the item of its name, or appended."""
    items = {i.name: i for i in base}
    items.update({i.name: i for i in added})
    return tuple(items.values())
