"""Taking a snapshot: every item of a plan read from the REs it names, and the snapshot as JSON.

:func:`take_snapshot` asks the router which RE is master, then reads each item from each RE (or
from the RE in the item's role), over the router's own sessions.  It never raises for an RE that
does not answer: the item then holds the error (an RE that cannot be reached is not asked
again within the snapshot).  The router clock is read at the start and the end, so a diff knows
how much router time lay between two snapshots (virtual on the emulator).
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from lxml import etree

from harness.clock import RouterClock
from harness.errors import ConnectError, HarnessError, RpcFailedError, SessionError
from harness.fileio import write_atomic
from harness.junos import RouteEngineStatus
from harness.snapshots.items import SnapshotPlan, item_from_dict, item_to_dict, request_of
from harness.snapshots.normalise import Tree, lines_of, text_of, tree_of
from re_contract.snapshots import ReplyFormat, SnapshotItemSpec, SnapshotScope

__all__ = ["FORMAT", "VERSION", "Capture", "Snapshot", "SnapshotError", "SnapshotSource",
           "load_snapshot", "take_snapshot"]

log = logging.getLogger(__name__)

#: Identifies the JSON files of snapshots; the version is bumped when the layout changes.
FORMAT = "re-harness-snapshot"
VERSION = 1


class SnapshotError(HarnessError):
    """A snapshot file cannot be read or written.  At fault: the file or the disk."""


class SnapshotSource(Protocol):
    """What a snapshot reads a router through (a :class:`~harness.router.DualRERouter`)."""

    name: str

    @property
    def re_names(self) -> tuple[str, ...]:
        """Return the router's RE names."""

    @property
    def clock(self) -> RouterClock:
        """Return the router's clock."""

    def status(self, via: str | None = None, timeout: float | None = None
               ) -> list[RouteEngineStatus]:
        """Return ``show chassis routing-engine`` as an RE sees it."""

    def rpc(self, re_name: str, request: etree._Element | str, *, retries: int = 2,
            timeout: float | None = None) -> etree._Element:
        """Send ``request`` to an RE and return the reply."""


@dataclass(frozen=True, slots=True)
class Capture:
    """One item as one RE answered it: its ``value`` (a tree or lines) or the ``error`` it gave
    (``Type: message``); ``re`` is the RE asked (for a role: the one in it then)."""

    re: str | None
    value: Tree = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        """Return True when the RE answered with a value."""
        return self.error is None


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A router's state at one moment, item by item: ``captures[item][where]``, where is an RE
    name for items read from each RE, or ``master``/``backup``.

    ``started``/``finished`` are router-clock times (virtual on the emulator), ``wall`` the
    host's; ``roles`` the mastership state of each RE as the router reported it.
    """

    name: str
    router: str
    started: float
    finished: float
    wall: float
    roles: Mapping[str, str]
    items: tuple[SnapshotItemSpec, ...]
    captures: Mapping[str, Mapping[str, Capture]] = field(default_factory=dict)
    test: str = ""

    @property
    def master(self) -> str | None:
        """Return the RE that was master, or None."""
        return next((n for n, s in self.roles.items() if s == "master"), None)

    @property
    def backup(self) -> str | None:
        """Return the RE that was backup, or None."""
        return next((n for n, s in self.roles.items() if s == "backup"), None)

    def item(self, name: str) -> SnapshotItemSpec | None:
        """Return the declaration of item ``name``, or None when it was not captured."""
        return next((i for i in self.items if i.name == name), None)

    def value(self, item: str, where: str) -> Tree:
        """Return the value of ``item`` at ``where`` (an RE name, master or backup).

        Raises KeyError when it was not captured; SnapshotError when the RE gave an error.
        """
        capture = self.captures[item][where]
        if capture.error is not None:
            raise SnapshotError(f"{self.router}: {item} on {where}: {capture.error}")
        return capture.value

    def to_dict(self) -> dict[str, Any]:
        """Return the snapshot as JSON data (:data:`FORMAT`, :data:`VERSION`)."""
        return {"format": FORMAT, "version": VERSION, "name": self.name,
                "router": self.router, "test": self.test, "started": self.started,
                "finished": self.finished, "wall": self.wall, "roles": dict(self.roles),
                "items": [item_to_dict(i) for i in self.items],
                "captures": {item: {where: {"re": c.re, "value": c.value, "error": c.error}
                                    for where, c in by_where.items()}
                             for item, by_where in self.captures.items()}}

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the snapshot as JSON to ``path`` (atomically); return the path.

        Raises SnapshotError when it cannot be written.
        """
        target = Path(path)
        try:
            write_atomic(target, json.dumps(self.to_dict(), indent=1, ensure_ascii=False))
        except OSError as exc:
            raise SnapshotError(f"{target}: cannot write the snapshot: {exc}") from exc
        return target

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Snapshot:
        """Return the snapshot :meth:`to_dict` wrote.

        Raises SnapshotError for another format or version, or a malformed document.
        """
        if data.get("format") != FORMAT or data.get("version") != VERSION:
            raise SnapshotError(f"expected a {FORMAT} version {VERSION} document, got "
                                f"{data.get('format')!r} version {data.get('version')!r}")
        try:
            captures = {item: {where: Capture(c.get("re"), c.get("value"), c.get("error"))
                               for where, c in by_where.items()}
                        for item, by_where in data["captures"].items()}
            return cls(str(data["name"]), str(data["router"]), float(data["started"]),
                       float(data["finished"]), float(data["wall"]),
                       {str(k): str(v) for k, v in data["roles"].items()},
                       tuple(item_from_dict(i) for i in data["items"]), captures,
                       str(data.get("test", "")))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise SnapshotError(f"malformed snapshot: {type(exc).__name__}: {exc}") from exc


