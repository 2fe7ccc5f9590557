"""The fixed set of RPCs a clone must answer as its original does, and how replies compare.

:data:`CLONE_CHECKS` are the facts a clone carries, each as the RPC that shows it and the RE it
is read from (each RE, the master or the backup).  :func:`flatten` turns a reply into lines
``path = value`` (repeated elements named by their key child, as ``route-engine[slot=1]``), and
leaves out what is not a fact of the router but of the moment or the session: times
(:data:`MOMENT`), ``message-id`` and session ids; and what the clone does not carry since the
emulator computes its own (:data:`NOT_CARRIED`: load, CPU, memory use, temperatures).  Two
routers answer "the same" when every check's lines are equal.

Each check is a snapshot item (:class:`re_contract.snapshots.SnapshotItemSpec`), and the set is
written beside a clone as ``clone-checks.yaml``, a snapshot file (``--snapshot-file``: items with
``rpc``, ``args``, ``attrs``, ``re``, ``keys``; rules that ``ignore`` the moment's values;
:func:`snapshot_file`), so snapshots of the original and of the clone can be diffed by
``harness.snapshots`` with the same items and exclusions.
"""

from __future__ import annotations

import asyncio
import fnmatch
from collections.abc import Mapping
from typing import Any

from lxml import etree

from emulator.clone.client import Login, ReadOnlySession
from emulator.clone.errors import ReplyError, ReplyTimeoutError
from emulator.clone.readers import route_engines
from re_contract.records import RouterSpec
from re_contract.snapshots import ReplyFormat, SnapshotItemSpec, SnapshotScope

__all__ = ["CLONE_CHECKS", "KEYS", "MOMENT", "NOT_CARRIED", "compare", "flatten", "read_checks",
           "request_of", "snapshot_file"]

_EACH, _MASTER, _BACKUP = SnapshotScope.EACH, SnapshotScope.MASTER, SnapshotScope.BACKUP
_MODULES = {"chassis-module": "name", "chassis-sub-module": "name",
            "chassis-sub-sub-module": "name"}

#: The RPCs a clone answers as its original, each the RE(s) it is read from.
CLONE_CHECKS: tuple[SnapshotItemSpec, ...] = (
    SnapshotItemSpec("re-status", rpc="get-route-engine-information", re=_EACH),
    SnapshotItemSpec("versions", rpc="get-software-information", re=_EACH),
    SnapshotItemSpec("inventory", rpc="get-chassis-inventory", re=_MASTER, keys=_MODULES),
    SnapshotItemSpec("configuration", rpc="get-configuration",
                     attrs={"database": "committed", "format": "text"},
                     format=ReplyFormat.TEXT, re=_EACH),
    SnapshotItemSpec("mastership-log", rpc="get-log", args={"filename": "mastership"},
                     re=_EACH),
    SnapshotItemSpec("switchover", rpc="get-switchover-information", re=_BACKUP),
    SnapshotItemSpec("fpc", rpc="get-fpc-information", re=_MASTER),
)

#: Values of the moment, not of the router: left out of every comparison (element or attribute
#: local names).  ``seconds`` is the ``junos:seconds`` twin of a time.
MOMENT = frozenset({"start-time", "up-time", "current-time", "time-created", "seconds",
                    "message-id", "session-id", "last-flap"})
#: Values the clone does not carry, since the emulator computes its own (clone-report.txt says
#: so): load, CPU, memory use and temperatures, as glob patterns of element names.
NOT_CARRIED = ("cpu-*", "load-average-*", "memory-buffer-utilization",
               "memory-heap-utilization", "temperature")

#: The child naming each repeated element, so lines say which one they are about.
KEYS: Mapping[str, str] = {"route-engine": "slot", "fpc": "slot", "chassis-module": "name",
                           "chassis-sub-module": "name", "chassis-sub-sub-module": "name",
                           "package-information": "name", "multi-routing-engine-item": "re-name"}


def request_of(check: SnapshotItemSpec) -> etree._Element:
    """Return the RPC element of ``check`` (an item with ``rpc``: the clone sends no command).
    Raises ValueError for an item without one."""
    if check.rpc is None:
        raise ValueError(f"{check.name}: the clone reads RPCs, not commands")
    el = etree.Element(check.rpc)
    for name, value in check.attrs.items():
        el.set(name, value)
    for name, arg in check.args.items():
        child = etree.SubElement(el, name)
        if arg is not True:
            child.text = str(arg)
    return el


def _local(el: etree._Element) -> str:
    return str(etree.QName(el).localname) if isinstance(el.tag, str) else ""


def _label(el: etree._Element) -> str:
    name = _local(el)
    key = KEYS.get(name)
    if key is not None:
        value = next((c.text or "" for c in el if _local(c) == key), None)
        if value is not None:
            return f"{name}[{key}={value.strip()}]"
    return name


