"""The Junos configuration database of one Routing Engine.

Candidate and committed trees, ``load`` in the three formats Junos accepts (set, curly text,
XML), ``commit`` with validators, ``rollback`` (the last 50 commits), ``show | compare``, the
exclusive lock, and group inheritance (chapter, "Use the Groups Configuration": groups ``re0``
and ``re1`` apply only on the RE in that slot; the body takes precedence over the groups).
Typed readers (:func:`redundancy_settings`, :func:`host_name`) give the chassis model what it
needs from an effective configuration.

Pure model: no I/O and no clock; the caller passes commit times.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import Enum

from lxml import etree

from emulator.model.config_errors import (
    CHECKOUT_FAILED,
    CommitCheckError,
    ConfigError,
    ConfigLockedError,
    ConfigSyntaxError,
    RollbackNotFoundError,
)
from emulator.model.config_set import parse_set, render_set
from emulator.model.config_text import parse_text, render_compare, render_text
from emulator.model.config_tree import (
    ConfigNode,
    Edit,
    EditAction,
    NodeKind,
    PathStep,
    apply_edit,
    find,
    merge_under,
    strip_inactive,
)
from emulator.model.config_xml import parse_xml, render_xml
from emulator.model.routing_engine import Role

__all__ = [
    "CHECKOUT_FAILED",
    "KEEPALIVE_RANGE",
    "MAX_ROLLBACK",
    "CommitCheckError",
    "CommitRecord",
    "CommitResult",
    "ConfigDatabase",
    "ConfigError",
    "ConfigLockedError",
    "ConfigNode",
    "ConfigSyntaxError",
    "LoadAction",
    "LoadFormat",
    "LoadResult",
    "LockInfo",
    "RedundancyConfig",
    "RollbackNotFoundError",
    "Validator",
    "apply_groups",
    "group_applies",
    "host_name",
    "keepalive_time_validator",
    "parse_set",
    "parse_text",
    "parse_xml",
    "redundancy_settings",
    "render_compare",
    "render_set",
    "render_text",
    "render_xml",
]

#: Junos keeps rollback 0 (the active configuration) to rollback 49.
MAX_ROLLBACK = 50

#: ``chassis redundancy keepalive-time`` range in seconds (chapter: "from 2 to 10,000").
KEEPALIVE_RANGE = (2, 10000)

#: Default keepalive-time (chapter: "The default time before failover ... 300 seconds").
DEFAULT_KEEPALIVE = 300

#: A commit-check rule: returns the error messages for a candidate (empty list = fine).
Validator = Callable[[ConfigNode], list[str]]


class LoadFormat(Enum):
    """The formats ``load`` accepts (``<load-configuration format=...>``)."""

    SET = "set"
    TEXT = "text"
    XML = "xml"


class LoadAction(Enum):
    """How a load combines with the candidate (``<load-configuration action=...>``)."""

    MERGE = "merge"
    REPLACE = "replace"
    OVERRIDE = "override"
    UPDATE = "update"
    SET = "set"


@dataclass(frozen=True, slots=True)
class LoadResult:
    """What a load reports besides success: warnings such as ``statement not found``."""

    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CommitRecord:
    """One kept commit (``show system commit``); ``config`` must not be mutated."""

    time: float
    user: str
    log: str | None
    config: ConfigNode = field(repr=False)


@dataclass(frozen=True, slots=True)
class CommitResult:
    """Outcome of a successful commit or commit check."""

    check_only: bool
    #: True when the candidate differed from the previous committed configuration.
    changed: bool
    record: CommitRecord | None = None


@dataclass(frozen=True, slots=True)
class LockInfo:
    """Who holds the exclusive lock (``configure exclusive`` / ``<lock>``)."""

    session_id: int
    user: str
    since: float


@dataclass(frozen=True, slots=True)
class RedundancyConfig:
    """``chassis redundancy`` and related statements of one effective configuration."""

    #: Configured role per slot; None for ``routing-engine N`` without a role.
    roles: dict[int, Role | None] = field(default_factory=dict)
    failover_on_loss_of_keepalives: bool = False
    keepalive_time: int = DEFAULT_KEEPALIVE
    graceful_switchover: bool = False
    commit_synchronize: bool = False
    #: ``system processes <name> failover <how>``: process name -> how.
    process_failover: dict[str, str] = field(default_factory=dict)


# ------------------------------------------------------------------ groups
_RE_GROUP = re.compile(r"re(\d+)")
_GROUP_STATEMENTS = frozenset({"apply-groups", "apply-groups-except"})


def group_applies(name: str, slot: int) -> bool:
    """Return True if group ``name`` applies on the RE in ``slot``.

    Chapter, "Use the Groups Configuration": "The configuration specified in group re0 is only
    applied if the current Routing Engine is in slot 0"; other groups apply everywhere.
    """
    m = _RE_GROUP.fullmatch(name)
    return m is None or int(m.group(1)) == slot


def _inherit(node: ConfigNode, path: tuple[PathStep, ...], groups: dict[str, ConfigNode],
             slot: int) -> None:
    """Apply the groups listed at ``node`` and below, the most specific level first."""
    for c in node.children:
        if c.kind in (NodeKind.CONTAINER, NodeKind.ENTRY):
            _inherit(c, path + (PathStep(c.name, c.key),), groups, slot)
    listed = node.child("apply-groups")
    for name in listed.values if listed is not None else []:
        group = groups.get(name)
        src = find(group, path, create=False) if group and group_applies(name, slot) else None
        for c in src.children if src is not None else []:
            if c.name not in _GROUP_STATEMENTS:
                # Body first, then groups in the order listed: merge_under never overrides.
                merge_under(node, c)


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
    _inherit(tree, (), groups, slot)
    _drop_group_statements(tree)
    return tree


# ------------------------------------------------------------------ readers
def _leaf(node: ConfigNode | None, name: str) -> str | None:
    c = node.child(name) if node is not None else None
    return c.value if c is not None and c.kind is NodeKind.LEAF else None


def _role(entry: ConfigNode) -> Role | None:
    for c in entry.children:
        if c.name in {r.value for r in Role}:
            return Role(c.name)
    return None


def _roles(redundancy: ConfigNode | None) -> dict[int, Role | None]:
    if redundancy is None:
        return {}
    return {int(e.key or ""): _role(e) for e in redundancy.entries("routing-engine")
            if (e.key or "").isdigit()}


def _int_or(value: str | None, default: int) -> int:
    return int(value) if value is not None and value.isdigit() else default


def _process_failover(root: ConfigNode) -> dict[str, str]:
    processes = root.get("system", "processes")
    out: dict[str, str] = {}
    for p in processes.children if processes is not None else []:
        how = _leaf(p, "failover")
        if how is not None:
            out[p.key or p.name] = how
    return out


def redundancy_settings(root: ConfigNode) -> RedundancyConfig:
    """Return the redundancy statements of an effective configuration (defaults if absent).

    Reads ``chassis redundancy routing-engine N (master|backup|disabled)``, ``failover
    on-loss-of-keepalives``, ``keepalive-time`` (default 300), ``graceful-switchover``,
    ``system commit synchronize`` and ``system processes <name> failover <how>``.
    """
    red = root.get("chassis", "redundancy")
    return RedundancyConfig(
        roles=_roles(red),
        failover_on_loss_of_keepalives=root.get(
            "chassis", "redundancy", "failover", "on-loss-of-keepalives") is not None,
        keepalive_time=_int_or(_leaf(red, "keepalive-time"), DEFAULT_KEEPALIVE),
        graceful_switchover=red is not None and red.child("graceful-switchover") is not None,
        commit_synchronize=root.get("system", "commit", "synchronize") is not None,
        process_failover=_process_failover(root),
    )


def host_name(root: ConfigNode) -> str | None:
    """Return ``system host-name`` of an effective configuration, or None."""
    return _leaf(root.get("system"), "host-name")


# ------------------------------------------------------------------ validators
def _keepalive_messages(value: str) -> list[str]:
    low, high = KEEPALIVE_RANGE
    if not value.isdigit():
        return [f"invalid numeric value: {value}"]
    if not low <= int(value) <= high:
        # Junos's wording for an out-of-range number, e.g. "Value 1 is not within range
        # (2..10000)".
        return [f"Value {value} is not within range ({low}..{high})"]
    return []


def keepalive_time_validator(root: ConfigNode) -> list[str]:
    """Return errors for ``chassis redundancy keepalive-time`` outside 2..10000 (chapter).

    Checks the body and every group (Junos range-checks a statement wherever it is written).
    Messages: ``Value 1 is not within range (2..10000)``, ``invalid numeric value: x``.
    """
    messages: list[str] = []
    for tree in [root, *root.entries("groups")]:
        value = _leaf(tree.get("chassis", "redundancy"), "keepalive-time")
        if value is not None:
            messages += _keepalive_messages(value)
    return messages


# ------------------------------------------------------------------ the database
def _choice(value: str | Enum, enum: type[LoadFormat] | type[LoadAction]) -> Enum:
    try:
        return enum(value.value if isinstance(value, Enum) else value)
    except ValueError:
        raise ConfigSyntaxError(str(value), f"invalid {enum.__name__}: {value}") from None


def _as_text(data: str | bytes | etree._Element) -> str:
    if isinstance(data, bytes):
        return data.decode()
    if isinstance(data, str):
        return data
    raise ConfigSyntaxError(etree.QName(data).localname, "syntax error, expecting text")


def _lock_message(info: LockInfo) -> str:
    since = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(info.since))
    # The shape of Junos's lock-denied text (the holder, its session, then the mode).
    return (f"configuration database locked by:\n  {info.user} terminal netconf "
            f"(pid {info.session_id}) on since {since}\n      exclusive [edit]")


class ConfigDatabase:
    """Candidate and committed configuration of one Routing Engine.

    ``session_id`` arguments identify the client for the exclusive lock; None is the router
    itself (initial configuration, commit synchronize) and is never refused.
    """

    def __init__(
        self,
        initial: ConfigNode | None = None,
        *,
        validators: Iterable[Validator] = (keepalive_time_validator,),
    ) -> None:
        self._committed = initial.copy() if initial is not None else ConfigNode.root()
        self._candidate = self._committed.copy()
        self._history: list[CommitRecord] = []
        self._stash: ConfigNode | None = None
        self._lock: LockInfo | None = None
        self.validators: list[Validator] = list(validators)

    # -------------------------------------------------------------- views
    @property
    def candidate(self) -> ConfigNode:
        """Return the candidate tree (the database's own object: do not mutate)."""
        return self._candidate

    @property
    def committed(self) -> ConfigNode:
        """Return the committed (active) tree (the database's own object: do not mutate)."""
        return self._committed

    @property
    def history(self) -> tuple[CommitRecord, ...]:
        """Return the kept commits, newest (rollback 0) first."""
        return tuple(self._history)

    @property
    def modified(self) -> bool:
        """Return True if the candidate differs from the committed configuration."""
        return self._candidate != self._committed

    @property
    def lock_holder(self) -> LockInfo | None:
        """Return who holds the exclusive lock, or None."""
        return self._lock

    def candidate_text(self) -> str:
        """Return the candidate in the curly format."""
        return render_text(self._candidate)

    def committed_text(self) -> str:
        """Return the committed configuration in the curly format."""
        return render_text(self._committed)

    def effective(self, slot: int, *, candidate: bool = False) -> ConfigNode:
        """Return the committed (or candidate) configuration as RE ``slot`` applies it."""
        return apply_groups(self._candidate if candidate else self._committed, slot)

    def compare(self, rollback: int = 0) -> str:
        """Return ``show | compare [rollback N]``: the candidate against a kept configuration.

        Raises RollbackNotFoundError.
        """
        return render_compare(self._rollback_tree(rollback), self._candidate)

    # -------------------------------------------------------------- lock
    def _guard(self, session_id: int | None) -> None:
        """Raise ConfigLockedError if another session holds the lock."""
        if session_id is not None and self._lock and self._lock.session_id != session_id:
            raise ConfigLockedError(_lock_message(self._lock), self._lock.session_id)

    def lock(self, session_id: int, user: str = "root", *, since: float = 0.0) -> None:
        """Take the exclusive lock for ``session_id`` (``since``: caller's clock, for the text).

        Raises ConfigLockedError if the lock is held (RFC 6241 7.5: even by this session) or
        the candidate has uncommitted changes (Junos: "configuration database modified").
        """
        if self._lock is not None:
            raise ConfigLockedError(_lock_message(self._lock), self._lock.session_id)
        if self.modified:
            raise ConfigLockedError("configuration database modified")
        self._lock = LockInfo(session_id, user, since)

    def unlock(self, session_id: int) -> None:
        """Release the lock and discard uncommitted changes (Junos XML guide, "Unlocking").

        A no-op if nothing is locked.  Raises ConfigLockedError if another session holds it.
        """
        self._guard(session_id)
        if self._lock is not None:
            self._lock = None
            self._candidate = self._committed.copy()

    def release_session(self, session_id: int) -> None:
        """A session ended: drop its lock (and its uncommitted changes) if it held one."""
        if self._lock is not None and self._lock.session_id == session_id:
            self.unlock(session_id)

    # -------------------------------------------------------------- load
    def load(
        self,
        data: str | bytes | etree._Element,
        format: LoadFormat | str = LoadFormat.TEXT,  # noqa: A002 - the Junos attribute name
        action: LoadAction | str = LoadAction.MERGE,
        *,
        session_id: int | None = None,
    ) -> LoadResult:
        """Load ``data`` into the candidate; all or nothing.

        ``action``: merge (new values win), replace (as merge, plus ``replace:`` tags),
        override/update (the load becomes the candidate), set (set commands; also implied by
        ``format="set"``).  Returns warnings.  Raises ConfigSyntaxError, ConfigLockedError.
        """
        self._guard(session_id)
        fmt = _choice(format, LoadFormat)
        act = _choice(action, LoadAction)
        work, edits = self._prepare(data, fmt, act)
        warnings = [w for e in edits if (w := apply_edit(work, e)) is not None]
        self._candidate = work
        return LoadResult(tuple(warnings))

    def _prepare(self, data: str | bytes | etree._Element, fmt: Enum, act: Enum
                 ) -> tuple[ConfigNode, list[Edit]]:
        """Return (the tree to edit, the edits) for one load.  Raises ConfigSyntaxError."""
        if fmt is LoadFormat.SET or act is LoadAction.SET:
            if fmt is LoadFormat.XML or act not in (LoadAction.SET, LoadAction.MERGE):
                raise ConfigSyntaxError(str(act.value), f"invalid action {act.value} for set")
            return self._candidate.copy(), parse_set(_as_text(data))
        if fmt is LoadFormat.TEXT:
            parsed = parse_text(_as_text(data))
            tree = parsed.tree
            edits = [Edit(EditAction.MERGE, (), c) for c in tree.children] + parsed.edits
        else:
            tree, edits = parse_xml(data)
        if act in (LoadAction.OVERRIDE, LoadAction.UPDATE):
            return tree, []  # the load is the new candidate; its tags are already applied
        return self._candidate.copy(), edits

    # -------------------------------------------------------------- candidate control
    def discard(self, *, session_id: int | None = None) -> None:
        """Throw the candidate's changes away (``rollback 0``).  Raises ConfigLockedError."""
        self.rollback(0, session_id=session_id)

    def rollback(self, n: int = 0, *, session_id: int | None = None) -> None:
        """Load kept configuration ``n`` into the candidate (0 = the committed one).

        Raises RollbackNotFoundError, ConfigLockedError.
        """
        self._guard(session_id)
        self._candidate = self._rollback_tree(n).copy()

    def _rollback_tree(self, n: int) -> ConfigNode:
        if n == 0:
            return self._committed
        if not 0 < n < len(self._history):
            raise RollbackNotFoundError(n)
        return self._history[n].config

    def stage_copy(self, text: str) -> None:
        """Make ``text`` (another RE's candidate) the candidate until commit or
        :meth:`discard_staged` (``commit synchronize``: "copied ... followed by a load
        override").  Raises ConfigSyntaxError."""
        tree = parse_text(text).tree
        if self._stash is None:
            self._stash = self._candidate
        self._candidate = tree

    def discard_staged(self) -> None:
        """Put back the candidate :meth:`stage_copy` replaced (no-op if none)."""
        if self._stash is not None:
            self._candidate, self._stash = self._stash, None

    # -------------------------------------------------------------- commit
    def check(self) -> None:
        """Run the validators on the candidate.  Raises CommitCheckError with their messages."""
        messages = [m for v in self.validators for m in v(self._candidate)]
        if messages:
            raise CommitCheckError(messages)

    def commit(
        self,
        now: float,
        user: str,
        log: str | None = None,
        check_only: bool = False,
        *,
        session_id: int | None = None,
    ) -> CommitResult:
        """Check, then (unless ``check_only``) make the candidate the committed configuration.

        ``now`` is the caller's clock.  Keeps the last :data:`MAX_ROLLBACK` commits.
        Raises CommitCheckError, ConfigLockedError.
        """
        self._guard(session_id)
        self.check()
        changed = self.modified
        if check_only:
            return CommitResult(check_only=True, changed=changed)
        self._committed = self._candidate.copy()
        record = CommitRecord(now, user, log, self._committed.copy())
        self._history = [record, *self._history][:MAX_ROLLBACK]
        self._stash = None
        return CommitResult(check_only=False, changed=changed, record=record)