def load_snapshot(path: str | os.PathLike[str]) -> Snapshot:
    """Return the snapshot saved in ``path``.  Raises SnapshotError naming the file."""
    source = Path(path)
    try:
        return Snapshot.from_dict(json.loads(source.read_text(encoding="utf-8")))
    except (OSError, ValueError) as exc:
        raise SnapshotError(f"{source}: cannot read the snapshot: {exc}") from exc
    except SnapshotError as exc:
        raise SnapshotError(f"{source}: {exc}") from exc


# ----------------------------------------------------------------------------- capturing
def take_snapshot(router: SnapshotSource, name: str, plan: SnapshotPlan | None = None, *,
                  test: str = "") -> Snapshot:
    """Read every item of ``plan`` (default: the built-in items) from ``router``; return the
    snapshot called ``name`` (``test``: the test it was taken for, kept in the file).

    Raises only OperationTimeoutError when an enclosing budget runs out; an RE that does not
    answer, or refuses an item, is recorded in the snapshot.
    """
    plan = plan or SnapshotPlan()
    started, wall = router.clock.now(), time.time()
    roles = _roles(router)
    down: dict[str, str] = {}
    captures = {item.name: {where: _capture(router, item, plan, re_name, down)
                            for where, re_name in _targets(item, roles, router.re_names)}
                for item in plan.items}
    log.info("%s: snapshot %r taken (%d items; master %s)", router.name, name,
             len(plan.items), next((n for n, s in roles.items() if s == "master"), None))
    return Snapshot(name, router.name, started, router.clock.now(), wall, roles, plan.items,
                    captures, test)


def _roles(router: SnapshotSource) -> dict[str, str]:
    """Return each RE's mastership state as the first RE that answers reports it ({} when
    none answers)."""
    try:
        return {r.name: r.mastership_state.lower() for r in router.status()}
    except HarnessError as exc:
        log.info("%s: no RE reports the roles for a snapshot: %s", router.name, exc)
        return {}


def _targets(item: SnapshotItemSpec, roles: Mapping[str, str], re_names: tuple[str, ...]
             ) -> list[tuple[str, str | None]]:
    """Return (where, RE) for each place ``item`` is read from (RE None: nobody holds the
    role)."""
    if item.re is SnapshotScope.EACH:
        return [(name, name) for name in re_names]
    role = item.re.value
    return [(role, next((n for n, s in roles.items() if s == role), None))]


def _capture(router: SnapshotSource, item: SnapshotItemSpec, plan: SnapshotPlan,
             re_name: str | None, down: dict[str, str]) -> Capture:
    if re_name is None:
        return Capture(None, error=f"NoRole: no Routing Engine is {item.re.value}")
    if re_name in down:
        return Capture(re_name, error=down[re_name])
    try:
        reply = router.rpc(re_name, request_of(item), retries=1)
    except RpcFailedError as exc:
        return Capture(re_name, error=_error_text(exc))
    except (ConnectError, SessionError) as exc:
        down[re_name] = _error_text(exc)
        return Capture(re_name, error=down[re_name])
    if item.format is ReplyFormat.TEXT:
        return Capture(re_name, lines_of(text_of(reply), item.tail))
    return Capture(re_name, tree_of(reply, plan.keys_for(item)))


def _error_text(exc: HarnessError) -> str:
    """Return ``Type: message`` without the session's label (a role's RE changes between
    snapshots; the error is the same)."""
    if isinstance(exc, RpcFailedError) and exc.errors:
        message = "; ".join(m for _, m in exc.errors)
    else:
        message = str(exc).split(": ", 1)[-1]
    return f"{type(exc).__name__}: {message}"