def flatten(reply: etree._Element) -> tuple[str, ...]:
    """Return ``reply`` (an ``<rpc-reply>``) as lines ``path = value`` in document order; text
    with several lines (a configuration, a log) gives one line per line of text.  Elements and
    attributes of :data:`MOMENT`, and elements of :data:`NOT_CARRIED`, are left out."""
    out: list[str] = []

    def walk(el: etree._Element, path: str) -> None:
        for name, value in sorted(el.attrib.items()):
            attr = etree.QName(name).localname
            if attr not in MOMENT:
                out.append(f"{path}/@{attr} = {value}")
        text = (el.text or "").strip()
        if text:
            out.extend(f"{path} = {line.rstrip()}" for line in text.splitlines())
        for child in el:
            if _compared(child):
                walk(child, f"{path}/{_label(child)}")

    for child in reply:
        if _compared(child):
            walk(child, _label(child))
    return tuple(out)


def _compared(el: etree._Element) -> bool:
    name = _local(el)
    return bool(name) and name not in MOMENT and not any(
        fnmatch.fnmatchcase(name, pattern) for pattern in NOT_CARRIED)


def compare(original: Mapping[str, tuple[str, ...]], clone: Mapping[str, tuple[str, ...]]
            ) -> list[str]:
    """Return one line per difference between two routers' flattened checks (keyed
    ``check@where``); empty when they answer the same."""
    problems: list[str] = []
    for key in sorted(set(original) | set(clone)):
        a, b = original.get(key), clone.get(key)
        if a is None or b is None:
            problems.append(f"{key}: only the {'clone' if a is None else 'original'} answered")
            continue
        for index in range(max(len(a), len(b))):
            left = a[index] if index < len(a) else "(nothing)"
            right = b[index] if index < len(b) else "(nothing)"
            if left != right:
                problems.append(f"{key} line {index + 1}: original {left!r}, clone {right!r}")
                break
    return problems


async def _read(spec: RouterSpec, checks: tuple[SnapshotItemSpec, ...]
                ) -> dict[str, tuple[str, ...]]:
    sessions: dict[str, ReadOnlySession] = {}
    try:
        for name, ep in spec.endpoints.items():
            sessions[name] = await ReadOnlySession.open(Login(
                ep.host, ep.port, spec.credentials, spec.host_keys, spec.timeouts.connect,
                spec.timeouts.rpc))
        status = await next(iter(sessions.values())).rpc("<get-route-engine-information/>")
        roles = {f"re{e.slot}": e.state for e in route_engines(status)}
        found: dict[str, tuple[str, ...]] = {}
        for check in checks:
            for where, name in _targets(check, roles, sessions):
                try:
                    reply = await sessions[name].rpc(request_of(check))
                    found[f"{check.name}@{where}"] = flatten(reply)
                except ReplyError as exc:
                    found[f"{check.name}@{where}"] = (f"error: {str(exc).split(': ', 2)[-1]}",)
        return found
    finally:
        for session in sessions.values():
            await session.close()


def _targets(check: SnapshotItemSpec, roles: Mapping[str, str], sessions: Mapping[str, Any]
             ) -> list[tuple[str, str]]:
    if check.re is _EACH:
        return [(name, name) for name in sessions]
    wanted = check.re.value
    return [(wanted, name) for name, role in roles.items() if role == wanted and name in sessions]


def read_checks(spec: RouterSpec, checks: tuple[SnapshotItemSpec, ...] = CLONE_CHECKS,
                deadline: float = 120.0) -> dict[str, tuple[str, ...]]:
    """Return every check of ``checks`` read from router ``spec`` (its RE endpoints), flattened,
    keyed ``name@re0`` (or ``name@master``); an RPC the router refuses gives its error line.

    Raises ConnectFailedError, ReplyTimeoutError (also past ``deadline`` seconds in all).
    """

    async def bounded() -> dict[str, tuple[str, ...]]:
        try:
            return await asyncio.wait_for(_read(spec, checks), deadline)
        except TimeoutError as exc:
            raise ReplyTimeoutError(f"{spec.name}: checks not read within {deadline:g} s"
                                    ) from exc

    return asyncio.run(bounded())


def snapshot_file(checks: tuple[SnapshotItemSpec, ...] = CLONE_CHECKS) -> dict[str, Any]:
    """Return ``checks`` as a snapshot file (:func:`re_contract.snapshots.load_snapshot_file`
    reads it back): the items, the built-in items off, an ``ignore`` rule per value of the
    moment."""
    items: dict[str, Any] = {}
    for check in checks:
        item: dict[str, Any] = {"rpc": check.rpc, "re": check.re.value}
        for key in ("args", "attrs", "keys"):
            if getattr(check, key):
                item[key] = dict(getattr(check, key))
        if check.format is not ReplyFormat.XML:
            item["format"] = check.format.value
        items[check.name] = item
    rules = [{"path": name, "check": "ignore"} for name in (*sorted(MOMENT), *NOT_CARRIED)]
    return {"defaults": False, "items": items, "rules": rules}
